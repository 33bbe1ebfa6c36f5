using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Optimizers;
using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// Custom computations written with the ops alone — no backward code — train through the tape, through an optimizer
/// and through Fit, whose recorded steps replay every op on new values.
/// </summary>
[Collection(GlobalStateCollection.Name)] // its zero-allocation check must not share the worker pool with other tests
public class CustomComputationTests
{
    [Fact]
    public void APolynomialFitsThroughTheTapeAndAnOptimizer()
    {
        // y = 3x² − 2x + 0.5 on 64 points; the coefficients start at 0 and must be found.
        var xs = Uniform(1, 64);
        var x = Ops.Constant(xs, 64);
        var y = Ops.Constant([.. xs.Select(v => 3 * v * v - 2 * v + 0.5f)], 64);
        var a = new Variable("a", new Shape(1), [0f]);
        var b = new Variable("b", new Shape(1), [0f]);
        var c = new Variable("c", new Shape(), [0f]);
        var optimizer = new SGD(learningRate: 0.2f, momentum: 0.9f);
        float firstLoss = 0, loss = 0;
        for (int step = 0; step < 400; step++)
        {
            using var tape = GradientTape.Start();
            var prediction = a.Value * Ops.Square(x) + b.Value * x + c.Value;
            var lossTensor = Ops.Mean(Ops.Square(prediction - y));
            tape.Backward(lossTensor);
            optimizer.Apply([a, b, c], tape);
            loss = lossTensor.Values[0];
            if (step == 0) firstLoss = loss;
        }
        Assert.True(loss < 1e-6 * firstLoss, $"loss {firstLoss} → {loss}");
        Assert.Equal(3.0, a.Value.Values[0], 1e-3);
        Assert.Equal(-2.0, b.Value.Values[0], 1e-3);
        Assert.Equal(0.5, c.Value.Values[0], 1e-3);
    }

    /// <summary>A layer written with ops only: a gated residual unit, y = x + σ(x·Wg) ⊙ tanh(x·W + b) · scale.</summary>
    private sealed class GatedResidual(int seed) : Layer
    {
        private Variable? _kernel, _gate, _bias, _scale;

        protected override void Build(Shape inputShape)
        {
            int d = inputShape[^1];
            _kernel = AddWeight("kernel", new Shape(d, d), new GlorotUniform(seed));
            _gate = AddWeight("gate", new Shape(d, d), new GlorotUniform(seed + 1));
            _bias = AddWeight("bias", new Shape(d), new Zeros());
            _scale = AddWeight("scale", new Shape(), new Ones());
        }

        public override Tensor Call(Tensor inputs, bool training = false)
        {
            var candidate = Ops.Tanh(Ops.MatMul(inputs, _kernel!.Value) + _bias!.Value);
            var gate = Ops.Sigmoid(Ops.MatMul(inputs, _gate!.Value));
            return inputs + gate * candidate * _scale!.Value;
        }
    }

    /// <summary>A readout: a weighted sum of the features and a softplus, written as max(z, 0) + log(1 + e^−|z|) so it cannot overflow.</summary>
    private sealed class Readout(int seed) : Layer
    {
        private Variable? _weights, _bias;

        protected override void Build(Shape inputShape)
        {
            _weights = AddWeight("w", new Shape(inputShape[^1]), new RandomUniform(-0.5f, 0.5f, seed));
            _bias = AddWeight("b", new Shape(1), new Zeros());
        }

        public override Shape ComputeOutputShape(Shape inputShape) => new(1);

        public override Tensor Call(Tensor inputs, bool training = false)
        {
            var z = Ops.Sum(inputs * _weights!.Value, axis: 1, keepDims: true) + _bias!.Value; // (batch, 1)
            return Ops.Maximum(z, 0f) + Ops.Log(1f + Ops.Exp(-Ops.Abs(z)));
        }
    }

    /// <summary>Mean squared error written with the ops: a custom loss.</summary>
    private sealed class MeanSquaredError : Loss
    {
        public override string Name => "mse";

        public override Tensor Call(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Square(yPred - yTrue));
    }

    private static (NDArray<float> X, NDArray<float> Y) Regression(int n, int seed)
    {
        var x = Uniform(seed, n * 4, -1.5, 1.5);
        var y = new float[n];
        for (int i = 0; i < n; i++)
            y[i] = MathF.Log(1 + MathF.Exp(x[i * 4] - 0.5f * x[i * 4 + 1] + 0.25f * x[i * 4 + 2] * x[i * 4 + 3]));
        return (new NDArray<float>(x, n, 4), new NDArray<float>(y, n, 1));
    }

    private static Sequential CustomModel() => new(new GatedResidual(seed: 5), new GatedResidual(seed: 7), new Readout(seed: 9));

    [Fact]
    public void ACustomModelAndLossTrainWithFitAndReplayLikeEagerSteps()
    {
        var (x, y) = Regression(100, seed: 11);
        (float[][] Weights, double[] Losses) Train(bool eager)
        {
            var model = CustomModel();
            model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: new MeanSquaredError(), runEagerly: eager);
            var history = model.Fit(x, y, epochs: 15, batchSize: 32, shuffle: false, verbose: 0);
            return ([.. model.Weights.Select(w => w.Value.Values.ToArray())], [.. history["loss"]]);
        }
        var replayed = Train(eager: false);
        var eager = Train(eager: true);
        // Replay (one plan for the 32-row batches, one for the last 4 rows, sharing buffers) gives the same bits.
        for (int i = 0; i < eager.Weights.Length; i++) Assert.Equal(eager.Weights[i], replayed.Weights[i]);
        Assert.Equal(eager.Losses, replayed.Losses);
        Assert.True(eager.Losses[^1] < 0.2 * eager.Losses[0], $"loss {eager.Losses[0]} → {eager.Losses[^1]}");
    }

    [Fact]
    public void ASteadyStateStepOfTheCustomModelAllocatesNothing()
    {
        var (x, y) = Regression(150, seed: 12);
        var model = CustomModel();
        model.Compile(optimizer: "rmsprop", loss: new MeanSquaredError());
        model.Build(4);
        var session = new TrainingSession(model, x, y, batchSize: 64);
        int[] full = [.. Enumerable.Range(0, 64)];
        int[] partial = [.. Enumerable.Range(64, 22)];
        for (int i = 0; i < 3; i++) { session.Step(full); session.Step(partial); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) { session.Step(full); session.Step(partial); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void EveryOpRecomputesFromNewInputValuesWhenReplayed()
    {
        // One graph through every op, recorded once; after the inputs change, rerunning the recorded ops must give
        // the same bits as building the graph afresh (Forward depends on its inputs' values only).
        var x = Const(Uniform(20, 3 * 4 * 5), 3, 4, 5);
        var w = Param(Uniform(21, 5 * 5), 5, 5);
        var v = Param(Uniform(22, 5), 5);
        Tensor Graph()
        {
            var h = Ops.MatMul(x, w) + v;                                                  // (3, 4, 5)
            var b = Ops.MatMul(Ops.ExpandDims(w, 0), Ops.Transpose(h, 0, 2, 1));           // batch product (3, 5, 4)
            var e = Ops.Exp(Ops.Clip(b, -2f, 2f)) / (1f + Ops.Abs(b)) - Ops.Sqrt(Ops.Square(b) + 1f);
            var m = Ops.Maximum(e, Ops.Minimum(Ops.Negative(e), 0.1f)) * Ops.Power(Ops.Sigmoid(e), 2f);
            var r = Ops.Max(m, 1) + Ops.Min(m, [0, 1], keepDims: true)                      // (1, 3, 4)
                - Ops.ExpandDims(Ops.Mean(m, [1, 2]), 1) * Ops.Sum(m);
            var s = Ops.Concatenate([Ops.Slice(r, 2, 1..4), Ops.Reshape(Ops.Relu(r), 1, 3, -1)], axis: 2); // (1, 3, 7)
            var t = Ops.LogSoftmax(Ops.Squeeze(Ops.ExpandDims(Ops.Tanh(s), 0))) + Ops.Log(Ops.Softmax(s) + 1f);
            return Ops.Sum(t * t);
        }
        Op[] ops;
        Tensor recorded;
        using (var tape = GradientTape.StartRecordingAll())
        {
            recorded = Graph();
            ops = tape.RecordedOps();
        }
        Uniform(23, x.Size).CopyTo(x.Values);
        Uniform(24, w.Size).CopyTo(w.Values);
        Uniform(25, v.Size).CopyTo(v.Values);
        foreach (var op in ops) op.Forward();
        int generation = GradientTape.Backpropagate(ops, recorded);
        Assert.True(w.GradGeneration == generation);
        float replayedValue = recorded.Values[0];
        float[] replayedW = w.Grad.ToArray(), replayedV = v.Grad.ToArray();

        var fresh = GradientCheck.Analytic(Graph, [w, v]);
        Assert.Equal(Graph().Values[0], replayedValue);
        Assert.Equal(fresh[0], replayedW);
        Assert.Equal(fresh[1], replayedV);
        Assert.NotEqual(0f, replayedW.Select(Math.Abs).Sum());
    }
}
