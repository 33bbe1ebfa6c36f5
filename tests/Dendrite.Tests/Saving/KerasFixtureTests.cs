using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Acceptance;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Loads weights that real Python Keras saved (../shared/fixtures/keras) into the same architectures built in Dendrite
/// and checks that they classify real MNIST digits: this holds only if the layer walk, the kernel layouts (HWIO for
/// Conv2D, (in, out) for Dense, the Flatten order) and the numerics all match Keras'.
/// </summary>
public sealed class KerasFixtureTests(MnistFixture data, ITestOutputHelper output) : IClassFixture<MnistFixture>
{
    private NDArray<float> TestImages(int count) => data.TestImages[0..count].Reshape(count, 28, 28, 1).AsType<float>() / 255f;

    private int[] TestLabels(int count) => data.TestLabels[0..count].ToArray().Select(b => (int)b).ToArray();

    private static int Correct(NDArray<float> predictions, int[] labels) =>
        predictions.ArgMax(1).ToArray().Zip(labels).Count(p => p.First == p.Second);

    [Theory]
    [InlineData("mnist_convnet_keras3.1.1.keras")]
    [InlineData("mnist_cnn_keras3.12.0.keras")]
    public void KerasTrainedConvnetsClassifyRealDigits(string fixture)
    {
        var folder = KerasFixtures.RequireFolder();
        var model = fixture.StartsWith("mnist_convnet", StringComparison.Ordinal) ? KerasFixtures.MnistConvnet() : KerasFixtures.MnistCnn();

        model.LoadWeights(Path.Combine(folder, fixture));

        var first10 = model.Predict(TestImages(10), verbose: 0);
        int correct = Correct(first10, TestLabels(10));
        output.WriteLine($"{fixture}: predicted {string.Join(" ", first10.ArgMax(1).ToArray())}, labels {string.Join(" ", TestLabels(10))}");
        Assert.True(correct >= 9, $"{correct} of the first 10 test digits right");
        Assert.Equal(7, first10[0].ArgMax()); // the first test image is a 7

        int n = 1000;
        double accuracy = Correct(model.Predict(TestImages(n), verbose: 0), TestLabels(n)) / (double)n;
        output.WriteLine($"{fixture}: accuracy on the first {n} test images {accuracy:F4}");
        Assert.True(accuracy >= 0.97, $"accuracy {accuracy} on the first {n} test images");
    }
    [Fact]
    public void TheFashionCnnOfKeras341LoadsWithItsDropoutAfterTheHiddenLayer()
    {
        var folder = KerasFixtures.RequireFolder();
        var model = new Sequential(
            new InputLayer([28, 28, 1]),
            new Conv2D(32, 3, activation: "relu"),
            new MaxPooling2D(2),
            new Conv2D(64, 3, activation: "relu"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(128, activation: "relu"),
            new Dropout(0.8),
            new Dense(10, activation: "softmax"));
        var initial = model.Layers[^1].Weights[0].Value.Values.ToArray();

        model.LoadWeights(Path.Combine(folder, "fashion_cnn_keras3.4.1.keras"));

        Assert.NotEqual(initial, model.Layers[^1].Weights[0].Value.Values.ToArray());
        var (_, (images, labels)) = FashionMnist.LoadData(path: KerasFixtures.RequireFashionMnist());
        int n = 1000;
        var predictions = model.Predict(images[0..n].Reshape(n, 28, 28, 1).AsType<float>() / 255f, verbose: 0);
        double accuracy = Correct(predictions, labels[0..n].ToArray().Select(b => (int)b).ToArray()) / (double)n;
        output.WriteLine($"fashion_cnn_keras3.4.1.keras: accuracy on the first {n} Fashion-MNIST test images {accuracy:F4}");
        Assert.True(accuracy >= 0.84, $"accuracy {accuracy} (0.873 on the whole test set when loaded correctly)");
    }

    [Fact]
    public void AnAdamStateIsSkippedWithKerasWarningByABuiltRmsprop()
    {
        var folder = KerasFixtures.RequireFolder();
        var model = KerasFixtures.MnistConvnet();
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy");
        model.Fit(TestImages(8), data.TestLabels[0..8], epochs: 1, verbose: 0); // builds the optimizer

        string warnings = WeightsRoundTripTests.CaptureWarnings(() => model.LoadWeights(Path.Combine(folder, "mnist_convnet_keras3.1.1.keras")));

        Assert.Equal("UserWarning: Skipping variable loading for optimizer 'rmsprop', because it has 8 variables whereas the saved optimizer has 14 variables.", warnings.TrimEnd());
        Assert.Equal(1, model.Optimizer!.Iterations);
        Assert.Equal(7, model.Predict(TestImages(1), verbose: 0)[0].ArgMax()); // the layers were loaded
    }
}
