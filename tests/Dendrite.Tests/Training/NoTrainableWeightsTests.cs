using Dendrite.Layers;
using Dendrite.Optimizers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Training;

/// <summary>
/// <c>Fit</c> on a model with no trainable weights (only weightless layers, or every layer frozen): as in Keras'
/// <c>train_step</c>, the forward pass runs and the loss is logged, and nothing is differentiated or updated.
/// (It used to throw "The target does not depend on any tensor that requires a gradient.")
/// </summary>
public class NoTrainableWeightsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AModelOfWeightlessLayersFitsAndLogsItsLoss(bool runEagerly)
    {
        var model = new Sequential(new InputLayer([3]), new Rescaling(2.0, offset: -1.0));
        var optimizer = new SGD(0.1f);
        model.Compile(optimizer, "mean_squared_error", runEagerly: runEagerly);
        var x = new NDArray<float>(Uniform(1, 12), 4, 3);
        var y = new NDArray<float>(Uniform(2, 12), 4, 3);
        var history = model.Fit(x, y, epochs: 2, batchSize: 2, shuffle: false, verbose: 0);
        double expected = 0;
        for (int i = 0; i < 12; i++) expected += Math.Pow(2.0 * x.AsSpan()[i] - 1.0 - y.AsSpan()[i], 2) / 12;
        Assert.Equal(2, history["loss"].Count);
        Assert.All(history["loss"], loss => Assert.Equal(expected, loss, 5));
        Assert.Equal(0, optimizer.Iterations); // as in Keras, the optimizer is not applied
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AFullyFrozenModelFitsAndKeepsItsWeights(bool runEagerly)
    {
        var dense = new Dense(2, activation: "tanh") { Trainable = false };
        var norm = new BatchNormalization { Trainable = false };
        var model = new Sequential(new InputLayer([3]), dense, norm);
        model.Compile("sgd", "mean_squared_error", runEagerly: runEagerly);
        var before = model.GetWeights().Select(w => w.ToArray()).ToArray();
        var x = new NDArray<float>(Uniform(3, 15), 5, 3);
        var y = new NDArray<float>(Uniform(4, 10), 5, 2);
        var history = model.Fit(x, y, epochs: 2, batchSize: 2, verbose: 0);
        Assert.All(history["loss"], loss => Assert.True(double.IsFinite(loss) && loss > 0));
        var after = model.GetWeights().Select(w => w.ToArray()).ToArray();
        Assert.Equal(before, after);
        Assert.Equal((float)history["loss"][^1], (float)model.Evaluate(x, y, verbose: 0).Loss, 5);
    }
}
