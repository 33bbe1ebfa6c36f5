using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using static Dendrite.Tests.TestData;
// The loss classes, not the metrics of the same Keras names.
using BinaryCrossentropy = Dendrite.Losses.BinaryCrossentropy;
using CategoricalCrossentropy = Dendrite.Losses.CategoricalCrossentropy;
using KLDivergence = Dendrite.Losses.KLDivergence;

namespace Dendrite.Tests.Losses;

/// <summary>A model trained with each loss family converges, through Fit's recorded and replayed steps.</summary>
public class LossTrainingTests
{
    /// <summary>The 2-D blobs with class 0 as the positive class: a separable binary problem, targets (N,) of 0 and 1.</summary>
    internal static (NDArray<float> X, NDArray<float> Y) BinaryBlobs(int n, int seed)
    {
        var (x, labels) = Blobs(n, seed);
        return (x, new NDArray<float>([.. labels.ToArray().Select(l => l == 0 ? 1f : 0f)], n));
    }

    /// <summary>y = 2·x₀ − x₁ + 0.5 on uniform inputs in [−1, 1], targets (N, 1).</summary>
    internal static (NDArray<float> X, NDArray<float> Y) Linear(int n, int seed)
    {
        var x = Uniform(seed, n * 2);
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5f;
        return (new NDArray<float>(x, n, 2), new NDArray<float>(y, n, 1));
    }

    private static Sequential BinaryClassifier(int seed, string activation = "sigmoid") => new(
        new Dense(8, activation: "relu", kernelInitializer: new GlorotUniform(seed)),
        new Dense(1, activation: activation, kernelInitializer: new GlorotUniform(seed + 1)));

    [Fact]
    public void BinaryCrossentropyWithASigmoidOutputSeparatesTwoClasses()
    {
        var (x, y) = BinaryBlobs(300, seed: 1);
        var model = BinaryClassifier(seed: 2);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "binary_crossentropy", metrics: ["accuracy", "precision", "recall", "auc"]);
        var history = model.Fit(x, y, epochs: 20, batchSize: 32, verbose: 0);

        Assert.Equal(["accuracy", "auc", "loss", "precision", "recall"], history.Keys);
        var loss = history["loss"];
        Assert.True(loss[^1] < 0.2 * loss[0], $"loss {loss[0]} → {loss[^1]}");
        Assert.True(history["accuracy"][^1] >= 0.97, $"accuracy {history["accuracy"][^1]}");
        Assert.True(history["auc"][^1] >= 0.99, $"auc {history["auc"][^1]}");

        var (testX, testY) = BinaryBlobs(150, seed: 3);
        var result = model.Evaluate(testX, testY, verbose: 0);
        Assert.True(result["accuracy"] >= 0.97, $"test accuracy {result["accuracy"]}");
        Assert.True(result["precision"] >= 0.9 && result["recall"] >= 0.9, $"precision {result["precision"]}, recall {result["recall"]}");
    }

    [Fact]
    public void BinaryCrossentropyFromLogitsTrainsALinearOutput()
    {
        var (x, y) = BinaryBlobs(300, seed: 4);
        var model = BinaryClassifier(seed: 5, activation: "linear");
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.05f),
            metrics: [new Precision(thresholds: 0f), new AUC(fromLogits: true)]);
        var history = model.Fit(x, y, epochs: 20, batchSize: 32, verbose: 0);
        // Smoothed targets (0.025, 0.975) leave an entropy floor the loss cannot go below.
        double floor = -(0.975 * Math.Log(0.975) + 0.025 * Math.Log(0.025));
        var loss = history["loss"];
        Assert.True(loss[^1] - floor < 0.3 * (loss[0] - floor), $"loss {loss[0]} → {loss[^1]}, floor {floor}");
        Assert.True(history["auc"][^1] >= 0.99, $"auc {history["auc"][^1]}");
        Assert.True(history["precision"][^1] >= 0.9, $"precision {history["precision"][^1]}");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CategoricalCrossentropyLearnsOneHotTargets(float smoothing)
    {
        var (x, labels) = Blobs(300, seed: 6);
        var y = Utils.ToCategorical(labels);
        var model = new Sequential(
            new Dense(8, activation: "relu", kernelInitializer: new GlorotUniform(7)),
            new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(8)));
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: new CategoricalCrossentropy(labelSmoothing: smoothing),
            metrics: ["accuracy", new TopKCategoricalAccuracy(k: 2)]);
        var history = model.Fit(x, y, epochs: 15, batchSize: 32, verbose: 0);
        // With smoothing the loss cannot fall below the entropy of the smoothed targets: measure the excess over it.
        double high = 1 - smoothing + smoothing / 3.0, low = smoothing / 3.0;
        double floor = smoothing == 0 ? 0 : -(high * Math.Log(high) + 2 * low * Math.Log(low));
        var loss = history["loss"];
        Assert.True(loss[^1] - floor < 0.3 * (loss[0] - floor), $"loss {loss[0]} → {loss[^1]}, floor {floor}");
        Assert.True(history["accuracy"][^1] >= 0.95, $"accuracy {history["accuracy"][^1]}");
        Assert.True(history["top_k_categorical_accuracy"][^1] >= history["accuracy"][^1]);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("mae")]
    [InlineData("huber")]
    public void RegressionLossesFitALinearFunction(string lossName)
    {
        var (x, y) = Linear(200, seed: 9);
        var model = new Sequential(new Dense(1, kernelInitializer: new GlorotUniform(10)));
        model.Compile(optimizer: new Adam(learningRate: 0.05f), loss: lossName, metrics: ["mae", "mse"]);
        var history = model.Fit(x, y, epochs: 40, batchSize: 20, verbose: 0);
        Assert.Equal(["loss", "mae", "mse"], history.Keys);
        Assert.True(history["mae"][^1] < 0.05, $"{lossName}: mae {history["mae"][0]} → {history["mae"][^1]}");
        var kernel = model.Weights[0].Value.Values.ToArray();
        Assert.Equal(2.0, kernel[0], 0.05);
        Assert.Equal(-1.0, kernel[1], 0.05);
    }

    [Fact]
    public void KLDivergenceMatchesTargetDistributions()
    {
        // Targets are softmax(x·W) for a fixed W: a softmax layer can match them exactly, driving KL towards 0.
        int n = 240;
        var xs = Uniform(11, n * 2, -2, 2);
        var w = new[] { 1.5f, -1f, 0.5f, -0.5f, 2f, 0f };
        var targets = new float[n * 3];
        for (int i = 0; i < n; i++)
        {
            var logits = Enumerable.Range(0, 3).Select(c => xs[2 * i] * w[c] + xs[2 * i + 1] * w[3 + c]).ToArray();
            double sum = logits.Sum(v => Math.Exp(v));
            for (int c = 0; c < 3; c++) targets[i * 3 + c] = (float)(Math.Exp(logits[c]) / sum);
        }
        var model = new Sequential(new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(12)));
        model.Compile(optimizer: new Adam(learningRate: 0.05f), loss: "kld");
        var history = model.Fit(new NDArray<float>(xs, n, 2), new NDArray<float>(targets, n, 3), epochs: 40, batchSize: 24, verbose: 0);
        Assert.True(history["loss"][^1] < 0.05 * history["loss"][0], $"loss {history["loss"][0]} → {history["loss"][^1]}");
    }

    private static Tensor WeightedSquaredError(Tensor yTrue, Tensor yPred) => Ops.Mean(Ops.Square(yPred - yTrue) * 3f, axis: -1);

    [Fact]
    public void AFunctionLossTrainsWithFitWithoutGradientCode()
    {
        var (x, y) = Linear(200, seed: 13);
        var model = new Sequential(new Dense(1, kernelInitializer: new GlorotUniform(14)));
        model.Compile(optimizer: new Adam(learningRate: 0.05f), loss: (Func<Tensor, Tensor, Tensor>)WeightedSquaredError, metrics: ["mae"]);
        Assert.Equal("WeightedSquaredError", model.Loss!.Name);
        var history = model.Fit(x, y, epochs: 40, batchSize: 20, verbose: 0);
        Assert.True(history["mae"][^1] < 0.05, $"mae {history["mae"][0]} → {history["mae"][^1]}");
        // Its logged loss is the function's value: three times the mean squared error.
        var result = model.Evaluate(x, y, verbose: 0);
        var builtIn = new Sequential(new Dense(1));
        builtIn.Build(2);
        for (int i = 0; i < model.Weights.Count; i++) model.Weights[i].Value.Values.CopyTo(builtIn.Weights[i].Value.Values);
        builtIn.Compile(loss: "mse");
        Assert.Equal(3 * builtIn.Evaluate(x, y, verbose: 0).Loss, result.Loss, 1e-6);
    }

    public static TheoryData<string> ReplayedLosses => ["bce+sigmoid", "cce+softmax", "huber", "kld", "function"];

    [Theory]
    [MemberData(nameof(ReplayedLosses))]
    public void ReplayedStepsGiveTheBitsOfEagerSteps(string which)
    {
        // Recorded once per batch size (32 and the last 12) and replayed: every loss op must recompute from its inputs.
        var (x, labels) = Blobs(140, seed: 15);
        (NDArray Y, string Activation, Func<Loss> Loss) setup = which switch
        {
            "bce+sigmoid" => ((NDArray)BinaryBlobs(140, 15).Y, "sigmoid", () => new BinaryCrossentropy(labelSmoothing: 0.1f)),
            "cce+softmax" => (Utils.ToCategorical(labels), "softmax", () => new CategoricalCrossentropy()),
            "huber" => (Utils.ToCategorical(labels), "linear", () => new Huber(0.5f)),
            "kld" => (Utils.ToCategorical(labels), "softmax", () => new KLDivergence()),
            _ => (Utils.ToCategorical(labels), "linear", () => Loss.FromFunction((t, p) => Ops.Abs(p - t) + Ops.Square(p - t))),
        };
        var (y, activation, loss) = setup;
        int outputs = y.Rank == 1 ? 1 : 3;
        (float[][] Weights, double[] Losses) Train(bool eager)
        {
            var model = new Sequential(
                new Dense(6, activation: "tanh", kernelInitializer: new GlorotUniform(16)),
                new Dense(outputs, activation: activation, kernelInitializer: new GlorotUniform(17)));
            model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: loss(), runEagerly: eager);
            var history = model.Fit(x, y, epochs: 4, batchSize: 32, shuffle: false, verbose: 0);
            return ([.. model.Weights.Select(w => w.Value.Values.ToArray())], [.. history["loss"]]);
        }
        var replayed = Train(eager: false);
        var eager = Train(eager: true);
        Assert.Equal(eager.Losses, replayed.Losses);
        for (int i = 0; i < eager.Weights.Length; i++) Assert.Equal(eager.Weights[i], replayed.Weights[i]);
        Assert.True(eager.Losses[^1] < eager.Losses[0], $"{which}: loss {eager.Losses[0]} → {eager.Losses[^1]}");
    }
}
