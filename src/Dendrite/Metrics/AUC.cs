namespace Dendrite.Metrics;

/// <summary>
/// The area under the ROC or precision–recall curve (<c>keras.metrics.AUC</c>), approximated as Keras does: the
/// predictions seen so far are counted against a fixed set of thresholds, and the area is summed from the
/// true/false positive/negative counts at those thresholds with Keras' summation methods.
/// </summary>
/// <remarks>
/// The thresholds are Keras': <c>numThresholds − 2</c> evenly spaced points inside (0, 1), i/(n − 1), plus −1e-7
/// and 1 + 1e-7 at the ends so that predictions of exactly 0 or 1 are counted. A prediction is positive at a
/// threshold when it is strictly above it; a target is positive when it is not 0. By default targets and
/// predictions are flattened (Keras' <c>multi_label=False</c>, where <c>labelWeights</c> weigh the columns of the last
/// axis); with <c>multiLabel</c> the columns of (samples, labels) data get one curve each and the result is their
/// mean, weighted by <c>labelWeights</c> when given. Evenly spaced thresholds use Keras' bucket formula (predictions
/// clipped to [0, 1], bucket ⌈p·(n − 1)⌉ − 1 in float32); other thresholds are compared one by one. Keras 3 has only
/// the ROC and PR curves (no PR-gain curve).
/// </remarks>
public sealed partial class AUC : Metric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private readonly float[] _thresholds;
    private readonly ThresholdBuckets _buckets;
    private readonly bool _evenlySpaced;
    private readonly bool _fromLogits;
    private readonly bool _precisionRecall;
    private readonly Summation _summation;
    private readonly float[]? _labelWeights;

    // Per label ℓ and bucket i (at ℓ·T + i): the weight of positive / negative targets whose prediction is above
    // threshold i but not above i + 1; and per label the weight of all positive / negative targets.
    private double[] _positiveBuckets = [], _negativeBuckets = [];
    private double[] _positives = [], _negatives = [];
    private int _labels; // 0 until a multi-label AUC without numLabels sees its first batch
    private double[]? _weights;

    // Cumulative counts of one label for Result, sized once so that the per-step log line allocates nothing.
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
    /// <param name="multiLabel">Whether each column of (samples, labels) data gets its own curve, the result being their (weighted) mean.</param>
    /// <param name="numLabels">The number of labels with <paramref name="multiLabel"/>; when null, taken from the first batch.</param>
    /// <param name="labelWeights">
    /// Non-negative weights of the labels: with <paramref name="multiLabel"/>, of each label's area in the mean; without,
    /// of each column of the last axis in the flattened counts.
    /// </param>
    /// <param name="fromLogits">Whether predictions are logits (a sigmoid is applied before counting).</param>
    /// <exception cref="ArgumentException">An argument is out of range or not one of the names above.</exception>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc",
        float[]? thresholds = null, bool multiLabel = false, int? numLabels = null, float[]? labelWeights = null, bool fromLogits = false)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(summationMethod);
        Name = name;
        _fromLogits = fromLogits;
        _precisionRecall = curve.ToUpperInvariant() switch
        {
            "ROC" => false,
            "PR" => true,
            _ => throw new ArgumentException($"Invalid AUC curve value: \"{curve}\". Expected values are [\"PR\", \"ROC\"]. (Keras 3 has no PR-gain curve.)", nameof(curve)),
        };
        _summation = summationMethod.ToLowerInvariant() switch
        {
            "interpolation" => Summation.Interpolation,
            "minoring" => Summation.Minoring,
            "majoring" => Summation.Majoring,
            _ => throw new ArgumentException($"Invalid AUC summation method value: \"{summationMethod}\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"].", nameof(summationMethod)),
        };
        if (numLabels is not null && !multiLabel)
            throw new ArgumentException("`num_labels` is needed only when `multi_label` is True.", nameof(numLabels));
        if (numLabels is <= 0) throw new ArgumentException($"num_labels must be positive, got {numLabels}.", nameof(numLabels));
        if (labelWeights is { Length: 0 }) throw new ArgumentException("label_weights must hold one weight per label, got none.", nameof(labelWeights));
        if (multiLabel && numLabels is int count && labelWeights is not null && labelWeights.Length != count)
            throw new ArgumentException($"label_weights holds {labelWeights.Length} weights but num_labels is {count}.", nameof(labelWeights));
        MultiLabel = multiLabel;
        NumLabels = numLabels;
        _labelWeights = labelWeights is null ? null : (float[])labelWeights.Clone();
        (_thresholds, _evenlySpaced) = thresholds is null ? EvenThresholds(numThresholds) : GivenThresholds(thresholds);
        _buckets = new ThresholdBuckets(_thresholds, _evenlySpaced);
        int n = _thresholds.Length;
        _truePositives = new double[n];
        _falsePositives = new double[n];
        if (!multiLabel) Build(1);
        else if (numLabels is int labels) Build(labels);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The number of thresholds, the two end points included.</summary>
    public int NumThresholds => _thresholds.Length;

    /// <summary>The thresholds in increasing order (float32, as Keras keeps them), end points included.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>Whether predictions are logits (a sigmoid is applied before counting).</summary>
    public bool FromLogits => _fromLogits;

    /// <summary>Whether each label gets its own curve (Keras' <c>multi_label</c>).</summary>
    public bool MultiLabel { get; }

    /// <summary>The number of labels as given (Keras' <c>num_labels</c>); null when taken from the first batch or flattening.</summary>
    public int? NumLabels { get; }

    /// <summary>The label weights as given (Keras' <c>label_weights</c>), or null.</summary>
    public IReadOnlyList<float>? LabelWeights => _labelWeights;

    /// <summary>Whether the thresholds are Keras' evenly spaced ones (no <c>thresholds</c> given).</summary>
    internal bool EvenlySpaced => _evenlySpaced;

    /// <summary>Whether thresholds were given explicitly (written back in configs).</summary>
    internal bool ThresholdsGiven { get; private set; }

    /// <summary><c>"ROC"</c> or <c>"PR"</c>.</summary>
    public string Curve => _precisionRecall ? "PR" : "ROC";

    /// <summary><c>"interpolation"</c>, <c>"minoring"</c> or <c>"majoring"</c>.</summary>
    public string SummationMethod => _summation.ToString().ToLowerInvariant();

    private void Build(int labels)
    {
        int n = _thresholds.Length;
        _labels = labels;
        _positiveBuckets = new double[labels * n];
        _negativeBuckets = new double[labels * n];
        _positives = new double[labels];
        _negatives = new double[labels];
    }

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

    private (float[] Thresholds, bool Even) GivenThresholds(float[] given)
    {
        foreach (float v in given)
            if (!(v >= 0 && v <= 1)) throw new ArgumentException(FormattableString.Invariant($"AUC thresholds must be in [0, 1]. Received: {v}"), "thresholds");
        ThresholdsGiven = true;
        var sorted = given.Order().ToArray();
        var t = new float[sorted.Length + 2];
        t[0] = -Autodiff.Ops.Epsilon;
        sorted.CopyTo(t, 1);
        t[^1] = 1f + Autodiff.Ops.Epsilon;
        // Keras' is_evenly_distributed_thresholds on [0] + thresholds + [1].
        var check = new double[t.Length];
        for (int i = 1; i < t.Length - 1; i++) check[i] = t[i];
        check[^1] = 1;
        return (t, ThresholdBuckets.IsEvenlyDistributed(check));
    }

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        UpdateState(yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        var aligned = SampleWeights.Aligned(yTrueShape, yPredShape);
        int labels = 1;
        if (MultiLabel)
        {
            if (aligned.Length != 2)
                throw new ArgumentException($"{Name}: `y_pred` must have rank 2 when `multi_label=True`. Found rank {yPredShape.Rank}. Full shape received for `y_pred`: {yPredShape}");
            labels = aligned[1];
            if (_labels == 0)
            {
                if (_labelWeights is not null && _labelWeights.Length != labels)
                    throw new ArgumentException($"{Name}: label_weights holds {_labelWeights.Length} weights but y_pred has {labels} labels (shape {yPredShape}).");
                Build(labels);
            }
            else if (labels != _labels)
                throw new ArgumentException($"{Name}: this multi-label AUC counts {_labels} labels but y_pred has shape {yPredShape}.");
        }
        else if (_labelWeights is not null && _labelWeights.Length != last)
            throw new ArgumentException($"{Name}: label_weights holds {_labelWeights.Length} weights but the last axis of y_pred has {last} (shape {yPredShape}).");
        var weights = SampleWeights.Expand(Name, sampleWeight, sampleWeightShape, aligned, ref _weights);
        // Without multi_label, label weights weigh the columns of the last axis before flattening.
        var columnWeights = MultiLabel ? null : _labelWeights;
        int n = _thresholds.Length;
        for (int i = 0; i < yPred.Length; i++)
        {
            int label = labels == 1 ? 0 : i % labels;
            double w = weights.IsEmpty ? 1 : weights[i];
            if (columnWeights is not null) w *= columnWeights[i % last];
            float p = _fromLogits ? 1f / (1f + MathF.Exp(-yPred[i])) : yPred[i];
            int bucket = _buckets.Bucket(p);
            if (MetricChecks.IsPositive(yTrue[i]))
            {
                _positives[label] += w;
                if (bucket >= 0) _positiveBuckets[label * n + bucket] += w;
            }
            else
            {
                _negatives[label] += w;
                if (bucket >= 0) _negativeBuckets[label * n + bucket] += w;
            }
        }
    }

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_positiveBuckets);
        Array.Clear(_negativeBuckets);
        Array.Clear(_positives);
        Array.Clear(_negatives);
    }

    internal override int StateLength => 2 * _positiveBuckets.Length + 2 * _labels;

    internal override void CopyState(Span<double> state)
    {
        int n = _positiveBuckets.Length;
        _positiveBuckets.CopyTo(state);
        _negativeBuckets.CopyTo(state[n..]);
        _positives.CopyTo(state[(2 * n)..]);
        _negatives.CopyTo(state[(2 * n + _labels)..]);
    }

    internal override void SetState(ReadOnlySpan<double> state)
    {
        int n = _positiveBuckets.Length;
        state[..n].CopyTo(_positiveBuckets);
        state.Slice(n, n).CopyTo(_negativeBuckets);
        state.Slice(2 * n, _labels).CopyTo(_positives);
        state.Slice(2 * n + _labels, _labels).CopyTo(_negatives);
    }
}
