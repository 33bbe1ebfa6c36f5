using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// The exact outputs Keras' own tests expect of its recurrent layers (keras/src/layers/rnn/{simple_rnn,lstm,gru,
/// bidirectional}_test.py: constant initializers 0.01 / 0.02 / 0.03 on <c>np.arange</c> sequences), with Keras'
/// tolerances (atol = rtol = 1e-5 where the test gives them, else assertAllClose's 1e-6). The stateful cases are left
/// out: Dendrite refuses stateful layers.
/// </summary>
public class RecurrentKerasGoldenTests
{
    private static readonly Initializer K = new Constant(0.01f), R = new Constant(0.02f), B = new Constant(0.03f);

    private static Tensor Arange(params int[] shape) =>
        new(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (float)i).ToArray(), shape);

    private static Tensor MaskOf(bool[,] mask)
    {
        int rows = mask.GetLength(0), cols = mask.GetLength(1);
        var values = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) values[r * cols + c] = mask[r, c] ? 1 : 0;
        return new Tensor(values, rows, cols);
    }

    private static Tensor Masked(Tensor x, bool[,] mask)
    {
        x.Mask = MaskOf(mask);
        return x;
    }

    private static T Built<T>(T layer, Tensor sequence) where T : Layer
    {
        layer.EnsureBuilt(new Shape(sequence.Shape[1], sequence.Shape[2]));
        return layer;
    }

    /// <summary>Keras' assertAllClose: |actual − expected| ≤ atol + rtol·|expected| everywhere, shapes equal.</summary>
    private static void AssertAllClose(double[,] expected, Tensor actual, double tolerance = 1e-6)
    {
        Assert.Equal(new Shape(expected.GetLength(0), expected.GetLength(1)), actual.Shape);
        var values = actual.Values;
        for (int i = 0; i < values.Length; i++)
        {
            double e = expected[i / expected.GetLength(1), i % expected.GetLength(1)];
            Assert.True(Math.Abs(values[i] - e) <= tolerance + tolerance * Math.Abs(e), $"element {i}: {values[i]:G9}, Keras {e:G9} (±{tolerance:G2}).");
        }
    }

    private static void AssertAllClose(double[,,] expected, Tensor actual, double tolerance = 1e-6)
    {
        int n1 = expected.GetLength(1), n2 = expected.GetLength(2);
        Assert.Equal(new Shape(expected.GetLength(0), n1, n2), actual.Shape);
        var values = actual.Values;
        for (int i = 0; i < values.Length; i++)
        {
            double e = expected[i / (n1 * n2), i / n2 % n1, i % n2];
            Assert.True(Math.Abs(values[i] - e) <= tolerance + tolerance * Math.Abs(e), $"element {i}: {values[i]:G9}, Keras {e:G9} (±{tolerance:G2}).");
        }
    }

    private static double[,] Rows(params double[][] rows)
    {
        var result = new double[rows.Length, rows[0].Length];
        for (int r = 0; r < rows.Length; r++) for (int c = 0; c < rows[0].Length; c++) result[r, c] = rows[r][c];
        return result;
    }

    private static double[,] Repeated(int width, params double[] values) => Rows([.. values.Select(v => Enumerable.Repeat(v, width).ToArray())]);

    // ---- lstm_test.py ----

    [Fact]
    public void LstmCorrectness()
    {
        var x = Arange(3, 6, 4);
        const double Tol = 1e-5;
        AssertAllClose(Repeated(3, 0.6288687, 0.86899155, 0.9460773), Built(new LSTM(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B), x).Call(x), Tol);
        AssertAllClose(Repeated(3, 0.35622165, 0.74789524, 0.8872726), Built(new LSTM(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), x).Call(x), Tol);
        AssertAllClose(Repeated(3, 0.6288687, 0.86899155, 0.9460773), Built(new LSTM(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, unroll: true), x).Call(x), Tol);
        AssertAllClose(Repeated(3, 0.57019705, 0.8661914, 0.9459622), Built(new LSTM(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, unitForgetBias: false), x).Call(x), Tol);
        AssertAllClose(Repeated(3, 0.54986924, 0.86226785, 0.9443936), Built(new LSTM(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, useBias: false), x).Call(x), Tol);
    }

    [Fact]
    public void LstmPassInitialState()
    {
        var x = Arange(2, 4, 3);
        Tensor[] states = [Arange(2, 2), Arange(2, 2)];
        AssertAllClose(Rows([0.20574439, 0.3558822], [0.64930826, 0.66276]),
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B), x).Call(x, states), 1e-5);
        AssertAllClose(Rows([0.13281618, 0.2790356], [0.5839337, 0.5992567]),
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), x).Call(x, states), 1e-5);
    }

    [Fact]
    public void LstmMasking()
    {
        var mask = new[,] { { true, true, true, false }, { true, true, false, false } };
        AssertAllClose(Repeated(2, 0.11755939, 0.28556206),
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, unroll: true), Arange(2, 4, 3)).Call(Masked(Arange(2, 4, 3), mask)), 1e-5);
        AssertAllClose(new[,,]
            {
                { { 0.01588910, 0.01588910 }, { 0.05552048, 0.05552048 }, { 0.11755939, 0.11755939 }, { 0.11755939, 0.11755939 } },
                { { 0.14185596, 0.14185596 }, { 0.28556206, 0.28556206 }, { 0.28556206, 0.28556206 }, { 0.28556206, 0.28556206 } },
            },
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnSequences: true), Arange(2, 4, 3)).Call(Masked(Arange(2, 4, 3), mask)), 1e-5);
        AssertAllClose(new[,,]
            {
                { { 0.01588910, 0.01588910 }, { 0.05552048, 0.05552048 }, { 0.11755939, 0.11755939 }, { 0, 0 } },
                { { 0.14185596, 0.14185596 }, { 0.28556206, 0.28556206 }, { 0, 0 }, { 0, 0 } },
            },
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnSequences: true, zeroOutputForMask: true), Arange(2, 4, 3))
                .Call(Masked(Arange(2, 4, 3), mask)), 1e-5);
        var backwardsMask = new[,] { { false, true, true, true }, { false, false, true, true } };
        AssertAllClose(Repeated(2, 0.15341201, 0.3844719),
            Built(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), Arange(2, 4, 3)).Call(Masked(Arange(2, 4, 3), backwardsMask)), 1e-5);
    }

    // ---- gru_test.py ----

    [Fact]
    public void GruCorrectness()
    {
        var x = Arange(3, 6, 4);
        AssertAllClose(Repeated(3, 0.5217289, 0.6371659, 0.39384964), Built(new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B), x).Call(x), 1e-5);
        AssertAllClose(Repeated(3, 0.24406259, 0.611516, 0.3928808), Built(new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), x).Call(x), 1e-5);
        AssertAllClose(Repeated(3, 0.5217289, 0.6371659, 0.39384964), Built(new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, unroll: true), x).Call(x), 1e-5);
        AssertAllClose(Repeated(3, 0.51447755, 0.6426879, 0.40208298), Built(new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, resetAfter: false), x).Call(x), 1e-5);
        AssertAllClose(Repeated(3, 0.49988455, 0.64701194, 0.4103359), Built(new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, useBias: false), x).Call(x), 1e-5);
    }

    [Fact]
    public void GruPassInitialStateAndReturnState()
    {
        var x = Arange(2, 4, 3);
        Tensor[] state = [Arange(2, 2)];
        AssertAllClose(Rows([0.23774096, 0.33508456], [0.83659905, 1.0227708]),
            Built(new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B), x).Call(x, state));
        AssertAllClose(Rows([0.13486053, 0.23261218], [0.78257304, 0.9691353]),
            Built(new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), x).Call(x, state));
        foreach (var (goBackwards, expected) in new[] { (false, Rows([0.23774096, 0.33508456], [0.83659905, 1.0227708])), (true, Rows([0.13486053, 0.23261218], [0.78257304, 0.9691353])) })
        {
            var layer = Built(new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnState: true, goBackwards: goBackwards), x);
            var outputs = layer.CallAll([x, .. state]);
            Assert.Equal(2, outputs.Length);
            AssertAllClose(expected, outputs[0]);
            AssertAllClose(expected, outputs[1]);
        }
    }

    [Fact]
    public void GruMasking()
    {
        var mask = new[,] { { true, true, false, true }, { true, false, false, true } };
        GRU Make(bool returnSequences = false, bool zeroOutputForMask = false, bool goBackwards = false, bool unroll = false) =>
            Built(new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnSequences: returnSequences,
                zeroOutputForMask: zeroOutputForMask, goBackwards: goBackwards, unroll: unroll), Arange(2, 4, 3));
        AssertAllClose(Repeated(2, 0.19393763, 0.30818558), Make(unroll: true).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(new[,,]
            {
                { { 0.03606692, 0.03606692 }, { 0.09497581, 0.09497581 }, { 0.09497581, 0.09497581 }, { 0.19393763, 0.19393763 } },
                { { 0.16051409, 0.16051409 }, { 0.16051409, 0.16051409 }, { 0.16051409, 0.16051409 }, { 0.30818558, 0.30818558 } },
            }, Make(returnSequences: true).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(new[,,]
            {
                { { 0.03606692, 0.03606692 }, { 0.09497581, 0.09497581 }, { 0, 0 }, { 0.19393763, 0.19393763 } },
                { { 0.16051409, 0.16051409 }, { 0, 0 }, { 0, 0 }, { 0.30818558, 0.30818558 } },
            }, Make(returnSequences: true, zeroOutputForMask: true).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(Repeated(2, 0.11669192, 0.28380975), Make(goBackwards: true).Call(Masked(Arange(2, 4, 3), mask)));
    }

    [Fact]
    public void GruLegacyImplementationArgumentIsIgnored()
    {
        var x = Arange(3, 6, 4);
        var config = new GRU(3, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B).GetConfig();
        config["implementation"] = 0;
        var layer = Built(GRU.FromConfig(config), x);
        AssertAllClose(Repeated(3, 0.5217289, 0.6371659, 0.39384964), layer.Call(x), 1e-5);
    }

    // ---- simple_rnn_test.py ----

    [Fact]
    public void SimpleRnnCorrectness()
    {
        var x = Arange(2, 3, 4);
        foreach (bool unroll in new[] { false, true })
        {
            AssertAllClose(Repeated(4, 0.405432, 0.73605347), Built(new SimpleRNN(4, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, unroll: unroll), x).Call(x));
            AssertAllClose(Repeated(4, 0.11144729, 0.5528889), Built(new SimpleRNN(4, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true, unroll: unroll), x).Call(x));
        }
    }

    [Fact]
    public void SimpleRnnPassInitialState()
    {
        var x = Arange(2, 4, 3);
        Tensor[] state = [Arange(2, 4)];
        AssertAllClose(Repeated(4, 0.33621645, 0.6262637), Built(new SimpleRNN(4, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B), x).Call(x, state));
        AssertAllClose(Repeated(4, 0.07344437, 0.43043602), Built(new SimpleRNN(4, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, goBackwards: true), x).Call(x, state));
    }

    [Fact]
    public void SimpleRnnMasking()
    {
        var mask = new[,] { { true, true, false, true }, { true, false, false, true } };
        SimpleRNN Make(int units, bool returnSequences = false, bool zeroOutputForMask = false, bool goBackwards = false) =>
            Built(new SimpleRNN(units, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnSequences: returnSequences,
                zeroOutputForMask: zeroOutputForMask, goBackwards: goBackwards, unroll: true), Arange(2, 4, 3));
        AssertAllClose(Repeated(4, 0.32951632, 0.61799484), Make(4).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(new[,,]
            {
                { { 0.0599281, 0.0599281 }, { 0.15122814, 0.15122814 }, { 0.15122814, 0.15122814 }, { 0.32394567, 0.32394567 } },
                { { 0.3969304, 0.3969304 }, { 0.3969304, 0.3969304 }, { 0.3969304, 0.3969304 }, { 0.608085, 0.608085 } },
            }, Make(2, returnSequences: true).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(new[,,]
            {
                { { 0.0599281, 0.0599281 }, { 0.15122814, 0.15122814 }, { 0, 0 }, { 0.32394567, 0.32394567 } },
                { { 0.3969304, 0.3969304 }, { 0, 0 }, { 0, 0 }, { 0.608085, 0.608085 } },
            }, Make(2, returnSequences: true, zeroOutputForMask: true).Call(Masked(Arange(2, 4, 3), mask)));
        AssertAllClose(Repeated(4, 0.07376196, 0.43645123), Make(4, goBackwards: true).Call(Masked(Arange(2, 4, 3), mask)));
    }

    // ---- bidirectional_test.py ----

    [Fact]
    public void BidirectionalCorrectness()
    {
        var x = Arange(2, 3, 4);
        var forward = new SimpleRNN(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B);
        AssertAllClose(Rows([0.39687276, 0.39687276, 0.10004295, 0.10004295], [0.7237238, 0.7237238, 0.53391594, 0.53391594]),
            Built(new Bidirectional(forward), x).Call(x));
        AssertAllClose(Repeated(2, 0.24845785, 0.6288199), Built(new Bidirectional(forward, "ave"), x).Call(x));
        var both = Built(new Bidirectional(forward, mergeMode: null), x).CallAll([x]);
        Assert.Equal(2, both.Length);
        AssertAllClose(Repeated(2, 0.39687276, 0.7237238), both[0]);
        AssertAllClose(Repeated(2, 0.10004295, 0.53391594), both[1]);
        var backward = new SimpleRNN(2, kernelInitializer: new Constant(0.03f), recurrentInitializer: R, biasInitializer: new Constant(0.01f), goBackwards: true);
        AssertAllClose(Repeated(2, 0.08374989, 0.6740834), Built(new Bidirectional(forward, "mul", backward), x).Call(x));
        var gru = new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnSequences: true);
        AssertAllClose(new[,,]
            {
                { { 0.20937867, 0.20937867 }, { 0.34462988, 0.34462988 }, { 0.40290534, 0.40290534 } },
                { { 0.59829646, 0.59829646 }, { 0.6734641, 0.6734641 }, { 0.6479671, 0.6479671 } },
            }, Built(new Bidirectional(gru, "sum"), x).Call(x));
    }

    [Fact]
    public void BidirectionalPassInitialState()
    {
        var x = Arange(2, 4, 3);
        Tensor Scaled(float s) => new([.. Enumerable.Range(0, 4).Select(i => i * s)], 2, 2);
        var layer = Built(new Bidirectional(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B)), x);
        AssertAllClose(Rows([0.20794602, 0.4577124, 0.14046375, 0.48191673], [0.6682636, 0.6711909, 0.60943645, 0.60950446]),
            layer.Call([x, Scaled(1), Scaled(2), Scaled(3), Scaled(4)]));
    }

    [Fact]
    public void BidirectionalMasking()
    {
        var mask = new[,] { { true, true, false, true }, { true, false, false, true } };
        var layer = Built(new Bidirectional(new GRU(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B)), Arange(2, 4, 3));
        AssertAllClose(Rows([0.19393763, 0.19393763, 0.11669192, 0.11669192], [0.30818558, 0.30818558, 0.28380975, 0.28380975]),
            layer.Call(Masked(Arange(2, 4, 3), mask)));
    }

    [Fact]
    public void BidirectionalReturnState()
    {
        var x = Arange(2, 4, 3);
        var layer = Built(new Bidirectional(new LSTM(2, kernelInitializer: K, recurrentInitializer: R, biasInitializer: B, returnState: true)), x);
        var outputs = layer.CallAll([x]);
        Assert.Equal(5, outputs.Length);
        AssertAllClose(Rows([0.1990008, 0.1990008, 0.12659755, 0.12659755], [0.52335435, 0.52335435, 0.44717982, 0.44717982]), outputs[0]);
        AssertAllClose(Repeated(2, 0.1990008, 0.52335435), outputs[1]);
        AssertAllClose(Repeated(2, 0.35567185, 1.0492687), outputs[2]);
        AssertAllClose(Repeated(2, 0.12659755, 0.44717982), outputs[3]);
        AssertAllClose(Repeated(2, 0.2501858, 0.941473), outputs[4]);
    }

    [Fact]
    public void BidirectionalOutputShapesMatchTheOutputs()
    {
        var x = new Tensor([101f, 202f, 303f, 404f], 1, 2, 2);
        foreach (string? mode in new[] { "ave", "concat", "mul", "sum", null })
            foreach (bool returnState in new[] { true, false })
            {
                var layer = Built(new Bidirectional(new LSTM(2, returnState: returnState), mode), x);
                var outputs = layer.CallAll([x]);
                var shapes = layer.ComputeOutputShapes([new Shape(2, 2)]);
                Assert.Equal(layer.OutputCount, outputs.Length);
                Assert.Equal(shapes.Length, outputs.Length);
                for (int i = 0; i < shapes.Length; i++) Assert.Equal(new Shape([1, .. shapes[i].ToArray()]), outputs[i].Shape);
            }
    }
}
