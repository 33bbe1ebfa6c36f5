using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Saves the model (or only its weights) at the end of epochs (Keras' <c>ModelCheckpoint</c>), every epoch or, with
/// <paramref name="saveBestOnly"/>, only when the monitored quantity improves. The path may hold Python-style
/// fields filled from the epoch (1-based) and the logs: <c>"ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5"</c>.
/// </summary>
/// <remarks>
/// As in Keras, a whole-model checkpoint (the default) is a <c>.keras</c> archive written with <see cref="Model.Save"/>
/// — architecture, weights, compile settings and optimizer state, from which <see cref="Model.Load"/> resumes
/// training — and a weights-only one (<paramref name="saveWeightsOnly"/>) a <c>.weights.h5</c> file written with
/// <see cref="Model.SaveWeights"/>. Every file is written to a temporary name and renamed, so a crash mid-save keeps
/// the previous checkpoint.
/// </remarks>
/// <param name="filepath">Where to save; may contain <c>{epoch}</c> and log keys with Python format specs.</param>
/// <param name="monitor">The log key compared when <paramref name="saveBestOnly"/>; Keras' default <c>"val_loss"</c>.</param>
/// <param name="verbose">1 prints a line for every save (and every epoch without improvement).</param>
/// <param name="saveBestOnly">Save only when the monitored quantity improves on the best so far.</param>
/// <param name="saveWeightsOnly">Save only the weights (path ending in <c>.weights.h5</c>) instead of the whole model (path ending in <c>.keras</c>).</param>
/// <param name="mode">"auto", "min" or "max", as for <see cref="EarlyStopping"/>.</param>
/// <param name="initialValueThreshold">A first "best" value the quantity must beat before anything is saved.</param>
/// <exception cref="ArgumentException"><paramref name="filepath"/> does not end in <c>.keras</c> (or <c>.weights.h5</c> with <paramref name="saveWeightsOnly"/>).</exception>
/// <exception cref="KeyNotFoundException">
/// At the end of an epoch, a field of <paramref name="filepath"/> is neither <c>epoch</c> nor a key of the logs (Keras'
/// KeyError); the message names the path and the key.
/// </exception>
public sealed class ModelCheckpoint(
    string filepath,
    string monitor = "val_loss",
    int verbose = 0,
    bool saveBestOnly = false,
    bool saveWeightsOnly = false,
    string mode = "auto",
    double? initialValueThreshold = null) : Callback
{
    private readonly string _filepath = CheckPath(filepath, saveWeightsOnly);
    private readonly string _mode = MonitorMode.Check(mode, $"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.");
    private bool? _maximize;

    /// <summary>The best monitored value so far (null before one was seen).</summary>
    public double? Best { get; private set; } = initialValueThreshold;

    private static string CheckPath(string filepath, bool weightsOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(filepath);
        if (weightsOnly)
        {
            if (!filepath.EndsWith(".weights.h5", StringComparison.Ordinal))
                throw new ArgumentException($"When using `saveWeightsOnly: true` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` (Keras weights format). Received: filepath={filepath}", nameof(filepath));
            return filepath;
        }
        if (!filepath.EndsWith(".keras", StringComparison.Ordinal))
            throw new ArgumentException($"The filepath provided must end in `.keras` (Keras model format). Received: filepath={filepath}", nameof(filepath));
        return filepath;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        string path = FormatPath(_filepath, epoch + 1, logs);
        if (!saveBestOnly)
        {
            if (verbose > 0) ProgressDisplay.Output.Write($"\nEpoch {epoch + 1}: saving model to {path}\n");
            Save(path);
            return;
        }
        if (!logs.TryGetValue(monitor, out double current))
        {
            ProgressDisplay.Output.Write($"Warning: Can save best model only with {monitor} available, skipping.\n");
            return;
        }
        _maximize ??= MonitorMode.Maximize(_mode, monitor, Model) ?? throw new ArgumentException(
            $"ModelCheckpoint callback received monitor={monitor}, but Dendrite isn't able to automatically determine whether that metric should be maximized or minimized. Pass `mode: \"max\"` in order to monitor based on the highest metric value, or pass `mode: \"min\"` in order to use the lowest value.");
        bool improved = MonitorMode.Improves(_maximize.Value, current, Best);
        string bestText = Best is double b ? b.ToString("F5", CultureInfo.InvariantCulture) : (_maximize.Value ? "-inf" : "inf");
        if (improved)
        {
            if (verbose > 0)
                ProgressDisplay.Output.Write(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: {monitor} improved from {bestText} to {current:F5}, saving model to {path}\n"));
            Best = current;
            Save(path);
        }
        else if (verbose > 0)
            ProgressDisplay.Output.Write($"\nEpoch {epoch + 1}: {monitor} did not improve from {bestText}\n");
    }

    private void Save(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        if (saveWeightsOnly) Model.SaveWeights(path);
        else Model.Save(path);
    }

    /// <summary>Python's <c>str.format(epoch=…, **logs)</c> for the fields checkpoints use: <c>{name}</c> and <c>{name:spec}</c> with specs like <c>02d</c>, <c>.2f</c>, <c>.4e</c>.</summary>
    internal static string FormatPath(string template, int epoch, IDictionary<string, double> logs) =>
        Regex.Replace(template, @"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:(?<spec>[^}]*))?\}", m =>
        {
            string name = m.Groups["name"].Value, spec = m.Groups["spec"].Value;
            if (name == "epoch") return FormatNumber(epoch, spec, integer: true);
            if (logs.TryGetValue(name, out double value)) return FormatNumber(value, spec, integer: false);
            throw new KeyNotFoundException($"Failed to format this callback filepath: \"{template}\". Reason: the key '{name}' is neither 'epoch' nor in the logs ({string.Join(", ", logs.Keys)}).");
        });

    private static string FormatNumber(double value, string spec, bool integer)
    {
        var m = Regex.Match(spec, @"^(?<zero>0)?(?<width>\d+)?(\.(?<precision>\d+))?(?<type>[dfeg%])?$");
        if (!m.Success) throw new FormatException($"Unsupported format spec '{spec}' in a checkpoint path.");
        string type = m.Groups["type"].Success ? m.Groups["type"].Value : integer ? "d" : "";
        int? precision = m.Groups["precision"].Success ? int.Parse(m.Groups["precision"].Value, CultureInfo.InvariantCulture) : null;
        string text = type switch
        {
            "d" => ((long)value).ToString(CultureInfo.InvariantCulture),
            "f" => value.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            "e" => PythonExponent(value, precision ?? 6),
            "%" => (value * 100).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) + "%",
            _ => integer ? ((long)value).ToString(CultureInfo.InvariantCulture) : CSVLogger.PythonFloat(value),
        };
        if (m.Groups["width"].Success)
        {
            int width = int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture);
            bool zero = m.Groups["zero"].Success;
            if (zero && text.StartsWith('-')) text = "-" + text[1..].PadLeft(width - 1, '0');
            else text = zero ? text.PadLeft(width, '0') : text.PadLeft(width);
        }
        return text;
    }

    /// <summary>Python's <c>{:.Ne}</c>: <c>1.50e-03</c> (at least two exponent digits).</summary>
    private static string PythonExponent(double value, int precision)
    {
        string s = value.ToString("E" + precision, CultureInfo.InvariantCulture); // 1.50E-003
        int e = s.IndexOf('E');
        var sb = new StringBuilder(s[..e]).Append('e').Append(s[e + 1]);
        sb.Append(s[(e + 2)..].TrimStart('0').PadLeft(2, '0'));
        return sb.ToString();
    }
}
