using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.Callbacks;
using Dendrite.Saving;

namespace Dendrite;

// Saving and reading a History, so that a training run's curves outlive the process (the `dendrite train`
// command writes them; `dendrite plot` and Dendrite.Plotting read them back). Keras has no such method (its users
// pickle history.history or use CSVLogger); the CSV layout here is exactly CSVLogger's, so either file reads back.
public sealed partial class History
{
    /// <summary>An empty history, to be filled with <see cref="Add"/> (for example from another tool's logs).</summary>
    public History() { }

    /// <summary>Appends one epoch's logs: <paramref name="epoch"/> (0-based) and a value for each key.</summary>
    /// <exception cref="ArgumentException">The epoch is negative or not after the last one added.</exception>
    public void Add(int epoch, IEnumerable<KeyValuePair<string, double>> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (epoch < 0 || (_epochs.Count > 0 && epoch <= _epochs[^1]))
            throw new ArgumentException($"Epochs must be added in increasing order from 0; got {epoch} after {(_epochs.Count > 0 ? _epochs[^1] : -1)}.", nameof(epoch));
        Append(epoch, logs);
    }

    /// <summary>
    /// Writes the history to <paramref name="path"/>: <c>.csv</c> as Keras' <c>CSVLogger</c> writes it (a header
    /// <c>epoch,&lt;keys&gt;</c>, one row per epoch, <c>NA</c> where an epoch lacks a key) or <c>.json</c> as
    /// <c>{"epoch": [0, 1, ...], "accuracy": [...], ...}</c> (Python's <c>json.dump(history.history)</c> plus the
    /// epochs). The file is written to a temporary name and renamed, so a crash never leaves half of it.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is neither <c>.csv</c> nor <c>.json</c>.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = FormatOf(path);
        AtomicFile.Write(path, stream =>
        {
            if (format == ".csv") WriteCsv(stream);
            else WriteJson(stream);
        });
    }

    /// <summary>Reads a history written by <see cref="Save"/> or by <see cref="CSVLogger"/> (<c>.csv</c> or <c>.json</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a history; the message names the file and the line or key.</exception>
    public static History Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = FormatOf(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"History file '{path}' does not exist.", path);
        return format == ".csv" ? ReadCsv(path) : ReadJson(path);
    }

    private static string FormatOf(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".csv" or ".json"
            ? extension
            : throw new ArgumentException($"A history file ends in .csv or .json; got '{path}'.", nameof(path));
    }

    private void WriteCsv(Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\r\n" };
        var keys = _values.Keys.ToArray();
        writer.WriteLine("epoch" + string.Concat(keys.Select(k => "," + QuoteCsv(k))));
        for (int row = 0; row < _epochs.Count; row++)
        {
            var line = new StringBuilder(_epochs[row].ToString(CultureInfo.InvariantCulture));
            foreach (var key in keys)
            {
                var list = _values[key];
                line.Append(',').Append(row < list.Count ? CSVLogger.PythonFloat(list[row]) : "NA");
            }
            writer.WriteLine(line.ToString());
        }
    }

    private void WriteJson(Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("epoch");
        foreach (int epoch in _epochs) writer.WriteNumberValue(epoch);
        writer.WriteEndArray();
        foreach (var (key, list) in _values)
        {
            writer.WriteStartArray(key);
            // JSON has no NaN or infinity; Python's json module writes them as these bare words, and so do we.
            foreach (double v in list)
            {
                if (double.IsFinite(v)) writer.WriteNumberValue(v);
                else writer.WriteRawValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static string QuoteCsv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static History ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new FormatException($"History file '{path}' is empty: expected a header 'epoch,<keys>'.");
        var header = SplitCsv(lines[0], path, 1);
        if (header[0] != "epoch")
            throw new FormatException($"History file '{path}', line 1: the first column must be 'epoch' (as CSVLogger writes it), got '{header[0]}'.");
        var history = new History();
        for (int i = 1; i < lines.Length; i++)
        {
            var fields = SplitCsv(lines[i], path, i + 1);
            if (fields.Count != header.Count)
                throw new FormatException($"History file '{path}', line {i + 1}: expected {header.Count} fields as in the header, got {fields.Count}.");
            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
                throw new FormatException($"History file '{path}', line {i + 1}: the epoch '{fields[0]}' is not a whole number.");
            var logs = new List<KeyValuePair<string, double>>();
            for (int c = 1; c < fields.Count; c++)
            {
                if (fields[c] == "NA") continue;
                logs.Add(new(header[c], ParsePythonFloat(fields[c]) ?? throw new FormatException(
                    $"History file '{path}', line {i + 1}, column '{header[c]}': '{fields[c]}' is not a number.")));
            }
            try { history.Add(epoch, logs); }
            catch (ArgumentException e) { throw new FormatException($"History file '{path}', line {i + 1}: {e.Message}", e); }
        }
        return history;
    }

    private static double? ParsePythonFloat(string text) => text switch
    {
        "nan" or "NaN" => double.NaN,
        "inf" or "Infinity" => double.PositiveInfinity,
        "-inf" or "-Infinity" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null,
    };

    /// <summary>One CSV record (Python's csv dialect: quoted fields with doubled quotes).</summary>
    private static List<string> SplitCsv(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new FormatException($"History file '{path}', line {lineNumber}: a quoted field is not closed.");
        fields.Add(field.ToString());
        return fields;
    }

    private static History ReadJson(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            // Python's json writes NaN and Infinity as bare words, which System.Text.Json refuses: read them as strings.
            string text = BareNonFinite().Replace(File.ReadAllText(path), "\"$1\"");
            try { document = JsonDocument.Parse(text); }
            catch (JsonException) { throw new FormatException($"History file '{path}' is not valid JSON: {e.Message}", e); }
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"History file '{path}': expected a JSON object of per-epoch lists, got {root.ValueKind}.");
            var columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                    throw new FormatException($"History file '{path}': key '{property.Name}' must hold a list of per-epoch values, got {property.Value.ValueKind}.");
                columns[property.Name] = [.. property.Value.EnumerateArray().Select(v => ReadNumber(v, path, property.Name))];
            }
            int epochs = columns.Values.Select(c => c.Length).DefaultIfEmpty(0).Max();
            int[] epochIndices = columns.Remove("epoch", out var given) ? [.. given.Select(e => (int)e)] : [.. Enumerable.Range(0, epochs)];
            foreach (var (key, values) in columns)
                if (values.Length != epochIndices.Length)
                    throw new FormatException($"History file '{path}': key '{key}' has {values.Length} values but there are {epochIndices.Length} epochs.");
            var history = new History();
            for (int e = 0; e < epochIndices.Length; e++)
            {
                try { history.Add(epochIndices[e], columns.Select(kv => new KeyValuePair<string, double>(kv.Key, kv.Value[e]))); }
                catch (ArgumentException x) { throw new FormatException($"History file '{path}': {x.Message}", x); }
            }
            return history;
        }
    }

    /// <summary>A bare NaN, Infinity or -Infinity between JSON punctuation (never inside a quoted string).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[\[,:]\s*)(-?Infinity|NaN)(?=\s*[,\]}])")]
    private static partial System.Text.RegularExpressions.Regex BareNonFinite();

    private static double ReadNumber(JsonElement value, string path, string key) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when ParsePythonFloat(value.GetString()!) is double v => v,
        _ => throw new FormatException($"History file '{path}': key '{key}' holds {value.ValueKind} '{value}', not a number."),
    };
}
