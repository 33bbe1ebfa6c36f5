using System.Diagnostics;
using Dendrite.Layers;
using Dendrite.Training;
using Xunit.Abstractions;

namespace Dendrite.Tests.Acceptance;

/// <summary>
/// The sequence issue's acceptance on real data: MNIST read row by row (each image a sequence of 28 steps of 28
/// pixels) by LSTM(128) → Dense(10, softmax) with Adam reaches test accuracy ≥ 0.98 (samples/SequenceMnist is the
/// same program). About a minute and a half on two cores (10 epochs; 5 give about 0.975).
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class SequenceMnistTests(MnistFixture data, ITestOutputHelper output) : IClassFixture<MnistFixture>
{
    [Fact]
    public void AnLstmReadingRowsReaches98()
    {
        var log = new StringWriter();
        ProgressDisplay.Output = log;
        ProgressDisplay.Mode = ProgressMode.FinalLineOnly;
        Utils.SetRandomSeed(2026);

        var x = data.TrainImages.AsType<float>() / 255f;      // (60000, 28, 28): 28 steps of 28 features
        var xTest = data.TestImages.AsType<float>() / 255f;
        var model = new Sequential(new InputLayer(shape: [28, 28]), new LSTM(128), new Dense(10, activation: "softmax"));
        model.Summary(printFn: text => log.Write(text));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var clock = Stopwatch.StartNew();
        var history = model.Fit(x, data.TrainLabels, epochs: 10, batchSize: 128);
        clock.Stop();
        var (loss, accuracy) = model.Evaluate(xTest, data.TestLabels);
        output.WriteLine(log.ToString());
        output.WriteLine($"training: {clock.Elapsed.TotalSeconds:F1} s; test loss {loss:F4}, test accuracy {accuracy:F4}");

        // Keras' parameter count: 4·128·(28 + 128 + 1) for the LSTM, 129·10 for the dense layer.
        Assert.Contains(" Total params: 81,674 (319.04 KB)", log.ToString());
        Assert.Contains("469/469 ━━━━━━━━━━━━━━━━━━━━ ", log.ToString());
        Assert.Equal(10, history["loss"].Count);
        Assert.True(history["loss"][9] < history["loss"][0], "the training loss went down");
        Assert.True(accuracy >= 0.98, $"test accuracy after 10 epochs {accuracy} (issue: >= 0.98)");
    }
}
