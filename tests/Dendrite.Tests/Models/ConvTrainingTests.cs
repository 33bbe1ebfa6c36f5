using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Training;

namespace Dendrite.Tests.Models;

/// <summary>
/// A tiny convnet trained end to end with <c>Fit</c>. Uses the global seed (default initializers, shuffling, dropout),
/// so it runs alone.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class ConvTrainingTests
{
    /// <summary>
    /// 8×8 images on a noisy background with one bright bar, 3 to 8 pixels long, at a random place: label 0 when it is
    /// horizontal, 1 when it is vertical.
    /// </summary>
    internal static (NDArray<float> X, NDArray<int> Y) Bars(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * 64];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            var image = x.AsSpan(i * 64, 64);
            for (int p = 0; p < 64; p++) image[p] = (float)(0.3 * rng.NextDouble());
            bool vertical = rng.Next(2) == 1;
            int length = rng.Next(3, 9), along = rng.Next(0, 9 - length), across = rng.Next(8);
            for (int t = along; t < along + length; t++)
                image[vertical ? t * 8 + across : across * 8 + t] = (float)(0.8 + 0.2 * rng.NextDouble());
            y[i] = vertical ? 1 : 0;
        }
        return (new NDArray<float>(x, n, 8, 8, 1), new NDArray<int>(y, n));
    }

    [Fact]
    public void BarsAreBalancedAndBright()
    {
        var (x, y) = Bars(400, seed: 1);
        Assert.InRange(y.ToArray().Count(v => v == 1), 160, 240);
        var first = x.ToArray()[..64];
        Assert.InRange(first.Count(v => v >= 0.8f), 3, 8);
    }

    [Fact]
    public void TinyConvnetLearnsBarOrientation()
    {
        var (x, y) = Bars(320, seed: 2);
        var (xTest, yTest) = Bars(200, seed: 3);
        Utils.SetRandomSeed(42);
        var model = new Sequential(
            new InputLayer([8, 8, 1]),
            new Conv2D(8, 3, activation: "relu"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(2, activation: "softmax"));
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 8, batchSize: 32, verbose: 0);
        var loss = history["loss"];
        // (Seeds 1 to 4 reach 0.98–1.00 on held-out images too: the threshold is not tuned to one lucky seed.)
        Assert.True(loss[^1] < 0.25 * loss[0], $"loss went from {loss[0]} to {loss[^1]}");
        Assert.True(history["accuracy"][^1] >= 0.95, $"training accuracy {history["accuracy"][^1]}");
        var result = model.Evaluate(xTest, yTest, verbose: 0);
        Assert.True(result["accuracy"] >= 0.95, $"test accuracy {result["accuracy"]}, loss {result["loss"]}");
    }

    private static (float[][] Weights, History History) Train(bool eager, bool dropout)
    {
        var (x, y) = Bars(200, seed: 4);
        Utils.SetRandomSeed(1234);
        var layers = new List<Layer>
        {
            new InputLayer([8, 8, 1]),
            new Conv2D(4, 3, padding: "same", activation: "relu"),
            new MaxPooling2D(3, strides: 2, padding: "same"),
            new Conv2D(6, (2, 3), strides: (1, 2), activation: "tanh"),
            new AveragePooling2D(2, padding: "same"),
            new Flatten(),
        };
        if (dropout) layers.Add(new Dropout(0.3));
        layers.Add(new Dense(2, activation: "softmax"));
        var model = new Sequential(layers);
        model.Compile(optimizer: new RMSprop(learningRate: 0.005f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], runEagerly: eager);
        // 180 training samples in batches of 24: seven full batches and a partial one of 12 (a second recorded plan).
        var history = model.Fit(x, y, epochs: 3, batchSize: 24, validationSplit: 0.1, verbose: 0);
        return (TestModels.WeightValues(model), history);
    }

    private static void AssertBitIdentical((float[][] Weights, History History) a, (float[][] Weights, History History) b)
    {
        Assert.Equal(a.Weights.Length, b.Weights.Length);
        for (int w = 0; w < a.Weights.Length; w++)
            Assert.Equal(a.Weights[w].Select(BitConverter.SingleToInt32Bits), b.Weights[w].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(a.History.Keys, b.History.Keys);
        foreach (var key in a.History.Keys)
            Assert.Equal(a.History[key].Select(BitConverter.DoubleToInt64Bits), b.History[key].Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void ReplayedStepsMatchEagerStepsBitForBit()
    {
        var replayed = Train(eager: false, dropout: false);
        var eager = Train(eager: true, dropout: false);
        AssertBitIdentical(replayed, eager);
        // Training moved the weights, so the comparison is not between two untouched models.
        Assert.NotEqual(replayed.History["loss"][0], replayed.History["loss"][^1]);
    }

    [Fact]
    public void WithDropoutReplayDrawsTheSameMasksAsEagerSteps()
    {
        // Each replayed forward draws a new mask from the layer's generator, in the same order as eager calls do.
        var replayed = Train(eager: false, dropout: true);
        var eager = Train(eager: true, dropout: true);
        AssertBitIdentical(replayed, eager);
        // and the masks matter: without dropout the run differs.
        Assert.NotEqual(replayed.History["loss"], Train(eager: false, dropout: false).History["loss"]);
    }
}
