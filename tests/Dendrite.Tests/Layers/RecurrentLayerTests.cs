using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Autodiff;

namespace Dendrite.Tests.Layers;

/// <summary>
/// What the harness cannot check on one output: final states and initial states (values and gradients), returnState
/// in functional models, dropout in training, masks end to end, and the errors of bad arguments and configs.
/// </summary>
public class RecurrentLayerTests
{
    private static Tensor Param(int seed, params int[] shape) => TestData.Param(TestData.Uniform(seed, shape.Aggregate(1, (a, b) => a * b), -1, 1), shape);

    private static T BuiltWith<T>(T layer, int steps, int features, int seed) where T : RecurrentLayer
    {
        layer.EnsureBuilt(new Shape(steps, features));
        for (int i = 0; i < layer.Weights.Count; i++) layer.Weights[i].Assign(TestData.Uniform(seed + i, layer.Weights[i].Shape.Size, -0.5, 0.5));
        return layer;
    }

    public static TheoryData<string> Cells() => new() { "simple", "lstm", "gru", "gru reset before" };

    private static RecurrentLayer Make(string cell, bool returnSequences = false, bool returnState = false, bool goBackwards = false) => cell switch
    {
        "simple" => new SimpleRNN(3, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
        "lstm" => new LSTM(3, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
        "gru" => new GRU(3, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
        _ => new GRU(3, resetAfter: false, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
    };

    /// <summary>Final states and the output from given initial states, against the float64 reference, with and without a mask.</summary>
    [Theory, MemberData(nameof(Cells))]
    public void StatesInAndOutMatchTheReference(string cell)
    {
        foreach (bool masked in new[] { false, true })
            foreach (bool goBackwards in new[] { false, true })
            {
                var layer = BuiltWith(Make(cell, returnSequences: true, returnState: true, goBackwards: goBackwards), 5, 2, 31);
                var x = Param(1, 3, 5, 2);
                bool[]? mask = null;
                if (masked)
                {
                    mask = [.. Enumerable.Range(0, 15).Select(i => i % 5 != 4 - i / 5 && i != 5)];
                    x.Mask = new Tensor([.. mask.Select(m => m ? 1f : 0f)], 3, 5);
                }
                var states = Enumerable.Range(0, layer.StateCount).Select(i => Param(10 + i, 3, 3)).ToArray();
                var outputs = layer.CallAll([x, .. states]);
                Assert.Equal(1 + layer.StateCount, outputs.Length);
                var (output, finals) = RecurrentReference.Run(RecurrentReference.Cell.Of(layer), x.Values.ToArray(), 3, 5, 2,
                    layer.Kernel!.Value.Values.ToArray(), layer.RecurrentKernel!.Value.Values.ToArray(), layer.Bias?.Value.Values.ToArray(), mask,
                    [.. states.Select(s => s.Values.ToArray())]);
                LayerTestHarness.AssertMatchesReference($"{cell} output", output, outputs[0].Values.ToArray(), 1e-5);
                for (int i = 0; i < finals.Length; i++)
                    LayerTestHarness.AssertMatchesReference($"{cell} state {i}", finals[i], outputs[1 + i].Values.ToArray(), 1e-5);
            }
    }

    /// <summary>Finite differences through the initial states, the final states and the output together, for every input and weight.</summary>
    [Theory, MemberData(nameof(Cells))]
    public void GradientsFlowThroughInitialAndFinalStates(string cell)
    {
        foreach (bool returnSequences in new[] { false, true })
        {
            var layer = BuiltWith(Make(cell, returnSequences: returnSequences, returnState: true, goBackwards: returnSequences), 4, 3, 41);
            var x = Param(2, 2, 4, 3);
            x.Mask = new Tensor([1, 1, 0, 1, 1, 0, 1, 1], 2, 4);
            var states = Enumerable.Range(0, layer.StateCount).Select(i => Param(20 + i, 2, 3)).ToArray();
            var weights = new float[layer.StateCount + 1][];
            for (int i = 0; i < weights.Length; i++) weights[i] = TestData.Uniform(50 + i, i == 0 ? (returnSequences ? 24 : 6) : 6, -1, 1);
            Tensor Loss()
            {
                var outputs = layer.CallAll([x, .. states]);
                var total = TestOps.WeightedSum(outputs[0], weights[0]);
                for (int i = 1; i < outputs.Length; i++) total = Ops.Add(total, TestOps.WeightedSum(outputs[i], weights[i]));
                return total;
            }
            GradientCheck.Check(Loss, [x, .. states, .. layer.TrainableWeights.Select(w => w.Value)]);
        }
    }

    /// <summary>Only a final state feeds the loss: the op's backward must still run (and leave the unused output's part at zero).</summary>
    [Fact]
    public void AFinalStateAloneCarriesTheGradient()
    {
        var layer = BuiltWith(new LSTM(3, returnState: true), 4, 2, 61);
        var x = Param(3, 2, 4, 2);
        var w = TestData.Uniform(5, 6, -1, 1);
        GradientCheck.Check(() => TestOps.WeightedSum(layer.CallAll([x])[2], w), [x, .. layer.TrainableWeights.Select(v => v.Value)]);
    }

    /// <summary>
    /// Keras' masking end to end: after Embedding(maskZero), padding changes nothing, whether it trails, leads (pad_sequences'
    /// default) or sits in between: the masked steps are skipped and the last real step's output is returned.
    /// </summary>
    [Theory, MemberData(nameof(Cells))]
    public void PaddingMaskedByAnEmbeddingChangesNothing(string cell)
    {
        var embedding = new Embedding(10, 4, maskZero: true);
        embedding.EnsureBuilt(new Shape(7));
        var recurrent = BuiltWith(Make(cell), 7, 4, 71);
        Tensor Run(float[] ids, int batch, int steps)
        {
            var x = new Tensor(ids, batch, steps);
            var e = embedding.Call(x);
            e.Mask = embedding.ComputeMask(x, null);
            return recurrent.Call(e);
        }
        var exact = Run([3, 7, 1], 1, 3).Values.ToArray();
        var padded = Run([3, 7, 1, 0, 0, 0, 0, /**/ 0, 0, 3, 0, 7, 1, 0], 2, 7).Values.ToArray();
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(exact[j], padded[j], 1e-6f);
            Assert.Equal(exact[j], padded[3 + j], 1e-6f);
        }
    }

    /// <summary>
    /// Dropout on the inputs: one mask per sequence over the features (Keras draws it once per call and reuses it at every
    /// step), scaled by 1 / (1 − rate), training only; a new mask each call. Seen through the input gradient of a linear
    /// SimpleRNN: dX[b, t, d] is zero at every step exactly where the mask drops (b, d).
    /// </summary>
    [Fact]
    public void InputDropoutUsesOneMaskPerSequenceInTrainingOnly()
    {
        const int batch = 40, steps = 6, features = 50;
        var layer = BuiltWith(new SimpleRNN(4, activation: "linear", dropout: 0.4, seed: 3), steps, features, 81);
        var x = Param(4, batch, steps, features);
        var inference = layer.Call(x).Values.ToArray();
        Assert.Equal(inference, layer.Call(x, training: false).Values.ToArray());
        var gradients = new List<float[]>();
        for (int call = 0; call < 2; call++)
        {
            using var tape = GradientTape.Start();
            var y = layer.Call(x, training: true);
            tape.Backward(TestOps.WeightedSum(y, TestData.Uniform(9, y.Size, 0.5, 1)));
            gradients.Add(x.Grad.ToArray());
        }
        var g = gradients[0];
        int dropped = 0;
        for (int b = 0; b < batch; b++)
            for (int d = 0; d < features; d++)
            {
                bool zero = g[(b * steps) * features + d] == 0;
                if (zero) dropped++;
                for (int t = 1; t < steps; t++) Assert.Equal(zero, g[(b * steps + t) * features + d] == 0);
            }
        double sigma = Math.Sqrt(batch * features * 0.4 * 0.6);
        Assert.InRange(dropped, 0.4 * batch * features - 5 * sigma, 0.4 * batch * features + 5 * sigma);
        Assert.NotEqual(gradients[0].Select(v => v == 0), gradients[1].Select(v => v == 0)); // a fresh mask per call
    }

    /// <summary>
    /// Recurrent dropout: training output differs from inference, and each call draws a new mask; a rate of 0 changes
    /// nothing; rates are clamped to [0, 1] as Keras does, and a rate of exactly 1 applies no dropout (Keras' cells
    /// drop only for 0 &lt; rate &lt; 1).
    /// </summary>
    [Theory, MemberData(nameof(Cells))]
    public void RecurrentDropoutActsInTrainingOnly(string cell)
    {
        RecurrentLayer Layer(double rate) => cell switch
        {
            "simple" => new SimpleRNN(8, recurrentDropout: rate, seed: 1),
            "lstm" => new LSTM(8, recurrentDropout: rate, seed: 1),
            "gru" => new GRU(8, recurrentDropout: rate, seed: 1),
            _ => new GRU(8, resetAfter: false, recurrentDropout: rate, seed: 1),
        };
        var x = Param(6, 4, 5, 3);
        var dropping = BuiltWith(Layer(0.5), 5, 3, 91);
        var plain = BuiltWith(Layer(0), 5, 3, 91);
        var clamped = BuiltWith(Layer(7), 5, 3, 91);
        Assert.Equal(1.0, clamped.RecurrentDropout);
        var reference = plain.Call(x, training: true).Values.ToArray();
        Assert.Equal(reference, dropping.Call(x).Values.ToArray());
        Assert.Equal(reference, clamped.Call(x, training: true).Values.ToArray());
        var first = dropping.Call(x, training: true).Values.ToArray();
        var second = dropping.Call(x, training: true).Values.ToArray();
        Assert.NotEqual(reference, first);
        Assert.NotEqual(first, second);
    }

    /// <summary>The layer refuses what it cannot honour, naming the setting and what it expected.</summary>
    [Fact]
    public void BadArgumentsAreRefusedClearly()
    {
        Assert.Contains("stateful=True is not supported", Assert.Throws<NotSupportedException>(() => new LSTM(2, stateful: true)).Message);
        Assert.Contains("positive integer", Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(0)).Message);
        Assert.Contains("tanh, sigmoid, relu and linear", Assert.Throws<ArgumentException>(() => new LSTM(2, activation: "softmax")).Message);
        Assert.Contains("recurrent_activation", Assert.Throws<ArgumentException>(() => new GRU(2, recurrentActivation: "softmax")).Message);

        var lstm = BuiltWith(new LSTM(2), 3, 4, 1);
        Assert.Contains("expected inputs of shape (batch, time, 4)", Assert.Throws<ArgumentException>(() => lstm.Call(Param(1, 2, 3, 5))).Message);
        Assert.Contains("(batch, time, 4)", Assert.Throws<ArgumentException>(() => lstm.Call(Param(1, 2, 12))).Message);
        Assert.Contains("2 initial state tensor(s) (h and c), got 1", Assert.Throws<ArgumentException>(() => lstm.Call(Param(1, 2, 3, 4), [Param(2, 2, 2)])).Message);
        Assert.Contains("initial state 1 should have shape (2, 2)", Assert.Throws<ArgumentException>(() => lstm.Call(Param(1, 2, 3, 4), [Param(2, 2, 2), Param(3, 2, 3)])).Message);
        var x = Param(1, 2, 3, 4);
        x.Mask = new Tensor(new float[6], 3, 2);
        Assert.Contains("mask should have shape (2, 3)", Assert.Throws<ArgumentException>(() => lstm.Call(x)).Message);

        var unbuilt = new GRU(2);
        Assert.Contains("not built", Assert.Throws<InvalidOperationException>(() => unbuilt.Call(Param(1, 2, 3, 4))).Message);
        Assert.Contains("got per-sample shape (12", Assert.Throws<ArgumentException>(() => new GRU(2).EnsureBuilt(new Shape(12))).Message);

        // Symbolic: several outputs need CallAll; initial states must fit.
        var inputs = new Input([3, 4]);
        Assert.Contains("use CallAll", Assert.Throws<InvalidOperationException>(() => new LSTM(2, returnState: true).Call(inputs)).Message);
        Assert.Contains("functional API", Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([3, 4]), new GRU(2, returnState: true))).Message);
        Assert.Contains("initial state 0 should have per-sample shape (2,)", Assert.Throws<ArgumentException>(() => new GRU(2).Call(inputs, new Input([3]))).Message);

        Assert.Contains("different `go_backwards`", Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(2), backwardLayer: new LSTM(2))).Message);
        Assert.Contains("Invalid merge mode", Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(2), "max")).Message);
        var both = new Bidirectional(new LSTM(2), mergeMode: null);
        both.EnsureBuilt(new Shape(3, 4));
        Assert.Contains("use CallAll", Assert.Throws<InvalidOperationException>(() => both.Call(Param(1, 2, 3, 4))).Message);
    }

    /// <summary>Configs that would compute differently are refused, naming the key; Keras' harmless legacy keys are accepted.</summary>
    [Fact]
    public void ConfigsDendriteCannotHonourAreRefused()
    {
        static ModelFormatException Refused(JsonObject config) => Assert.Throws<ModelFormatException>(() => Layer.Deserialize(new JsonObject { ["class_name"] = "LSTM", ["config"] = config }));
        Assert.Contains("stateful", Refused(new JsonObject { ["units"] = 2, ["stateful"] = true }).Message);
        Assert.Contains("kernel_regularizer", Refused(new JsonObject { ["units"] = 2, ["kernel_regularizer"] = "l2" }).Message);
        Assert.Contains("recurrent_regularizer", Refused(new JsonObject { ["units"] = 2, ["recurrent_regularizer"] = "l2" }).Message);
        // Constraints are Dendrite's now: a Keras name is read, and the config writes it back serialized.
        var constrained = LSTM.FromConfig(new JsonObject { ["units"] = 2, ["recurrent_constraint"] = "non_neg", ["kernel_constraint"] = "max_norm" });
        Assert.IsType<Dendrite.Constraints.NonNeg>(constrained.RecurrentConstraint);
        Assert.Equal("MaxNorm", (string)constrained.GetConfig()["kernel_constraint"]!["class_name"]!);
        Assert.True(JsonNode.DeepEquals(constrained.GetConfig(), LSTM.FromConfig(constrained.GetConfig()).GetConfig()));
        Assert.Contains("time_major", Refused(new JsonObject { ["units"] = 2, ["time_major"] = true }).Message);
        Assert.Contains("recurrent_activation", Refused(new JsonObject { ["units"] = 2, ["recurrent_activation"] = "softmax" }).Message);
        Assert.Contains("units", Refused(new JsonObject { ["activation"] = "tanh" }).Message);
        var legacy = LSTM.FromConfig(new JsonObject { ["units"] = 2, ["implementation"] = 1, ["use_cudnn"] = "auto", ["unroll"] = true });
        Assert.True(legacy.Unroll);
        // Keras reads a null activation as linear, a missing one as the default.
        Assert.Equal("linear", GRU.FromConfig(new JsonObject { ["units"] = 2, ["activation"] = null }).Activation.Name);
        Assert.Equal("tanh", GRU.FromConfig(new JsonObject { ["units"] = 2 }).Activation.Name);
    }
}
