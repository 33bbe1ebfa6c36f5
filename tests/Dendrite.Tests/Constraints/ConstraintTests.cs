using System.Text.Json.Nodes;
using Dendrite.Constraints;
using Dendrite.Layers;

namespace Dendrite.Tests.Constraints;

/// <summary>
/// The weight constraints, ported from keras/src/constraints/constraints_test.py (each test names its Keras case),
/// the norm kernel against a float64 reference, and the layers' constraint options through configs.
/// </summary>
public class ConstraintTests
{
    /// <summary>Keras' get_example_array: 100×100 uniform in [−50, 50) with a zero at [0, 0] (another seed than numpy's).</summary>
    private static float[] ExampleArray()
    {
        var random = new Random(3537);
        var values = Enumerable.Range(0, 100 * 100).Select(_ => (float)(random.NextDouble() * 100.0 - 50.0)).ToArray();
        values[0] = 0f; // possible edge case
        return values;
    }

    private static readonly Shape Square = new(100, 100);

    /// <summary>The L2 norm of every column (axis 0) of a 100×100 array, in double.</summary>
    private static double[] ColumnNorms(float[] values) =>
        [.. Enumerable.Range(0, 100).Select(c => Math.Sqrt(Enumerable.Range(0, 100).Sum(r => (double)values[r * 100 + c] * values[r * 100 + c])))];

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_max_norm
    [Fact]
    public void KerasTestMaxNorm()
    {
        // x = [[0,0,0],[1,0,0],[3,0,0],[3,3,3]].T: shape (3, 4), one column per case.
        float[] x = [0, 1, 3, 3, 0, 0, 0, 3, 0, 0, 0, 3];
        new MaxNorm(2.0).Apply(x, new Shape(3, 4));
        double s = 2.0 / Math.Sqrt(3);
        double[] target = [0, 1, 2, s, 0, 0, 0, s, 0, 0, 0, s];
        for (int i = 0; i < x.Length; i++) Assert.Equal(target[i], x[i], 1e-6);
    }

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_non_neg (and test_non_neg_zeroes_negatives, _preserves_positives)
    [Fact]
    public void KerasTestNonNeg()
    {
        var x = ExampleArray();
        var original = x.ToArray();
        new NonNeg().Apply(x, Square);
        Assert.All(x, v => Assert.True(v >= 0));
        for (int i = 0; i < x.Length; i++) Assert.Equal(Math.Max(original[i], 0f), x[i]);
    }

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_unit_norm
    [Fact]
    public void KerasTestUnitNorm()
    {
        var x = ExampleArray();
        new UnitNorm().Apply(x, Square);
        Assert.All(ColumnNorms(x), n => Assert.Equal(1.0, n, 1e-6 + 1e-6));
    }

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_min_max_norm
    [Fact]
    public void KerasTestMinMaxNorm()
    {
        var x = ExampleArray();
        new MinMaxNorm(minValue: 0.2, maxValue: 0.5).Apply(x, Square);
        Assert.All(ColumnNorms(x), n => Assert.True(n >= 0.2 - 1e-7 && n <= 0.5 + 1e-6, $"norm {n}"));
    }

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_get_method
    [Fact]
    public void KerasTestGetMethod()
    {
        Assert.IsType<UnitNorm>(Constraint.Get("unit_norm"));
        Assert.IsType<MaxNorm>(Constraint.Get("max_norm"));
        Assert.IsType<NonNeg>(Constraint.Get("non_neg"));
        Assert.IsType<MinMaxNorm>(Constraint.Get("MinMaxNorm"));
        Assert.Throws<ArgumentException>(() => Constraint.Get("typo"));
    }

    // keras/src/constraints/constraints_test.py::ConstraintsTest::test_max_norm_get_config, test_unit_norm_get_config,
    // test_min_max_norm_get_config, test_non_neg_get_config and the from_config round trips.
    [Fact]
    public void KerasTestGetConfigAndFromConfig()
    {
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["max_value"] = 3.0, ["axis"] = 1 }, new MaxNorm(maxValue: 3.0, axis: 1).GetConfig()));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["axis"] = 1 }, new UnitNorm(axis: 1).GetConfig()));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["min_value"] = 0.5, ["max_value"] = 2.0, ["rate"] = 0.7, ["axis"] = 1 },
            new MinMaxNorm(minValue: 0.5, maxValue: 2.0, rate: 0.7, axis: 1).GetConfig()));
        Assert.Empty(new NonNeg().GetConfig());

        Constraint[] all = [new MaxNorm(3.0, 1), new UnitNorm(0, 1), new MinMaxNorm(0.2, 0.9, 0.5, 0), new NonNeg()];
        foreach (var original in all)
        {
            var restored = Constraint.Deserialize(original.Serialize());
            Assert.IsType(original.GetType(), restored);
            Assert.True(JsonNode.DeepEquals(original.GetConfig(), restored.GetConfig()));
            var a = ExampleArray();
            var b = ExampleArray();
            original.Apply(a, Square);
            restored.Apply(b, Square);
            Assert.Equal(a, b);
        }
        Assert.Equal("keras.constraints", (string)new NonNeg().Serialize()["module"]!);
    }

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { -1 })]
    [InlineData(new[] { 0, 2 })]
    [InlineData(new[] { 0, 1, 2 })]
    [InlineData(new[] { -3, -2 })]
    public void TheNormKernelMatchesAFloat64Reference(int[] axes)
    {
        // A (3, 4, 5) array with rows of very different sizes, through MinMaxNorm with rate 0.6 (every branch of the
        // clip: below, inside and above [1, 4]).
        var shape = new Shape(3, 4, 5);
        var random = new Random(11);
        var values = Enumerable.Range(0, 60).Select(i => (float)((random.NextDouble() - 0.5) * (i % 7 == 0 ? 0.05 : 3))).ToArray();
        var expected = Reference(values, [3, 4, 5], axes, 1, 4, 0.6);
        new MinMaxNorm(1, 4, 0.6, axes).Apply(values, shape);
        for (int i = 0; i < values.Length; i++) Assert.Equal(expected[i], values[i], 2e-6 * Math.Max(1, Math.Abs(expected[i])));
    }

    private static double[] Reference(float[] values, int[] dims, int[] axes, double min, double max, double rate)
    {
        var reduced = axes.Select(a => a < 0 ? a + dims.Length : a).ToHashSet();
        string Key(int flat)
        {
            var parts = new List<int>();
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                if (!reduced.Contains(d)) parts.Add(flat % dims[d]);
                flat /= dims[d];
            }
            return string.Join(",", parts);
        }
        var sums = new Dictionary<string, double>();
        for (int i = 0; i < values.Length; i++) sums[Key(i)] = sums.GetValueOrDefault(Key(i)) + (double)values[i] * values[i];
        return [.. values.Select((v, i) =>
        {
            double n = Math.Sqrt(sums[Key(i)]);
            double desired = rate * Math.Clamp(n, min, max) + (1 - rate) * n;
            return v * desired / (1e-7 + n);
        })];
    }

    [Fact]
    public void BadAxesAndValuesAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new UnitNorm(axis: 2).Apply(new float[4], new Shape(2, 2)));
        Assert.Contains("axis 2 is out of bounds for a variable of shape (2, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => new MaxNorm(1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxNorm(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxNorm(2, 1));
    }

    [Fact]
    public void LayerConstraintsRoundTripThroughConfigsAndReachTheirVariables()
    {
        var dense = new Dense(3, kernelConstraint: new MaxNorm(2, 0), biasConstraint: "non_neg");
        var config = dense.GetConfig();
        Assert.Equal("MaxNorm", (string)config["kernel_constraint"]!["class_name"]!);
        Assert.Equal("NonNeg", (string)config["bias_constraint"]!["class_name"]!);
        var back = Dense.FromConfig(config);
        Assert.True(JsonNode.DeepEquals(config, back.GetConfig()));

        var conv = new Conv2D(2, 3, kernelConstraint: new MaxNorm(1, 0, 1, 2));
        Assert.True(JsonNode.DeepEquals(conv.GetConfig(), Conv2D.FromConfig(conv.GetConfig()).GetConfig()));
        var conv1 = new Conv1D(2, 3, biasConstraint: new UnitNorm());
        Assert.True(JsonNode.DeepEquals(conv1.GetConfig(), Conv1D.FromConfig(conv1.GetConfig()).GetConfig()));
        var embedding = new Embedding(10, 4, embeddingsConstraint: new UnitNorm(1));
        var embeddingConfig = embedding.GetConfig();
        Assert.Equal(1, (int)embeddingConfig["embeddings_constraint"]!["config"]!["axis"]!);
        var restored = Embedding.FromConfig(embeddingConfig);
        Assert.True(JsonNode.DeepEquals(embeddingConfig, restored.GetConfig()));

        // A Keras config may name a constraint by its short name.
        config["kernel_constraint"] = "unit_norm";
        var named = Dense.FromConfig(config);
        Assert.IsType<UnitNorm>(named.KernelConstraint);

        var model = new Sequential(new InputLayer([4]), back);
        Assert.IsType<MaxNorm>(back.Kernel!.Constraint);
        Assert.IsType<NonNeg>(back.Bias!.Constraint);
        Assert.NotNull(model);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RecurrentConstraintsHoldAfterFitEagerAndReplayed(bool runEagerly)
    {
        var random = new Random(4);
        var x = new NDArray<float>([.. Enumerable.Range(0, 6 * 5 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1))], 6, 5, 3);
        var y = new NDArray<float>([.. Enumerable.Range(0, 6 * 4).Select(_ => (float)random.NextDouble())], 6, 4);
        var lstm = new LSTM(4) { RecurrentConstraint = new NonNeg(), KernelConstraint = new UnitNorm(0), BiasConstraint = "non_neg" };
        var model = new Sequential(new InputLayer([5, 3]), lstm);
        model.Compile(new Dendrite.Optimizers.Adam(0.05f), "mse", runEagerly: runEagerly);
        model.Fit(x, y, epochs: 3, batchSize: 3, verbose: 0);
        var weights = lstm.Weights;
        Assert.All(weights[1].Value.Values.ToArray(), v => Assert.True(v >= 0));
        Assert.All(weights[2].Value.Values.ToArray(), v => Assert.True(v >= 0));
        var kernel = weights[0].Value.Values.ToArray();
        int columns = weights[0].Shape[1];
        for (int col = 0; col < columns; col++)
            Assert.Equal(1.0, Math.Sqrt(Enumerable.Range(0, 3).Sum(r => (double)kernel[r * columns + col] * kernel[r * columns + col])), 1e-5);
        Assert.True(JsonNode.DeepEquals(lstm.GetConfig(), LSTM.FromConfig(lstm.GetConfig()).GetConfig()));
    }
}
