namespace Dendrite.Callbacks;

/// <summary>
/// The base of every callback (Keras' <c>keras.callbacks.Callback</c>): override the hooks you need. <c>Fit</c>,
/// <c>Evaluate</c> and <c>Predict</c> call them at the same points as Keras, with the same logs: running values of
/// the loss and metrics at batch ends, the epoch's values (validation ones prefixed <c>val_</c>) at epoch ends.
/// Callbacks may add entries to the epoch-end logs (they then appear in the <see cref="History"/>) and may stop
/// training by setting <see cref="Model.StopTraining"/>.
/// </summary>
/// <remarks>
/// Epoch and batch numbers are 0-based, as in Keras. The hooks Keras calls without logs (train, epoch, test and
/// predict begins, every batch begin, the predict batch ends) get an empty dictionary; what a callback writes into
/// it is seen by the later callbacks of that call only. The logs dictionaries are reused between calls: copy what
/// you keep.
/// </remarks>
public abstract class Callback
{
    /// <summary>The model being trained, evaluated or run (Keras' <c>self.model</c>); set before the first hook.</summary>
    public Model Model { get; internal set; } = null!;

    /// <summary>At the start of <c>Fit</c>.</summary>
    public virtual void OnTrainBegin(IDictionary<string, double> logs) { }

    /// <summary>At the end of <c>Fit</c>, with the last epoch's logs.</summary>
    public virtual void OnTrainEnd(IDictionary<string, double> logs) { }

    /// <summary>At the start of each epoch.</summary>
    public virtual void OnEpochBegin(int epoch, IDictionary<string, double> logs) { }

    /// <summary>At the end of each epoch, after validation: the epoch's loss, metrics and <c>val_</c> values.</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs) { }

    /// <summary>Before each training batch.</summary>
    public virtual void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) { }

    /// <summary>After each training batch, with the running loss and metrics of the epoch so far.</summary>
    public virtual void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) { }

    /// <summary>At the start of <c>Evaluate</c> (and of the validation inside <c>Fit</c>, which runs even after a callback set <see cref="Model.StopTraining"/> during the epoch).</summary>
    public virtual void OnTestBegin(IDictionary<string, double> logs) { }

    /// <summary>At the end of <c>Evaluate</c>, with its results (unprefixed: <c>loss</c>, not <c>val_loss</c>, inside <c>Fit</c> too).</summary>
    public virtual void OnTestEnd(IDictionary<string, double> logs) { }

    /// <summary>Before each evaluation batch.</summary>
    public virtual void OnTestBatchBegin(int batch, IDictionary<string, double> logs) { }

    /// <summary>After each evaluation batch, with the running loss and metrics.</summary>
    public virtual void OnTestBatchEnd(int batch, IDictionary<string, double> logs) { }

    /// <summary>At the start of <c>Predict</c>.</summary>
    public virtual void OnPredictBegin(IDictionary<string, double> logs) { }

    /// <summary>At the end of <c>Predict</c>.</summary>
    public virtual void OnPredictEnd(IDictionary<string, double> logs) { }

    /// <summary>Before each prediction batch.</summary>
    public virtual void OnPredictBatchBegin(int batch, IDictionary<string, double> logs) { }

    /// <summary>After each prediction batch, with empty logs (Keras passes the batch's outputs, which a dictionary of doubles cannot hold).</summary>
    public virtual void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) { }
}
