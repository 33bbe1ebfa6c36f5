using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Tests.Autodiff;
using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// Keras' sample_weight: Σ wᵣ·lossᵣ / N for every built-in loss (N the batch size, as sum_over_batch_size), with its
/// gradient, and class_weight turned into per-sample weights by Fit.
/// </summary>
public sealed class SampleWeightTests
{
    private const int Rows = 7, Classes = 5;

    /// <summary>Each loss with targets and predictions it accepts: (loss, yTrue values, yTrue shape, yPred values, yPred shape).</summary>
    public static TheoryData<string> LossNames() => ["sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "mse", "mae", "huber", "kld", "function"];

    private static Loss Make(string name) => name == "function"
        ? Loss.FromFunction((t, p) => Ops.Mean(Ops.Square(p - t), axis: -1), "my_mse")
        : Loss.Get(name);

    private static (float[] T, int[] TShape, float[] P, int[] PShape) Data(string name, int seed)
    {
        var r = new Random(seed);
        if (name == "sparse_categorical_crossentropy")
            return ([.. Enumerable.Range(0, Rows).Select(_ => (float)r.Next(Classes))], [Rows], Softmaxed(seed), [Rows, Classes]);
        if (name is "categorical_crossentropy" or "kld")
        {
            var t = new float[Rows * Classes];
            for (int i = 0; i < Rows; i++) t[i * Classes + r.Next(Classes)] = 1f;
            if (name == "kld") for (int i = 0; i < t.Length; i++) t[i] = 0.5f * t[i] + 0.1f;
            return (t, [Rows, Classes], Softmaxed(seed), [Rows, Classes]);
        }
        if (name == "binary_crossentropy")
            return ([.. Enumerable.Range(0, Rows * 3).Select(_ => (float)r.Next(2))], [Rows, 3], Uniform(seed, Rows * 3, 0.05, 0.95), [Rows, 3]);
        return (Uniform(seed, Rows * 3), [Rows, 3], Uniform(seed + 1, Rows * 3), [Rows, 3]);
    }

    private static float[] Softmaxed(int seed)
    {
        var z = Uniform(seed + 5, Rows * Classes, -2, 2);
        var p = new float[z.Length];
        for (int i = 0; i < Rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < Classes; j++) sum += Math.Exp(z[i * Classes + j]);
            for (int j = 0; j < Classes; j++) p[i * Classes + j] = (float)(Math.Exp(z[i * Classes + j]) / sum);
        }
        return p;
    }

    private static float[] RowsOf(float[] values, int[] shape, int row)
    {
        int per = values.Length / shape[0];
        return values.AsSpan(row * per, per).ToArray();
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void AWeightedLossIsTheWeightedSumOfPerSampleLossesOverTheBatchSize(string name)
    {
        var loss = Make(name);
        var (t, ts, p, ps) = Data(name, 3);
        var w = Uniform(9, Rows, 0, 2);
        double expected = 0;
        for (int r = 0; r < Rows; r++)
        {
            int[] oneT = [1, .. ts[1..]], oneP = [1, .. ps[1..]];
            expected += w[r] * loss.Call(Const(RowsOf(t, ts, r), oneT), Const(RowsOf(p, ps, r), oneP)).Values[0];
        }
        expected /= Rows;
        float weighted = loss.Call(Const(t, ts), Const(p, ps), Const(w, Rows)).Values[0];
        Assert.Equal(expected, weighted, 1e-5 * Math.Max(1, Math.Abs(expected)));
        // Weights of 1 give exactly the unweighted loss.
        Assert.Equal(loss.Call(Const(t, ts), Const(p, ps)).Values[0], loss.Call(Const(t, ts), Const(p, ps), Const([.. Enumerable.Repeat(1f, Rows)], Rows)).Values[0]);
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void TheWeightedGradientMatchesFiniteDifferences(string name)
    {
        var loss = Make(name);
        var (t, ts, p, ps) = Data(name, 4);
        var w = Uniform(10, Rows, 0, 2);
        var prediction = Param(p, ps);
        var inputs = name == "sparse_categorical_crossentropy" ? new[] { prediction } : [prediction, Param(t, ts)];
        GradientCheck.Check(() => loss.Call(inputs.Length > 1 ? inputs[1] : Const(t, ts), prediction, Const(w, Rows)), inputs, h: 1e-3);
    }

    [Fact]
    public void WrongWeightsAreRefused()
    {
        var (t, ts, p, ps) = Data("mse", 5);
        var e = Assert.Throws<ArgumentException>(() => Loss.Get("mse").Call(Const(t, ts), Const(p, ps), Const([1f, 2f], 2)));
        Assert.Contains("one value per sample", e.Message);
        Assert.Throws<NotSupportedException>(() => new NoWeights().Call(Const(t, ts), Const(p, ps), Const(Uniform(1, Rows), Rows)));
    }

    private sealed class NoWeights : Loss
    {
        public override string Name => "no_weights";

        public override Tensor Call(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Square(yPred - yTrue));
    }
}

/// <summary>sample_weight and class_weight in Fit.</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class FitSampleWeightTests
{
    private static Sequential Model()
    {
        Utils.SetRandomSeed(31);
        var model = new Sequential(new InputLayer([2]), new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    [Fact]
    public void WeightsOfOneTrainBitForBitLikeNoWeights()
    {
        var (x, y) = Blobs(60, seed: 2);
        var plain = Model().Fit(x, y, epochs: 3, batchSize: 16, verbose: 0);
        var ones = Model().Fit(x, y, epochs: 3, batchSize: 16, verbose: 0, sampleWeight: new NDArray<float>([.. Enumerable.Repeat(1f, 60)], 60));
        Assert.Equal(plain["loss"], ones["loss"]);
        Assert.Equal(plain["accuracy"], ones["accuracy"]);
    }

    [Fact]
    public void ClassWeightsAreTheSampleWeightsOfEachLabel()
    {
        var (x, y) = Blobs(60, seed: 3);
        var classWeight = new Dictionary<int, double> { [0] = 0.5, [1] = 2.0, [2] = 1.0 };
        var perSample = new NDArray<float>([.. y.ToArray().Select(c => (float)classWeight[c])], 60);
        var byClass = Model();
        var viaClasses = byClass.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0, classWeight: classWeight);
        var bySample = Model();
        var viaSamples = bySample.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0, sampleWeight: perSample);
        Assert.Equal(viaSamples["loss"], viaClasses["loss"]);
        Assert.Equal(bySample.GetWeights().Select(v => v.ToArray()), byClass.GetWeights().Select(v => v.ToArray()));
        var plain = Model().Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0);
        Assert.NotEqual(plain["loss"], viaClasses["loss"]);
        // As in Keras, the validation split takes the sample weights with its samples, but class weights only weight
        // the training loss: the same trained weights, a weighted and an unweighted validation loss.
        var (xVal, yVal) = (x[45..], y[45..]);
        Assert.Equal(byClass.Evaluate(xVal, yVal, batchSize: 16, verbose: 0).Loss, viaClasses["val_loss"][^1], 1e-6);
        Assert.Equal(bySample.Evaluate(xVal, yVal, batchSize: 16, verbose: 0, sampleWeight: perSample[45..]).Loss, viaSamples["val_loss"][^1], 1e-6);
        Assert.NotEqual(viaSamples["val_loss"][^1], viaClasses["val_loss"][^1]);
    }

    [Fact]
    public void ExplicitValidationDataTakesAThirdArrayOfWeights()
    {
        // Keras' validation_data=(x_val, y_val, val_sample_weight): the validation loss weighted, its metrics not.
        var (x, y) = Blobs(48, seed: 9);
        var (xVal, yVal) = Blobs(24, seed: 10);
        var w = new NDArray<float>([.. Enumerable.Range(0, 24).Select(i => i % 3 == 0 ? 3f : 0.5f)], 24);
        var weighted = Model();
        var history = weighted.Fit(x, y, epochs: 2, batchSize: 16, validationData: (xVal, yVal, w), verbose: 0);
        var plainModel = Model();
        var plain = plainModel.Fit(x, y, epochs: 2, batchSize: 16, validationData: (xVal, yVal), verbose: 0);
        Assert.Equal(plain["loss"], history["loss"]); // the training is the same
        Assert.Equal(weighted.Evaluate(xVal, yVal, batchSize: 16, verbose: 0, sampleWeight: w).Loss, history["val_loss"][^1], 1e-6);
        Assert.Equal(plainModel.Evaluate(xVal, yVal, batchSize: 16, verbose: 0).Loss, plain["val_loss"][^1], 1e-6);
        Assert.NotEqual(plain["val_loss"][^1], history["val_loss"][^1]);
        Assert.Equal(plain["val_accuracy"], history["val_accuracy"]);
        // A weight array of the wrong length is named.
        var error = Assert.Throws<ArgumentException>(() => Model().Fit(x, y, validationData: (xVal, yVal, w[..5]), verbose: 0));
        Assert.Contains("validationData.SampleWeight must hold one weight per sample, shape (24,)", error.Message);
    }

    [Fact]
    public void ZeroWeightsLeaveTheirSamplesOutOfTheGradient()
    {
        // With the second half weighted 0, training on all 60 samples moves the weights exactly as training on the
        // first 30 with the second half's labels scrambled: those samples contribute nothing.
        var (x, y) = Blobs(60, seed: 4);
        var w = new NDArray<float>([.. Enumerable.Range(0, 60).Select(i => i < 30 ? 1f : 0f)], 60);
        var scrambled = new NDArray<int>([.. y.ToArray().Select((c, i) => i < 30 ? c : (c + 1) % 3)], 60);
        var a = Model();
        a.Fit(x, y, epochs: 2, batchSize: 60, shuffle: false, verbose: 0, sampleWeight: w);
        var b = Model();
        b.Fit(x, scrambled, epochs: 2, batchSize: 60, shuffle: false, verbose: 0, sampleWeight: w);
        Assert.Equal(a.GetWeights().Select(v => v.ToArray()), b.GetWeights().Select(v => v.ToArray()));
    }

    [Fact]
    public void EvaluateWeightsTheLossButNotTheMetrics()
    {
        var (x, y) = Blobs(40, seed: 8);
        var model = Model();
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0);
        var plain = model.Evaluate(x, y, verbose: 0);
        var doubled = model.Evaluate(x, y, verbose: 0, sampleWeight: new NDArray<float>([.. Enumerable.Repeat(2f, 40)], 40));
        Assert.Equal(2 * plain.Loss, doubled.Loss, 1e-6);
        Assert.Equal(plain["accuracy"], doubled["accuracy"]);
        // Weight only the first sample: the loss is that sample's loss over the 40 samples.
        var first = model.Evaluate(x, y, verbose: 0, sampleWeight: new NDArray<float>([1f, .. new float[39]], 40));
        var alone = model.Evaluate(x[0..1], y[0..1], verbose: 0);
        Assert.Equal(alone.Loss / 40, first.Loss, 1e-7);
    }

    [Fact]
    public void BadWeightArgumentsAreNamed()
    {
        var (x, y) = Blobs(20, seed: 5);
        var model = Model();
        Assert.Contains("at the same time", Assert.Throws<ArgumentException>(() =>
            model.Fit(x, y, verbose: 0, sampleWeight: new NDArray<float>(new float[20], 20), classWeight: new Dictionary<int, double> { [0] = 1 })).Message);
        Assert.Contains("one weight per sample", Assert.Throws<ArgumentException>(() =>
            model.Fit(x, y, verbose: 0, sampleWeight: new NDArray<float>(new float[19], 19))).Message);
        Assert.Contains("no weight for class", Assert.Throws<ArgumentException>(() =>
            model.Fit(x, y, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 1, [1] = 1 })).Message);
    }
}
