using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using Dendrite.Tests.Models;
// The loss class, not the metric of the same Keras name.
using CategoricalCrossentropy = Dendrite.Losses.CategoricalCrossentropy;

namespace Dendrite.Tests.Saving;

/// <summary>
/// model.Save → Model.Load gives back the same model: the same class and layers, bit-identical predictions, the
/// compile settings, and an optimizer whose state makes training go on exactly as if it had never stopped.
/// </summary>
[Collection(GlobalStateCollection.Name)] // the resume tests seed the global generator
public sealed class ModelSaveLoadTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static NDArray<float> Random(int seed, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return new NDArray<float>(TestData.Uniform(seed, n, 0, 1), shape);
    }

    private static void AssertSamePredictions(Model expected, Model actual, NDArray x) =>
        Bits.Equal(expected.Predict(x, verbose: 0).AsSpan(), actual.Predict(x, verbose: 0).AsSpan());

    [Fact]
    public void AnMlpComesBackAsTheSameSequentialModel()
    {
        var model = new Sequential([new InputLayer([784]), new Dense(512, activation: "relu"), new Dense(10, activation: "softmax")], name: "mnist_mlp");
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var x = Random(1, 64, 784);
        model.Fit(x, new NDArray<int>(Enumerable.Range(0, 64).Select(i => i % 10).ToArray(), 64), epochs: 1, batchSize: 32, verbose: 0);
        string path = _dir.Sub("mlp.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        var sequential = Assert.IsType<Sequential>(loaded);
        Assert.Equal("mnist_mlp", sequential.Name);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.GetType())), loaded.Layers.Select(l => (l.Name, l.GetType())));
        AssertSamePredictions(model, loaded, x);
        Assert.IsType<RMSprop>(loaded.Optimizer);
        Assert.Equal(2, loaded.Optimizer!.Iterations);
        Assert.Equal("sparse_categorical_crossentropy", loaded.Loss!.Name);
        Assert.Equal(["accuracy"], loaded.Metrics.Select(m => m.Name));
        Assert.Equal(model.SummaryText(), loaded.SummaryText());
    }

    [Fact]
    public void TheKerasConvnetComesBackBitIdentical()
    {
        var model = KerasFixtures.MnistConvnet();
        model.Compile(optimizer: new Adam(learningRate: 2e-3f, amsgrad: true) { Clipnorm = 1.0 }, loss: new CategoricalCrossentropy(labelSmoothing: 0.1f), metrics: [new TopKCategoricalAccuracy(k: 3), "accuracy"]);
        string path = _dir.Sub("convnet.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        AssertSamePredictions(model, loaded, Random(2, 5, 28, 28, 1));
        var adam = Assert.IsType<Adam>(loaded.Optimizer);
        Assert.Equal((2e-3f, true, 1.0), (adam.LearningRate, adam.Amsgrad, adam.Clipnorm));
        var loss = Assert.IsType<CategoricalCrossentropy>(loaded.Loss);
        Assert.Equal(0.1f, loss.LabelSmoothing);
        Assert.Equal(3, Assert.IsType<TopKCategoricalAccuracy>(loaded.Metrics[0]).K);
        Assert.Equal("accuracy", loaded.Metrics[1].Name);
    }

    private static Model TwoInputTwoOutput()
    {
        var image = new Input([8, 8, 2], name: "image");
        var meta = new Input([5], name: "meta");
        var x = new Conv2D(4, 3, padding: "same", activation: "relu", name: "conv").Call(image);
        x = new BatchNormalization(name: "bn").Call(x);
        x = new GlobalAveragePooling2D(name: "gap").Call(x);
        var joined = new Concatenate(name: "joined").Call(x, new Dense(6, activation: "tanh", name: "meta_dense").Call(meta));
        var digit = new Dense(3, activation: "softmax", name: "digit").Call(joined);
        var size = new Dense(1, name: "size").Call(new Add(name: "sum").Call(joined, new LayerNormalization(name: "ln").Call(joined)));
        return new Model([image, meta], [digit, size], name: "two_by_two");
    }

    [Fact]
    public void AFunctionalTwoInputTwoOutputModelWithBatchNormComesBack()
    {
        var model = TwoInputTwoOutput();
        model.Compile(new Nadam(), losses: ["sparse_categorical_crossentropy", "mse"], outputMetrics: [["accuracy"], ["mae"]], lossWeights: [1.0, 0.5]);
        NDArray[] x = [Random(3, 40, 8, 8, 2), Random(4, 40, 5)];
        NDArray[] y = [new NDArray<int>(Enumerable.Range(0, 40).Select(i => i % 3).ToArray(), 40), Random(5, 40, 1)];
        model.Fit(x, y, epochs: 2, batchSize: 16, verbose: 0); // moves the batch-norm statistics and builds the optimizer
        string path = _dir.Sub("functional.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        Assert.IsNotType<Sequential>(loaded);
        Assert.Equal("two_by_two", loaded.Name);
        Assert.Equal(["image", "meta"], loaded.Inputs.Select(i => i.Name));
        Assert.Equal(["digit", "size"], loaded.Outputs.Select(o => o.Name));
        var expected = model.Predict(x, verbose: 0);
        var actual = loaded.Predict(x, verbose: 0);
        for (int o = 0; o < 2; o++) Bits.Equal(expected[o].AsSpan(), actual[o].AsSpan());
        Assert.Equal([1.0, 0.5], loaded.LossWeights);
        Assert.Equal(["digit_accuracy", "size_mae"], loaded.Metrics.Select(m => m.Name));
        Assert.Equal(model.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
        Bits.Equal(Assert.IsType<Nadam>(model.Optimizer).MomentumCacheProduct is var p ? [p] : [], [Assert.IsType<Nadam>(loaded.Optimizer).MomentumCacheProduct]);
        // Evaluate gives the same numbers too (the compile settings came back).
        var before = model.Evaluate(x, y, verbose: 0);
        var after = loaded.Evaluate(x, y, verbose: 0);
        Assert.Equal(before.Loss, after.Loss);
    }

    [Fact]
    public void ABranchedModelListsItsLayersInKerasOrderAndSavesThemSo()
    {
        // Keras' map_graph: by decreasing depth from the output, ties in first-visit order: x, d2, d1, d3, add.
        var x = new Input([4], name: "x");
        var d1 = new Dense(4, name: "d1").Call(x);
        var d3 = new Dense(4, name: "d3").Call(new Dense(4, name: "d2").Call(x));
        var model = new Model(x, new Add(name: "add").Call(d1, d3));

        Assert.Equal(["x", "d2", "d1", "d3", "add"], model.Layers.Select(l => l.Name));
        string path = _dir.Sub("branched.keras");
        model.Save(path);
        // The first Dense in that order, d2, is stored as layers/dense.
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var h5 = new MemoryStream())
        {
            zip.GetEntry("model.weights.h5")!.Open().CopyTo(h5);
            Assert.Contains("layers/dense/vars group name=d2", H5Listing.Of(new MemoryStream(h5.ToArray())));
        }
        var loaded = Model.Load(path);
        AssertSamePredictions(model, loaded, Random(9, 3, 4));
    }

    public static TheoryData<string> Optimizers => ["adam", "rmsprop", "nadam"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TrainingResumedFromAFileEndsBitIdenticalToAnUninterruptedRun(string optimizer)
    {
        var (x, y) = TestData.Blobs(300, seed: 11);
        Sequential Build()
        {
            var m = new Sequential(new InputLayer([2]), new Dense(16, activation: "relu"), new Dense(3, activation: "softmax"));
            m.Compile(optimizer: optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
            return m;
        }

        Utils.SetRandomSeed(42);
        var uninterrupted = Build();
        var full = uninterrupted.Fit(x, y, epochs: 5, batchSize: 32, verbose: 0);

        Utils.SetRandomSeed(42);
        var first = Build();
        first.Fit(x, y, epochs: 2, batchSize: 32, verbose: 0);
        string path = _dir.Sub($"resume-{optimizer}.keras");
        first.Save(path);
        var resumed = Model.Load(path);
        var rest = resumed.Fit(x, y, epochs: 5, batchSize: 32, verbose: 0, initialEpoch: 2);

        Assert.Equal(uninterrupted.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        for (int i = 0; i < uninterrupted.Weights.Count; i++) Bits.Equal(uninterrupted.Weights[i].Value.Values, resumed.Weights[i].Value.Values);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
    }

    [Fact]
    public void LoadingLeavesTheGlobalRandomSequenceAlone()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(4));
        string path = _dir.Sub("quiet.keras");
        model.Save(path);
        Utils.SetRandomSeed(5);
        var a = new GlorotUniform().Generate(new Shape(4, 4));
        Utils.SetRandomSeed(5);
        Model.Load(path);
        var b = new GlorotUniform().Generate(new Shape(4, 4));
        Assert.Equal(a, b);
    }

    [KerasSerializable(package: "Tests")]
    public sealed class ScaledDense(int units, double factor = 2.0, string? name = null) : Layer(name)
    {
        private readonly Dense _dense = new(units, name: (name ?? "scaled") + "_inner");
        public int Units { get; } = units;
        public double Factor { get; } = factor;
        protected override void Build(Shape inputShape) => _dense.EnsureBuilt(inputShape);
        public override Shape ComputeOutputShape(Shape inputShape) => _dense.ComputeOutputShape(inputShape);
        public override Tensor Call(Tensor inputs, bool training = false) => _dense.Call(inputs, training) * (float)Factor;
        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["units"] = Units;
            config["factor"] = Factor;
            return config;
        }
    }

    public sealed class Unregistered(string? name = null) : Layer(name)
    {
        public override Tensor Call(Tensor inputs, bool training = false) => inputs;
    }

    [Fact]
    public void ARegisteredCustomLayerSavesWithItsConfigAndLoads()
    {
        var model = new Sequential(new InputLayer([3]), new ScaledDense(2, factor: 3.0, name: "scaled"));
        string path = _dir.Sub("custom.keras");
        model.Save(path);

        string config = ConfigJson(path);
        Assert.Contains("\"class_name\": \"ScaledDense\", \"config\": {\"name\": \"scaled\", \"trainable\": true, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}, \"units\": 2, \"factor\": 3.0}, \"registered_name\": \"Tests>ScaledDense\"", config);
        var loaded = Model.Load(path);
        var layer = Assert.IsType<ScaledDense>(loaded.Layers[0]);
        Assert.Equal((2, 3.0), (layer.Units, layer.Factor));
    }

    [Fact]
    public void AnUnknownLayerClassIsNamedWithTheFileAndHowToRegisterIt()
    {
        var model = new Sequential(new InputLayer([3]), new Unregistered(name: "odd"));
        string path = _dir.Sub("unknown.keras");
        model.Save(path);

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains($"'{path}' (member config.json): model (Sequential) layer 1: unknown layer class 'Unregistered' (registered as 'Custom>Unregistered')", e.Message);
        Assert.Contains("[KerasSerializable]", e.Message);
        // Given as a custom object, it loads.
        var loaded = Model.Load(path, customObjects: new Dictionary<string, object> { ["Unregistered"] = typeof(Unregistered) });
        Assert.IsType<Unregistered>(loaded.Layers[0]);
    }

    [Fact]
    public void ALossFunctionIsSavedByNameAndComesBackThroughCustomObjects()
    {
        Func<Tensor, Tensor, Tensor> myMse = (t, p) => Ops.Mean(Ops.Square(p - t), axis: -1);
        var model = new Sequential(new InputLayer([2]), new Dense(1));
        model.Compile("sgd", loss: Loss.FromFunction(myMse, "my_mse"));
        string path = _dir.Sub("fn.keras");
        model.Save(path);

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("unknown loss \"my_mse\"", e.Message);
        Assert.False(Model.Load(path, compile: false).Compiled);
        var loaded = Model.Load(path, customObjects: new Dictionary<string, object> { ["my_mse"] = myMse });
        Assert.Equal("my_mse", loaded.Loss!.Name);
    }

    [Theory]
    [InlineData("model.h5", "Dendrite reads legacy .h5 models but writes Keras 3's native format only")]
    [InlineData("model.weights.h5", "Please add the `.keras` extension")]
    public void SavingNeedsTheKerasSuffix(string name, string message)
    {
        var model = new Sequential(new InputLayer([2]), new Dense(1));
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => model.Save(_dir.Sub(name))).Message);
    }

    [Fact]
    public void AnUnbuiltModelCannotBeSavedAndAnExistingFileIsKeptWhenAsked()
    {
        Assert.Contains("has not been built yet", Assert.Throws<InvalidOperationException>(() => new Sequential(new Dense(2)).Save(_dir.Sub("x.keras"))).Message);
        string path = _dir.Sub("kept.keras");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => new Sequential(new InputLayer([2]), new Dense(1)).Save(path, overwrite: false));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["kept.keras"], TempDir.Entries(_dir.Path)); // no temporary file left behind
    }

    internal static string ConfigJson(string kerasPath)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(kerasPath);
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        return reader.ReadToEnd();
    }
}
