using System.Diagnostics;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Mutations of a saved .keras file — truncation at every 1/64th of its length, thousands of flipped bytes, swapped
/// shapes in its config — each end in <see cref="ModelFormatException"/> or in a model whose predictions equal the
/// original's; never another exception, a hang or a silently different model. (The zip's CRC-32 of every member is
/// what catches a flip inside the weights.) The number of flips is raised with DENDRITE_MUTATIONS for a longer run:
/// <c>DENDRITE_MUTATIONS=20000 dotnet test tests/Dendrite.Tests -c Release --filter ModelFileMutationTests</c>.
/// </summary>
public sealed class ModelFileMutationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int Flips => int.TryParse(Environment.GetEnvironmentVariable("DENDRITE_MUTATIONS"), out int n) && n > 0 ? n : 2000;

    private (string Path, byte[] Bytes, NDArray<float> X, float[] Expected) Original()
    {
        var model = new Sequential([new InputLayer([6, 6, 1]), new Conv2D(3, 3, activation: "relu", name: "conv"), new MaxPooling2D(2, name: "pool"),
            new Flatten(name: "flat"), new BatchNormalization(name: "bn"), new Dense(3, activation: "softmax", name: "out")], name: "mutant");
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        var x = new NDArray<float>(TestData.Uniform(8, 5 * 36, 0, 1), 5, 6, 6, 1);
        model.Fit(x, new NDArray<int>([0, 1, 2, 0, 1], 5), epochs: 1, batchSize: 5, verbose: 0);
        string path = _dir.Sub("original.keras");
        model.Save(path);
        return (path, File.ReadAllBytes(path), x, model.Predict(x, verbose: 0).AsSpan().ToArray());
    }

    /// <summary>Loads a mutant: a ModelFormatException, or a model predicting exactly what the original does.</summary>
    private static string Outcome(string path, NDArray<float> x, float[] expected)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var model = Model.Load(path);
            var actual = model.Predict(x, verbose: 0).AsSpan().ToArray();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"load took {watch.Elapsed}");
            Assert.True(actual.AsSpan().SequenceEqual(expected), $"{path} loaded as a model with other predictions and no error");
            return "loaded";
        }
        catch (ModelFormatException)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"refusal took {watch.Elapsed}");
            return "refused";
        }
    }

    [Fact]
    public void TruncationAtEvery64thIsRefused()
    {
        var (_, bytes, x, expected) = Original();
        string path = _dir.Sub("cut.keras");
        for (int k = 0; k < 64; k++)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, (int)((long)bytes.Length * k / 64)).ToArray());
            Assert.Equal("refused", Outcome(path, x, expected));
        }
    }

    [Fact]
    public void FlippedBytesAreRefusedOrHarmless()
    {
        var (_, bytes, x, expected) = Original();
        var rng = new Random(1234);
        string path = _dir.Sub("flipped.keras");
        var counts = new Dictionary<string, int> { ["loaded"] = 0, ["refused"] = 0 };
        for (int i = 0; i < Flips; i++)
        {
            var mutant = (byte[])bytes.Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips; f++) mutant[rng.Next(mutant.Length)] ^= (byte)(1 + rng.Next(255));
            File.WriteAllBytes(path, mutant);
            counts[Outcome(path, x, expected)]++;
        }
        output.WriteLine($"{Flips} mutants: {counts["refused"]} refused, {counts["loaded"]} loaded with identical predictions");
        Assert.True(counts["refused"] > Flips / 2);
    }

    // A consistent edit (another pool size that still fits) is a different, valid model, which no format can tell
    // from the original; these edits make the config disagree with the stored weights.
    [Theory]
    [InlineData("\"kernel_size\": [3, 3]", "\"kernel_size\": [2, 3]")]
    [InlineData("\"pool_size\": [2, 2], \"padding\": \"valid\", \"strides\": [2, 2]", "\"pool_size\": [1, 1], \"padding\": \"valid\", \"strides\": [1, 1]")]
    [InlineData("\"batch_shape\": [null, 6, 6, 1]", "\"batch_shape\": [null, 6, 6, 2]")]
    [InlineData("\"units\": 3", "\"units\": 2")]
    [InlineData("\"filters\": 3", "\"filters\": 4")]
    public void SwappedShapesInTheConfigAreRefused(string from, string to)
    {
        var (path, _, x, expected) = Original();
        string config = ModelSaveLoadTests.ConfigJson(path);
        Assert.Contains(from, config);
        string mutant = _dir.Sub("swapped.keras");
        File.Copy(path, mutant);
        using (var zip = System.IO.Compression.ZipFile.Open(mutant, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("config.json")!.Delete();
            using var w = zip.CreateEntry("config.json", System.IO.Compression.CompressionLevel.NoCompression).Open();
            w.Write(System.Text.Encoding.UTF8.GetBytes(config.Replace(from, to)));
        }
        Assert.Equal("refused", Outcome(mutant, x, expected));
    }

    [Fact]
    public void WeightsOfOtherShapesInTheArchiveAreRefused()
    {
        var (path, _, x, expected) = Original();
        var other = new Sequential([new InputLayer([6, 6, 1]), new Conv2D(3, 2, activation: "relu"), new MaxPooling2D(2),
            new Flatten(), new BatchNormalization(), new Dense(3, activation: "softmax")]);
        string otherPath = _dir.Sub("other.keras");
        other.Save(otherPath);
        string mutant = _dir.Sub("swapped-weights.keras");
        File.Copy(path, mutant);
        using (var zip = System.IO.Compression.ZipFile.Open(mutant, System.IO.Compression.ZipArchiveMode.Update))
        using (var source = System.IO.Compression.ZipFile.OpenRead(otherPath))
        {
            zip.GetEntry("model.weights.h5")!.Delete();
            using var w = zip.CreateEntry("model.weights.h5", System.IO.Compression.CompressionLevel.NoCompression).Open();
            using var r = source.GetEntry("model.weights.h5")!.Open();
            r.CopyTo(w);
        }
        Assert.Equal("refused", Outcome(mutant, x, expected));
    }
}
