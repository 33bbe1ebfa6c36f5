namespace Dendrite.Metrics;

/// <summary>
/// Places a prediction among sorted thresholds as Keras' <c>update_confusion_matrix_variables</c> does: the index of
/// the highest threshold it is strictly above (−1 when none). Evenly spaced thresholds (Keras'
/// <c>is_evenly_distributed_thresholds</c>) use Keras' bucket formula, predictions clipped to [0, 1] and bucket
/// ⌈p·(n − 1)⌉ − 1 in float32, raised to 0 when the end thresholds carry Keras' ±1e-7; other thresholds are found
/// by binary search, which is the plain comparison p &gt; t. Counting per bucket then summing from the top gives
/// every threshold's counts in one pass over the batch.
/// </summary>
internal sealed class ThresholdBuckets
{
    private readonly float[] _sorted;
    private readonly bool _even, _withEpsilon;

    /// <param name="sorted">The thresholds in increasing order.</param>
    /// <param name="evenlyDistributed">Whether Keras takes its evenly-spaced path for them.</param>
    public ThresholdBuckets(float[] sorted, bool evenlyDistributed)
    {
        _sorted = sorted;
        _even = evenlyDistributed;
        _withEpsilon = evenlyDistributed && (sorted[0] < 0 || sorted[^1] > 1);
    }

    /// <summary>The thresholds in increasing order.</summary>
    public float[] Sorted => _sorted;

    /// <summary>How many thresholds there are.</summary>
    public int Count => _sorted.Length;

    /// <summary>Whether Keras' evenly-spaced bucket formula is used.</summary>
    public bool EvenlyDistributed => _even;

    /// <summary>The index of the highest threshold <paramref name="p"/> counts as above, or −1 (none, or NaN).</summary>
    public int Bucket(float p)
    {
        if (float.IsNaN(p)) return -1;
        if (_even)
        {
            float clipped = Math.Clamp(p, 0f, 1f);
            int bucket = (int)MathF.Ceiling(clipped * (_sorted.Length - 1)) - 1;
            return _withEpsilon ? Math.Max(bucket, 0) : bucket;
        }
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] < p) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    /// <summary>
    /// Keras' <c>is_evenly_distributed_thresholds</c>: at least 3 values, each within 1e-7 (plus NumPy's relative
    /// 1e-5) of i/(n − 1) in float32.
    /// </summary>
    public static bool IsEvenlyDistributed(ReadOnlySpan<double> thresholds)
    {
        int n = thresholds.Length;
        if (n < 3) return false;
        for (int i = 0; i < n; i++)
        {
            double expected = (float)i / (float)(n - 1);
            if (!(Math.Abs(thresholds[i] - expected) <= Autodiff.Ops.Epsilon + 1e-5 * Math.Abs(expected))) return false;
        }
        return true;
    }

    /// <summary>Checks that every threshold is in [0, 1], with Keras' message.</summary>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1] or NaN.</exception>
    public static void CheckRange(ReadOnlySpan<float> thresholds)
    {
        List<string>? bad = null;
        foreach (float t in thresholds)
            if (!(t >= 0 && t <= 1)) (bad ??= []).Add(t.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        if (bad is not null)
            throw new ArgumentException($"Threshold values must be in [0, 1]. Received: [{string.Join(", ", bad)}]", "thresholds");
    }
}
