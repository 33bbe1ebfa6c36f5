using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dendrite.Training;

/// <summary>
/// Keras 3's progress bar (<c>keras.utils.Progbar</c>), e.g.
/// <c>469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.9250 - loss: 0.2600</c>.
/// Metric values are shown as given (they are already running means) in the order first seen.
/// </summary>
public sealed class Progbar
{
    private const int Width = 20;
    private const double Interval = 0.05;
    private const char BarChar = '━';
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly int _target;
    private readonly int _verbose;
    private readonly bool _dynamic;
    private readonly TextWriter _output;
    private readonly Func<double> _clock;
    private readonly double _start;
    private readonly List<KeyValuePair<string, double>> _values = [];
    private double _lastUpdate = double.NegativeInfinity; // Keras starts at 0 on an absolute clock: the first update always draws
    private double? _timeAfterFirstStep;
    private int _previousWidth;

    /// <summary>A bar for <paramref name="target"/> steps, printing to <see cref="ProgressDisplay.Output"/> as <see cref="ProgressDisplay.Mode"/> says.</summary>
    /// <param name="target">Total number of steps.</param>
    /// <param name="verbose">1: the bar; 2: one line when finished; 0: nothing.</param>
    public Progbar(int target, int verbose = 1) : this(target, verbose, ProgressDisplay.Output, ProgressDisplay.IsDynamic, null) { }

    internal Progbar(int target, int verbose, TextWriter output, bool dynamic, Func<double>? clock)
    {
        if (target < 1) throw new ArgumentOutOfRangeException(nameof(target), $"target must be at least 1, got {target}.");
        _target = target;
        _verbose = verbose;
        _output = output;
        _dynamic = dynamic;
        if (clock is null)
        {
            var stopwatch = Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed.TotalSeconds;
        }
        _clock = clock;
        _start = _clock();
    }

    /// <summary>Reports that <paramref name="current"/> steps are done, with the latest values of the metrics.</summary>
    public void Update(int current, IEnumerable<KeyValuePair<string, double>>? values = null, bool finalize = false)
    {
        if (values is not null)
            foreach (var (key, value) in values) SetValue(key, value);
        Advance(current, finalize);
    }

    /// <summary>As <see cref="Update(int, IEnumerable{KeyValuePair{string, double}}?, bool)"/>, without allocating (the trainer calls it every step).</summary>
    public void Update(int current, IReadOnlyList<KeyValuePair<string, double>> values, bool finalize = false)
    {
        for (int i = 0; i < values.Count; i++) SetValue(values[i].Key, values[i].Value);
        Advance(current, finalize);
    }

    private void SetValue(string key, double value)
    {
        for (int i = 0; i < _values.Count; i++)
            if (_values[i].Key == key) { _values[i] = new(key, value); return; }
        _values.Add(new(key, value));
    }

    private void Advance(int current, bool finalize)
    {
        double now = _clock();
        double timePerStep = EstimateStepDuration(current, now);
        if (_verbose == 1) WriteBar(current, now, timePerStep, finalize);
        else if (_verbose == 2 && finalize) WriteSummaryLine(now, timePerStep);
    }

    private double EstimateStepDuration(int current, double now)
    {
        if (current <= 0) return 0;
        double perStep = _timeAfterFirstStep is double t && current > 1 ? (now - t) / (current - 1) : (now - _start) / current;
        if (current == 1) _timeAfterFirstStep = now;
        return perStep;
    }

    private void WriteBar(int current, double now, double timePerStep, bool finalize)
    {
        if (!finalize && (!_dynamic || now - _lastUpdate < Interval)) return;
        _lastUpdate = now;
        var line = new StringBuilder();
        string counter = current.ToString(Invariant).PadLeft(_target.ToString(Invariant).Length) + "/" + _target.ToString(Invariant);
        int done = (int)(Width * (double)Math.Min(current, _target) / _target);
        line.Append(Bold(counter)).Append(' ');
        if (done > 0) line.Append(Color("32", new string(BarChar, done)));
        line.Append(Color("37", new string(BarChar, Width - done)));
        if (finalize) line.Append(' ').Append(Bold(FormatFixed(now - _start, 0) + "s"));
        else line.Append(' ').Append(Bold(FormatEta(timePerStep * (_target - current))));
        line.Append(' ').Append(FormatStepTime(timePerStep));
        foreach (var (key, value) in _values)
            line.Append(" - ").Append(key).Append(": ").Append(Math.Abs(value) > 1e-3 ? FormatFixed(value, 4) : FormatScientific(value));
        if (_dynamic)
        {
            int width = line.Length;
            if (_previousWidth > width) line.Append(' ', _previousWidth - width);
            _previousWidth = width;
            line.Insert(0, '\r');
        }
        if (finalize) line.Append('\n');
        _output.Write(line.ToString());
        _output.Flush();
    }

    private void WriteSummaryLine(double now, double timePerStep)
    {
        var line = new StringBuilder();
        line.Append(_target.ToString(Invariant)).Append('/').Append(_target.ToString(Invariant));
        line.Append(" - ").Append(FormatFixed(now - _start, 0)).Append("s - ").Append(FormatStepTime(timePerStep));
        foreach (var (key, value) in _values)
            line.Append(" - ").Append(key).Append(": ").Append(value > 1e-3 ? FormatFixed(value, 4) : FormatScientific(value));
        line.Append('\n');
        _output.Write(line.ToString());
        _output.Flush();
    }

    private string Bold(string text) => _dynamic ? "\x1b[1m" + text + "\x1b[0m" : text;

    private string Color(string code, string text) => _dynamic ? "\x1b[" + code + "m" + text + "\x1b[0m" : text;

    /// <summary>Python's <c>f"{v:.{digits}f}"</c>: exact IEEE rounding, ties to even.</summary>
    internal static string FormatFixed(double value, int digits) =>
        double.IsFinite(value) ? value.ToString("F" + digits.ToString(Invariant), Invariant) : FormatNonFinite(value);

    /// <summary>Python's <c>f"{v:.4e}"</c>, e.g. <c>1.5000e-04</c> (.NET's "E4" would give 1.5000E-004).</summary>
    internal static string FormatScientific(double value) =>
        double.IsFinite(value) ? value.ToString("0.0000e+00", Invariant) : FormatNonFinite(value);

    /// <summary>Python's spelling of the non-finite values (<c>loss: nan</c> when training diverges), not .NET's "NaN"/"Infinity".</summary>
    private static string FormatNonFinite(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";

    /// <summary>Keras' <c>_format_time</c>: <c>2s/step</c>, <c>4ms/step</c> or <c>350us/step</c>.</summary>
    internal static string FormatStepTime(double seconds)
    {
        if (seconds >= 1 || seconds == 0) return FormatFixed(seconds, 0) + "s/step";
        if (seconds >= 1e-3) return FormatFixed(seconds * 1e3, 0) + "ms/step";
        return FormatFixed(seconds * 1e6, 0) + "us/step";
    }

    /// <summary>Keras' ETA: <c>h:mm:ss</c> above an hour, <c>m:ss</c> above a minute, else <c>Ns</c>.</summary>
    internal static string FormatEta(double seconds)
    {
        long eta = (long)seconds;
        // The thresholds compare the unrounded value, as Keras does (60.5 s is "1:00", not "60s").
        if (seconds > 3600) return string.Create(Invariant, $"{eta / 3600}:{eta % 3600 / 60:00}:{eta % 60:00}");
        if (seconds > 60) return string.Create(Invariant, $"{eta / 60}:{eta % 60:00}");
        return string.Create(Invariant, $"{eta}s");
    }
}
