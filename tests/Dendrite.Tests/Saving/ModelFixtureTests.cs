using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Acceptance;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// The five model files real Python Keras wrote (../shared/fixtures/keras) load whole with Model.Load — architecture,
/// weights and compile settings — and classify the real test sets (pixels / 255) exactly as often as they do in Keras.
/// </summary>
public sealed class ModelFixtureTests(MnistFixture data, ITestOutputHelper output) : IClassFixture<MnistFixture>
{
    [Theory]
    [InlineData("mnist_convnet_keras3.1.1.keras", 9918)]
    [InlineData("mnist_convnet_keras3.1.1_legacy.h5", 9928)]
    [InlineData("mnist_cnn_keras3.12.0.keras", 9875)]
    [InlineData("mnist_cnn_keras3.12.0_legacy.h5", 9888)]
    public void KerasModelsLoadAndClassifyTheMnistTestSetAsInKeras(string fixture, int expectedCorrect)
    {
        Model model = null!;
        string warnings = WeightsRoundTripTests.CaptureWarnings(() => model = Model.Load(Path.Combine(KerasFixtures.RequireFolder(), fixture)));

        Assert.Equal("", warnings); // the Adam state (in optimizer/vars or optimizer_weights) fits and is restored
        Assert.True(model.Optimizer!.Iterations > 0, $"iterations {model.Optimizer.Iterations}");
        var sequential = Assert.IsType<Sequential>(model);
        Assert.Equal("sequential", sequential.Name);
        Assert.True(model.Compiled);
        Assert.Equal("adam", model.Optimizer!.Name);
        Assert.Equal("categorical_crossentropy", model.Loss!.Name);
        Assert.Equal(["accuracy"], model.Metrics.Select(m => m.Name));
        int correct = Correct(model, data.TestImages, data.TestLabels);
        output.WriteLine($"{fixture}: {correct} of 10000 test images ({correct / 10000.0:F4})");
        Assert.Equal(expectedCorrect, correct);
    }

    [Fact]
    public void TheFashionCnnOfKeras341LoadsAndClassifiesFashionMnistAsInKeras()
    {
        var model = Model.Load(Path.Combine(KerasFixtures.RequireFolder(), "fashion_cnn_keras3.4.1.keras"));

        Assert.Equal(["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dense", "dropout", "dense_1"], model.Layers.Select(l => l.Name));
        var (_, (images, labels)) = FashionMnist.LoadData(path: KerasFixtures.RequireFashionMnist());
        int correct = Correct(model, images, labels);
        output.WriteLine($"fashion_cnn_keras3.4.1.keras: {correct} of 10000 ({correct / 10000.0:F4})");
        Assert.Equal(8726, correct);
    }

    [Fact]
    public void TheKeras311ArchiveComesBackWithItsAdamStateAndTrainsOn()
    {
        var model = Model.Load(Path.Combine(KerasFixtures.RequireFolder(), "mnist_convnet_keras3.1.1.keras"));

        var adam = Assert.IsType<Dendrite.Optimizers.Adam>(model.Optimizer);
        Assert.True(adam.Iterations > 0, $"iterations {adam.Iterations}");
        Assert.Equal(0.001f, adam.LearningRate);
        Assert.Equal(34_826 * 2 + 2, adam.VariableCount);
        var x = data.TestImages[0..64].Reshape(64, 28, 28, 1).AsType<float>() / 255f;
        var y = Utils.ToCategorical(data.TestLabels[0..64], 10);
        long before = adam.Iterations;
        model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0);
        Assert.Equal(before + 2, adam.Iterations);
    }

    internal static int Correct(Model model, NDArray<byte> images, NDArray<byte> labels)
    {
        int n = images.Length;
        var predictions = model.Predict(images.Reshape(n, 28, 28, 1).AsType<float>() / 255f, batchSize: 500, verbose: 0);
        var predicted = predictions.ArgMax(1).ToArray();
        var truth = labels.ToArray();
        int correct = 0;
        for (int i = 0; i < n; i++) if (predicted[i] == truth[i]) correct++;
        return correct;
    }
}
