namespace Dendrite.Metrics;

/// <summary>
/// The counts behind <see cref="Precision"/> and <see cref="Recall"/>: (weighted) true positives, false positives and
/// false negatives of thresholded predictions over everything seen, one per threshold, as Keras'
/// <c>update_confusion_matrix_variables</c> makes them. A prediction is positive when it is strictly above the
/// threshold, a target when it is not 0. Targets and predictions pair up as for the losses (a trailing 1 may differ)
/// and are flattened; <c>topK</c> and <c>classId</c> work on the last axis.
/// </summary>
/// <remarks>
/// With a list of thresholds, Keras' result is one value per threshold: <see cref="Metric.Result"/> gives the first,
/// <see cref="CopyResults"/> and <see cref="MultiValueMetricExtensions.ResultValues"/> every one.
/// </remarks>
public abstract partial class ThresholdMetric : Metric, IMultiValueMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private readonly ConfusionCounter _counter;

    /// <param name="thresholds">Thresholds in [0, 1] in the order results are wanted; null for Keras' default (0.5, or none with <paramref name="topK"/>).</param>
    /// <param name="givenAsList">Whether the thresholds were given as a list (written back as one in configs).</param>
    /// <param name="topK">When set, only the k highest predictions of each row can count as positive.</param>
    /// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1], or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class index is negative or top-k is not positive.</exception>
    private protected ThresholdMetric(float[]? thresholds, bool givenAsList, int? topK, int? classId)
    {
        if (thresholds is not null)
        {
            ThresholdBuckets.CheckRange(thresholds);
            if (thresholds.Length == 0) throw new ArgumentException("At least one threshold is needed.", nameof(thresholds));
        }
        ClassId = classId is null or >= 0 ? classId
            : throw new ArgumentOutOfRangeException(nameof(classId), $"classId must be a class index (0 or more), got {classId}.");
        TopK = topK is null or > 0 ? topK
            : throw new ArgumentOutOfRangeException(nameof(topK), $"topK must be a positive number of predictions, got {topK}.");
        InitialThresholds = thresholds is null ? null : (float[])thresholds.Clone();
        ThresholdsGivenAsList = givenAsList && thresholds is not null;
        float fallback = topK is null ? 0.5f : ConfusionCounter.NegativeInfinity;
        _counter = new ConfusionCounter(thresholds is null ? [fallback] : (float[])thresholds.Clone(), topK, classId);
    }

    /// <summary>The thresholds in use, in the order given (Keras' <c>thresholds</c>): 0.5 by default, −1e10 with top-k and none given.</summary>
    public IReadOnlyList<float> Thresholds => _counter.Thresholds;

    /// <summary>The first (usually only) threshold.</summary>
    public float Threshold => _counter.Thresholds[0];

    /// <summary>The one class scored, if any (Keras' <c>class_id</c>).</summary>
    public int? ClassId { get; }

    /// <summary>How many of the highest predictions of each row may count as positive, if set (Keras' <c>top_k</c>).</summary>
    public int? TopK { get; }

    /// <summary>The thresholds as given (Keras' <c>init_thresholds</c>), null when left to the default.</summary>
    internal float[]? InitialThresholds { get; }

    /// <summary>Whether the thresholds were given as a list rather than one number.</summary>
    internal bool ThresholdsGivenAsList { get; }

    /// <summary>(Weighted) positive predictions of positive targets so far, one per threshold (Keras' <c>true_positives</c>).</summary>
    public IReadOnlyList<double> TruePositives => _counter.TruePositives;

    /// <summary>(Weighted) positive predictions of negative targets so far, one per threshold (Keras' <c>false_positives</c>).</summary>
    public IReadOnlyList<double> FalsePositives => _counter.FalsePositives;

    /// <summary>(Weighted) negative predictions of positive targets so far, one per threshold (Keras' <c>false_negatives</c>).</summary>
    public IReadOnlyList<double> FalseNegatives => _counter.FalseNegatives;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);

    /// <summary>The metric at threshold <paramref name="i"/> (in the order given).</summary>
    private protected abstract double ResultAt(int i);

    /// <inheritdoc/>
    public override double Result() => ResultAt(0);

    /// <inheritdoc/>
    public int ResultCount => _counter.Thresholds.Length;

    /// <inheritdoc/>
    public void CopyResults(Span<double> destination)
    {
        MultiValueMetricExtensions.CheckDestination(destination, ResultCount);
        for (int i = 0; i < ResultCount; i++) destination[i] = ResultAt(i);
    }

    /// <inheritdoc/>
    public override void ResetState() => _counter.Reset();

    internal override int StateLength => _counter.StateLength;

    internal override void CopyState(Span<double> state) => _counter.CopyState(state);

    internal override void SetState(ReadOnlySpan<double> state) => _counter.SetState(state);
}
