using System.IO.Compression;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>Every way a save or a load can go wrong ends in an exception whose message says what and where.</summary>
public sealed class WeightsErrorTests(ITestOutputHelper output)
{
    private static Sequential Mlp(int hidden = 16, bool bias = true, int extra = 0)
    {
        var layers = new List<Layer> { new InputLayer([2]), new Dense(hidden, activation: "relu", useBias: bias), new Dense(3) };
        for (int i = 0; i < extra; i++) layers.Add(new Dense(3));
        return new Sequential(layers);
    }

    private static string Saved(TempDir dir, Model model, string name = "saved.weights.h5")
    {
        string path = dir.Sub(name);
        model.SaveWeights(path);
        return path;
    }

    [Theory]
    [InlineData("model.h5")]
    [InlineData("model.weights")]
    [InlineData("weights.h5.tmp")]
    [InlineData("model.keras")]
    public void SavingNeedsTheWeightsSuffix(string name)
    {
        using var dir = new TempDir();
        string path = dir.Sub(name);
        var e = Assert.Throws<ArgumentException>(() => Mlp().SaveWeights(path));
        Assert.StartsWith($"The filename must end in `.weights.h5`. Received: filepath={path}", e.Message);
        Assert.Empty(TempDir.Entries(dir.Path));
    }

    [Fact]
    public void AnUnbuiltModelCanNeitherSaveNorLoad()
    {
        using var dir = new TempDir();
        string path = Saved(dir, Mlp());
        var unbuilt = new Sequential(new Dense(16, activation: "relu"), new Dense(3));

        var save = Assert.Throws<InvalidOperationException>(() => unbuilt.SaveWeights(dir.Sub("x.weights.h5")));
        var load = Assert.Throws<InvalidOperationException>(() => unbuilt.LoadWeights(path));

        Assert.Contains($"Model '{unbuilt.Name}' has not been built yet, so it has no weights to save.", save.Message);
        Assert.Contains($"Model '{unbuilt.Name}' has not been built yet, so it has no weights to load into.", load.Message);
        Assert.Contains("Build(inputShape)", load.Message);
    }

    [Fact]
    public void SavingIntoAMissingFolderNamesIt()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "no-such-folder", "m.weights.h5");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Mlp().SaveWeights(path));
        Assert.Contains(Path.Combine(dir.Path, "no-such-folder"), e.Message);
    }

    [Theory]
    [InlineData("model.txt", "File format not supported: filepath=")]
    [InlineData("model.json", "and legacy `.h5` files")]
    public void LoadingNeedsAKnownSuffix(string name, string message)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => Mlp().LoadWeights(dir.Sub(name)));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("gone.weights.h5")]
    [InlineData("gone.keras")]
    public void AMissingFileIsNamed(string name)
    {
        using var dir = new TempDir();
        string path = dir.Sub(name);
        var e = Assert.Throws<FileNotFoundException>(() => Mlp().LoadWeights(path));
        Assert.Equal($"Weights file not found: '{path}'.", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void AShapeMismatchNamesLayerVariableShapesAndFile()
    {
        using var dir = new TempDir();
        string path = Saved(dir, Mlp(hidden: 16));
        var model = Mlp(hidden: 8);
        var before = model.Weights.Select(w => w.Value.Values.ToArray()).ToList();

        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));

        output.WriteLine(e.Message);
        Assert.Equal($"Cannot load weights from '{path}': layer '{model.Layers[0].Name}' (Dense) variable 0 ('kernel') has shape (2, 8) in the model " +
            "but (2, 16) in the file ('layers/dense/vars/0'). The model's architecture differs from the one that was saved.", e.Message);
        for (int i = 0; i < before.Count; i++) Bits.Equal(before[i], model.Weights[i].Value.Values); // nothing was assigned
    }

    [Fact]
    public void AMismatchInALaterLayerLeavesTheEarlierLayersUntouched()
    {
        using var dir = new TempDir();
        string path = Saved(dir, new Sequential(new InputLayer([2]), new Dense(16), new Dense(4)));
        var model = new Sequential(new InputLayer([2]), new Dense(16), new Dense(3));
        var kernel = model.Layers[0].Weights[0].Value.Values.ToArray();

        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));

        Assert.Contains("variable 0 ('kernel') has shape (16, 3) in the model but (16, 4) in the file ('layers/dense_1/vars/0')", e.Message);
        Bits.Equal(kernel, model.Layers[0].Weights[0].Value.Values);
    }

    [Fact]
    public void ADifferentNumberOfVariablesListsBoth()
    {
        using var dir = new TempDir();
        string path = Saved(dir, Mlp(bias: true));
        var model = Mlp(bias: false);

        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));

        Assert.Equal($"Cannot load weights from '{path}': layer '{model.Layers[0].Name}' (Dense) expected 1 variable (kernel (2, 16)), but 'layers/dense/vars' holds 2 ((2, 16), (16,)). " +
            "The model's architecture differs from the one that was saved.", e.Message);
    }

    [Fact]
    public void AMissingLayerGroupSaysWhatWasExpected()
    {
        using var dir = new TempDir();
        string path = Saved(dir, Mlp());
        var model = Mlp(extra: 1);

        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));

        Assert.Equal($"Cannot load weights from '{path}': it has no group 'layers/dense_2/vars' for layer '{model.Layers[2].Name}' (Dense), which has 2 variables (kernel (3, 3), bias (3,)). " +
            "The file's layer groups are: dense, dense_1; the model's layers map to: dense, dense_1, dense_2. The model's architecture differs from the one that was saved.", e.Message);
    }

    [Fact]
    public void AFileWithMoreLayersIsRefused()
    {
        using var dir = new TempDir();
        string path = Saved(dir, Mlp(extra: 1));

        var e = Assert.Throws<WeightsFileException>(() => Mlp().LoadWeights(path));

        Assert.Equal($"Cannot load weights from '{path}': it holds 2 variables in 'layers/dense_2/vars', a layer the model does not have (the model's layers map to: dense, dense_1). " +
            "The model's architecture differs from the one that was saved.", e.Message);
    }

    [Fact]
    public void LayersWithoutWeightsMayBeMissingFromTheFileAsInKeras()
    {
        using var dir = new TempDir();
        var original = Mlp();
        string path = Saved(dir, original);
        var withDropout = new Sequential(new InputLayer([2]), new Dense(16, activation: "relu"), new Dropout(0.5), new Dense(3));

        withDropout.LoadWeights(path);

        Bits.EqualWeights(original, withDropout);
    }

    [Fact]
    public void AFileThatIsNotHdf5IsNamed()
    {
        using var dir = new TempDir();
        string path = dir.Sub("garbage.weights.h5");
        File.WriteAllBytes(path, TestData.Uniform(1, 500).Select(f => (byte)(f * 100)).ToArray());

        var e = Assert.Throws<WeightsFileException>(() => Mlp().LoadWeights(path));

        Assert.StartsWith($"'{path}' is not a valid HDF5 file, so no weights can be read from it (", e.Message);
    }

    [Fact]
    public void ATruncatedFileIsReportedAsDamaged()
    {
        using var dir = new TempDir();
        string path = Saved(dir, new Sequential(new InputLayer([64]), new Dense(256), new Dense(10)));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<WeightsFileException>(() => new Sequential(new InputLayer([64]), new Dense(256), new Dense(10)).LoadWeights(path));

        output.WriteLine(e.Message);
        Assert.StartsWith($"'{path}'", e.Message);
        Assert.Contains("HDF5 file", e.Message);
    }

    [Fact]
    public void AKerasFileThatIsNotAZipIsNamed()
    {
        using var dir = new TempDir();
        string path = dir.Sub("page.keras");
        File.WriteAllText(path, "<!DOCTYPE html><html><body>Not Found</body></html>");

        var e = Assert.Throws<WeightsFileException>(() => Mlp().LoadWeights(path));

        Assert.StartsWith($"'{path}' is not a valid .keras file: a .keras file is a zip archive, and this one cannot be read as one (", e.Message);
    }

    [Fact]
    public void AKerasArchiveWithoutWeightsListsItsMembers()
    {
        using var dir = new TempDir();
        string path = dir.Sub("npz.keras");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            zip.CreateEntry("metadata.json");
            zip.CreateEntry("config.json");
            zip.CreateEntry("model.weights.npz");
        }

        var e = Assert.Throws<WeightsFileException>(() => Mlp().LoadWeights(path));

        Assert.Equal($"'{path}' holds no model.weights.h5, so it has no weights to load. Its members: metadata.json, config.json, model.weights.npz. " +
            "It was saved with weights_format=\"npz\", which Dendrite does not read; save it with Keras' default HDF5 weights.", e.Message);
    }

    [Theory]
    [InlineData("legacy.h5")]
    [InlineData("legacy.weights.h5")] // the layout, not the suffix, tells a legacy file
    public void LegacyH5WeightsLoadByLayerOrderWhateverTheSuffix(string name)
    {
        var folder = KerasFixtures.RequireFolder();
        using var dir = new TempDir();
        string path = dir.Sub(name);
        File.Copy(Path.Combine(folder, "mnist_convnet_keras3.1.1_legacy.h5"), path);
        var model = KerasFixtures.MnistConvnet();
        var whole = Model.Load(path);

        model.LoadWeights(path);

        Bits.EqualWeights(whole, model);
    }

    [Fact]
    public void ALegacyFileForAnotherArchitectureNamesTheLayerAndShapes()
    {
        string path = Path.Combine(KerasFixtures.RequireFolder(), "mnist_cnn_keras3.12.0_legacy.h5");
        var e = Assert.Throws<WeightsFileException>(() => KerasFixtures.MnistCnn(hiddenUnits: 64).LoadWeights(path));
        Assert.Equal($"'{path}': layer 'dense' (Dense) weight 0 ('kernel') has shape (1600, 64) in the model but 'model_weights/dense/sequential/dense/kernel' is float32 of shape (1600, 128).", e.Message);
    }

    [Fact]
    public void AKerasFixtureIntoAnotherArchitectureNamesTheArchiveMember()
    {
        var folder = KerasFixtures.RequireFolder();
        string path = Path.Combine(folder, "mnist_cnn_keras3.12.0.keras");
        var model = KerasFixtures.MnistCnn(hiddenUnits: 64);

        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));

        Assert.Equal($"Cannot load weights from '{path}' (member model.weights.h5): layer 'dense' (Dense) variable 0 ('kernel') has shape (1600, 64) in the model " +
            "but (1600, 128) in the file ('layers/dense/vars/0'). The model's architecture differs from the one that was saved.", e.Message);
    }
}
