using System.Globalization;
using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Multiplies the learning rate by <paramref name="factor"/> when a monitored quantity has not improved for
/// <paramref name="patience"/> epochs (Keras 3's <c>ReduceLROnPlateau</c>, same defaults and rule), then waits
/// <paramref name="cooldown"/> epochs before counting again; never below <paramref name="minLr"/>. Logs the rate
/// in effect during the epoch as <c>learning_rate</c> at every epoch end (before any reduction).
/// </summary>
/// <remarks>
/// An epoch improves when <c>current − |minDelta|</c> beats the best (for "min"; <c>+</c> for "max"); the first epoch
/// of a <c>Fit</c> always does. The direction in <c>mode: "auto"</c> is settled at the first epoch end as in Keras:
/// <c>loss</c>/<c>val_loss</c> down, a compiled metric its own way (accuracies up), any other name an
/// <see cref="ArgumentException"/>.
/// </remarks>
/// <param name="monitor">The log key to watch; Keras' default <c>"val_loss"</c>.</param>
/// <param name="factor">The reduction factor, below 1.</param>
/// <param name="patience">Epochs without improvement before reducing.</param>
/// <param name="verbose">1 prints every reduction.</param>
/// <param name="mode">"auto", "min" or "max"; anything else warns and falls back to "auto", as in Keras.</param>
/// <param name="minDelta">The smallest change that counts as an improvement.</param>
/// <param name="cooldown">Epochs after a reduction during which no waiting is counted.</param>
/// <param name="minLr">The lowest rate.</param>
public sealed class ReduceLROnPlateau(
    string monitor = "val_loss",
    double factor = 0.1,
    int patience = 10,
    int verbose = 0,
    string mode = "auto",
    double minDelta = 1e-4,
    int cooldown = 0,
    double minLr = 0.0) : Callback
{
    private readonly double _factor = CheckArguments(factor, patience, cooldown, minLr, minDelta);
    private readonly string _mode = MonitorMode.Check(mode, $"ReduceLROnPlateau mode '{mode}' is unknown, fallback to auto mode.");
    private readonly double _minDelta = Math.Abs(minDelta);
    private bool? _maximize;
    private double? _best;
    private int _wait, _cooldownCounter;
    private bool _warnedMissing;

    /// <summary>Keras' refusal of a factor ≥ 1, plus what would silently break the schedule: NaN or negative values.</summary>
    private static double CheckArguments(double factor, int patience, int cooldown, double minLr, double minDelta)
    {
        if (factor >= 1.0) throw new ArgumentOutOfRangeException(nameof(factor), $"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={CSVLogger.PythonFloat(factor)}");
        if (!(factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), $"ReduceLROnPlateau needs a factor in [0, 1). Received factor={CSVLogger.PythonFloat(factor)}");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), $"ReduceLROnPlateau needs patience >= 0. Received patience={patience}");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), $"ReduceLROnPlateau needs cooldown >= 0. Received cooldown={cooldown}");
        if (!(minLr >= 0) || double.IsPositiveInfinity(minLr)) throw new ArgumentOutOfRangeException(nameof(minLr), $"ReduceLROnPlateau needs a finite minLr >= 0. Received minLr={CSVLogger.PythonFloat(minLr)}");
        if (!double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), $"ReduceLROnPlateau needs a finite minDelta. Received minDelta={CSVLogger.PythonFloat(minDelta)}");
        return factor;
    }

    private bool Improves(double current) => MonitorMode.Improves(_maximize!.Value, current, _best, _minDelta);

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _best = null;
        _wait = 0;
        _cooldownCounter = 0;
        _warnedMissing = false;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _maximize ??= MonitorMode.Maximize(_mode, monitor, Model) ?? throw new ArgumentException(
            $"ReduceLROnPlateau callback received monitor={monitor}, but Dendrite isn't able to automatically determine whether that metric should be maximized or minimized. Pass mode: \"max\" in order to monitor based on the highest metric value, or pass mode: \"min\" in order to use the lowest value.");
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model.");
        logs["learning_rate"] = optimizer.LearningRate;
        if (!logs.TryGetValue(monitor, out double current))
        {
            // Python's warnings module shows a repeated warning once; once per Fit here.
            if (!_warnedMissing)
                ProgressDisplay.Output.Write($"Warning: Learning rate reduction is conditioned on metric `{monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}.\n");
            _warnedMissing = true;
            return;
        }
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _wait = 0;
        }
        if (Improves(current))
        {
            _best = current;
            _wait = 0;
        }
        else if (_cooldownCounter <= 0)
        {
            _wait++;
            if (_wait >= patience)
            {
                // Keras: the float32 rate read as a Python float, compared with float32(min_lr); the new rate is
                // computed in double (that is what it prints) and stored in the float32 variable.
                double old = optimizer.LearningRate;
                if (old > (float)minLr)
                {
                    double rate = Math.Max(old * _factor, minLr);
                    optimizer.LearningRate = (float)rate;
                    if (verbose > 0)
                        ProgressDisplay.Output.Write(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {CSVLogger.PythonFloat(rate)}.\n"));
                    _cooldownCounter = cooldown;
                    _wait = 0;
                }
            }
        }
    }
}
