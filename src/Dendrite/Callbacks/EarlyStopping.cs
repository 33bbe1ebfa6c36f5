using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Stops training when a monitored quantity has stopped improving (Keras 3's <c>EarlyStopping</c>, same defaults
/// and rule). At each epoch end (from <c>startFromEpoch</c> on) the wait grows by one; an epoch improves
/// when <c>current − minDelta</c> beats the best so far (for "min"; <c>+</c> for "max"; the first monitored epoch
/// always does), which resets the wait only if it also beats <c>baseline</c> (when given). When an epoch
/// does not improve and the wait has reached <c>patience</c>, <see cref="Model.StopTraining"/> is set.
/// With <c>restoreBestWeights</c>, the weights of the best epoch are put back when training ends,
/// however it ends (early stop, another callback's stop, or the last epoch), as Keras 3 does.
/// </summary>
/// <remarks>
/// With <c>mode: "auto"</c> the direction is settled at the first epoch end, as in Keras: <c>loss</c> and
/// <c>val_loss</c> go down, a compiled metric goes its own way (accuracies up), and any other name is an
/// <see cref="ArgumentException"/> asking for <c>mode: "min"</c> or <c>"max"</c>.
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private readonly string _mode;
    private readonly double _minDelta;
    private readonly int _verbose;
    private readonly double? _baseline;
    private readonly bool _restoreBestWeights;
    private readonly int _startFromEpoch;
    private bool? _maximize;
    private bool _warnedMissing;
    private IReadOnlyList<NDArray<float>>? _bestWeights;
    private int _wait;

    /// <summary>Creates the callback; the defaults are Keras'.</summary>
    /// <param name="monitor">The log key to watch; Keras' default <c>"val_loss"</c>.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="verbose">1 prints when stopping and restoring.</param>
    /// <param name="mode">"auto" (from the name), "min" or "max"; anything else warns and falls back to "auto", as in Keras.</param>
    /// <param name="baseline">Training stops unless the quantity beats this value within <paramref name="patience"/> epochs.</param>
    /// <param name="restoreBestWeights">Put back the weights of the best epoch when training ends.</param>
    /// <param name="startFromEpoch">Epochs to wait before monitoring starts (a warm-up).</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0,
        string mode = "auto", double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        Monitor = monitor ?? throw new ArgumentNullException(nameof(monitor));
        Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), $"patience must be >= 0, got {patience}.");
        _minDelta = double.IsFinite(minDelta) ? Math.Abs(minDelta)
            : throw new ArgumentOutOfRangeException(nameof(minDelta), $"EarlyStopping needs a finite minDelta (NaN or infinity would never count as an improvement). Received minDelta={CSVLogger.PythonFloat(minDelta)}");
        _verbose = verbose;
        _baseline = baseline;
        _restoreBestWeights = restoreBestWeights;
        _startFromEpoch = startFromEpoch;
        _mode = MonitorMode.Check(mode, $"EarlyStopping mode {mode} is unknown, fallback to auto mode.");
    }

    /// <summary>The monitored log key.</summary>
    public string Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The best value seen in this <c>Fit</c>; null before the first monitored epoch (Keras' <c>None</c>).</summary>
    public double? Best { get; private set; }

    /// <summary>The (0-based) epoch of the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The (0-based) epoch at which this callback stopped training, or 0 when it did not.</summary>
    public int StoppedEpoch { get; private set; }

    private bool IsImprovement(double current, double? reference) => MonitorMode.Improves(_maximize!.Value, current, reference, _minDelta);

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _wait = 0;
        StoppedEpoch = 0;
        Best = null;
        _bestWeights = null;
        BestEpoch = 0;
        _warnedMissing = false;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _maximize ??= MonitorMode.Maximize(_mode, Monitor, Model) ?? throw new ArgumentException(
            $"EarlyStopping callback received monitor={Monitor} but Dendrite isn't able to automatically determine whether that metric should be maximized or minimized. Pass mode: \"max\" in order to do early stopping based on the highest metric value, or pass mode: \"min\" in order to use the lowest value.");
        if (!logs.TryGetValue(Monitor, out double current))
        {
            // Python's warnings module shows a repeated warning once; once per Fit here.
            if (!_warnedMissing)
                ProgressDisplay.Output.Write($"Warning: Early stopping conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}\n");
            _warnedMissing = true;
            return;
        }
        if (epoch < _startFromEpoch) return;
        // (Keras also takes the weights here when it has none yet; with no best value yet, this epoch is an
        // improvement below and takes them anyway, so that copy is left out.)
        _wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (_restoreBestWeights) _bestWeights = Model.GetWeights();
            // Only restart the wait when the value beats both the previous best and the baseline.
            if (_baseline is null || IsImprovement(current, _baseline)) _wait = 0;
            return;
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (StoppedEpoch > 0 && _verbose > 0) ProgressDisplay.Output.Write($"Epoch {StoppedEpoch + 1}: early stopping\n");
        if (_restoreBestWeights && _bestWeights is not null)
        {
            if (_verbose > 0) ProgressDisplay.Output.Write($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.\n");
            Model.SetWeights(_bestWeights);
        }
    }
}
