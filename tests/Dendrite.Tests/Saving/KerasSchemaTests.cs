using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Layers;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Saving;

/// <summary>
/// A .keras file Dendrite writes has, key for key, the schema of the real Keras 3.12 file of the same architecture
/// (../shared/fixtures/keras/mnist_cnn_keras3.12.0.keras): the same zip members in the same order, the same config
/// keys, class names and modules at every level, the same compile_config, and the same HDF5 groups, datasets,
/// element types, shapes, layouts and name attributes. So Python Keras reads it as it reads its own.
/// </summary>
public sealed class KerasSchemaTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The fixture's architecture with its layer names, compiled and trained one step as the fixture was (Adam).</summary>
    private string SaveTheSameModel()
    {
        var model = KerasFixtures.MnistCnn();
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var x = new NDArray<float>(TestData.Uniform(3, 4 * 28 * 28, 0, 1), 4, 28, 28, 1);
        model.Fit(x, Utils.ToCategorical(new NDArray<int>([0, 1, 2, 3], 4), 10), epochs: 1, batchSize: 4, verbose: 0);
        string path = _dir.Sub("ours.keras");
        model.Save(path);
        return path;
    }

    private static string Fixture => Path.Combine(KerasFixtures.RequireFolder(), "mnist_cnn_keras3.12.0.keras");

    private static byte[] Member(string path, string name)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry(name)!.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void TheMembersAreKerasOwnInKerasOrderAndStored()
    {
        string ours = SaveTheSameModel();
        using var theirs = ZipFile.OpenRead(Fixture);
        using var mine = ZipFile.OpenRead(ours);
        Assert.Equal(theirs.Entries.Select(e => e.FullName), mine.Entries.Select(e => e.FullName));
        Assert.All(mine.Entries, e => Assert.Equal(e.Length, e.CompressedLength)); // stored, as Python's zipfile writes them
        var metadata = JsonNode.Parse(Member(ours, "metadata.json"))!.AsObject();
        Assert.Equal(JsonNode.Parse(Member(Fixture, "metadata.json"))!.AsObject().Select(p => p.Key), metadata.Select(p => p.Key));
        Assert.Matches(@"^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$", (string)metadata["date_saved"]!);
    }

    [Fact]
    public void TheConfigHasKerasKeysClassNamesAndModulesEverywhere()
    {
        string ours = SaveTheSameModel();
        var expected = Skeleton(JsonNode.Parse(Member(Fixture, "config.json")));
        var actual = Skeleton(JsonNode.Parse(Member(ours, "config.json")));
        Assert.True(expected.Count >= 300, $"{expected.Count} lines"); // every layer, initializer, the compile and optimizer configs
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TheWeightsHaveKerasGroupsDatasetsTypesShapesAndNames()
    {
        string ours = SaveTheSameModel();
        var expected = H5Listing.Of(new MemoryStream(Member(Fixture, "model.weights.h5")));
        var actual = H5Listing.Of(new MemoryStream(Member(ours, "model.weights.h5")));
        Assert.Contains("optimizer/vars/0 int64 () Contiguous", expected);
        Assert.Contains("layers/dense_1/vars/1 float32 (10,) Contiguous", expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void PythonFloatsAndSeparatorsAreWrittenAsJsonDumpsWritesThem()
    {
        string config = System.Text.Encoding.UTF8.GetString(Member(SaveTheSameModel(), "config.json"));
        Assert.StartsWith("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"trainable\": true, ", config);
        Assert.Contains("\"learning_rate\": 0.0010000000474974513, ", config);
        Assert.Contains("\"epsilon\": 1e-07, ", config);
        Assert.Contains("\"kernel_size\": [3, 3], ", config);
    }

    /// <summary>
    /// Every object's sorted keys, with the values of <c>module</c>, <c>class_name</c> and <c>registered_name</c> and the
    /// JSON kind of every other scalar, one line per path; Keras' bookkeeping key <c>shared_object_id</c> is left out.
    /// </summary>
    internal static List<string> Skeleton(JsonNode? root)
    {
        var lines = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    lines.Add($"{path} {{{string.Join(",", obj.Select(p => p.Key).Where(k => k != "shared_object_id").Order(StringComparer.Ordinal))}}}");
                    foreach (var (key, value) in obj)
                        if (key != "shared_object_id") Walk(value, key is "module" or "class_name" or "registered_name" ? $"{path}.{key}={Describe(value)}" : $"{path}.{key}");
                    break;
                case JsonArray array:
                    lines.Add($"{path} [{array.Count}]");
                    for (int i = 0; i < array.Count; i++) Walk(array[i], $"{path}[{i}]");
                    break;
                default:
                    lines.Add($"{path} {(node is null ? "null" : node.GetValueKind().ToString())}");
                    break;
            }
        }
        Walk(root, "$");
        return lines;
    }

    private static string Describe(JsonNode? value) => value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
}
