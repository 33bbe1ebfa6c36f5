using Dendrite.Metrics;

namespace Dendrite.Distribution;

/// <summary>
/// Reads metrics as if every rank's samples had been seen by one: additive states (sums and counts) are summed
/// across ranks, swapped in while the results are read, and swapped back, so each rank keeps accumulating its own
/// samples. A metric without an additive state (a user's own) is averaged across ranks instead, as Horovod's
/// <c>MetricAverageCallback</c> does.
/// </summary>
internal sealed class MetricReduction(DataParallel distribution)
{
    private double[] _local = [], _global = [];
    private readonly Dictionary<Metric, double> _averaged = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A metric's value across the ranks, inside <see cref="WithGlobalState"/>: its result (the global state is in),
    /// or the mean of the ranks' results for a metric without an additive state.
    /// </summary>
    public double Result(Metric metric) => _averaged.TryGetValue(metric, out double mean) ? mean : metric.Result();

    /// <summary>Runs <paramref name="read"/> while <paramref name="metrics"/> hold the sum of every rank's state.</summary>
    public void WithGlobalState(IReadOnlyList<Metric> metrics, Action read)
    {
        int length = 0;
        foreach (var metric in metrics) length += Math.Max(metric.StateLength, 1);
        if (_local.Length != length) (_local, _global) = (new double[length], new double[length]);
        int offset = 0;
        foreach (var metric in metrics)
        {
            if (metric.StateLength > 0) metric.CopyState(_local.AsSpan(offset, metric.StateLength));
            else _local[offset] = metric.Result() / distribution.Size;
            offset += Math.Max(metric.StateLength, 1);
        }
        _local.CopyTo(_global, 0);
        distribution.Communicator.AllReduceSum(_global);
        Swap(metrics, _global);
        _averaged.Clear();
        offset = 0;
        foreach (var metric in metrics)
        {
            if (metric.StateLength == 0) _averaged[metric] = _global[offset];
            offset += Math.Max(metric.StateLength, 1);
        }
        try { read(); }
        finally { Swap(metrics, _local); }
    }

    private static void Swap(IReadOnlyList<Metric> metrics, double[] state)
    {
        int offset = 0;
        foreach (var metric in metrics)
        {
            if (metric.StateLength > 0) metric.SetState(state.AsSpan(offset, metric.StateLength));
            offset += Math.Max(metric.StateLength, 1);
        }
    }
}
