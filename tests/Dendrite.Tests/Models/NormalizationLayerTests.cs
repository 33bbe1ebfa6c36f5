using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Models;

/// <summary>
/// The BatchNormalization and LayerNormalization layers as Keras 3 has them: defaults, weight names, order and
/// trainability, parameter counts in the summary, training and inference behaviour of a layer call.
/// </summary>
public class NormalizationLayerTests
{
    /// <summary>Float64 reference: <c>(x − mean) / sqrt(variance + ε) · gamma + beta</c> per channel (last axis).</summary>
    internal static double[] Normalize(float[] x, int channels, double[] mean, double[] variance, float[] gamma, float[] beta, double epsilon)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % channels;
            y[i] = (x[i] - mean[j]) / Math.Sqrt(variance[j] + (float)epsilon) * gamma[j] + beta[j];
        }
        return y;
    }

    /// <summary>Per-channel mean and biased variance over every axis but the last, in float64.</summary>
    internal static (double[] Mean, double[] Variance) Moments(ReadOnlySpan<float> x, int channels)
    {
        int rows = x.Length / channels;
        var mean = new double[channels];
        var variance = new double[channels];
        for (int i = 0; i < x.Length; i++) mean[i % channels] += x[i];
        for (int j = 0; j < channels; j++) mean[j] /= rows;
        for (int i = 0; i < x.Length; i++) variance[i % channels] += (x[i] - mean[i % channels]) * (x[i] - mean[i % channels]);
        for (int j = 0; j < channels; j++) variance[j] /= rows;
        return (mean, variance);
    }

    internal static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: got {actual[i]:G9}, expected {expected[i]:G9}.");
    }

    [Fact]
    public void DefaultsAreKeras()
    {
        var bn = new BatchNormalization();
        Assert.Equal(0.99, bn.Momentum);
        Assert.Equal(1e-3, bn.Epsilon);
        Assert.StartsWith("batch_normalization", bn.Name);
        var ln = new LayerNormalization();
        Assert.Equal(1e-3, ln.Epsilon);
        Assert.StartsWith("layer_normalization", ln.Name);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void MomentumOutsideZeroToOneIsRefused(double momentum)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(momentum: momentum));
        Assert.Contains("momentum must be in [0, 1]", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    public void EpsilonMustBePositive(double epsilon)
    {
        Assert.Contains("epsilon must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(epsilon: epsilon)).Message);
        Assert.Contains("epsilon must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization(epsilon: epsilon)).Message);
    }

    [Theory]
    [InlineData(true, true, new[] { "gamma", "beta", "moving_mean", "moving_variance" })]
    [InlineData(false, true, new[] { "gamma", "moving_mean", "moving_variance" })]
    [InlineData(true, false, new[] { "beta", "moving_mean", "moving_variance" })]
    [InlineData(false, false, new[] { "moving_mean", "moving_variance" })]
    public void BatchNormalizationWeightsHaveKerasNamesOrderTrainabilityAndInitialValues(bool center, bool scale, string[] names)
    {
        var bn = new BatchNormalization(center: center, scale: scale);
        bn.EnsureBuilt(new Shape(6, 6, 5));
        Assert.Equal(names, bn.Weights.Select(w => w.Name));
        Assert.All(bn.Weights, w => Assert.Equal(new Shape(5), w.Shape));
        Assert.Equal(names.Where(n => !n.StartsWith("moving", StringComparison.Ordinal)), bn.TrainableWeights.Select(w => w.Name));
        Assert.All(bn.Weights, w => Assert.Equal(!w.Name.StartsWith("moving", StringComparison.Ordinal), w.Value.RequiresGrad));
        float Initial(string name) => name is "gamma" or "moving_variance" ? 1f : 0f;
        Assert.All(bn.Weights, w => Assert.All(w.Value.Values.ToArray(), v => Assert.Equal(Initial(w.Name), v)));
        Assert.Equal(center, bn.Beta is not null);
        Assert.Equal(scale, bn.Gamma is not null);
        Assert.Same(bn.Weights[^2], bn.MovingMean);
        Assert.Same(bn.Weights[^1], bn.MovingVariance);
        Assert.Equal(5L * names.Length, bn.CountParams());
    }

    [Theory]
    [InlineData(true, true, new[] { "gamma", "beta" })]
    [InlineData(false, true, new[] { "gamma" })]
    [InlineData(true, false, new[] { "beta" })]
    [InlineData(false, false, new string[0])]
    public void LayerNormalizationWeightsAreGammaThenBetaBothTrainable(bool center, bool scale, string[] names)
    {
        var ln = new LayerNormalization(center: center, scale: scale);
        ln.EnsureBuilt(new Shape(3, 7));
        Assert.Equal(names, ln.Weights.Select(w => w.Name));
        Assert.Equal(names, ln.TrainableWeights.Select(w => w.Name));
        Assert.All(ln.Weights, w => Assert.Equal(new Shape(7), w.Shape));
        Assert.Equal(center, ln.Beta is not null);
        Assert.Equal(scale, ln.Gamma is not null);
    }

    [Fact]
    public void SummaryCountsTheMovingStatisticsAsNonTrainable()
    {
        var model = new Sequential(
            new InputLayer([10]),
            new Dense(16, name: "hidden"),
            new BatchNormalization(name: "bn"),
            new LayerNormalization(name: "ln"),
            new Dense(3, name: "out"));
        string text = model.SummaryText();
        // Dense 10·16 + 16 = 176; BatchNormalization 4·16 = 64 (32 of them moving statistics); LayerNormalization 2·16 = 32;
        // Dense 16·3 + 3 = 51. As Keras prints it: sizes at 4 bytes a parameter.
        Assert.Contains("│ bn (BatchNormalization)              │ (None, 16)                  │              64 │", text);
        Assert.Contains("│ ln (LayerNormalization)              │ (None, 16)                  │              32 │", text);
        Assert.Contains(" Total params: 323 (1.26 KB)\n Trainable params: 291 (1.14 KB)\n Non-trainable params: 32 (128.00 B)\n", text);
    }

    [Fact]
    public void ACallInTrainingModeUsesTheBatchStatisticsAndUpdatesTheMovingOnesOnce()
    {
        var bn = new BatchNormalization(momentum: 0.8);
        bn.EnsureBuilt(new Shape(3, 2, 3));
        var gamma = TestData.Uniform(1, 3, 0.5, 1.5);
        var beta = TestData.Uniform(2, 3);
        bn.Gamma!.Assign(gamma);
        bn.Beta!.Assign(beta);
        var xs = TestData.Uniform(3, 5 * 3 * 2 * 3, -2, 3);
        var x = new Tensor(xs, 5, 3, 2, 3);

        var y = bn.Call(x, training: true);

        var (mean, variance) = Moments(xs, 3);
        AssertClose(Normalize(xs, 3, mean, variance, gamma, beta, 1e-3), y.Values, 1e-5, "output");
        AssertClose([.. mean.Select(m => m * 0.2)], bn.MovingMean!.Value.Values, 1e-6, "moving_mean");
        AssertClose([.. variance.Select(v => 0.8 + v * 0.2)], bn.MovingVariance!.Value.Values, 1e-6, "moving_variance");

        // Inference: the moving statistics, which stay as they are.
        var movingMean = bn.MovingMean.Value.Values.ToArray();
        var movingVariance = bn.MovingVariance.Value.Values.ToArray();
        var inference = bn.Call(x, training: false);
        AssertClose(Normalize(xs, 3, [.. movingMean.Select(v => (double)v)], [.. movingVariance.Select(v => (double)v)], gamma, beta, 1e-3), inference.Values, 1e-5, "inference output");
        Assert.Equal(movingMean, bn.MovingMean.Value.Values.ToArray());
        Assert.Equal(movingVariance, bn.MovingVariance.Value.Values.ToArray());
        Assert.Equal(inference.Values.ToArray(), bn.Call(x).Values.ToArray()); // inference is the default
    }

    [Fact]
    public void LayerNormalizationIsTheSameInTrainingAndInference()
    {
        var ln = new LayerNormalization(epsilon: 1e-2);
        ln.EnsureBuilt(new Shape(4, 6));
        var gamma = TestData.Uniform(10, 6, 0.5, 1.5);
        var beta = TestData.Uniform(11, 6);
        ln.Gamma!.Assign(gamma);
        ln.Beta!.Assign(beta);
        var xs = TestData.Uniform(12, 3 * 4 * 6, -3, 1);
        var x = new Tensor(xs, 3, 4, 6);
        var expected = new double[xs.Length];
        for (int r = 0; r < 12; r++)
        {
            var (mean, variance) = RowMoments(xs.AsSpan(r * 6, 6));
            for (int j = 0; j < 6; j++) expected[r * 6 + j] = (xs[r * 6 + j] - mean) / Math.Sqrt(variance + 1e-2f) * gamma[j] + beta[j];
        }
        AssertClose(expected, ln.Call(x, training: true).Values, 1e-5, "training output");
        AssertClose(expected, ln.Call(x, training: false).Values, 1e-5, "inference output");
    }

    private static (double Mean, double Variance) RowMoments(ReadOnlySpan<float> row)
    {
        double mean = 0;
        foreach (var v in row) mean += v;
        mean /= row.Length;
        double variance = 0;
        foreach (var v in row) variance += (v - mean) * (v - mean);
        return (mean, variance / row.Length);
    }
}

/// <summary>BatchNormalization inside <c>Fit</c>: seeded models, so these run alone.</summary>
[Collection(GlobalStateCollection.Name)]
public class BatchNormalizationFitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FitFoldsEachBatchIntoTheMovingStatisticsExactlyOncePerStep(bool runEagerly)
    {
        // BatchNormalization right after the input sees the raw batches, so the moving statistics Keras would hold
        // after Fit follow from the data alone. 9 samples in batches of 4: steps of 4, 4 and 1 samples each epoch (the
        // last one of zero variance); the recorded plans (one per batch size) are replayed after their first step,
        // unless running eagerly.
        const int n = 9, features = 3, batchSize = 4, epochs = 3;
        const double momentum = 0.9;
        var xs = TestData.Uniform(20, n * features, -1, 3);
        var x = new NDArray<float>(xs, n, features);
        var y = new NDArray<int>([.. Enumerable.Range(0, n).Select(i => i % 2)], n);
        Utils.SetRandomSeed(5);
        var bn = new BatchNormalization(momentum: momentum);
        var model = new Sequential(new InputLayer([features]), bn, new Dense(2, activation: "softmax"));
        model.Compile(optimizer: new SGD(0.1f), loss: "sparse_categorical_crossentropy", runEagerly: runEagerly);

        var history = model.Fit(x, y, epochs: epochs, batchSize: batchSize, shuffle: false, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(double.IsFinite(l), $"loss {l}"));

        var movingMean = new double[features];
        var movingVariance = Enumerable.Repeat(1.0, features).ToArray();
        int steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
            for (int start = 0; start < n; start += batchSize, steps++)
            {
                int rows = Math.Min(batchSize, n - start);
                var (mean, variance) = NormalizationLayerTests.Moments(xs.AsSpan(start * features, rows * features), features);
                for (int j = 0; j < features; j++)
                {
                    movingMean[j] = movingMean[j] * momentum + mean[j] * (1 - momentum);
                    movingVariance[j] = movingVariance[j] * momentum + variance[j] * (1 - momentum);
                }
            }
        Assert.Equal(9, steps);
        NormalizationLayerTests.AssertClose(movingMean, bn.MovingMean!.Value.Values, 1e-5, "moving_mean");
        NormalizationLayerTests.AssertClose(movingVariance, bn.MovingVariance!.Value.Values, 1e-5, "moving_variance");

        // Evaluate and Predict run in inference mode: they leave the statistics alone.
        var before = bn.MovingMean.Value.Values.ToArray();
        model.Predict(x, verbose: 0);
        model.Evaluate(x, y, verbose: 0);
        Assert.Equal(before, bn.MovingMean.Value.Values.ToArray());
    }

    [Fact]
    public void ASmallConvnetWithBatchNormalizationTrainsAndPredictsWithTheMovingStatistics()
    {
        var (x, y) = ConvTrainingTests.Bars(320, seed: 7);
        Utils.SetRandomSeed(7);
        var bn = new BatchNormalization();
        var model = new Sequential(
            new InputLayer([8, 8, 1]),
            new Conv2D(8, 3),
            bn,
            new Activation("relu"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(2, activation: "softmax"));
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

        var history = model.Fit(x, y, epochs: 5, batchSize: 32, verbose: 0);

        var loss = history["loss"];
        Assert.True(loss[^1] < 0.5 * loss[0], $"loss went from {loss[0]} to {loss[^1]}");
        Assert.True(history["accuracy"][^1] >= 0.9, $"training accuracy {history["accuracy"][^1]}");
        // 50 steps at momentum 0.99 moved the statistics away from their initial zeros and ones.
        Assert.Contains(bn.MovingMean!.Value.Values.ToArray(), v => Math.Abs(v) > 1e-3);
        Assert.Contains(bn.MovingVariance!.Value.Values.ToArray(), v => Math.Abs(v - 1) > 1e-3);

        var batch = x[0..32];
        var predicted = model.Predict(batch, verbose: 0).ToArray();
        var input = new Tensor(batch.ToArray(), 32, 8, 8, 1);
        var inference = model.Call(input, training: false).Values.ToArray();
        for (int i = 0; i < predicted.Length; i++) Assert.Equal(inference[i], predicted[i], 6);
        // In training mode the batch's own statistics replace the moving ones: other outputs.
        var training = model.Call(input, training: true).Values.ToArray();
        double largest = predicted.Zip(training, (p, t) => Math.Abs(p - t)).Max();
        Assert.True(largest > 1e-3, $"Predict and the training-mode output differ by at most {largest}");
    }
}
