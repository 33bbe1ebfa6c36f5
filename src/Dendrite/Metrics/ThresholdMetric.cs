namespace Dendrite.Metrics;

/// <summary>
/// The counts behind <see cref="Precision"/> and <see cref="Recall"/>: true positives, false positives and false
/// negatives of thresholded predictions over everything seen, as Keras' <c>update_confusion_matrix_variables</c>
/// makes them. A prediction is positive when it is strictly above the threshold, a target when it is not 0.
/// Targets and predictions pair up as for the losses (a trailing 1 may differ) and are flattened.
/// </summary>
public abstract partial class ThresholdMetric : Metric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private readonly float _threshold;
    private readonly int? _classId;
    private double _truePositives, _falsePositives, _falseNegatives;

    /// <param name="threshold">One threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class index is negative.</exception>
    private protected ThresholdMetric(float threshold, int? classId)
    {
        _threshold = threshold >= 0 && threshold <= 1 ? threshold
            : throw new ArgumentException(FormattableString.Invariant($"Threshold values must be in [0, 1]. Received: {threshold}"), "thresholds");
        _classId = classId is null or >= 0 ? classId
            : throw new ArgumentOutOfRangeException(nameof(classId), $"classId must be a class index (0 or more), got {classId}.");
    }

    /// <summary>Predictions above it count as positive.</summary>
    public float Threshold => _threshold;

    /// <summary>The one class scored, if any.</summary>
    public int? ClassId => _classId;

    /// <summary>Positive predictions of positive targets so far.</summary>
    protected double TruePositives => _truePositives;

    /// <summary>Positive predictions of negative targets so far.</summary>
    protected double FalsePositives => _falsePositives;

    /// <summary>Negative predictions of positive targets so far.</summary>
    protected double FalseNegatives => _falseNegatives;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        int start = 0, stride = 1;
        if (_classId is int id)
        {
            if (yPredShape.Rank < 2 || id >= last)
                throw new ArgumentException($"{Name}: classId {id} needs predictions of shape (samples, classes) with more than {id} classes; y_pred has shape {yPredShape}.");
            (start, stride) = (id, last);
        }
        int tp = 0, fp = 0, fn = 0;
        for (int i = start; i < yPred.Length; i += stride)
        {
            bool predicted = yPred[i] > _threshold, actual = MetricChecks.IsPositive(yTrue[i]);
            if (predicted) { if (actual) tp++; else fp++; }
            else if (actual) fn++;
        }
        _truePositives += tp;
        _falsePositives += fp;
        _falseNegatives += fn;
    }

    /// <inheritdoc/>
    public override void ResetState() => (_truePositives, _falsePositives, _falseNegatives) = (0, 0, 0);

    internal override int StateLength => 3;

    internal override void CopyState(Span<double> state) => (state[0], state[1], state[2]) = (_truePositives, _falsePositives, _falseNegatives);

    internal override void SetState(ReadOnlySpan<double> state) => (_truePositives, _falsePositives, _falseNegatives) = (state[0], state[1], state[2]);
}
