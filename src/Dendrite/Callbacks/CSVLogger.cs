using System.Globalization;
using System.Text;

namespace Dendrite.Callbacks;

/// <summary>
/// Writes each epoch's logs to a CSV file (Keras' <c>CSVLogger</c>): a header <c>epoch,&lt;keys in alphabetical
/// order&gt;</c>, then one row per epoch, flushed as it is written so that the file follows a long run.
/// </summary>
/// <param name="filename">The file; created (or, with <paramref name="append"/>, extended).</param>
/// <param name="separator">The field separator.</param>
/// <param name="append">Append to an existing file (no second header) instead of overwriting it.</param>
public sealed class CSVLogger(string filename, string separator = ",", bool append = false) : Callback
{
    private StreamWriter? _writer;
    private string[]? _keys;

    /// <summary>The log file.</summary>
    public string Filename { get; } = !string.IsNullOrEmpty(filename) ? filename : throw new ArgumentException("CSVLogger needs a file name.", nameof(filename));

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        bool hasContent = append && File.Exists(Filename) && new FileInfo(Filename).Length > 0;
        _writer = new StreamWriter(Filename, append, new UTF8Encoding(false)) { NewLine = "\r\n" }; // Python's csv writes \r\n
        _keys = hasContent ? ReadHeaderKeys() : null;
    }

    private string[]? ReadHeaderKeys()
    {
        using var reader = new StreamReader(new FileStream(Filename, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        string? header = reader.ReadLine();
        return header?.Split(separator).Skip(1).ToArray();
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_writer is null) throw new InvalidOperationException("CSVLogger.OnEpochEnd before OnTrainBegin.");
        if (_keys is null)
        {
            _keys = [.. logs.Keys.OrderBy(k => k, StringComparer.Ordinal)];
            _writer.WriteLine("epoch" + separator + string.Join(separator, _keys));
        }
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys)
        {
            row.Append(separator);
            row.Append(logs.TryGetValue(key, out double v) ? PythonFloat(v) : "NA");
        }
        _writer.WriteLine(row.ToString());
        _writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _writer?.Dispose();
        _writer = null;
    }

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>1.0</c> not <c>1</c>, <c>1e-05</c>, <c>nan</c>, <c>inf</c>.</summary>
    internal static string PythonFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e >= 0)
        {
            // .NET: 1E-05 / 1.5E+20; Python: 1e-05 / 1.5e+20 (at least two exponent digits).
            string mantissa = s[..e], exponent = s[(e + 1)..];
            char sign = exponent[0] == '-' ? '-' : '+';
            string digits = exponent.TrimStart('+', '-').PadLeft(2, '0');
            return $"{mantissa}e{sign}{digits}";
        }
        return s.Contains('.') ? s : s + ".0";
    }
}
