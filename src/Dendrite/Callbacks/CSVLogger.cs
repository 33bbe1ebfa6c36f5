using System.Globalization;
using System.Text;

namespace Dendrite.Callbacks;

/// <summary>
/// Writes each epoch's logs to a CSV file (Keras' <c>CSVLogger</c>, through Python's <c>csv</c> module): a header
/// <c>epoch,&lt;keys of the first epoch, in alphabetical order&gt;</c>, then one row per epoch with the values as
/// Python prints floats (<c>repr</c>) and <c>NA</c> for a key an epoch lacks, lines ended by <c>\r\n</c>; each row
/// is flushed as it is written, so that the file follows a long run.
/// </summary>
/// <param name="filename">The file; created (or, with <paramref name="append"/>, extended).</param>
/// <param name="separator">The field separator, one character (Python's csv delimiter).</param>
/// <param name="append">
/// Append to an existing file instead of overwriting it; the header is then written only when the file is
/// missing or empty. As in Keras, the columns are still the keys of this run's first epoch.
/// </param>
public sealed class CSVLogger(string filename, string separator = ",", bool append = false) : Callback
{
    private readonly string _separator = separator is { Length: 1 } ? separator : throw new ArgumentException($"\"delimiter\" must be a 1-character string, got \"{separator}\".", nameof(separator));
    private StreamWriter? _writer;
    private string[]? _keys;
    private bool _writeHeader = true;

    /// <summary>The log file.</summary>
    public string Filename { get; } = filename is null ? throw new ArgumentNullException(nameof(filename), "CSVLogger needs a file name.")
        : filename.Length > 0 ? filename : throw new ArgumentException("CSVLogger needs a file name, got an empty string.", nameof(filename));

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        // Keras reads the first line of an existing file and writes a header only when it is empty.
        _writeHeader = !(append && File.Exists(Filename) && new FileInfo(Filename).Length > 0);
        _writer?.Dispose();
        _writer = new StreamWriter(Filename, append, new UTF8Encoding(false)) { NewLine = "\r\n" }; // Python's csv writes \r\n
        _keys = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_writer is null) throw new InvalidOperationException("CSVLogger.OnEpochEnd before OnTrainBegin.");
        if (_keys is null)
        {
            _keys = [.. logs.Keys.OrderBy(k => k, StringComparer.Ordinal)];
            if (_writeHeader) _writer.WriteLine("epoch" + _separator + string.Join(_separator, _keys.Select(Quote)));
        }
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys)
        {
            row.Append(_separator);
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

    /// <summary>Python's csv QUOTE_MINIMAL: a field holding the separator, a quote or a line break is quoted, quotes doubled.</summary>
    private string Quote(string field) =>
        field.Contains(_separator, StringComparison.Ordinal) || field.AsSpan().IndexOfAny('"', '\r', '\n') >= 0
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that read back to the same double, positional when the
    /// decimal exponent is in [-4, 16) (<c>0.0001</c>, <c>1000000000000000.0</c>, always with a fractional part),
    /// otherwise <c>1e-05</c>, <c>1.5e+16</c> (two exponent digits at least); <c>nan</c>, <c>inf</c>, <c>-0.0</c>.
    /// </summary>
    internal static string PythonFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(v) ? "-" : "";
        if (v == 0) return sign + "0.0";
        // .NET's "R" gives the shortest round-trip digits (e.g. "0.0001", "1E-05", "1.5E+20"); take the digits and
        // the decimal point's position, then lay them out as Python does.
        string r = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        int exponent = e >= 0 ? int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        string mantissa = e >= 0 ? r[..e] : r;
        int dot = mantissa.IndexOf('.');
        string all = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
        int pointAt = (dot >= 0 ? dot : mantissa.Length) + exponent; // digits before the point in all × 10^exponent
        int leading = all.Length - all.TrimStart('0').Length;
        string digits = all.Trim('0');
        int decpt = pointAt - leading; // value = 0.<digits> × 10^decpt
        if (decpt > -4 && decpt <= 16)
        {
            if (decpt <= 0) return sign + "0." + new string('0', -decpt) + digits;
            if (decpt >= digits.Length) return sign + digits + new string('0', decpt - digits.Length) + ".0";
            return sign + digits[..decpt] + "." + digits[decpt..];
        }
        int exp = decpt - 1;
        string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + m + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }
}
