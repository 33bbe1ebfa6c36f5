namespace Dendrite.Callbacks;

/// <summary>
/// The callbacks of one <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> call, called in order, with one logs dictionary
/// reused for every batch so that a step with callbacks still allocates nothing once the keys exist.
/// </summary>
internal sealed class CallbackList
{
    private readonly Callback[] _callbacks;
    private readonly Dictionary<string, double> _batchLogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _emptyLogs = new(StringComparer.Ordinal);

    public CallbackList(Model model, IEnumerable<Callback>? callbacks)
    {
        _callbacks = callbacks is null ? [] : [.. callbacks];
        foreach (var callback in _callbacks)
        {
            if (callback is null) throw new ArgumentNullException(nameof(callbacks), "The callbacks list contains null.");
            callback.Model = model;
        }
    }

    public bool IsEmpty => _callbacks.Length == 0;

    /// <summary>Copies <paramref name="logs"/> into the reused batch dictionary (whatever a callback left in it is dropped).</summary>
    public Dictionary<string, double> BatchLogs(List<KeyValuePair<string, double>> logs)
    {
        _batchLogs.Clear();
        foreach (var (key, value) in logs) _batchLogs[key] = value;
        return _batchLogs;
    }

    /// <summary>
    /// The logs of a hook that Keras calls without any (<c>on_train_begin</c>, <c>on_epoch_begin</c>, the batch
    /// begins, …): an empty dictionary, reused but emptied each time, so that nothing a callback writes there leaks.
    /// </summary>
    public Dictionary<string, double> EmptyLogs()
    {
        _emptyLogs.Clear();
        return _emptyLogs;
    }

    public void TrainBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBegin(logs); }
    public void TrainEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainEnd(logs); }
    public void EpochBegin(int epoch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnEpochBegin(epoch, logs); }
    public void EpochEnd(int epoch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnEpochEnd(epoch, logs); }
    public void TrainBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBatchBegin(batch, logs); }
    public void TrainBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBatchEnd(batch, logs); }
    public void TestBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBegin(logs); }
    public void TestEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestEnd(logs); }
    public void TestBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBatchBegin(batch, logs); }
    public void TestBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBatchEnd(batch, logs); }
    public void PredictBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBegin(logs); }
    public void PredictEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictEnd(logs); }
    public void PredictBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBatchBegin(batch, logs); }
    public void PredictBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBatchEnd(batch, logs); }
}
