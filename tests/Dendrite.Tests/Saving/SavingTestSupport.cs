using System.IO.Compression;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using PureHDF;

namespace Dendrite.Tests.Saving;

/// <summary>The files real Python Keras wrote, in <c>../shared/fixtures/keras</c> next to the repository.</summary>
internal static class KerasFixtures
{
    internal static string? Folder
    {
        get
        {
            string dir = Path.GetFullPath(Path.Combine(RepoPaths.RepoRoot, "..", "shared", "fixtures", "keras"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>The fixtures folder; fails the test, saying how to get it, when it is absent.</summary>
    internal static string RequireFolder() => Folder
        ?? throw new Xunit.Sdk.XunitException($"The Keras fixtures are missing: expected ../shared/fixtures/keras beside the repository ({Path.GetFullPath(Path.Combine(RepoPaths.RepoRoot, "..", "shared", "fixtures", "keras"))}). They come with the project's shared folder; see its fixtures/keras/README.md.");

    /// <summary>Debian's Fashion-MNIST folder; fails the test, saying how to get it, when it is absent.</summary>
    internal static string RequireFashionMnist() => Directory.Exists(Dendrite.Datasets.FashionMnist.DebianDirectory) ? Dendrite.Datasets.FashionMnist.DebianDirectory
        : throw new Xunit.Sdk.XunitException($"{Dendrite.Datasets.FashionMnist.DebianDirectory} is absent: apt-get install dataset-fashion-mnist (.ci/run does).");

    /// <summary>The model.weights.h5 member of a .keras archive, in memory.</summary>
    internal static MemoryStream WeightsMember(string kerasPath)
    {
        using var archive = ZipFile.OpenRead(kerasPath);
        var copy = new MemoryStream();
        using (var member = archive.GetEntry("model.weights.h5")!.Open()) member.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    /// <summary>
    /// Keras' "simple MNIST convnet" as mnist_convnet_keras3.1.1.keras's config.json declares it, with its layer names.
    /// </summary>
    internal static Sequential MnistConvnet() => new(
    [
        new InputLayer([28, 28, 1], name: "input_layer"),
        new Conv2D(32, 3, activation: "relu", name: "conv2d"),
        new MaxPooling2D(2, name: "max_pooling2d"),
        new Conv2D(64, 3, activation: "relu", name: "conv2d_1"),
        new MaxPooling2D(2, name: "max_pooling2d_1"),
        new Flatten(name: "flatten"),
        new Dropout(0.5, name: "dropout"),
        new Dense(10, activation: "softmax", name: "dense"),
    ], name: "sequential");

    /// <summary>mnist_cnn_keras3.12.0.keras's architecture (config.json), with its layer names.</summary>
    internal static Sequential MnistCnn(int hiddenUnits = 128) => new(
    [
        new InputLayer([28, 28, 1], name: "input_layer"),
        new Conv2D(32, 3, activation: "relu", name: "conv2d"),
        new MaxPooling2D(2, name: "max_pooling2d"),
        new Conv2D(64, 3, activation: "relu", name: "conv2d_1"),
        new MaxPooling2D(2, name: "max_pooling2d_1"),
        new Flatten(name: "flatten"),
        new Dense(hiddenUnits, activation: "relu", name: "dense"),
        new Dense(10, activation: "softmax", name: "dense_1"),
    ], name: "sequential");
}

/// <summary>
/// Everything a weights file holds, one line per object, sorted: groups with their <c>name</c> attribute, datasets
/// with element type, shape and storage layout, e.g. <c>layers/dense/vars/0 float32 (1600, 10) Contiguous</c>.
/// </summary>
internal static class H5Listing
{
    internal static List<string> Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Of(stream);
    }

    internal static List<string> Of(Stream stream)
    {
        using var file = H5File.Open(stream, leaveOpen: true);
        var lines = new List<string>();
        Walk(file, "", lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void Walk(IH5Group group, string path, List<string> lines)
    {
        string name = group.AttributeExists("name") ? $" name={group.Attribute("name").Read<string>()}" : "";
        lines.Add($"{(path == "" ? "/" : path)} group{name}");
        foreach (var child in group.Children())
        {
            string childPath = path == "" ? child.Name : $"{path}/{child.Name}";
            if (child is IH5Group sub) Walk(sub, childPath, lines);
            else if (child is IH5Dataset dataset)
            {
                string type = dataset.Type.Class switch
                {
                    H5DataTypeClass.FloatingPoint => $"float{dataset.Type.Size * 8}",
                    H5DataTypeClass.FixedPoint => $"int{dataset.Type.Size * 8}",
                    var other => other.ToString(),
                };
                lines.Add($"{childPath} {type} {KerasLayout.FormatShape(dataset.Space.Dimensions.Select(d => (int)d).ToArray())} {dataset.Layout.Class}");
            }
        }
    }

    /// <summary>The lines without the <c>name</c> attributes (files from Keras before 3.6 have none).</summary>
    internal static List<string> WithoutNames(IEnumerable<string> lines) =>
        lines.Select(l => l.Contains(" group name=", StringComparison.Ordinal) ? l[..(l.IndexOf(" group name=", StringComparison.Ordinal) + 6)] : l).ToList();
}

/// <summary>Bitwise comparison of float arrays (NaN-safe, −0 ≠ +0).</summary>
internal static class Bits
{
    internal static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    internal static void EqualWeights(Model expected, Model actual)
    {
        Assert.Equal(expected.Weights.Count, actual.Weights.Count);
        for (int i = 0; i < expected.Weights.Count; i++) Equal(expected.Weights[i].Value.Values, actual.Weights[i].Value.Values);
    }
}
