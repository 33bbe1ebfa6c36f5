using Dendrite.Initializers;
using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

// SimpleRNN, LSTM, GRU and Bidirectional through the shared harness, each case checked against the float64 reference
// written from Keras' formulas (RecurrentReference): awkward sizes (units 1 and 7, 129 features, one step and five,
// batches of 1 and 3), masks with leading, inner and trailing padding, going backwards, whole sequences, no bias,
// both GRU conventions, dropout (inference: none), and every merge mode.
public partial class EveryLayerTests
{
    [Theory, MemberData(nameof(CasesOf), "SimpleRNN")] public void SimpleRNNCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "LSTM")] public void LSTMCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "GRU")] public void GRUCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Bidirectional")] public void BidirectionalCases(string name) => Run(name);

    /// <summary>One recurrent case: the layer's class and options in the name, its weights' shapes, the reference.</summary>
    private static LayerSpec RecurrentSpec(string name, Func<RecurrentLayer> create, int steps, int features, bool masked = false, bool deterministic = true)
    {
        var probe = create();
        int u = probe.Units, w = u * probe switch { LSTM => 4, GRU => 3, _ => 1 };
        var biasShape = probe is GRU { ResetAfter: true } ? new[] { 2, w } : [w];
        return new LayerSpec
        {
            Name = name,
            Create = create,
            InputShapes = [[steps, features]],
            ExpectedOutputShape = probe.ReturnSequences ? [steps, u] : [u],
            ExpectedWeights = [T("kernel", features, w), T("recurrent_kernel", u, w), .. probe.UseBias ? [T("bias", biasShape)] : Array.Empty<(string, int[], bool)>()],
            Masked = masked,
            Reference = (layer, x, batch) => RecurrentReference.Output((RecurrentLayer)layer, x[0], batch, masked),
            DeterministicTraining = deterministic,
            // One step from the zero state: h_prev·U is 0 whatever U is, so U gets no gradient (in Keras as well).
            WeightsWithoutGradient = steps == 1 ? [1] : [], // recurrent_kernel
        };
    }

    private static LayerSpec BidirectionalSpec(string name, Func<Bidirectional> create, int steps, int features, bool masked = false)
    {
        var probe = create();
        var weights = new List<(string, int[], bool)>();
        foreach (var inner in new[] { probe.ForwardLayer, probe.BackwardLayer })
        {
            int u = inner.Units, w = u * inner switch { LSTM => 4, GRU => 3, _ => 1 };
            weights.Add(T("kernel", features, w));
            weights.Add(T("recurrent_kernel", u, w));
            if (inner.UseBias) weights.Add(T("bias", inner is GRU { ResetAfter: true } ? [2, w] : [w]));
        }
        int units = probe.MergeMode == "concat" ? probe.ForwardLayer.Units + probe.BackwardLayer.Units : probe.ForwardLayer.Units;
        return new LayerSpec
        {
            Name = name,
            Create = create,
            InputShapes = [[steps, features]],
            ExpectedOutputShape = probe.ReturnSequences ? [steps, units] : [units],
            ExpectedWeights = [.. weights],
            Masked = masked,
            Reference = (layer, x, batch) => RecurrentReference.Output((Bidirectional)layer, x[0], batch, masked),
            WeightsWithoutGradient = steps == 1 ? [1, 4] : [], // both recurrent kernels
        };
    }

    static partial void AddRecurrentSpecs(List<LayerSpec> specs)
    {
        // SimpleRNN: one unit on one step of one feature, whole sequences, 129 features, linear, no bias, backwards and masked.
        specs.Add(RecurrentSpec("SimpleRNN(1) on (1, 1)", () => new SimpleRNN(1), 1, 1));
        specs.Add(RecurrentSpec("SimpleRNN(7, returnSequences) on (5, 3)", () => new SimpleRNN(7, returnSequences: true), 5, 3));
        specs.Add(RecurrentSpec("SimpleRNN(3) on (5, 129)", () => new SimpleRNN(3), 5, 129));
        specs.Add(RecurrentSpec("SimpleRNN(4, linear, no bias) on (5, 2)", () => new SimpleRNN(4, activation: "linear", useBias: false), 5, 2));
        specs.Add(RecurrentSpec("SimpleRNN(4, goBackwards, returnSequences) on (5, 2), masked",
            () => new SimpleRNN(4, goBackwards: true, returnSequences: true), 5, 2, masked: true));
        specs.Add(RecurrentSpec("SimpleRNN(3, dropout 0.3, recurrentDropout 0.2) on (5, 2)",
            () => new SimpleRNN(3, dropout: 0.3, recurrentDropout: 0.2), 5, 2, deterministic: false)); // Keras' SimpleRNN config has no seed

        // LSTM.
        specs.Add(RecurrentSpec("LSTM(1) on (1, 1)", () => new LSTM(1), 1, 1));
        specs.Add(RecurrentSpec("LSTM(7, returnSequences) on (5, 3)", () => new LSTM(7, returnSequences: true), 5, 3));
        specs.Add(RecurrentSpec("LSTM(3) on (5, 129)", () => new LSTM(3), 5, 129));
        specs.Add(RecurrentSpec("LSTM(2, no bias, no unit forget bias) on (5, 3)", () => new LSTM(2, useBias: false, unitForgetBias: false), 5, 3));
        specs.Add(RecurrentSpec("LSTM(3, relu, hard gates: linear) on (5, 2)", () => new LSTM(3, activation: "relu", recurrentActivation: "linear",
            kernelInitializer: new RandomUniform(0.05f, 0.3f, seed: 1)), 5, 2));
        specs.Add(RecurrentSpec("LSTM(4) on (5, 2), masked", () => new LSTM(4), 5, 2, masked: true));
        specs.Add(RecurrentSpec("LSTM(4, goBackwards, returnSequences) on (5, 2), masked", () => new LSTM(4, goBackwards: true, returnSequences: true), 5, 2, masked: true));
        specs.Add(RecurrentSpec("LSTM(3, returnSequences, zeroOutputForMask) on (5, 2), masked",
            () => new LSTM(3, returnSequences: true, zeroOutputForMask: true), 5, 2, masked: true));
        specs.Add(RecurrentSpec("LSTM(3, goBackwards) on (1, 7)", () => new LSTM(3, goBackwards: true), 1, 7));
        specs.Add(RecurrentSpec("LSTM(3, dropout 0.3, recurrentDropout 0.2, seed 7) on (5, 2)",
            () => new LSTM(3, dropout: 0.3, recurrentDropout: 0.2, seed: 7), 5, 2));
        specs.Add(RecurrentSpec("LSTM(2, Orthogonal(gain 0.5, seed 3), RandomNormal bias, name \"encoder\") on (3, 2)",
            () => new LSTM(2, recurrentInitializer: new Orthogonal(0.5, seed: 3), biasInitializer: new RandomNormal(seed: 4), name: "encoder"), 3, 2));

        // GRU, both conventions.
        specs.Add(RecurrentSpec("GRU(1) on (1, 1)", () => new GRU(1), 1, 1));
        specs.Add(RecurrentSpec("GRU(7, returnSequences) on (5, 3)", () => new GRU(7, returnSequences: true), 5, 3));
        specs.Add(RecurrentSpec("GRU(3) on (5, 129)", () => new GRU(3), 5, 129));
        specs.Add(RecurrentSpec("GRU(3, resetAfter false) on (5, 129)", () => new GRU(3, resetAfter: false), 5, 129));
        specs.Add(RecurrentSpec("GRU(1, resetAfter false) on (1, 1)", () => new GRU(1, resetAfter: false), 1, 1));
        specs.Add(RecurrentSpec("GRU(7, resetAfter false, returnSequences) on (5, 3)", () => new GRU(7, resetAfter: false, returnSequences: true), 5, 3));
        specs.Add(RecurrentSpec("GRU(2, no bias) on (5, 3)", () => new GRU(2, useBias: false), 5, 3));
        specs.Add(RecurrentSpec("GRU(2, resetAfter false, no bias) on (5, 3)", () => new GRU(2, resetAfter: false, useBias: false), 5, 3));
        specs.Add(RecurrentSpec("GRU(4) on (5, 2), masked", () => new GRU(4), 5, 2, masked: true));
        specs.Add(RecurrentSpec("GRU(4, resetAfter false, goBackwards, returnSequences) on (5, 2), masked",
            () => new GRU(4, resetAfter: false, goBackwards: true, returnSequences: true), 5, 2, masked: true));
        specs.Add(RecurrentSpec("GRU(3, resetAfter false, dropout 0.3, recurrentDropout 0.2, seed 5) on (5, 2)",
            () => new GRU(3, resetAfter: false, dropout: 0.3, recurrentDropout: 0.2, seed: 5), 5, 2));
        specs.Add(RecurrentSpec("GRU(3, dropout 0.3, recurrentDropout 0.2, seed 5) on (5, 2)",
            () => new GRU(3, dropout: 0.3, recurrentDropout: 0.2, seed: 5), 5, 2));

        // Bidirectional: every merge mode, masks, whole sequences, a given backward layer of another width.
        specs.Add(BidirectionalSpec("Bidirectional(LSTM(3)) on (5, 2)", () => new Bidirectional(new LSTM(3)), 5, 2));
        specs.Add(BidirectionalSpec("Bidirectional(GRU(2, returnSequences), sum) on (5, 3), masked",
            () => new Bidirectional(new GRU(2, returnSequences: true), "sum"), 5, 3, masked: true));
        specs.Add(BidirectionalSpec("Bidirectional(SimpleRNN(3, returnSequences), mul) on (4, 2)",
            () => new Bidirectional(new SimpleRNN(3, returnSequences: true), "mul"), 4, 2));
        specs.Add(BidirectionalSpec("Bidirectional(LSTM(2, returnSequences), ave) on (5, 2), masked",
            () => new Bidirectional(new LSTM(2, returnSequences: true), "ave"), 5, 2, masked: true));
        specs.Add(BidirectionalSpec("Bidirectional(LSTM(2, returnSequences), concat) on (1, 1)",
            () => new Bidirectional(new LSTM(2, returnSequences: true)), 1, 1));
        specs.Add(BidirectionalSpec("Bidirectional(GRU(2), backward GRU(3, resetAfter false, goBackwards)) on (4, 3), masked",
            () => new Bidirectional(new GRU(2), backwardLayer: new GRU(3, resetAfter: false, goBackwards: true)), 4, 3, masked: true));
    }
}
