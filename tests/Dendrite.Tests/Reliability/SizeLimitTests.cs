using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Sizes at the edge of what .NET can hold: a batch size of int.MaxValue works as "everything in one batch", and
/// shapes whose element count overflows end in an exception that names the shape, never a bare OverflowException
/// or silent garbage.
/// </summary>
public sealed class SizeLimitTests
{
    private static (NDArray<float> X, NDArray<int> Y) Data() => TestData.Blobs(50, seed: 3);

    [Fact]
    public void ABatchSizeOfIntMaxValueIsOneBatchOfEverything()
    {
        var (x, y) = Data();
        var model = Models.TestModels.Classifier(seed: 5);
        model.Compile("sgd", "sparse_categorical_crossentropy", ["accuracy"]);
        var reference = Models.TestModels.Classifier(seed: 5);
        reference.Compile("sgd", "sparse_categorical_crossentropy", ["accuracy"]);

        var history = model.Fit(x, y, epochs: 2, batchSize: int.MaxValue, shuffle: false, verbose: 0);
        var expected = reference.Fit(x, y, epochs: 2, batchSize: 50, shuffle: false, verbose: 0);

        Assert.Equal(2, model.Optimizer!.Iterations); // one step per epoch, not zero
        Assert.Equal(expected["loss"], history["loss"]);
        Assert.True(history["loss"][0] > 0);
        Assert.Equal(reference.Predict(x, batchSize: 50, verbose: 0).AsSpan().ToArray(), model.Predict(x, batchSize: int.MaxValue, verbose: 0).AsSpan().ToArray());
        Assert.Equal(reference.Evaluate(x, y, batchSize: 50, verbose: 0).Loss, model.Evaluate(x, y, batchSize: int.MaxValue, verbose: 0).Loss);
        Assert.Equal(1, Dendrite.Training.Trainer.StepCount(7, int.MaxValue));
        Assert.Equal(int.MaxValue, Dendrite.Training.Trainer.StepCount(int.MaxValue, 1));
    }

    [Fact]
    public void AWeightTooLargeForAnArrayNamesTheLayerTheWeightAndTheShape()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new Sequential(new InputLayer([784]), new Dense(1 << 30, name: "huge")));
        Assert.Contains("Dense 'huge': weight 'kernel' of shape (784, 1073741824) would hold 841,813,590,016 elements, more than one array can hold", e.Message);
    }

    [Fact]
    public void ArraysAndTensorsOfOverflowingShapeNameTheShape()
    {
        var zeros = Assert.Throws<ArgumentException>(() => NDArray<float>.Zeros(100000, 100000));
        Assert.Contains("The shape (100000, 100000) has 10,000,000,000 elements, more than one array can hold", zeros.Message);
        var tensor = Assert.Throws<ArgumentException>(() => Ops.Zeros(65536, 65536, 65536, 65536));
        Assert.Contains("The shape (65536, 65536, 65536, 65536) has more than 9.2e18 elements", tensor.Message);
        var reshape = Assert.ThrowsAny<ArgumentException>(() => new Sequential(new InputLayer([4]), new Reshape([65536, 65536])));
        Assert.Contains("(65536, 65536)", reshape.Message);
    }
}
