using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Layers that own layers (<see cref="Layer.Sublayers"/>, here <see cref="TimeDistributed"/>): their weights are the
/// owned layers', freezing reaches them, and weights files nest them where Keras 3's saving walk puts them, under the
/// attribute that holds them (<c>layers/time_distributed/layer/vars/0</c>), with the wrapper's own empty <c>vars</c>.
/// </summary>
public sealed class CompositeLayerSavingTests
{
    private static Sequential Model() => new(
    [
        new InputLayer([5, 7]),
        new TimeDistributed(new Dense(3, name: "per_step"), name: "td"),
        new Conv1D(4, 2, padding: "causal", name: "conv"),
        new TimeDistributed(new Dense(2, useBias: false, name: "head")),
        new GlobalAveragePooling1D(name: "pool"),
    ], name: "sequence_model");

    [Fact]
    public void WeightsFilesNestTheWrappedLayerUnderItsAttributeAsKerasDoes()
    {
        using var dir = new TempDir();
        string path = dir.Sub("m.weights.h5");
        var model = Model();
        model.SaveWeights(path);

        var listing = H5Listing.Of(path);
        string wrapper2 = model.Layers[2].Name;
        Assert.Equal(
        [
            "/ group",
            "layers group",
            "layers/conv1d group",
            "layers/conv1d/vars group name=conv",
            "layers/conv1d/vars/0 float32 (2, 3, 4) Contiguous",
            "layers/conv1d/vars/1 float32 (4,) Contiguous",
            "layers/global_average_pooling1d group",
            "layers/global_average_pooling1d/vars group name=pool",
            "layers/time_distributed group",
            "layers/time_distributed/layer group",
            "layers/time_distributed/layer/vars group name=per_step",
            "layers/time_distributed/layer/vars/0 float32 (7, 3) Contiguous",
            "layers/time_distributed/layer/vars/1 float32 (3,) Contiguous",
            "layers/time_distributed/vars group name=td",
            "layers/time_distributed_1 group",
            "layers/time_distributed_1/layer group",
            "layers/time_distributed_1/layer/vars group name=head",
            "layers/time_distributed_1/layer/vars/0 float32 (4, 2) Contiguous",
            $"layers/time_distributed_1/vars group name={wrapper2}",
            "vars group name=sequence_model",
        ], listing);

        // Read back into a fresh model of the same architecture: the same weights, the same outputs.
        var copy = Model();
        copy.LoadWeights(path);
        Bits.EqualWeights(model, copy);
        var x = new NDArray<float>(TestData.Uniform(3, 2 * 5 * 7), [2, 5, 7]);
        Bits.Equal(model.Predict(x, verbose: 0).AsSpan(), copy.Predict(x, verbose: 0).AsSpan());
    }

    [Fact]
    public void AFileWithoutTheNestedGroupIsRefusedNamingIt()
    {
        using var dir = new TempDir();
        string path = dir.Sub("flat.weights.h5");
        new Sequential([new InputLayer([5, 7]), new Dense(3)]).SaveWeights(path);
        var model = new Sequential([new InputLayer([5, 7]), new TimeDistributed(new Dense(3))]);
        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));
        Assert.Contains("'layers/time_distributed/layer/vars'", e.Message);
    }

    [Fact]
    public void TheWrappedLayersWeightsAreTheWrappersAndFreezingReachesThem()
    {
        var inner = new Dense(3);
        var wrapper = new TimeDistributed(inner);
        var model = new Sequential([new InputLayer([5, 7]), wrapper]);
        Assert.Equal(inner.Weights, wrapper.Weights);
        Assert.Equal(inner.Weights, model.Weights);
        Assert.Equal(7 * 3 + 3, wrapper.CountParams());
        Assert.Equal(2, wrapper.TrainableWeights.Count());

        wrapper.Trainable = false;
        Assert.False(inner.Trainable);
        Assert.Empty(wrapper.TrainableWeights);
        Assert.Equal(2, wrapper.NonTrainableWeights.Count());
        Assert.Empty(model.TrainableWeights);
        Assert.All(inner.Weights, w => Assert.False(w.Value.RequiresGrad));

        wrapper.Trainable = true;
        Assert.True(inner.Trainable);
        Assert.All(inner.Weights, w => Assert.True(w.Value.RequiresGrad));
        // Freezing only the wrapped layer leaves the wrapper trainable but with nothing to train, as in Keras.
        inner.Trainable = false;
        Assert.True(wrapper.Trainable);
        Assert.Empty(wrapper.TrainableWeights);
    }
}
