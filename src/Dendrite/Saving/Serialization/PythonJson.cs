using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Callbacks;

namespace Dendrite.Saving;

/// <summary>
/// JSON text as Python's <c>json.dumps</c> writes it with its defaults, which is how Keras writes <c>config.json</c>:
/// <c>", "</c> and <c>": "</c> separators, non-ASCII characters escaped, floats in Python's <c>repr</c>
/// (<c>1e-07</c>, <c>0.0010000000474974513</c>, <c>1.0</c>), <c>NaN</c>/<c>Infinity</c> as Python spells them.
/// And the reverse: parsing with a nesting limit, so a hostile file cannot exhaust the stack.
/// </summary>
internal static class PythonJson
{
    /// <summary>How deep objects and arrays may nest; Keras' own configs stay below 20.</summary>
    public const int MaxDepth = 64;

    public static string Serialize(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                bool first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteString(key, sb);
                    sb.Append(": ");
                    Write(value, sb);
                }
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(array[i], sb);
                }
                sb.Append(']');
                break;
            case JsonValue value:
                WriteValue(value, sb);
                break;
        }
    }

    private static void WriteValue(JsonValue value, StringBuilder sb)
    {
        if (value.TryGetValue(out string? s)) { WriteString(s, sb); return; }
        if (value.TryGetValue(out bool b)) { sb.Append(b ? "true" : "false"); return; }
        if (value.TryGetValue(out int i)) { sb.Append(i.ToString(CultureInfo.InvariantCulture)); return; }
        if (value.TryGetValue(out long l)) { sb.Append(l.ToString(CultureInfo.InvariantCulture)); return; }
        if (value.TryGetValue(out double d)) { sb.Append(Float(d)); return; }
        if (value.TryGetValue(out float f)) { sb.Append(Float(f)); return; }
        if (value.TryGetValue(out JsonElement e))
        {
            // Parsed text keeps its own spelling of numbers (an int stays "3", a float "0.5").
            sb.Append(e.ValueKind == JsonValueKind.String ? Quote(e.GetString()!) : e.GetRawText());
            return;
        }
        throw new InvalidOperationException($"Cannot write a JSON value of type {value.GetValueKind()}.");
    }

    private static string Float(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : CSVLogger.PythonFloat(d);

    private static string Quote(string s)
    {
        var sb = new StringBuilder();
        WriteString(s, sb);
        return sb.ToString();
    }

    private static void WriteString(string s, StringBuilder sb)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// Parses JSON that Python wrote: <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> are read as numbers (Python
    /// writes them bare); nesting deeper than <see cref="MaxDepth"/> is refused. Returns null for the JSON <c>null</c>.
    /// </summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static JsonNode? Parse(string text)
    {
        // Python's bare NaN/Infinity are not JSON: quote them outside strings so the parser takes them, then the
        // readers accept those strings where a number is expected.
        text = QuoteNonFinite(text);
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth });
    }

    private static string QuoteNonFinite(string text)
    {
        if (!text.Contains("NaN", StringComparison.Ordinal) && !text.Contains("Infinity", StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length + 16);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) sb.Append(text[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            foreach (string word in (ReadOnlySpan<string>)["-Infinity", "Infinity", "NaN"])
                if (string.CompareOrdinal(text, i, word, 0, word.Length) == 0)
                {
                    sb.Append('"').Append(word).Append('"');
                    i += word.Length - 1;
                    goto next;
                }
            sb.Append(c);
        next:;
        }
        return sb.ToString();
    }
}
