using System.IO.Compression;
using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Saving;

/// <summary>SaveWeights then LoadWeights into a fresh model of the same architecture gives the very same model.</summary>
public sealed class WeightsRoundTripTests
{
    private static Sequential Mlp() => new(new InputLayer([2]), new Dense(16, activation: "relu"), new Dense(3, activation: "softmax"));

    private static Sequential Convnet() => new(
        new InputLayer([8, 8, 2]),
        new Conv2D(4, 3, padding: "same", activation: "relu"),
        new BatchNormalization(),
        new MaxPooling2D(2),
        new Conv2D(6, 2),
        new Flatten(),
        new Dropout(0.25),
        new Dense(5, activation: "relu"),
        new Dense(3, activation: "softmax"));

    private static (NDArray<float> X, NDArray<int> Y) Images(int n, int seed) =>
        (new NDArray<float>(TestData.Uniform(seed, n * 8 * 8 * 2, 0, 1), n, 8, 8, 2),
         new NDArray<int>(Enumerable.Range(0, n).Select(i => i % 3).ToArray(), n));

    [Fact]
    public void ATrainedDenseModelPredictsTheSameBitsAfterLoading()
    {
        using var dir = new TempDir();
        string path = dir.Sub("mlp.weights.h5");
        var (x, y) = TestData.Blobs(60, seed: 7);
        var trained = Mlp();
        trained.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");
        trained.Fit(x, y, epochs: 2, batchSize: 16, verbose: 0);

        trained.SaveWeights(path);
        var fresh = Mlp();
        fresh.LoadWeights(path);

        Bits.EqualWeights(trained, fresh);
        Bits.Equal(trained.Predict(x, verbose: 0).ToArray(), fresh.Predict(x, verbose: 0).ToArray());
    }

    [Fact]
    public void AConvnetWithBatchNormalizationKeepsItsMovingStatistics()
    {
        using var dir = new TempDir();
        string path = dir.Sub("convnet.weights.h5");
        var (x, y) = Images(24, seed: 11);
        var trained = Convnet();
        trained.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");
        trained.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        var bn = (BatchNormalization)trained.Layers[1];
        Assert.NotEqual(0f, bn.MovingMean!.Value.Values[0]); // training moved the statistics the file must carry

        trained.SaveWeights(path);
        var fresh = Convnet();
        fresh.LoadWeights(path);

        Bits.EqualWeights(trained, fresh);
        Bits.Equal(trained.Predict(x, verbose: 0).ToArray(), fresh.Predict(x, verbose: 0).ToArray());
    }

    [Fact]
    public void TheOptimizerStateIsRestoredSoTrainingContinuesIdentically()
    {
        using var dir = new TempDir();
        string path = dir.Sub("checkpoint.weights.h5");
        var (x, y) = TestData.Blobs(48, seed: 5);
        var (other, otherY) = TestData.Blobs(16, seed: 6);
        var original = Mlp();
        original.Compile(optimizer: new RMSprop(learningRate: 0.01f, momentum: 0.5, centered: true), loss: "sparse_categorical_crossentropy");
        original.Fit(x, y, epochs: 2, batchSize: 16, shuffle: false, verbose: 0);
        original.SaveWeights(path);

        // Another model whose optimizer has taken a step elsewhere, with another learning rate.
        var resumed = Mlp();
        resumed.Compile(optimizer: new RMSprop(learningRate: 0.05f, momentum: 0.5, centered: true), loss: "sparse_categorical_crossentropy");
        resumed.Fit(other, otherY, epochs: 1, batchSize: 16, verbose: 0);
        resumed.LoadWeights(path);

        Assert.Equal(6, resumed.Optimizer!.Iterations);
        Assert.Equal(0.01f, resumed.Optimizer.LearningRate);
        Bits.EqualWeights(original, resumed);
        // Velocities, momentums and average gradients came back too: the next epoch is the same, bit for bit.
        original.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false, verbose: 0);
        resumed.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false, verbose: 0);
        Bits.EqualWeights(original, resumed);
        Assert.Equal(9, resumed.Optimizer.Iterations);
    }

    [Fact]
    public void SgdMomentumIsRestored()
    {
        using var dir = new TempDir();
        string path = dir.Sub("sgd.weights.h5");
        var (x, y) = TestData.Blobs(32, seed: 8);
        var original = Mlp();
        original.Compile(optimizer: new SGD(learningRate: 0.1f, momentum: 0.9f), loss: "sparse_categorical_crossentropy");
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        original.SaveWeights(path);
        var resumed = Mlp();
        resumed.Compile(optimizer: new SGD(learningRate: 0.1f, momentum: 0.9f), loss: "sparse_categorical_crossentropy");
        resumed.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0);

        resumed.LoadWeights(path);
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        resumed.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);

        Bits.EqualWeights(original, resumed);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adagrad")]
    [InlineData("adadelta")]
    public void AdaptiveOptimizerStateIsRestored(string name)
    {
        using var dir = new TempDir();
        string path = dir.Sub(name + ".weights.h5");
        var (x, y) = TestData.Blobs(32, seed: 9);
        var original = Mlp();
        original.Compile(optimizer: name, loss: "sparse_categorical_crossentropy");
        original.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        original.SaveWeights(path);
        var resumed = Mlp();
        resumed.Compile(optimizer: name, loss: "sparse_categorical_crossentropy");
        resumed.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0); // builds the optimizer, with other state

        resumed.LoadWeights(path);
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        resumed.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);

        Bits.EqualWeights(original, resumed);
    }

    [Fact]
    public void AScheduledLearningRateIsNotStoredAsKerasDoes()
    {
        using var dir = new TempDir();
        string path = dir.Sub("scheduled.weights.h5");
        var (x, y) = TestData.Blobs(32, seed: 10);
        Optimizer Scheduled() => new Adam(new Dendrite.Optimizers.Schedules.ExponentialDecay(0.01f, 10, 0.5f));
        var original = Mlp();
        original.Compile(optimizer: Scheduled(), loss: "sparse_categorical_crossentropy");
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        original.SaveWeights(path);
        var resumed = Mlp();
        resumed.Compile(optimizer: Scheduled(), loss: "sparse_categorical_crossentropy");
        resumed.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0);

        resumed.LoadWeights(path); // iteration + 2 slots per weight, no learning_rate: must not throw
        Assert.Equal(original.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        resumed.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        Bits.EqualWeights(original, resumed);
    }

    [Fact]
    public void AnOptimizerNotBuiltYetIsSkippedWithKerasWarning()
    {
        using var dir = new TempDir();
        string path = dir.Sub("trained.weights.h5");
        var (x, y) = TestData.Blobs(30, seed: 9);
        var trained = Mlp();
        trained.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");
        trained.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0);
        trained.SaveWeights(path);
        var fresh = Mlp();
        fresh.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");

        string warnings = CaptureWarnings(() => fresh.LoadWeights(path));

        Assert.Equal("UserWarning: Skipping variable loading for optimizer 'rmsprop', because it has 2 variables whereas the saved optimizer has 6 variables. " +
            "This is likely because the optimizer has not been called/built yet (it builds on its first training step).", warnings.TrimEnd());
        Bits.EqualWeights(trained, fresh); // the layers are loaded all the same
        Assert.Equal(0, fresh.Optimizer!.Iterations);
    }

    [Fact]
    public void WeightsInsideAKerasArchiveLoadToo()
    {
        using var dir = new TempDir();
        string weights = dir.Sub("mlp.weights.h5"), archive = dir.Sub("mlp.keras");
        var original = Mlp();
        original.SaveWeights(weights);
        using (var zip = ZipFile.Open(archive, ZipArchiveMode.Create))
            zip.CreateEntryFromFile(weights, "model.weights.h5", CompressionLevel.NoCompression);

        var fresh = Mlp();
        fresh.LoadWeights(archive);

        Bits.EqualWeights(original, fresh);
    }

    [Fact]
    public void SavingReplacesTheFileAtOnceAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.Sub("model.weights.h5");
        var first = Mlp();
        var second = Mlp();
        first.SaveWeights(path);

        second.SaveWeights(path);

        Assert.Equal(["model.weights.h5"], TempDir.Entries(dir.Path));
        var loaded = Mlp();
        loaded.LoadWeights(path);
        Bits.EqualWeights(second, loaded);
        var e = Assert.Throws<IOException>(() => first.SaveWeights(path, overwrite: false));
        Assert.Equal($"'{path}' already exists and overwrite is false.", e.Message);
    }

    [Fact]
    public void AFailedWriteKeepsThePreviousFileAndRemovesItsTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.Sub("a.weights.h5");
        File.WriteAllText(path, "previous");

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new InvalidOperationException("crash part way");
        }));

        Assert.Equal("crash part way", e.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(["a.weights.h5"], TempDir.Entries(dir.Path));
    }

    internal static string CaptureWarnings(Action action)
    {
        var writer = new StringWriter();
        Task.Run(() =>
        {
            SavingWarnings.Output = writer;
            action();
        }).GetAwaiter().GetResult();
        return writer.ToString();
    }
}
