using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Kernels;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Layers;

/// <summary>
/// What the shared harness does not reach: Keras' golden values (attention_test.py, multi_head_attention_test.py),
/// the causal and explicit masks, returned scores, the masked softmax and strided GEMM kernels against float64, the
/// weights file's Keras paths and the config keys.
/// </summary>
public class AttentionTests
{
    // ---- Keras' golden values. ----

    /// <summary>attention_test.py, test_attention_correctness: dot and concat scores of a 2×2 example.</summary>
    [Theory]
    [InlineData("dot", new[] { 2.462f, 3.462f, 1.538f, 2.538f }, new[] { 0.269f, 0.731f, 0.731f, 0.269f })]
    [InlineData("concat", new[] { 1.727f, 2.727f, 2.272f, 3.272f }, new[] { 0.636f, 0.363f, 0.363f, 0.636f })]
    public void AttentionMatchesKerasGoldenValues(string mode, float[] expectedOutput, float[] expectedScores)
    {
        var query = Const([1, 0, 0, 1], 1, 2, 2);
        var key = Const([0, 1, 1, 0], 1, 2, 2);
        var value = Const([1, 2, 3, 4], 1, 2, 2);
        var (output, scores) = new Attention(scoreMode: mode).CallWithScores(query, value, key);
        AssertClose(expectedOutput, output.Values.ToArray(), 1e-3);
        AssertClose(expectedScores, scores.Values.ToArray(), 1e-3);
    }

    /// <summary>attention_test.py, test_attention_with_mask: the masked key gets no weight, the masked query a zero output.</summary>
    [Fact]
    public void AttentionMasksKeysByTheValueMaskAndZeroesMaskedQueries()
    {
        var query = Const([1, 0, 0, 1], 1, 2, 2);
        var value = Const([1, 1, 1, 1], 1, 2, 2);
        query.Mask = Const([1, 0], 1, 2);
        value.Mask = Const([1, 0], 1, 2);
        var (output, scores) = new Attention().CallWithScores(query, value);
        Assert.Equal([1f, 1f, 0f, 0f], output.Values.ToArray());
        Assert.Equal([1f, 0f, 1f, 0f], scores.Values.ToArray());
        Assert.Same(query.Mask, output.Mask);
    }

    /// <summary>
    /// multi_head_attention_test.py, test_correctness: identity projections over 8 heads of size 8; every head sees the
    /// same scores (0.1691 on the diagonal, 0.1187 elsewhere) and the output rises 2.406 … 2.633 along the queries.
    /// </summary>
    [Fact]
    public void MultiHeadAttentionMatchesKerasGoldenValues()
    {
        const int heads = 8, dim = 8;
        var identity = new float[dim * dim];
        for (int i = 0; i < dim; i++) identity[i * dim + i] = 1;
        var query = Const(identity, 1, dim, dim);
        var key = Const(identity, 1, dim, dim);
        var value = Const([.. Enumerable.Range(0, dim * dim).Select(i => i / 100f)], 1, dim, dim);
        var layer = new MultiHeadAttention(heads, dim);
        layer.Call(query, value, key);
        // Keras' weights: kernel[a, h, c] = δ(a, c) for all four, biases zero.
        var kernel = new float[dim * heads * dim];
        for (int a = 0; a < dim; a++)
            for (int h = 0; h < heads; h++) kernel[(a * heads + h) * dim + a] = 1;
        foreach (var w in layer.Weights) w.Assign(w.Name == "kernel" ? kernel : new float[w.Shape.Size]);
        var (output, scores) = layer.CallWithScores(query, value, key);
        float[] rows = [2.406f, 2.440f, 2.473f, 2.504f, 2.535f, 2.568f, 2.602f, 2.633f];
        AssertClose([.. rows.SelectMany(r => Enumerable.Repeat(r, dim))], output.Values.ToArray(), 1e-2);
        var expectedScores = new float[heads * dim * dim];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++) expectedScores[(h * dim + i) * dim + j] = i == j ? 0.1691f : 0.1187f;
        Assert.Equal([1, heads, dim, dim], scores.Shape.ToArray());
        AssertClose(expectedScores, scores.Values.ToArray(), 1e-3);
    }

    /// <summary>
    /// multi_head_attention_test.py, test_masking: the masks of Embedding(mask_zero) inputs, with and without the causal
    /// mask, give the same output as Keras' equivalent explicit attention mask; the output keeps the query's mask.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KerasMasksEqualTheExplicitAttentionMask(bool causal)
    {
        var layer = new MultiHeadAttention(2, 2, seed: 1);
        var queryIds = Const([1, 2, 3, 0, 0, 3, 3, 1, 1, 2, 1, 0, 0, 0, 0], 3, 5);
        var valueIds = Const([5, 4, 0, 3, 0, 0, 2, 1, 1], 3, 3);
        var queryEmbedding = new Embedding(4, 8, maskZero: true);
        var valueEmbedding = new Embedding(6, 8, maskZero: true);
        queryEmbedding.EnsureBuilt(new Shape(5));
        valueEmbedding.EnsureBuilt(new Shape(3));
        var query = queryEmbedding.Apply([queryIds]);
        var value = valueEmbedding.Apply([valueIds]);
        Assert.NotNull(query.Mask);
        var automatic = layer.Call(query, value, useCausalMask: causal);
        Assert.Same(query.Mask, automatic.Mask);

        int[][][] mask =
        [
            [[1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 0], [0, 0, 0]],
            [[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]],
            [[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
        ];
        int[][] causalMask = [[1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 1, 1], [1, 1, 1]];
        var explicitMask = mask.SelectMany(sample => sample.SelectMany((row, i) => row.Select((m, j) => causal ? m & causalMask[i][j] : m))).Select(m => (float)m).ToArray();
        var plainQuery = Const(query.Values.ToArray(), 3, 5, 8);
        var plainValue = Const(value.Values.ToArray(), 3, 3, 8);
        var manual = layer.Call(plainQuery, plainValue, attentionMask: Const(explicitMask, 3, 5, 3));
        Assert.Null(manual.Mask);
        AssertClose(manual.Values.ToArray(), automatic.Values.ToArray(), 1e-6);
    }

    // ---- Causal and explicit masks against the float64 reference, with their gradients. ----

    [Theory]
    [InlineData(true, false, 5, 5)]
    [InlineData(true, false, 3, 7)]
    [InlineData(false, true, 4, 6)]
    [InlineData(true, true, 7, 7)]
    public void MultiHeadAttentionWithCausalAndExplicitMasksMatchesTheReference(bool causal, bool explicitMask, int tq, int tv)
    {
        const int batch = 2, dim = 5;
        var layer = new MultiHeadAttention(3, 2, valueDim: 4, seed: 1);
        var q = AwayFromZero(1, batch * tq * dim, 0.05, 1);
        var v = AwayFromZero(2, batch * tv * dim, 0.05, 1);
        var maskValues = explicitMask ? [.. Uniform(3, batch * tq * tv).Select((u, i) => u > -0.3 || i % tv == 0 ? 1f : 0f)] : (float[]?)null;
        var query = Param((float[])q.Clone(), batch, tq, dim);
        var value = Param((float[])v.Clone(), batch, tv, dim);
        Tensor? mask = maskValues is null ? null : Const(maskValues, batch, tq, tv);
        layer.Call(query, value, attentionMask: mask, useCausalMask: causal);
        for (int i = 0; i < layer.Weights.Count; i++) layer.Weights[i].Assign(Uniform(10 + i, layer.Weights[i].Shape.Size, -0.5, 0.5));

        var (output, scores) = layer.CallWithScores(query, value, attentionMask: mask, useCausalMask: causal);
        var (expected, expectedScores) = AttentionReference.MultiHeadWithScores(layer, q, v, v, batch, [tq, dim], [tv, dim], [tv, dim], false, false, causal, maskValues);
        LayerTestHarness.AssertMatchesReference("output", expected, output.Values.ToArray(), 1e-5);
        LayerTestHarness.AssertMatchesReference("scores", expectedScores, scores.Values.ToArray(), 1e-6);
        if (causal)
            for (int i = 0; i < scores.Size; i++)
                if (i % tv > i / tv % tq) Assert.Equal(0f, scores.Values[i]); // no weight on a later key

        FiniteDifferences.Check(() => layer.Call(query, value, attentionMask: mask, useCausalMask: causal), [query, value, .. layer.Weights.Select(w => w.Value)]);
    }

    [Theory]
    [InlineData("dot", false)]
    [InlineData("concat", true)]
    public void AttentionWithTheCausalMaskMatchesTheReference(string mode, bool scale)
    {
        const int batch = 2, tq = 4, tv = 6, dim = 3;
        var layer = new Attention(scale, mode);
        var q = AwayFromZero(1, batch * tq * dim, 0.05, 1);
        var v = AwayFromZero(2, batch * tv * dim, 0.05, 1);
        var query = Param((float[])q.Clone(), batch, tq, dim);
        var value = Param((float[])v.Clone(), batch, tv, dim);
        layer.Call(query, value, useCausalMask: true);
        foreach (var w in layer.Weights) w.Assign([0.8f]);
        var output = layer.Call(query, value, useCausalMask: true);
        var expected = AttentionReference.Luong(layer, q, v, v, batch, [tq, dim], [tv, dim], [tv, dim], false, causal: true);
        LayerTestHarness.AssertMatchesReference("output", expected, output.Values.ToArray(), 1e-5);
        FiniteDifferences.Check(() => layer.Call(query, value, useCausalMask: true), [query, value, .. layer.Weights.Select(w => w.Value)]);
    }

    /// <summary>Scores are taken before dropout in MultiHeadAttention (Keras returns them so); dropout changes the output only in training.</summary>
    [Fact]
    public void MultiHeadAttentionDropsOutOnlyInTraining()
    {
        var layer = new MultiHeadAttention(2, 4, dropout: 0.5, seed: 3);
        var x = Const(AwayFromZero(1, 2 * 6 * 8, 0.05, 1), 2, 6, 8);
        var (inference, scores) = layer.CallWithScores(x, x);
        var again = layer.Call(x, x);
        Assert.Equal(inference.Values.ToArray(), again.Values.ToArray());
        var (trained, trainingScores) = layer.CallWithScores(x, x, training: true);
        Assert.NotEqual(inference.Values.ToArray(), trained.Values.ToArray());
        Assert.Equal(scores.Values.ToArray(), trainingScores.Values.ToArray());
        for (int r = 0; r < scores.Size / 6; r++) Assert.Equal(1.0, scores.Values.Slice(r * 6, 6).ToArray().Sum(v => (double)v), 5);
    }

    // ---- Call options in functional models, saved as Keras' call arguments. ----

    /// <summary>
    /// A functional model calling MultiHeadAttention with the causal mask and an explicit mask input, and Attention
    /// with the causal mask: its predictions are the eager calls', and a .keras round trip keeps them (the options are
    /// written as Keras' inbound-node kwargs).
    /// </summary>
    [Fact]
    public void FunctionalCallOptionsRunAndSurviveSaving()
    {
        const int batch = 3, t = 5, dim = 4;
        var x = new Input([t, dim]);
        var maskInput = new Input([t, t]);
        var mha = new MultiHeadAttention(2, 3);
        var attention = new Attention();
        var attended = mha.Call(x, x, attentionMask: maskInput, useCausalMask: true);
        var output = attention.Call(attended, x, useCausalMask: true);
        var model = new Model([x, maskInput], [output]);

        var xs = AwayFromZero(4, batch * t * dim, 0.05, 1);
        var masks = Uniform(5, batch * t * t).Select((u, i) => u > -0.5 || i % t == 0 ? 1f : 0f).ToArray();
        var predicted = model.Predict([new NDArray<float>(xs, batch, t, dim), new NDArray<float>(masks, batch, t, t)], verbose: 0)[0].ToArray();
        var eager = attention.Call(mha.Call(Const(xs, batch, t, dim), Const(xs, batch, t, dim), attentionMask: Const(masks, batch, t, t), useCausalMask: true),
            Const(xs, batch, t, dim), useCausalMask: true);
        Assert.Equal(eager.Values.ToArray(), predicted);
        var unmasked = attention.Call(mha.Call(Const(xs, batch, t, dim), Const(xs, batch, t, dim)), Const(xs, batch, t, dim));
        Assert.NotEqual(unmasked.Values.ToArray(), predicted);

        var config = ModelConfig.Serialize(model);
        var layers = config["config"]!["layers"]!.AsArray();
        var mhaNode = layers.Single(l => (string?)l!["class_name"] == "MultiHeadAttention")!["inbound_nodes"]![0]!;
        Assert.Equal(2, mhaNode["args"]!.AsArray().Count); // call(query, value): separate arguments
        Assert.True((bool)mhaNode["kwargs"]!["use_causal_mask"]!);
        Assert.Equal("__keras_tensor__", (string?)mhaNode["kwargs"]!["attention_mask"]!["class_name"]);
        var attentionNode = layers.Single(l => (string?)l!["class_name"] == "Attention")!["inbound_nodes"]![0]!;
        Assert.Single(attentionNode["args"]!.AsArray()); // call([query, value]): one list
        Assert.True((bool)attentionNode["kwargs"]!["use_causal_mask"]!);

        string folder = Directory.CreateTempSubdirectory("dendrite-attention-options-").FullName;
        try
        {
            string path = Path.Combine(folder, "m.keras");
            model.Save(path);
            var loaded = Model.Load(path);
            var again = loaded.Predict([new NDArray<float>(xs, batch, t, dim), new NDArray<float>(masks, batch, t, t)], verbose: 0)[0].ToArray();
            Assert.Equal(predicted, again);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Keras' keyword form mha(query=x, value=y) in a file is read as the positional call; return_attention_scores=True is refused.</summary>
    [Fact]
    public void KerasKeywordCallsAreReadAndTwoOutputCallsRefused()
    {
        var x = new Input([4, 3]);
        var y = new Input([6, 3]);
        var model = new Model([x, y], [new MultiHeadAttention(2, 2).Call(x, y)]);
        var config = ModelConfig.Serialize(model);
        var node = config["config"]!["layers"]!.AsArray().Single(l => (string?)l!["class_name"] == "MultiHeadAttention")!["inbound_nodes"]![0]!.AsObject();
        var args = node["args"]!.AsArray();
        node["kwargs"] = new JsonObject { ["query"] = args[0]!.DeepClone(), ["value"] = args[1]!.DeepClone() };
        node["args"] = new JsonArray();
        var keyword = ModelConfig.Deserialize(config.DeepClone());
        keyword.SetWeights(model.GetWeights());
        var xs = AwayFromZero(1, 2 * 4 * 3, 0.05, 1);
        var ys = AwayFromZero(2, 2 * 6 * 3, 0.05, 1);
        NDArray[] inputs = [new NDArray<float>(xs, 2, 4, 3), new NDArray<float>(ys, 2, 6, 3)];
        Assert.Equal(model.Predict(inputs, verbose: 0)[0].ToArray(), keyword.Predict(inputs, verbose: 0)[0].ToArray());

        node["kwargs"]!["return_attention_scores"] = true;
        var refused = Assert.Throws<ModelFormatException>(() => ModelConfig.Deserialize(config));
        Assert.Contains("return_attention_scores=True", refused.Message);
    }

    // ---- Kernels against float64. ----

    [Theory]
    [InlineData(1, 0.5f)]
    [InlineData(7, 1f)]
    [InlineData(129, 0.125f)]
    public void MaskedSoftmaxMatchesTheFloat64Reference(int n, float scale)
    {
        foreach (string pattern in new[] { "none", "some", "all but one", "all" })
        {
            var scores = Uniform(n + pattern.Length, n, -4, 4);
            float[] allowed = pattern switch
            {
                "none" => [],
                "some" => [.. Enumerable.Range(0, n).Select(j => j % 3 == 1 ? 0f : 1f)],
                "all but one" => [.. Enumerable.Range(0, n).Select(j => j == n / 2 ? 1f : 0f)],
                _ => new float[n],
            };
            if (pattern == "some" && n == 1) allowed = [1f];
            var p = new float[n];
            MaskedSoftmax.Forward(scores, allowed, scale, p);
            var reference = new double[n];
            MaskedSoftmax.ForwardReference(scores, allowed, scale, reference);
            for (int j = 0; j < n; j++) Assert.True(Math.Abs(p[j] - reference[j]) <= 1e-6 * (1 + reference[j]), $"{pattern}, n={n}, j={j}: {p[j]} vs {reference[j]}");
            if (pattern == "all")
                Assert.All(p, v => Assert.Equal(1f / n, v, 6)); // Keras: a fully masked row is uniform
            else if (allowed.Length > 0)
                for (int j = 0; j < n; j++) if (allowed[j] == 0) Assert.Equal(0f, p[j]);

            var dp = Uniform(3 * n, n, -1, 1);
            var ds = new float[n];
            MaskedSoftmax.Backward(p, dp, allowed, scale, ds);
            var dsReference = new double[n];
            MaskedSoftmax.BackwardReference([.. p.Select(v => (double)v)], [.. dp.Select(v => (double)v)], allowed, scale, dsReference);
            for (int j = 0; j < n; j++) Assert.True(Math.Abs(ds[j] - dsReference[j]) <= 1e-6, $"{pattern}, n={n}, backward j={j}: {ds[j]} vs {dsReference[j]}");
            if (pattern == "all") Assert.All(ds, v => Assert.Equal(0f, v)); // the scores were swamped by −1e9: no gradient
        }
    }

    /// <summary>Strided products (one head of a wider matrix) against the reference on the gathered blocks, all four transpose cases.</summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 5)]
    [InlineData(129, 7, 33)]
    [InlineData(64, 32, 64)]
    public void StridedGemmMatchesTheReference(int m, int k, int n)
    {
        const int pad = 5;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 1f })
                {
                    var (ar, ac) = ta ? (k, m) : (m, k);
                    var (br, bc) = tb ? (n, k) : (k, n);
                    int lda = ac + pad, ldb = bc + 2 * pad, ldc = n + 3;
                    var a = Uniform(1, ar * lda, -1, 1);
                    var b = Uniform(2, br * ldb, -1, 1);
                    var c = Uniform(3, m * ldc, -1, 1);
                    var expected = (float[])c.Clone();
                    var gatheredC = Gather(c, m, n, ldc);
                    Gemm.MultiplyReference(Gather(a, ar, ac, lda), Gather(b, br, bc, ldb), gatheredC, m, k, n, ta, tb, 1f, beta);
                    for (int r = 0; r < m; r++) gatheredC.AsSpan(r * n, n).CopyTo(expected.AsSpan(r * ldc, n));
                    Gemm.MultiplyStrided(a, lda, b, ldb, c, ldc, m, k, n, ta, tb, 1f, beta);
                    for (int i = 0; i < c.Length; i++)
                        Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"({m},{k},{n}) ta={ta} tb={tb} beta={beta}: element {i} is {c[i]}, expected {expected[i]} (padding must stay untouched).");
                }
    }

    private static float[] Gather(float[] x, int rows, int cols, int ld)
    {
        var y = new float[rows * cols];
        for (int r = 0; r < rows; r++) x.AsSpan(r * ld, cols).CopyTo(y.AsSpan(r * cols, cols));
        return y;
    }

    // ---- Files and configs. ----

    /// <summary>Keras 3's weights layout: each projection under its attribute name, in Keras' walk order, inside the layer's group.</summary>
    [Fact]
    public void WeightsAreStoredUnderKerasVariablePaths()
    {
        var query = new Input([5, 7]);
        var value = new Input([4, 6]);
        var mha = new MultiHeadAttention(2, 3, valueDim: 4);
        var model = new Model([query, value], [mha.Call(query, value)]);
        string folder = Directory.CreateTempSubdirectory("dendrite-mha-").FullName;
        try
        {
            string path = Path.Combine(folder, "m.weights.h5");
            model.SaveWeights(path);
            using var source = H5WeightsSource.OpenH5(path);
            Assert.Equal(["key_dense", "output_dense", "query_dense", "value_dense", "vars"], source.SubgroupNames("layers/multi_head_attention"));
            Assert.Empty(source.Variables("layers/multi_head_attention/vars")!);
            foreach (var (group, kernel, bias) in new (string, int[], int[])[]
            {
                ("query_dense", [7, 2, 3], [2, 3]), ("key_dense", [6, 2, 3], [2, 3]), ("value_dense", [6, 2, 4], [2, 4]), ("output_dense", [2, 4, 7], [7]),
            })
            {
                var variables = source.Variables($"layers/multi_head_attention/{group}/vars")!;
                Assert.Equal([kernel, bias], variables.Select(v => v.Shape));
            }
            // And back: every weight restored bit for bit.
            KerasTensor[] inputs = [new Input([5, 7]), new Input([4, 6])];
            var copy = new Model(inputs, [new MultiHeadAttention(2, 3, valueDim: 4).Call(inputs)]);
            copy.LoadWeights(path);
            for (int i = 0; i < model.Weights.Count; i++) Assert.Equal(model.Weights[i].Value.Values.ToArray(), copy.Weights[i].Value.Values.ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A file that stores the projections under Keras' private attribute names (_query_dense, …) loads too.</summary>
    [Fact]
    public void WeightsUnderPrivateAttributeNamesLoad()
    {
        KerasTensor[] inputs = [new Input([3, 4]), new Input([2, 4])];
        var model = new Model(inputs, [new MultiHeadAttention(2, 3).Call(inputs)]);
        var layers = new PureHDF.H5Group();
        var mha = new PureHDF.H5Group { ["vars"] = new PureHDF.H5Group() };
        layers["multi_head_attention"] = mha;
        var walk = KerasLayout.Walk(model);
        var expected = new Dictionary<Variable, float[]>();
        foreach (var saved in walk.SelectMany(l => l.SelfAndSublayers()).Where(l => l.Path.Contains('/')))
        {
            var vars = new PureHDF.H5Group();
            for (int i = 0; i < saved.Variables.Count; i++)
            {
                var values = Uniform(i + saved.Key.Length, saved.Variables[i].Shape.Size);
                expected[saved.Variables[i]] = values;
                vars[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new PureHDF.H5Dataset(values, fileDims: [.. saved.Variables[i].Shape.ToArray().Select(d => (ulong)d)]);
            }
            mha["_" + saved.Key] = new PureHDF.H5Group { ["vars"] = vars };
        }
        string folder = Directory.CreateTempSubdirectory("dendrite-mha-private-").FullName;
        try
        {
            string path = Path.Combine(folder, "m.weights.h5");
            new PureHDF.H5File { ["vars"] = new PureHDF.H5Group(), ["layers"] = layers }.Write(path);
            model.LoadWeights(path);
            Assert.Equal(8, expected.Count);
            foreach (var (variable, values) in expected) Assert.Equal(values, variable.Value.Values.ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ConfigsHaveKerasKeys()
    {
        var mha = new MultiHeadAttention(2, 3);
        Assert.Equal(["name", "trainable", "dtype", "num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape", "attention_axes",
            "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "seed"],
            mha.GetConfig().Select(p => p.Key));
        Assert.Equal(3, (int)mha.GetConfig()["value_dim"]!);
        Assert.Null(mha.GetConfig()["attention_axes"]);
        mha.Call(Const(new float[2 * 3 * 4], 2, 3, 4), Const(new float[2 * 3 * 4], 2, 3, 4));
        Assert.Equal("[1]", mha.GetConfig()["attention_axes"]!.ToJsonString()); // Keras resolves the default when building
        Assert.Equal(["name", "trainable", "dtype", "use_scale", "score_mode", "dropout"], new Attention().GetConfig().Select(p => p.Key));
    }

    [Fact]
    public void UnsupportedSettingsAreRefusedClearly()
    {
        var axes = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(2, 3, attentionAxes: [2]));
        Assert.Contains("attention_axes", axes.Message);
        var config = new MultiHeadAttention(2, 3).GetConfig();
        config["attention_axes"] = new JsonArray(1, 2);
        Assert.Throws<ModelFormatException>(() => MultiHeadAttention.FromConfig(config));
        Assert.Throws<ArgumentException>(() => new Attention(scoreMode: "general"));
        var single = Assert.Throws<ArgumentException>(() => new Attention().Call(new Input([3, 4])));
        Assert.Contains("list of inputs", single.Message);
        var rank4 = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(2, 3).Call(new Input([2, 3, 4]), new Input([2, 3, 4])));
        Assert.Contains("attention_axes", rank4.Message);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: {actual[i]}, expected {expected[i]} ± {tolerance}.");
    }
}

/// <summary>Tape gradients against central differences of a weighted sum of the output, for a few parameter tensors.</summary>
internal static class FiniteDifferences
{
    public static void Check(Func<Tensor> f, IReadOnlyList<Tensor> parameters, double step = 1e-2)
    {
        float[] weights = [];
        float[][] analytic;
        using (var tape = GradientTape.Start())
        {
            var y = f();
            weights = Uniform(99, y.Size, -1, 1);
            tape.Backward(TestOps.WeightedSum(y, weights));
            analytic = [.. parameters.Select(p => p.GradGeneration == tape.LastGeneration ? p.Grad.ToArray() : new float[p.Size])];
        }
        double F()
        {
            var y = f().Values;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)weights[i] * y[i];
            return sum;
        }
        for (int t = 0; t < parameters.Count; t++)
            for (int i = 0; i < parameters[t].Size; i++)
            {
                var values = parameters[t].Values;
                float original = values[i], plus = (float)(original + step), minus = (float)(original - step);
                values[i] = plus;
                double fPlus = F();
                values[i] = minus;
                double fMinus = F();
                values[i] = original;
                double numeric = (fPlus - fMinus) / ((double)plus - minus);
                Assert.True(Math.Abs(analytic[t][i] - numeric) <= 1e-3 + 1e-2 * Math.Abs(numeric), $"parameter {t} element {i}: tape {analytic[t][i]}, finite difference {numeric}.");
            }
    }
}
