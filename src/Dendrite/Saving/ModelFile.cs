using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// <see cref="Model.Save"/> and <see cref="Model.Load"/>: the reader is picked from the file's content (a zip is a
/// <c>.keras</c> archive, HDF5 with a <c>model_config</c> a legacy <c>.h5</c> model), not from its name.
/// </summary>
internal static class ModelFile
{
    private static readonly byte[] s_zipMagic = "PK\x03\x04"u8.ToArray();
    private static readonly byte[] s_hdf5Magic = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    public static void Save(Model model, string path, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(WeightsFile.KerasSuffix, StringComparison.Ordinal))
        {
            string hint = path.EndsWith(".h5", StringComparison.Ordinal) || path.EndsWith(".hdf5", StringComparison.Ordinal)
                ? " Dendrite reads legacy .h5 models but writes Keras 3's native format only, as Keras recommends."
                : "";
            throw new ArgumentException($"Invalid filepath extension for saving. Please add the `{WeightsFile.KerasSuffix}` extension. Received: filepath={path}.{hint}", nameof(path));
        }
        if (!model.Built)
            throw new InvalidOperationException($"Model '{model.Name}' has not been built yet, so it cannot be saved. Build it first: start it with an InputLayer, call Build(inputShape), or Fit it.");
        if (!overwrite && File.Exists(path)) throw new IOException($"'{path}' already exists and overwrite is false.");
        KerasArchive.Save(model, path);
    }

    public static Model Load(string path, bool compile, IReadOnlyDictionary<string, object>? customObjects)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: '{path}'.", path);
        string description = $"'{path}'";
        using var context = LoadContext.Enter(description, customObjects);
        // Every weight is stored in the file (4 bytes a float at least), which bounds what the config may allocate.
        using var budget = WeightBudget.Limit(new FileInfo(path).Length / 4 + 1024);
        // Loading builds layers, whose initializers would draw from the global generator: they draw from one of their
        // own, so that a seeded run goes on after a load exactly as it would have without one.
        using var random = GlobalRandom.Local();
        try
        {
            return LoadContent(path, description, compile);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or FormatException
            or InvalidDataException or IndexOutOfRangeException or KeyNotFoundException or NotSupportedException or EndOfStreamException
            or InvalidCastException or NullReferenceException or DivideByZeroException or NotImplementedException
            or (IOException and not ModelFormatException and not FileNotFoundException))
        {
            // A reader below met something no check caught by name: still the one error type, naming the file.
            throw new ModelFormatException($"{description} cannot be loaded: it is corrupt or describes something Dendrite cannot build ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static Model LoadContent(string path, string description, bool compile)
    {
        var stream = File.OpenRead(path);
        try
        {
            var head = new byte[8];
            int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (n >= 4 && head.AsSpan(0, 4).SequenceEqual(s_zipMagic))
            {
                using var zip = SafeZip.Open(stream, description);
                return KerasArchive.Load(zip, description, compile);
            }
            if (IsHdf5(stream, head, n))
            {
                using var source = H5WeightsSource.OpenStream(stream, description);
                return LegacyH5Model.Load(source, description, compile);
            }
            stream.Dispose();
            throw new ModelFormatException($"{description} is neither a .keras archive (a zip) nor a legacy Keras .h5 model (HDF5): it starts with bytes {Convert.ToHexString(head, 0, n)}.");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static bool IsHdf5(Stream stream, byte[] head, int n)
    {
        if (n == 8 && head.AsSpan().SequenceEqual(s_hdf5Magic)) return true;
        // HDF5 may start after a user block of 512, 1024, 2048, … bytes.
        var probe = new byte[8];
        for (long offset = 512; offset < Math.Min(stream.Length, 1 << 20); offset *= 2)
        {
            stream.Position = offset;
            if (stream.ReadAtLeast(probe, 8, throwOnEndOfStream: false) == 8 && probe.AsSpan().SequenceEqual(s_hdf5Magic)) { stream.Position = 0; return true; }
        }
        stream.Position = 0;
        return false;
    }

    /// <summary>
    /// Sets the weights from <paramref name="source"/> (when there is one), then compiles the model from
    /// <paramref name="compileConfig"/> (when given) and restores its optimizer's state, under the load context in
    /// force: everything is checked before the model is handed out.
    /// </summary>
    internal static void RestoreState(Model model, H5WeightsSource? source, JsonNode? compileConfig)
    {
        if (source is not null)
            foreach (var (variable, values) in LayerWeights.PlanRestore(model, source)) variable.Assign(values);
        if (compileConfig is null) return;
        CompileConfig.Apply(model, compileConfig);
        // Keras builds the optimizer of a loaded model at once, so that its saved state has somewhere to go.
        model.Optimizer!.EnsureBuilt(model.TrainableWeights);
        if (source is not null) OptimizerState.PlanRestore(model, source)?.Invoke();
    }
}
