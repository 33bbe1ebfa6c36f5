using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Stops training when a monitored quantity has stopped improving (Keras' <c>EarlyStopping</c>, same defaults and
/// rule): an epoch improves when <c>current − minDelta</c> beats the best so far (for "min"; <c>+</c> for "max");
/// after <paramref name="patience"/> epochs without improvement, <see cref="Model.StopTraining"/> is set and, with
/// <paramref name="restoreBestWeights"/>, the weights of the best epoch are put back.
/// </summary>
/// <param name="monitor">The log key to watch; Keras' default <c>"val_loss"</c>.</param>
/// <param name="minDelta">The smallest change that counts as an improvement.</param>
/// <param name="patience">Epochs without improvement before stopping.</param>
/// <param name="verbose">1 prints when stopping and restoring.</param>
/// <param name="mode">"auto" (from the name), "min" or "max".</param>
/// <param name="baseline">Training stops unless the quantity beats this value within <paramref name="patience"/> epochs.</param>
/// <param name="restoreBestWeights">Put back the weights of the best epoch when stopping (Keras restores only when it stops early).</param>
/// <param name="startFromEpoch">Epochs to wait before monitoring starts (a warm-up).</param>
public sealed class EarlyStopping(
    string monitor = "val_loss",
    double minDelta = 0,
    int patience = 0,
    int verbose = 0,
    string mode = "auto",
    double? baseline = null,
    bool restoreBestWeights = false,
    int startFromEpoch = 0) : Callback
{
    private readonly bool _maximize = MonitorMode.Maximize(mode, monitor, "EarlyStopping");
    private IReadOnlyList<NDArray<float>>? _bestWeights;
    private int _wait;

    /// <summary>The monitored log key.</summary>
    public string Monitor { get; } = monitor;

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), $"patience must be >= 0, got {patience}.");

    /// <summary>The best value seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>The (0-based) epoch of the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The (0-based) epoch at which training was stopped, or 0 when it was not.</summary>
    public int StoppedEpoch { get; private set; }

    private bool IsImprovement(double current, double reference) =>
        _maximize ? current - Math.Abs(minDelta) > reference : current + Math.Abs(minDelta) < reference;

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _wait = 0;
        StoppedEpoch = 0;
        Best = _maximize ? double.NegativeInfinity : double.PositiveInfinity;
        _bestWeights = null;
        BestEpoch = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out double current))
        {
            ProgressDisplay.Output.Write($"Warning: Early stopping conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}\n");
            return;
        }
        if (epoch < startFromEpoch) return;
        if (restoreBestWeights && _bestWeights is null) _bestWeights = Model.GetWeights(); // the weights of the first monitored epoch
        _wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (restoreBestWeights) _bestWeights = Model.GetWeights();
            // Only an improvement over the baseline (when there is one) resets the patience.
            if (baseline is not double b || IsImprovement(current, b))
            {
                _wait = 0;
                return;
            }
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
            if (restoreBestWeights && _bestWeights is not null)
            {
                if (verbose > 0) ProgressDisplay.Output.Write($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.\n");
                Model.SetWeights(_bestWeights);
            }
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (StoppedEpoch > 0 && verbose > 0) ProgressDisplay.Output.Write($"Epoch {StoppedEpoch + 1}: early stopping\n");
    }
}
