using System.Diagnostics;
using Dendrite.Samples.Transformer;
using Dendrite.Training;

namespace Dendrite.Tests.Acceptance;

/// <summary>
/// The Transformer sample (samples/Transformer): two encoder blocks of multi-head self-attention, written as
/// keras.io's text-classification Transformer, learn to sort sequences of 10 random digits: ≥ 0.99 token accuracy on
/// held-out sequences. About 15 s on two cores.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class TransformerSortingTests
{
    [Fact]
    public void TheSampleTransformerLearnsToSortDigits()
    {
        var log = new StringWriter();
        ProgressDisplay.Output = log;
        ProgressDisplay.Mode = ProgressMode.FinalLineOnly;
        Utils.SetRandomSeed(13);
        var (x, y) = SortingTransformer.Generate(20_000, seed: 1);
        var (xTest, yTest) = SortingTransformer.Generate(2_000, seed: 2);

        var clock = Stopwatch.StartNew();
        var model = SortingTransformer.Build();
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 10, batchSize: 64, validationSplit: 0.1, verbose: 0);
        var (loss, accuracy) = model.Evaluate(xTest, yTest, verbose: 0);
        clock.Stop();

        Assert.Equal(26_442, model.CountParams());
        Assert.True(history["loss"][^1] < history["loss"][0] / 10, $"training loss went from {history["loss"][0]} to {history["loss"][^1]}.");
        Assert.True(accuracy >= 0.99, $"held-out token accuracy {accuracy} (loss {loss}) after {clock.Elapsed.TotalSeconds:F0} s; the sample reaches 0.9999.");
        Assert.InRange(loss, 0.0, 0.05);
    }
}
