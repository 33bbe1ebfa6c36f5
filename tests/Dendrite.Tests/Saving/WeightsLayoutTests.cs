using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using Dendrite.Training;
using PureHDF;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// The file SaveWeights writes, read back with PureHDF: the groups, dataset names, shapes, element types, storage
/// layout and name attributes of Keras 3's <c>.weights.h5</c>.
/// </summary>
public sealed class WeightsLayoutTests(ITestOutputHelper output)
{
    [Fact]
    public void TheConvnetIsLaidOutExactlyAsKeras312LaidOutTheSameArchitecture()
    {
        var folder = KerasFixtures.RequireFolder();
        using var keras = KerasFixtures.WeightsMember(Path.Combine(folder, "mnist_cnn_keras3.12.0.keras"));
        var expected = H5Listing.Of(keras).Where(l => !l.StartsWith("optimizer", StringComparison.Ordinal)).ToList();
        using var dir = new TempDir();
        string path = dir.Sub("cnn.weights.h5");

        KerasFixtures.MnistCnn().SaveWeights(path);

        var written = H5Listing.Of(path);
        output.WriteLine(string.Join("\n", written));
        Assert.Equal(expected, written);
        Assert.Contains("layers/conv2d/vars/0 float32 (3, 3, 1, 32) Contiguous", written);
        Assert.Contains("layers/flatten/vars group name=flatten", written);
        Assert.Contains("vars group name=sequential", written);
    }

    [Fact]
    public void KerasNamesLayerGroupsByClassAndOrderNotByLayerName()
    {
        using var dir = new TempDir();
        string path = dir.Sub("mixed.weights.h5");
        var model = new Sequential(
        [
            new InputLayer([6, 6, 2]),
            new Conv2D(3, 3, name: "features"),
            new BatchNormalization(name: "bn"),
            new GlobalAveragePooling2D(name: "gap"),
            new Dense(4, activation: "relu", name: "hidden"),
            new Dropout(0.2, name: "drop"),
            new Dense(5, useBias: false, name: "logits"),
            new Activation("softmax", name: "probabilities"),
        ], name: "classifier");

        model.SaveWeights(path);

        Assert.Equal(
        [
            "/ group",
            "layers group",
            "layers/activation group",
            "layers/activation/vars group name=probabilities",
            "layers/batch_normalization group",
            "layers/batch_normalization/vars group name=bn",
            "layers/batch_normalization/vars/0 float32 (3,) Contiguous", // gamma
            "layers/batch_normalization/vars/1 float32 (3,) Contiguous", // beta
            "layers/batch_normalization/vars/2 float32 (3,) Contiguous", // moving_mean (non-trainable, after the trainable ones)
            "layers/batch_normalization/vars/3 float32 (3,) Contiguous", // moving_variance
            "layers/conv2d group",
            "layers/conv2d/vars group name=features",
            "layers/conv2d/vars/0 float32 (3, 3, 2, 3) Contiguous",
            "layers/conv2d/vars/1 float32 (3,) Contiguous",
            "layers/dense group",
            "layers/dense/vars group name=hidden",
            "layers/dense/vars/0 float32 (3, 4) Contiguous",
            "layers/dense/vars/1 float32 (4,) Contiguous",
            "layers/dense_1 group",
            "layers/dense_1/vars group name=logits",
            "layers/dense_1/vars/0 float32 (4, 5) Contiguous",
            "layers/dropout group",
            "layers/dropout/vars group name=drop",
            "layers/global_average_pooling2d group",
            "layers/global_average_pooling2d/vars group name=gap",
            "vars group name=classifier",
        ], H5Listing.Of(path));
    }

    [Fact]
    public void TheValuesAreTheVariablesInCOrder()
    {
        using var dir = new TempDir();
        string path = dir.Sub("values.weights.h5");
        var model = new Sequential(new InputLayer([2, 2, 3]), new Conv2D(2, 2), new Flatten(), new Dense(3));

        model.SaveWeights(path);

        using var file = H5File.OpenRead(path);
        var walk = KerasLayout.Walk(model);
        foreach (var (key, variables) in new[] { ("conv2d", walk[0].Variables), ("dense", walk[2].Variables) })
            for (int i = 0; i < variables.Count; i++)
                Bits.Equal(variables[i].Value.Values, file.Dataset($"layers/{key}/vars/{i}").Read<float[]>());
    }

    [Fact]
    public void TheOptimizerStateFollowsTheLayersInKerasOrder()
    {
        using var dir = new TempDir();
        string path = dir.Sub("trained.weights.h5");
        var model = new Sequential(new InputLayer([2]), new Dense(4, activation: "relu"), new Dense(3, activation: "softmax"));
        var rmsprop = new RMSprop(learningRate: 0.01f, momentum: 0.5, centered: true);
        model.Compile(optimizer: rmsprop, loss: "sparse_categorical_crossentropy");
        var (x, y) = TestData.Blobs(30, seed: 3);
        model.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0);

        model.SaveWeights(path);

        var lines = H5Listing.Of(path).Where(l => l.StartsWith("optimizer", StringComparison.Ordinal)).ToList();
        // iteration, learning_rate, then the velocities of the 4 trainable variables, their momentums, their average gradients.
        string[] shapes = ["(2, 4)", "(4,)", "(4, 3)", "(3,)"];
        Assert.Equal(
            new[] { "optimizer group", "optimizer/vars group name=rmsprop", "optimizer/vars/0 int64 () Contiguous", "optimizer/vars/1 float32 () Contiguous" }
                .Concat(Enumerable.Range(0, 12).Select(k => $"optimizer/vars/{k + 2} float32 {shapes[k % 4]} Contiguous"))
                .Order(StringComparer.Ordinal),
            lines);
        using var file = H5File.OpenRead(path);
        Assert.Equal(3L, file.Dataset("optimizer/vars/0").Read<long>());
        Assert.Equal(0.01f, file.Dataset("optimizer/vars/1").Read<float>());
        var state = rmsprop.KerasState!.ToList();
        for (int k = 0; k < state.Count; k++) Bits.Equal(state[k].Values, file.Dataset($"optimizer/vars/{k + 2}").Read<float[]>());
    }

    [Fact]
    public void AnOptimizerThatHasNotSteppedYetStoresItsIterationAndLearningRateOnly()
    {
        using var dir = new TempDir();
        string path = dir.Sub("compiled.weights.h5");
        var model = new Sequential(new InputLayer([2]), new Dense(3));
        model.Compile(optimizer: new SGD(momentum: 0.9f), loss: "sparse_categorical_crossentropy");

        model.SaveWeights(path);

        Assert.Equal(["optimizer group", "optimizer/vars group name=sgd", "optimizer/vars/0 int64 () Contiguous", "optimizer/vars/1 float32 () Contiguous"],
            H5Listing.Of(path).Where(l => l.StartsWith("optimizer", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnUncompiledModelStoresNoOptimizer()
    {
        using var dir = new TempDir();
        string path = dir.Sub("plain.weights.h5");
        new Sequential(new InputLayer([2]), new Dense(3)).SaveWeights(path);
        Assert.DoesNotContain(H5Listing.Of(path), l => l.StartsWith("optimizer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Dense", "dense")]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("MaxPooling2D", "max_pooling2d")]
    [InlineData("GlobalAveragePooling2D", "global_average_pooling2d")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("RMSprop", "rm_sprop")]
    [InlineData("HTTPHandler2D", "http_handler2d")]
    public void SnakeCaseIsKerasOwn(string className, string expected) => Assert.Equal(expected, KerasLayout.ToSnakeCase(className));
}
