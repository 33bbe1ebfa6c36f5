using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// Keras 3's native <c>.keras</c> format (<c>keras/src/saving/saving_lib.py</c>): an uncompressed zip of
/// <c>metadata.json</c>, <c>config.json</c> (the model's serialized form with its <c>compile_config</c>) and
/// <c>model.weights.h5</c> (layers, then the optimizer's state), in that order.
/// </summary>
internal static class KerasArchive
{
    public const string MetadataMember = "metadata.json";
    public const string ConfigMember = "config.json";

    /// <summary>
    /// The Keras version whose schema Dendrite writes: layer dtypes as <c>DTypePolicy</c> objects (3.4 and later), no
    /// <c>optional</c> input key or <c>quantization_config</c> (3.13 and later); Keras 3.0 to 3.15 load it.
    /// </summary>
    public const string KerasVersion = "3.12.0";

    /// <summary>Caps on member sizes: JSON members are small in real files (a few KiB), weights can be large.</summary>
    public const long MaxJsonBytes = 64L << 20, MaxWeightsBytes = int.MaxValue - 64;

    public static void Save(Model model, string path)
    {
        var config = ModelConfig.Serialize(model);
        if (CompileConfig.Serialize(model) is { } compile) config["compile_config"] = compile;
        var metadata = new JsonObject
        {
            ["keras_version"] = KerasVersion,
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", CultureInfo.InvariantCulture),
        };
        var weights = new MemoryStream();
        H5WeightsWriter.Write(model, KerasLayout.Walk(model), OptimizerState.Capture(model), weights);

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, MetadataMember, Encoding.UTF8.GetBytes(PythonJson.Serialize(metadata)));
            Add(zip, ConfigMember, Encoding.UTF8.GetBytes(PythonJson.Serialize(config)));
            Add(zip, H5WeightsSource.KerasWeightsMember, weights.GetBuffer().AsSpan(0, (int)weights.Length));
        });
    }

    private static void Add(ZipArchive zip, string name, ReadOnlySpan<byte> content)
    {
        // Stored, not deflated, as Python's zipfile writes Keras archives, with the fixed time Keras' members carry.
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var output = entry.Open();
        output.Write(content);
    }

    /// <summary>Reads a whole model from an open archive.</summary>
    public static Model Load(SafeZip zip, string description, bool compile)
    {
        var configBytes = zip.Read(ConfigMember, MaxJsonBytes)
            ?? throw new ModelFormatException($"{description} holds no {ConfigMember}, so it describes no model (its members: {string.Join(", ", zip.Names)}). A .keras file is a zip of metadata.json, config.json and model.weights.h5.");
        var metadataBytes = zip.Read(MetadataMember, MaxJsonBytes);
        using var context = LoadContext.Enter($"{description} (member {ConfigMember})", null);
        var config = ParseJson(configBytes, description, ConfigMember);
        if (metadataBytes is not null) ParseJson(metadataBytes, description, MetadataMember);

        var model = ModelConfig.Deserialize(config);
        JsonNode? compileConfig = compile && config is JsonObject o ? o["compile_config"] : null;
        // A model without weights may come without its weights member.
        using var source = zip.Contains(H5WeightsSource.KerasWeightsMember) || model.Weights.Count > 0
            ? H5WeightsSource.OpenKerasArchive(zip, description) : null;
        ModelFile.RestoreState(model, source, compileConfig);
        return model;
    }

    private static JsonNode? ParseJson(byte[] bytes, string description, string member)
    {
        try
        {
            return PythonJson.Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or InvalidOperationException)
        {
            throw new ModelFormatException($"{description} (member {member}) is not valid JSON: {e.Message}", e);
        }
    }
}
