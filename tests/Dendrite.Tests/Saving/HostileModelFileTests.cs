using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Corrupt, truncated and hostile model files end in one exception type, <see cref="ModelFormatException"/>, which
/// names the file, the entry and what is wrong — quickly and without allocating what the file claims.
/// </summary>
public sealed class HostileModelFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Good()
    {
        string path = _dir.Sub("good.keras");
        var model = new Sequential([new InputLayer([6]), new Dense(4, activation: "relu", name: "hidden"), new Dense(2, activation: "softmax", name: "out")], name: "small");
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        model.Save(path);
        return path;
    }

    /// <summary>An archive with the good file's members, some replaced or left out.</summary>
    private string Archive(string name, Dictionary<string, byte[]?> replace, CompressionLevel level = CompressionLevel.NoCompression)
    {
        string good = Good();
        string path = _dir.Sub(name);
        using (var source = ZipFile.OpenRead(good))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            var members = source.Entries.Select(e => e.FullName).Concat(replace.Keys).Distinct().ToList();
            foreach (string member in members)
            {
                byte[]? content;
                if (replace.TryGetValue(member, out var r)) content = r;
                else
                {
                    using var s = source.GetEntry(member)!.Open();
                    var copy = new MemoryStream();
                    s.CopyTo(copy);
                    content = copy.ToArray();
                }
                if (content is null) continue;
                using var output = target.CreateEntry(member, level).Open();
                output.Write(content);
            }
        }
        return path;
    }

    private static string Config(string path) => ModelSaveLoadTests.ConfigJson(path);

    private static ModelFormatException Refused(string path)
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.ThrowsAny<ModelFormatException>(() => Model.Load(path));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains($"'{path}'", e.Message);
        return e;
    }

    [Fact]
    public void AFileThatIsNeitherZipNorHdf5IsNamed()
    {
        string path = _dir.Sub("page.keras");
        File.WriteAllText(path, "<!DOCTYPE html><html>Not Found</html>");
        Assert.Contains("is neither a .keras archive (a zip) nor a legacy Keras .h5 model (HDF5): it starts with bytes 3C21444F43545950", Refused(path).Message);
        File.WriteAllBytes(path, []);
        Assert.Contains("is neither a .keras archive", Refused(path).Message);
    }

    [Fact]
    public void AMissingConfigIsNamedWithTheMembersPresent()
    {
        string path = Archive("noconfig.keras", new() { ["config.json"] = null });
        Assert.Contains("holds no config.json, so it describes no model (its members: metadata.json, model.weights.h5)", Refused(path).Message);
    }

    [Fact]
    public void MissingWeightsAreNamed()
    {
        string path = Archive("noweights.keras", new() { ["model.weights.h5"] = null });
        Assert.Contains("holds no model.weights.h5", Refused(path).Message);
    }

    [Fact]
    public void BadJsonIsNamedWithTheMember()
    {
        string path = Archive("badjson.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes("{\"module\": \"keras\", \"class_name\": ") });
        Assert.Contains("(member config.json) is not valid JSON", Refused(path).Message);
    }

    [Fact]
    public void JsonNestedAMillionLevelsDeepIsRefusedQuickly()
    {
        var deep = new StringBuilder(2_000_010);
        deep.Append('[', 1_000_000).Append(']', 1_000_000);
        string path = Archive("deep.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(deep.ToString()) });
        var e = Refused(path);
        Assert.Contains("(member config.json) is not valid JSON", e.Message);
        Assert.Contains("maximum configured depth of 64", e.Message);
    }

    [Fact]
    public void AConfigThatDisagreesWithTheWeightsNamesTheLayerAndBothShapes()
    {
        string good = Good();
        string config = Config(good).Replace("\"units\": 4", "\"units\": 5");
        string path = Archive("mismatch.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config) });
        var e = Refused(path);
        Assert.IsType<WeightsFileException>(e);
        Assert.Contains("layer 'hidden' (Dense) variable 0 ('kernel') has shape (6, 5) in the model but (6, 4) in the file ('layers/dense/vars/0')", e.Message);
    }

    [Fact]
    public void AConfigClaimingAHugeLayerIsRefusedBeforeAllocating()
    {
        string config = Config(Good()).Replace("\"units\": 4", "\"units\": 1073741824");
        string path = Archive("huge.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config) });
        long before = GC.GetTotalAllocatedBytes();
        var e = Refused(path);
        Assert.Contains("layer 'hidden' (Dense) would create weight 'kernel' of shape (6, 1073741824), 6,442,450,944 floats, more than the file can hold", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 100L << 20);
    }

    [Fact]
    public void AnInputOfOverflowingSizeIsAModelFormatError()
    {
        string config = Config(Good()).Replace("\"batch_shape\": [null, 6]", "\"batch_shape\": [null, 65536, 65536, 2]").Replace("\"build_input_shape\": [null, 6]", "\"build_input_shape\": [null, 65536, 65536, 2]");
        string path = Archive("overflow.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config) });
        Refused(path);
    }

    [Fact]
    public void AZipBombIsRefusedBeforeItInflates()
    {
        string path = Archive("bomb.keras", new() { ["model.weights.h5"] = new byte[64 << 20] }, CompressionLevel.SmallestSize);
        long before = GC.GetTotalAllocatedBytes();
        var e = Refused(path);
        Assert.Contains("(member model.weights.h5): the member inflates", e.Message);
        Assert.Contains("likely zip bomb", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 32L << 20);
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("assets/../../evil.txt")]
    [InlineData("/etc/evil")]
    public void AnEntryPointingOutsideTheArchiveIsRefused(string entry)
    {
        string path = Archive("traversal.keras", new() { [entry] = "x"u8.ToArray() });
        Assert.Contains($"holds an entry named '{entry}', which points outside the archive", Refused(path).Message);
    }

    [Fact]
    public void AnUnknownSettingIsNamedWithLayerKeyAndValue()
    {
        string config = Config(Good()).Replace("\"kernel_regularizer\": null", "\"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.01}, \"registered_name\": null}");
        string path = Archive("regularized.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config) });
        var e = Refused(path);
        Assert.Contains("(member config.json): layer 'hidden' (Dense): \"kernel_regularizer\" = {\"module\": \"keras.regularizers\", \"class_name\": \"L2\"", e.Message);
        Assert.Contains("Dendrite has no regularizers or constraints yet", e.Message);
    }

    [Theory]
    [InlineData("\"activation\": \"relu\"", "\"activation\": \"gelu\"", "\"activation\" = \"gelu\": unknown activation")]
    [InlineData("\"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}, \"units\": 4", "\"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"mixed_float16\"}, \"registered_name\": null}, \"units\": 4", "Dendrite computes in float32 only")]
    [InlineData("\"units\": 4", "\"units\": 4, \"lora_rank\": 8", "\"lora_rank\" = 8: Dendrite has no LoRA layers.")]
    [InlineData("\"units\": 4", "\"units\": 4, \"brand_new_option\": 3", "\"brand_new_option\" = 3: Dendrite does not know this setting")]
    [InlineData("\"class_name\": \"Dense\", \"config\": {\"name\": \"hidden\"", "\"class_name\": \"Lambda\", \"config\": {\"name\": \"hidden\"", "unknown layer class 'Lambda'")]
    public void WhatCannotBeHonouredIsRefusedByName(string from, string to, string message)
    {
        string config = Config(Good());
        Assert.Contains(from, config);
        string path = Archive("changed.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config.Replace(from, to)) });
        var e = Refused(path);
        Assert.Contains(message, e.Message);
        Assert.True(e.Message.Contains("layer 'hidden' (Dense)") || e.Message.Contains("model (Sequential) layer 1"), e.Message);
    }

    [Fact]
    public void AChannelsFirstConvolutionIsRefused()
    {
        var model = new Sequential(new InputLayer([8, 8, 1]), new Conv2D(2, 3, name: "conv"), new Flatten(name: "flat"));
        string good = _dir.Sub("conv.keras");
        model.Save(good);
        string path = _dir.Sub("cf.keras");
        File.Copy(good, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            string config = Config(good).Replace("\"data_format\": \"channels_last\", \"dilation_rate\"", "\"data_format\": \"channels_first\", \"dilation_rate\"");
            zip.GetEntry("config.json")!.Delete();
            using var w = zip.CreateEntry("config.json", CompressionLevel.NoCompression).Open();
            w.Write(Encoding.UTF8.GetBytes(config));
        }
        Assert.Contains("layer 'conv' (Conv2D): \"data_format\" = \"channels_first\": Dendrite's images are channels last", Refused(path).Message);
    }

    [Fact]
    public void AWeightsFileGivenAsAModelSaysWhatItIs()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(2));
        string path = _dir.Sub("w.weights.h5");
        model.SaveWeights(path);
        Assert.Contains("is a weights file (.weights.h5), not a whole model: build the model and call LoadWeights on it", Refused(path).Message);
    }

    [Fact]
    public void AnHdf5DatasetClaimingTerabytesIsRefusedWithoutAllocating()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(5, name: "wide"));
        string path = _dir.Sub("huge.weights.h5");
        model.SaveWeights(path);
        // The kernel's dataspace says (3, 5): make it (3, 2^40) wherever those two dimensions are stored.
        var bytes = File.ReadAllBytes(path);
        byte[] dims = [3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0];
        int patched = 0;
        for (int i = 0; i + dims.Length <= bytes.Length; i++)
            if (bytes.AsSpan(i, dims.Length).SequenceEqual(dims)) { bytes[i + 8] = 0; bytes[i + 13] = 1; patched++; }
        Assert.True(patched > 0);
        File.WriteAllBytes(path, bytes);

        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<WeightsFileException>(() => model.LoadWeights(path));
        Assert.Contains("'layers/dense/vars/0' claims shape (3, 1099511627776)", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64L << 20);
    }

    [Fact]
    public void TwoMembersOfOneNameAreRefused()
    {
        string good = Good();
        string path = _dir.Sub("twice.keras");
        File.Copy(good, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        using (var w = zip.CreateEntry("config.json", CompressionLevel.NoCompression).Open())
            w.Write("{}"u8);
        Assert.Contains("holds two entries named 'config.json'", Refused(path).Message);
    }

    [Theory]
    [InlineData("\"activation\": \"relu\"", "\"activation\": {\"class_name\": \"ReLU\", \"config\": {\"max_value\": 6.0}}", "\"activation\" = {\"class_name\": \"ReLU\"")]
    [InlineData("\"amsgrad\": false", "\"amsgrad\": false, \"decay\": 1e-06", "\"decay\" = 1e-06: tf.keras' legacy time-based decay")]
    public void SettingsThatWouldChangeTheModelAreRefused(string from, string to, string message)
    {
        string config = Config(Good());
        Assert.Contains(from, config);
        string path = Archive("changed.keras", new() { ["config.json"] = Encoding.UTF8.GetBytes(config.Replace(from, to)) });
        Assert.Contains(message, Refused(path).Message);
    }

    [Fact]
    public void ACallWithAFixedTrainingModeIsRefused()
    {
        var input = new Input([3], name: "in");
        var model = new Model(input, new Dropout(0.5, name: "mc").Call(new Dense(2, name: "d").Call(input)));
        string good = _dir.Sub("mc.keras");
        model.Save(good);
        string config = Config(good).Replace("\"keras_history\": [\"d\", 0, 0]}}], \"kwargs\": {}", "\"keras_history\": [\"d\", 0, 0]}}], \"kwargs\": {\"training\": true}");
        Assert.Contains("\"training\": true", config);
        string path = _dir.Sub("mc-training.keras");
        File.Copy(good, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("config.json")!.Delete();
            using var w = zip.CreateEntry("config.json", CompressionLevel.NoCompression).Open();
            w.Write(Encoding.UTF8.GetBytes(config));
        }
        Assert.Contains("layer 'mc' is called with training=true; Dendrite's layers follow the model's mode", Refused(path).Message);
    }
}
