using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Models;

/// <summary>Uses the global seed, so it runs alone (no other test may draw from the global generator meanwhile).</summary>
[Collection(GlobalStateCollection.Name)]
public class DeterminismTests
{
    private static (float[][] Weights, History History) Train(int seed)
    {
        var (x, y) = Blobs(200, seed: 1);
        Utils.SetRandomSeed(seed);
        // Default (unseeded) initializers and shuffling: both must follow the global seed.
        var model = new Sequential(new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.2, verbose: 0);
        return (TestModels.WeightValues(model), history);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndHistory()
    {
        var first = Train(1234);
        var second = Train(1234);
        Assert.Equal(first.Weights.Length, second.Weights.Length);
        for (int w = 0; w < first.Weights.Length; w++)
            Assert.Equal(first.Weights[w].Select(BitConverter.SingleToInt32Bits), second.Weights[w].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(first.History.Keys, second.History.Keys);
        foreach (var key in first.History.Keys)
            Assert.Equal(first.History[key].Select(BitConverter.DoubleToInt64Bits), second.History[key].Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentWeights()
    {
        var first = Train(1234);
        var other = Train(4321);
        Assert.NotEqual(first.Weights[0], other.Weights[0]);
        Assert.NotEqual(first.History["loss"], other.History["loss"]);
    }

    [Fact]
    public void ShuffleOrderFollowsTheSeedEvenWithSeededInitializers()
    {
        // Same initial weights, different global seeds: only the batch order differs, and that shows in the weights.
        float[][] Run(int seed)
        {
            var (x, y) = Blobs(100, seed: 2);
            Utils.SetRandomSeed(seed);
            var model = TestModels.Classifier(seed: 300);
            model.Compile(optimizer: new SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy");
            model.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0);
            return TestModels.WeightValues(model);
        }
        Assert.Equal(Run(5)[0], Run(5)[0]);
        Assert.NotEqual(Run(5)[0], Run(6)[0]);
    }
}
