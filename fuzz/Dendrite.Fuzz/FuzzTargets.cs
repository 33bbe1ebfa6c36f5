using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Saving;

namespace Dendrite.Fuzz;

/// <summary>
/// The parsers under fuzzing, one per format, each fed one input as a byte array. The AFL++ harness (Program.cs) and
/// the regression tests (tests/Dendrite.Tests/Fuzz, which compile this file too) replay inputs through exactly this
/// code. A parser's documented exception is an expected outcome; any other exception escapes and is a bug.
/// </summary>
internal sealed class FuzzTargets : IDisposable
{
    /// <summary>The formats, as named on the command line and in the corpus folders.</summary>
    internal static readonly string[] Formats = ["idx", "npz", "kerasnpz", "weights", "keras", "h5"];

    /// <summary>The label payload of the valid IDX/NPY seeds: 16 labels 0..9.</summary>
    internal static byte[] LabelPayload() => [.. Enumerable.Range(0, 16).Select(i => (byte)(i % 10))];

    /// <summary>The image payload of the valid IDX/NPY seeds: 2 images of 28x28.</summary>
    internal static byte[] ImagePayload() => [.. Enumerable.Range(0, 2 * 28 * 28).Select(i => (byte)(i * 7 % 251))];

    // Built on first use, not in a static initializer: under SharpFuzz no instrumented (Dendrite) code may run before
    // Fuzzer.Run has set up the coverage map, or it writes through a null pointer.
    private static IdxFileSpec? s_labels, s_images;

    /// <summary>A small label file spec (16 labels) whose checksum the valid seed matches, so success is reachable.</summary>
    internal static IdxFileSpec Labels => s_labels ??= Spec("fuzz-labels-idx1-ubyte", false, 16, LabelPayload(), "y_train");

    /// <summary>A small image file spec (2 images) whose checksum the valid seed matches.</summary>
    internal static IdxFileSpec Images => s_images ??= Spec("fuzz-images-idx3-ubyte", true, 2, ImagePayload(), "x_train");

    private static IdxFileSpec Spec(string name, bool images, int count, byte[] payload, string npzKey)
    {
        var spec = new IdxFileSpec(name, images, count, "", npzKey);
        return spec with { Sha256 = IdxFormat.Sha256Hex(spec.BuildHeader(), payload) };
    }

    /// <summary>The fixed model the <c>weights</c> target loads into: Dense(4→3, relu) → Dense(3→2), compiled with
    /// Adam and trained one step so that its optimizer is built and the optimizer state is read too.</summary>
    internal static Sequential SmallMlp(bool trained)
    {
        var model = new Sequential(
        [
            new InputLayer([4], name: "input_layer"),
            new Dense(3, activation: "relu", name: "dense"),
            new Dense(2, name: "dense_1"),
        ], name: "sequential");
        if (trained)
        {
            model.Compile(optimizer: "adam", loss: "mse");
            var x = new NDArray<float>([.. Enumerable.Range(0, 8).Select(i => i / 8f)], 2, 4);
            var y = new NDArray<float>([0f, 1f, 1f, 0f], 2, 2);
            model.Fit(x, y, epochs: 1, batchSize: 2, shuffle: false, verbose: 0);
        }
        return model;
    }

    private readonly string _directory;
    private Sequential? _weightsModel;

    /// <param name="directory">A private folder for the temporary input files (created; deleted on dispose).</param>
    internal FuzzTargets(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>A private folder under /dev/shm when it exists (no disk writes per execution), else the temp folder.</summary>
    internal static string DefaultDirectory()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        return Path.Combine(root, $"dendrite-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    /// <summary>Whether <paramref name="e"/> is the documented failure of <paramref name="format"/>'s parser.</summary>
    internal static bool IsDocumented(string format, Exception e) => format switch
    {
        "idx" or "npz" or "kerasnpz" => e is DatasetException,
        _ => e is ModelFormatException, // WeightsFileException derives from it
    };

    /// <summary>
    /// Feeds <paramref name="data"/> to <paramref name="format"/>'s parser. Returns "ok" or the documented exception's
    /// type and message; lets any other exception escape.
    /// </summary>
    internal string Run(string format, byte[] data)
    {
        try
        {
            switch (format)
            {
                case "idx": return Idx(data);
                case "npz": return Npz(data);
                case "kerasnpz": return KerasDatasetNpz(data);
                case "weights": return Weights(data);
                case "keras": return WholeModel(data, "input.keras");
                case "h5": return WholeModel(data, "input.h5");
                default: throw new ArgumentException($"unknown format '{format}'; expected one of {string.Join(", ", Formats)}", nameof(format));
            }
        }
        catch (Exception e) when (IsDocumented(format, e))
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    // Raw or gzip (chosen by the gzip magic, as a cache folder holds either), read as both a label and an image file.
    private static string Idx(byte[] data)
    {
        bool gzipped = data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;
        var outcomes = new List<string>();
        foreach (var spec in (ReadOnlySpan<IdxFileSpec>)[Labels, Images])
        {
            try
            {
                using var stream = new MemoryStream(data, writable: false);
                _ = gzipped ? IdxFormat.ReadGzip(stream, spec, "fuzz.gz") : IdxFormat.Read(stream, spec, "fuzz", data.Length);
                outcomes.Add("ok");
            }
            catch (DatasetException e)
            {
                outcomes.Add($"{e.GetType().Name}: {e.Message}");
            }
        }
        return string.Join(" | ", outcomes);
    }

    // The .npz path of NpzSource: open the zip, then read y_train (16 labels) and x_train (2 images) from it.
    private static string Npz(byte[] data)
    {
        using var zip = NpzFormat.OpenArchive(new MemoryStream(data, writable: false), "fuzz.npz");
        var outcomes = new List<string>();
        foreach (var spec in (ReadOnlySpan<IdxFileSpec>)[Labels, Images])
        {
            try
            {
                _ = NpzFormat.ReadArray(zip, spec, "fuzz.npz");
                outcomes.Add("ok");
            }
            catch (DatasetException e)
            {
                outcomes.Add($"{e.GetType().Name}: {e.Message}");
            }
        }
        return string.Join(" | ", outcomes);
    }

    // Keras' small-dataset .npz (imdb, reuters, boston_housing): every entry read as sequences (the object-array
    // pickle reader), as integers and as floats, as the loaders read x, y, x_train, ….
    private static string KerasDatasetNpz(byte[] data)
    {
        using var npz = KerasNpz.Open(data, "fuzz.npz");
        var outcomes = new List<string>();
        foreach (string key in npz.Keys)
        {
            foreach (var read in (Func<string, object>[])[k => npz.ReadSequences(k), k => npz.ReadIntegers(k), k => npz.ReadFloats(k)])
            {
                try
                {
                    _ = read(key);
                    outcomes.Add("ok");
                }
                catch (DatasetException e)
                {
                    outcomes.Add($"{e.GetType().Name}: {e.Message}");
                }
            }
        }
        return string.Join(" | ", outcomes);
    }

    private string Weights(byte[] data)
    {
        _weightsModel ??= SmallMlp(trained: true);
        string path = Path.Combine(_directory, "input.weights.h5");
        File.WriteAllBytes(path, data);
        _weightsModel.LoadWeights(path);
        return "ok";
    }

    private string WholeModel(byte[] data, string name)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, data);
        var model = Model.Load(path);
        return $"ok ({model.Layers.Count} layers)";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
