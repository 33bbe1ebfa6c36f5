using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// Typed reading of one object's Keras config, with Keras' defaults for missing keys and an error that names the file,
/// the object, the key and the value for anything Dendrite cannot honour. <see cref="Finish"/> refuses keys nobody
/// read unless their value is empty (null, false, an empty list or object): a key from a newer Keras that is left at
/// its default is harmless, one that is set would silently change the model.
/// </summary>
internal sealed class ConfigReader
{
    private readonly JsonObject _config;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <param name="config">The object's <c>config</c>.</param>
    /// <param name="what">The object, for messages: <c>layer 'conv2d' (Conv2D)</c>.</param>
    public ConfigReader(JsonNode? config, string what)
    {
        What = what;
        _config = config as JsonObject ?? throw Fail($"its config should be a JSON object, got {Describe(config)}.");
    }

    /// <summary>The object, for messages.</summary>
    public string What { get; }

    /// <summary>The config itself.</summary>
    public JsonObject Config => _config;

    /// <summary>An error about this object.</summary>
    public ModelFormatException Fail(string message) => new($"{LoadContext.Current.Prefix}{What}: {message}");

    /// <summary>An error about one key's value.</summary>
    public ModelFormatException Cannot(string key, string why) =>
        Fail($"\"{key}\" = {Describe(_config[key])}: {why}");

    /// <summary>Whether the key is present (even as null).</summary>
    public bool Has(string key) => _config.ContainsKey(key);

    /// <summary>The raw value of a key (marks it read).</summary>
    public JsonNode? Node(string key)
    {
        _read.Add(key);
        return _config[key];
    }

    /// <summary>Marks keys as read without looking at them (purely descriptive keys).</summary>
    public void Ignore(params string[] keys)
    {
        foreach (string k in keys) _read.Add(k);
    }

    public string String(string key, string? defaultValue = null) =>
        OptionalString(key) ?? defaultValue ?? throw Fail($"the key \"{key}\" is missing.");

    public string? OptionalString(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw Cannot(key, "a string was expected.");
    }

    public bool Bool(string key, bool defaultValue)
    {
        var node = Node(key);
        if (node is null) return defaultValue;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Cannot(key, "true or false was expected."),
        };
    }

    public double Double(string key, double defaultValue) => OptionalDouble(key) ?? defaultValue;

    public double? OptionalDouble(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        return ToDouble(node) ?? throw Cannot(key, "a number was expected.");
    }

    public long Long(string key, long defaultValue) => OptionalLong(key) ?? defaultValue;

    public long? OptionalLong(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        return ToLong(node) ?? throw Cannot(key, "an integer was expected.");
    }

    public int Int(string key, int defaultValue) => OptionalInt(key) ?? defaultValue;

    public int? OptionalInt(string key)
    {
        long? value = OptionalLong(key);
        if (value is null) return null;
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Cannot(key, "the integer is out of range.");
    }

    /// <summary>An integer or a list of integers (Keras' <c>kernel_size: 3</c> or <c>[3, 3]</c>) as a list of <paramref name="count"/>.</summary>
    public int[]? IntTuple(string key, int count)
    {
        var node = Node(key);
        if (node is null) return null;
        if (ToLong(node) is long single)
            return single is >= 1 and <= int.MaxValue ? Enumerable.Repeat((int)single, count).ToArray() : throw Cannot(key, "a positive integer was expected.");
        var list = IntList(key, node);
        if (list.Length == 1) return Enumerable.Repeat(list[0], count).ToArray();
        return list.Length == count ? list : throw Cannot(key, $"{count} integers were expected.");
    }

    /// <summary>A list of integers, with <c>null</c> kept as −1 where <paramref name="allowNull"/> (a batch axis).</summary>
    public int[] IntList(string key, JsonNode? node, bool allowNull = false)
    {
        if (node is not JsonArray array) throw Cannot(key, "a list of integers was expected.");
        if (array.Count > 64) throw Cannot(key, "more than 64 dimensions.");
        var values = new int[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is null && allowNull) { values[i] = -1; continue; }
            long? v = array[i] is null ? null : ToLong(array[i]!);
            if (v is not long x || x < int.MinValue || x > int.MaxValue) throw Cannot(key, "a list of integers was expected.");
            values[i] = (int)x;
        }
        return values;
    }

    /// <summary>Refuses a key whose value is set to anything but <paramref name="allowed"/> (null when absent).</summary>
    public void RequireDefault(string key, JsonNode? allowed, string why)
    {
        var node = Node(key);
        if (node is null) return; // absent: the default
        bool isDefault = allowed is null ? IsEmpty(node)
            : JsonNode.DeepEquals(node, allowed) || (ToDouble(node) is double a && ToDouble(allowed) is double b && a == b);
        if (!isDefault) throw Cannot(key, why);
    }

    /// <summary>Refuses a key unless it is null, false or empty (regularizers, constraints, lora_rank, …).</summary>
    public void RequireUnset(string key, string why) => RequireDefault(key, null, why);

    /// <summary>Refuses keys that were never read and hold a value (see the class summary).</summary>
    public void Finish()
    {
        foreach (var (key, value) in _config)
            if (!_read.Contains(key) && value is not null && !IsEmpty(value))
                throw Cannot(key, "Dendrite does not know this setting, so it cannot build the object faithfully.");
    }

    internal static bool IsEmpty(JsonNode node) => node switch
    {
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v => v.GetValueKind() == JsonValueKind.False || (v.GetValueKind() == JsonValueKind.Null),
        _ => false,
    };

    internal static double? ToDouble(JsonNode node)
    {
        if (node is not JsonValue v) return null;
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                if (v.TryGetValue(out double d)) return d;
                if (v.TryGetValue(out JsonElement e) && e.TryGetDouble(out d)) return d;
                if (v.TryGetValue(out float f)) return f;
                if (v.TryGetValue(out long l)) return l;
                if (v.TryGetValue(out int i)) return i;
                return null;
            case JsonValueKind.String:
                // PythonJson.Parse quotes Python's bare NaN and Infinity.
                return v.GetValue<string>() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => null };
            default:
                return null;
        }
    }

    internal static long? ToLong(JsonNode node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        if (v.TryGetValue(out long l)) return l;
        if (v.TryGetValue(out int i)) return i;
        if (v.TryGetValue(out JsonElement e) && e.TryGetInt64(out l)) return l;
        // 3.0 written as a float still counts as an integer (Python writes ints, but hand-written files may not).
        double? d = ToDouble(node);
        return d is double x && x == Math.Floor(x) && Math.Abs(x) < 9e15 ? (long)x : null;
    }

    /// <summary>A short rendering of a value for messages (at most 120 characters).</summary>
    internal static string Describe(JsonNode? node)
    {
        string text = node is null ? "null" : PythonJson.Serialize(node);
        return text.Length <= 120 ? text : text[..117] + "...";
    }

    /// <summary>Formats a double as Keras writes it, for messages.</summary>
    internal static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
