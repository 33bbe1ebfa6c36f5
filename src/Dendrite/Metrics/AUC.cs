namespace Dendrite.Metrics;

/// <summary>
/// The area under the ROC or precision–recall curve (<c>keras.metrics.AUC</c>), approximated as Keras does: the
/// predictions seen so far are counted against a fixed set of thresholds, and the area is summed from the
/// true/false positive/negative counts at those thresholds with Keras' summation methods.
/// </summary>
/// <remarks>
/// The thresholds are Keras': <c>numThresholds − 2</c> evenly spaced points inside (0, 1), i/(n − 1), plus −1e-7
/// and 1 + 1e-7 at the ends so that predictions of exactly 0 or 1 are counted. A prediction is positive at a
/// threshold when it is strictly above it; a target is positive when it is not 0. Targets and predictions are
/// flattened (Keras' <c>multi_label=False</c>). Evenly spaced thresholds use Keras' bucket formula (predictions
/// clipped to [0, 1], bucket ⌈p·(n − 1)⌉ − 1 in float32); other thresholds are compared one by one.
/// </remarks>
public sealed partial class AUC : Metric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private readonly float[] _thresholds;
    private readonly bool _evenlySpaced;
    private readonly bool _fromLogits;
    private readonly bool _precisionRecall;
    private readonly Summation _summation;

    // Per bucket i: how many positive / negative targets have predictions above threshold i but not above i + 1.
    private readonly double[] _positiveBuckets, _negativeBuckets;
    private double _positives, _negatives;

    // Cumulative counts for Result, sized once so that the per-step log line allocates nothing.
    private readonly double[] _truePositives, _falsePositives;

    private enum Summation { Interpolation, Minoring, Majoring }

    /// <param name="numThresholds">How many thresholds to use (more than 1); ignored when <paramref name="thresholds"/> is given.</param>
    /// <param name="curve"><c>"ROC"</c> (true positive rate against false positive rate) or <c>"PR"</c> (precision against recall).</param>
    /// <param name="summationMethod">
    /// <c>"interpolation"</c> (Keras' default: trapezoids for ROC, and for PR the interpolation of Davis &amp; Goadrich
    /// over true and false positives), <c>"minoring"</c> (the lower of each pair of heights) or <c>"majoring"</c> (the higher).
    /// </param>
    /// <param name="name">The name it is logged under.</param>
    /// <param name="thresholds">Thresholds in [0, 1] to use instead of evenly spaced ones; −1e-7 and 1 + 1e-7 are added.</param>
    /// <param name="fromLogits">Whether predictions are logits (a sigmoid is applied before counting).</param>
    /// <exception cref="ArgumentException">An argument is out of range or not one of the names above.</exception>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc",
        float[]? thresholds = null, bool fromLogits = false)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(summationMethod);
        Name = name;
        _fromLogits = fromLogits;
        _precisionRecall = curve.ToUpperInvariant() switch
        {
            "ROC" => false,
            "PR" => true,
            _ => throw new ArgumentException($"Invalid AUC curve value: \"{curve}\". Expected values are [\"PR\", \"ROC\"].", nameof(curve)),
        };
        _summation = summationMethod.ToLowerInvariant() switch
        {
            "interpolation" => Summation.Interpolation,
            "minoring" => Summation.Minoring,
            "majoring" => Summation.Majoring,
            _ => throw new ArgumentException($"Invalid AUC summation method value: \"{summationMethod}\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"].", nameof(summationMethod)),
        };
        (_thresholds, _evenlySpaced) = thresholds is null ? EvenThresholds(numThresholds) : GivenThresholds(thresholds);
        int n = _thresholds.Length;
        _positiveBuckets = new double[n];
        _negativeBuckets = new double[n];
        _truePositives = new double[n];
        _falsePositives = new double[n];
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The number of thresholds, the two end points included.</summary>
    public int NumThresholds => _thresholds.Length;

    /// <summary>The thresholds in increasing order (float32, as Keras keeps them), end points included.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>Whether predictions are logits (a sigmoid is applied before counting).</summary>
    public bool FromLogits => _fromLogits;

    /// <summary>Whether the thresholds are Keras' evenly spaced ones (no <c>thresholds</c> given).</summary>
    internal bool EvenlySpaced => _evenlySpaced;

    /// <summary><c>"ROC"</c> or <c>"PR"</c>.</summary>
    public string Curve => _precisionRecall ? "PR" : "ROC";

    /// <summary><c>"interpolation"</c>, <c>"minoring"</c> or <c>"majoring"</c>.</summary>
    public string SummationMethod => _summation.ToString().ToLowerInvariant();

    private static (float[] Thresholds, bool Even) EvenThresholds(int numThresholds)
    {
        if (numThresholds <= 1)
            throw new ArgumentException($"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={numThresholds}", nameof(numThresholds));
        var t = new float[numThresholds];
        t[0] = -Autodiff.Ops.Epsilon;
        for (int i = 1; i < numThresholds - 1; i++) t[i] = (float)(i * 1.0 / (numThresholds - 1));
        t[^1] = 1f + Autodiff.Ops.Epsilon;
        return (t, true);
    }

    private static (float[] Thresholds, bool Even) GivenThresholds(float[] given)
    {
        foreach (float v in given)
            if (!(v >= 0 && v <= 1)) throw new ArgumentException(FormattableString.Invariant($"AUC thresholds must be in [0, 1]. Received: {v}"), "thresholds");
        var sorted = given.Order().ToArray();
        var t = new float[sorted.Length + 2];
        t[0] = -Autodiff.Ops.Epsilon;
        sorted.CopyTo(t, 1);
        t[^1] = 1f + Autodiff.Ops.Epsilon;
        // Keras' is_evenly_distributed_thresholds on [0] + thresholds + [1]: np.allclose to arange(n)/(n − 1) in float32.
        int n = t.Length;
        bool even = n >= 3;
        for (int i = 0; i < n && even; i++)
        {
            double actual = i == 0 ? 0 : i == n - 1 ? 1 : t[i], expected = (float)i / (float)(n - 1);
            even = Math.Abs(actual - expected) <= Autodiff.Ops.Epsilon + 1e-5 * Math.Abs(expected);
        }
        return (t, even);
    }

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        for (int i = 0; i < yPred.Length; i++)
        {
            bool positive = MetricChecks.IsPositive(yTrue[i]);
            int bucket = Bucket(_fromLogits ? 1f / (1f + MathF.Exp(-yPred[i])) : yPred[i]);
            if (positive) _positives++; else _negatives++;
            if (bucket >= 0) (positive ? _positiveBuckets : _negativeBuckets)[bucket]++;
        }
    }

    /// <summary>The highest threshold index the prediction is strictly above, or −1 when it is above none (NaN).</summary>
    private int Bucket(float p)
    {
        if (float.IsNaN(p)) return -1;
        if (_evenlySpaced)
        {
            float clipped = Math.Clamp(p, 0f, 1f);
            int bucket = (int)MathF.Ceiling(clipped * (_thresholds.Length - 1)) - 1;
            return Math.Max(bucket, 0);
        }
        // The number of thresholds below p, minus one: thresholds are sorted, so a binary search finds it.
        int lo = 0, hi = _thresholds.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_thresholds[mid] < p) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_positiveBuckets);
        Array.Clear(_negativeBuckets);
        (_positives, _negatives) = (0, 0);
    }

    internal override int StateLength => 2 * _positiveBuckets.Length + 2;

    internal override void CopyState(Span<double> state)
    {
        int n = _positiveBuckets.Length;
        _positiveBuckets.CopyTo(state);
        _negativeBuckets.CopyTo(state[n..]);
        (state[2 * n], state[2 * n + 1]) = (_positives, _negatives);
    }

    internal override void SetState(ReadOnlySpan<double> state)
    {
        int n = _positiveBuckets.Length;
        state[..n].CopyTo(_positiveBuckets);
        state.Slice(n, n).CopyTo(_negativeBuckets);
        (_positives, _negatives) = (state[2 * n], state[2 * n + 1]);
    }
}
