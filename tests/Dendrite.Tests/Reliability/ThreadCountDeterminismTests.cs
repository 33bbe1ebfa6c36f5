using Dendrite.Kernels;
using Dendrite.Layers;
using Dendrite.Tests.Kernels;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// The determinism guarantee: with the same seed, training gives bit-identical weights and history on one thread and
/// on two, for the MLP and for a convnet with dropout, also while another thread takes a core at random moments
/// (<see cref="CoreThief"/>): work is cut into tiles, fixed by the problem's shape, whose results do not depend on
/// which thread computes them; whichever thread is free takes the next tile; sums across tiles are added in a fixed order.
/// </summary>
[Collection(GlobalStateCollection.Name)] // sets the global seed and the worker pool's thread count
public sealed class ThreadCountDeterminismTests
{
    private static (float[][] Weights, double[] Loss) Train(Func<Sequential> build, NDArray x, NDArray y, int threads, bool disturbed = false)
    {
        int saved = Config.Threads;
        Config.Threads = threads; // the public setting (Dendrite.Config), as a user sets it
        try
        {
            using var thief = disturbed ? new CoreThief(threads: 1, seed: threads) : null;
            Utils.SetRandomSeed(2024);
            var model = build();
            model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
            var history = model.Fit(x, y, epochs: 2, batchSize: 32, validationSplit: 0.2, verbose: 0);
            return (Models.TestModels.WeightValues(model), [.. history["loss"], .. history["val_loss"]]);
        }
        finally { Config.Threads = saved; }
    }

    private static void AssertBitIdentical((float[][] Weights, double[] Loss) a, (float[][] Weights, double[] Loss) b)
    {
        Assert.Equal(a.Weights.Length, b.Weights.Length);
        for (int i = 0; i < a.Weights.Length; i++)
            Assert.True(a.Weights[i].AsSpan().SequenceEqual(b.Weights[i]), $"weight {i} differs");
        Assert.Equal(a.Loss.Select(BitConverter.DoubleToInt64Bits), b.Loss.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void TheMlpTrainsBitIdenticallyOnOneAndTwoThreadsAndUnderACoreThief()
    {
        var x = new NDArray<float>(TestData.Uniform(1, 300 * 784, 0, 1), 300, 784);
        var y = new NDArray<int>(Enumerable.Range(0, 300).Select(i => i % 10).ToArray(), 300);
        Sequential Build() => new(new InputLayer([784]), new Dense(512, activation: "relu"), new Dense(10, activation: "softmax"));
        var one = Train(Build, x, y, 1);
        AssertBitIdentical(one, Train(Build, x, y, 2));
        AssertBitIdentical(one, Train(Build, x, y, 2, disturbed: true));
    }

    [Fact]
    public void AConvnetWithDropoutTrainsBitIdenticallyOnOneAndTwoThreadsAndUnderACoreThief()
    {
        var x = new NDArray<float>(TestData.Uniform(2, 200 * 28 * 28, 0, 1), 200, 28, 28, 1);
        var y = new NDArray<int>(Enumerable.Range(0, 200).Select(i => i % 10).ToArray(), 200);
        Sequential Build() => new(new InputLayer([28, 28, 1]), new Conv2D(32, 3, activation: "relu"), new MaxPooling2D(2),
            new Conv2D(64, 3, activation: "relu"), new MaxPooling2D(2), new Flatten(), new Dropout(0.5), new Dense(10, activation: "softmax"));
        var one = Train(Build, x, y, 1);
        AssertBitIdentical(one, Train(Build, x, y, 2));
        AssertBitIdentical(one, Train(Build, x, y, 1)); // and run to run
        AssertBitIdentical(one, Train(Build, x, y, 2, disturbed: true));
    }
}
