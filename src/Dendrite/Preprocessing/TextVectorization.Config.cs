using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras 3's TextVectorization config: base keys (name, trainable, dtype), then the layer's own in Keras' order.

public sealed partial class TextVectorization
{
    /// <summary>
    /// The layer's Keras config (<c>get_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>, <c>max_tokens</c>,
    /// <c>standardize</c>, <c>split</c>, <c>ngrams</c>, <c>output_mode</c>, <c>output_sequence_length</c>,
    /// <c>pad_to_max_tokens</c>, <c>sparse</c>, <c>ragged</c>, <c>vocabulary</c>, <c>idf_weights</c>,
    /// <c>encoding</c>, <c>vocabulary_size</c>.
    /// </summary>
    /// <remarks>
    /// One deliberate difference: Keras writes <c>vocabulary: null</c> for an adapted layer and keeps the learned
    /// vocabulary in the <c>.keras</c> archive (<c>assets/vocabulary.txt</c>, and the idf weights among the
    /// variables). A standalone preprocessor has no archive, so Dendrite writes the learned vocabulary into the
    /// config, with the reserved tokens in front (and, in tf_idf mode, every weight, the OOV one first). Keras'
    /// <c>from_config</c> reads such a config into a layer that gives the same outputs (its <c>set_vocabulary</c>
    /// recognises the reserved tokens), so <c>FromConfig(GetConfig())</c> round-trips in both libraries. A vocabulary
    /// given to the constructor is written as given, as Keras does.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The layer has a custom standardize or split function, which a config cannot hold.</exception>
    public JsonObject GetConfig()
    {
        if (_standardizeFunction is not null || _splitFunction is not null)
            throw new InvalidOperationException($"TextVectorization '{Name}' uses a custom {(_standardizeFunction is not null ? "standardize" : "split")} function, which cannot be written into a config (Keras would need it registered as a serializable function).");
        JsonNode? ngrams = Ngrams is int n ? n : _ngramWidths is { } widths ? new JsonArray([.. widths.Select(w => (JsonNode?)w)]) : null;
        string[]? vocabulary = _hasInputVocabulary ? _inputVocabulary : _tokens is null ? null : [.. GetVocabulary(includeSpecialTokens: true)];
        float[]? idf = _hasInputVocabulary ? _inputIdfWeights : _idfWeights?[..VocabularySize()];
        return new JsonObject
        {
            ["name"] = Name,
            ["trainable"] = true,
            ["dtype"] = KerasObject.Float32Policy(),
            ["max_tokens"] = MaxTokens,
            ["standardize"] = Standardize,
            ["split"] = Split,
            ["ngrams"] = ngrams,
            ["output_mode"] = OutputMode,
            ["output_sequence_length"] = OutputSequenceLength,
            ["pad_to_max_tokens"] = PadToMaxTokens,
            ["sparse"] = false,
            ["ragged"] = false,
            ["vocabulary"] = vocabulary is null ? null : new JsonArray([.. vocabulary.Select(v => (JsonNode?)v)]),
            ["idf_weights"] = idf is null ? null : new JsonArray([.. idf.Select(w => (JsonNode?)KerasObject.Float(w))]),
            ["encoding"] = "utf-8",
            ["vocabulary_size"] = VocabularySize(),
        };
    }

    /// <summary>The layer as Keras serializes it: <c>{"module": "keras.layers", "class_name": "TextVectorization", "config": …, "registered_name": null}</c>.</summary>
    public JsonObject Serialize() => KerasObject.Create("keras.layers", "TextVectorization", GetConfig());

    /// <summary>
    /// Rebuilds the layer from a Keras config (Keras' <c>from_config</c>), from Keras or from <see cref="GetConfig"/>.
    /// A Keras config of an adapted layer has no vocabulary (Keras keeps it in the model archive): the layer then
    /// knows its vocabulary size and waits for <see cref="SetVocabulary"/> with the lines of that
    /// <c>vocabulary.txt</c>.
    /// </summary>
    /// <exception cref="ModelFormatException">A key holds something Dendrite cannot honour (a serialized custom function,
    /// a vocabulary file path, sparse or ragged output, another encoding), naming the key and the value.</exception>
    public static TextVectorization FromConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? name = config["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        return KerasRegistry.ReadConfig(config, name is null ? "layer of class TextVectorization" : $"layer '{name}' (TextVectorization)", c =>
        {
            c.OptionalString("name");
            c.Bool("trainable", true);
            c.Ignore("dtype"); // the policy of a string layer changes nothing Dendrite computes
            c.RequireUnset("sparse", "Dendrite has no sparse tensors.");
            c.RequireUnset("ragged", "Dendrite has no ragged tensors; pad with output_sequence_length instead.");
            string encoding = c.String("encoding", "utf-8");
            if (!string.Equals(encoding.Replace("-", "", StringComparison.Ordinal), "utf8", StringComparison.OrdinalIgnoreCase))
                throw c.Cannot("encoding", "Dendrite reads text as .NET strings; only utf-8 is supported.");

            int? ngrams = null;
            int[]? widths = null;
            if (c.Node("ngrams") is { } ngramNode)
            {
                if (ConfigReader.ToLong(ngramNode) is long single) ngrams = (int)Math.Clamp(single, int.MinValue, int.MaxValue);
                else widths = c.IntList("ngrams", ngramNode);
            }
            var vocabulary = StringList(c, "vocabulary");
            float[]? idf = c.Node("idf_weights") is { } idfNode
                ? idfNode is JsonArray weights ? [.. weights.Select(w => (float)(w is null ? throw c.Cannot("idf_weights", "a list of numbers was expected.") : ConfigReader.ToDouble(w) ?? throw c.Cannot("idf_weights", "a list of numbers was expected.")))]
                    : throw c.Cannot("idf_weights", "a list of numbers was expected.")
                : null;
            int? vocabularySize = c.OptionalInt("vocabulary_size");

            var layer = new TextVectorization(
                maxTokens: c.OptionalInt("max_tokens"),
                standardize: NamedFunction(c, "standardize", "lower_and_strip_punctuation"),
                split: NamedFunction(c, "split", "whitespace"),
                ngrams: ngrams,
                outputMode: c.String("output_mode", "int"),
                outputSequenceLength: c.OptionalInt("output_sequence_length"),
                padToMaxTokens: c.Bool("pad_to_max_tokens", false),
                vocabulary: vocabulary,
                idfWeights: idf,
                name: name,
                ngramWidths: widths);
            if (vocabulary is null && vocabularySize is int size && !layer.IntMode && !layer.PadToMaxTokens)
                layer._frozenVocabularySize = size; // Keras' vocabulary_size: the width the saved vocabulary must restore
            return layer;
        });
    }

    /// <summary>A standardize or split option: a name, null, or absent (the default); a serialized custom function is refused.</summary>
    private static string? NamedFunction(ConfigReader c, string key, string defaultValue)
    {
        if (!c.Has(key))
            return defaultValue;
        var node = c.Node(key);
        if (node is null)
            return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            return v.GetValue<string>();
        throw c.Cannot(key, "a custom function cannot be restored from a config; create the layer in code with the function instead.");
    }

    private static string[]? StringList(ConfigReader c, string key)
    {
        var node = c.Node(key);
        if (node is null)
            return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            throw c.Cannot(key, "a vocabulary file path is not loaded from a config (Keras refuses it too in safe mode); read the file and pass its lines.");
        if (node is not JsonArray array)
            throw c.Cannot(key, "a list of strings was expected.");
        return [.. array.Select(e => e is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : throw c.Cannot(key, "a list of strings was expected."))];
    }
}
