using System.Globalization;
using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Multiplies the learning rate by <paramref name="factor"/> when a monitored quantity has not improved for
/// <paramref name="patience"/> epochs (Keras' <c>ReduceLROnPlateau</c>, same defaults and rule), then waits
/// <paramref name="cooldown"/> epochs before counting again; never below <paramref name="minLr"/>. Logs the rate as
/// <c>learning_rate</c> every epoch.
/// </summary>
/// <param name="monitor">The log key to watch; Keras' default <c>"val_loss"</c>.</param>
/// <param name="factor">The reduction factor, below 1.</param>
/// <param name="patience">Epochs without improvement before reducing.</param>
/// <param name="verbose">1 prints every reduction.</param>
/// <param name="mode">"auto" (max when the name contains "acc", else min), "min" or "max".</param>
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
    private readonly double _factor = factor < 1.0 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), FormattableString.Invariant($"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"));
    private readonly bool _maximize = mode?.ToLowerInvariant() switch
    {
        "min" => false,
        "max" => true,
        "auto" => monitor.Contains("acc", StringComparison.Ordinal),
        _ => throw new ArgumentException($"ReduceLROnPlateau: mode must be \"auto\", \"min\" or \"max\", got \"{mode}\"."),
    };
    private double _best;
    private int _wait, _cooldownCounter;

    private bool Improves(double current) => _maximize ? current > _best + minDelta : current < _best - minDelta;

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _best = _maximize ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownCounter = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model.");
        logs["learning_rate"] = optimizer.LearningRate;
        if (!logs.TryGetValue(monitor, out double current))
        {
            ProgressDisplay.Output.Write($"Warning: Learning rate reduction is conditioned on metric `{monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}.\n");
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
                double old = optimizer.LearningRate;
                if (old > minLr)
                {
                    double rate = Math.Max(old * _factor, minLr);
                    optimizer.LearningRate = (float)rate;
                    if (verbose > 0)
                        ProgressDisplay.Output.Write(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {(float)rate}.\n"));
                    _cooldownCounter = cooldown;
                    _wait = 0;
                }
            }
        }
    }
}
