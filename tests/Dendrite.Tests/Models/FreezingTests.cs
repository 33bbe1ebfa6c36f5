using Dendrite.Layers;
using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Models;

/// <summary>Keras' <c>layer.trainable = False</c>: frozen layers keep their weights, count as non-trainable, and a frozen BatchNormalization runs in inference mode.</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class FreezingTests
{
    [Fact]
    public void AFrozenLayerKeepsItsWeightsWhileTheOthersTrain()
    {
        Utils.SetRandomSeed(5);
        ProgressDisplay.Output = TextWriter.Null;
        var frozen = new Dense(8, activation: "relu", name: "frozen");
        var head = new Dense(3, activation: "softmax", name: "head");
        var model = new Sequential(new InputLayer([2]), frozen, head);
        frozen.Trainable = false;
        model.Compile("adam", "sparse_categorical_crossentropy");
        var before = model.GetWeights().Select(w => w.ToArray()).ToArray();
        var (x, y) = Blobs(40, seed: 6);
        model.Fit(x, y, epochs: 3, batchSize: 8, verbose: 0);
        var after = model.GetWeights().Select(w => w.ToArray()).ToArray();
        Assert.Equal(before[0], after[0]); // frozen kernel
        Assert.Equal(before[1], after[1]); // frozen bias
        Assert.NotEqual(before[2], after[2]); // head kernel trained

        Assert.Empty(frozen.TrainableWeights);
        Assert.Equal(2, frozen.NonTrainableWeights.Count());
        Assert.Equal(2, model.TrainableWeights.Count);
        string summary = model.SummaryText();
        Assert.Contains(" Trainable params: 27 (108.00 B)", summary);
        Assert.Contains(" Non-trainable params: 24 (96.00 B)", summary);

        // Unfreezing changes the trainable set: as in Keras, the model must be compiled again.
        frozen.Trainable = true;
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0));
        Assert.Contains("compile the model again", e.Message);
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        Assert.NotEqual(after[0], model.GetWeights()[0].ToArray());
    }

    [Fact]
    public void AFrozenBatchNormalizationUsesItsMovingStatisticsInFit()
    {
        Utils.SetRandomSeed(6);
        ProgressDisplay.Output = TextWriter.Null;
        var norm = new BatchNormalization();
        var model = new Sequential(new InputLayer([2]), norm, new Dense(3, activation: "softmax"));
        norm.Trainable = false;
        model.Compile("sgd", "sparse_categorical_crossentropy");
        var (x, y) = Blobs(32, seed: 7);
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0);
        Assert.Equal([0f, 0f], norm.MovingMean!.Value.Values.ToArray());
        Assert.Equal([1f, 1f], norm.MovingVariance!.Value.Values.ToArray());
        Assert.Equal([1f, 1f], norm.Gamma!.Value.Values.ToArray());

        norm.Trainable = true;
        model.Compile("sgd", "sparse_categorical_crossentropy");
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        Assert.NotEqual([0f, 0f], norm.MovingMean!.Value.Values.ToArray());
    }
}
