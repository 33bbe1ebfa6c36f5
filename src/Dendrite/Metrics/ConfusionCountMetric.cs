namespace Dendrite.Metrics;

/// <summary>
/// The (weighted) number of one confusion-matrix condition at each threshold, summed over everything seen (Keras'
/// <c>_ConfusionMatrixConditionCount</c>): the base of <see cref="TruePositives"/>, <see cref="FalsePositives"/>,
/// <see cref="TrueNegatives"/> and <see cref="FalseNegatives"/>. A prediction is positive when strictly above the
/// threshold, a target when not 0; inputs are flattened. With a list of thresholds, Keras' result is the whole
/// <see cref="Accumulator"/>; <see cref="Metric.Result"/> gives its first value.
/// </summary>
public abstract partial class ConfusionCountMetric : Metric, IMultiValueMetric
{
    private readonly ConfusionCounter _counter;

    /// <exception cref="ArgumentException">A threshold is outside [0, 1], or the list is empty.</exception>
    private protected ConfusionCountMetric(float[]? thresholds, bool givenAsList, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (thresholds is not null)
        {
            ThresholdBuckets.CheckRange(thresholds);
            if (thresholds.Length == 0) throw new ArgumentException("At least one threshold is needed.", nameof(thresholds));
        }
        Name = name;
        InitialThresholds = thresholds is null ? null : (float[])thresholds.Clone();
        ThresholdsGivenAsList = givenAsList && thresholds is not null;
        _counter = new ConfusionCounter(thresholds is null ? [0.5f] : (float[])thresholds.Clone(), topK: null, classId: null);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The thresholds, in the order given (Keras' <c>thresholds</c>; 0.5 by default).</summary>
    public IReadOnlyList<float> Thresholds => _counter.Thresholds;

    /// <summary>The thresholds as given, null when left to the default.</summary>
    internal float[]? InitialThresholds { get; }

    /// <summary>Whether the thresholds were given as a list rather than one number.</summary>
    internal bool ThresholdsGivenAsList { get; }

    /// <summary>The counts so far, one per threshold (Keras' <c>accumulator</c> variable).</summary>
    public IReadOnlyList<double> Accumulator => Counts(_counter);

    /// <summary>Which of the counter's four arrays this metric reports.</summary>
    private protected abstract double[] Counts(ConfusionCounter counter);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);

    /// <inheritdoc/>
    public override double Result() => Counts(_counter)[0];

    /// <inheritdoc/>
    public int ResultCount => _counter.Thresholds.Length;

    /// <inheritdoc/>
    public void CopyResults(Span<double> destination)
    {
        MultiValueMetricExtensions.CheckDestination(destination, ResultCount);
        Counts(_counter).CopyTo(destination);
    }

    /// <inheritdoc/>
    public override void ResetState() => _counter.Reset();

    internal override int StateLength => _counter.StateLength;

    internal override void CopyState(Span<double> state) => _counter.CopyState(state);

    internal override void SetState(ReadOnlySpan<double> state) => _counter.SetState(state);
}

/// <summary>The (weighted) number of positive predictions of positive targets (<c>keras.metrics.TruePositives</c>). See <see cref="ConfusionCountMetric"/>.</summary>
public sealed partial class TruePositives : ConfusionCountMetric
{
    /// <summary>The count at one threshold.</summary>
    /// <param name="thresholds">A threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    public TruePositives(float thresholds, string name = "true_positives") : base([thresholds], false, name) { }

    /// <summary>The count at each of a list of thresholds (null: 0.5).</summary>
    /// <param name="thresholds">Thresholds in [0, 1]; one count per threshold in this order.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1].</exception>
    public TruePositives(float[]? thresholds = null, string name = "true_positives") : base(thresholds, true, name) { }

    private protected override double[] Counts(ConfusionCounter counter) => counter.TruePositives;
}

/// <summary>The (weighted) number of positive predictions of negative targets (<c>keras.metrics.FalsePositives</c>). See <see cref="ConfusionCountMetric"/>.</summary>
public sealed partial class FalsePositives : ConfusionCountMetric
{
    /// <summary>The count at one threshold.</summary>
    /// <param name="thresholds">A threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    public FalsePositives(float thresholds, string name = "false_positives") : base([thresholds], false, name) { }

    /// <summary>The count at each of a list of thresholds (null: 0.5).</summary>
    /// <param name="thresholds">Thresholds in [0, 1]; one count per threshold in this order.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1].</exception>
    public FalsePositives(float[]? thresholds = null, string name = "false_positives") : base(thresholds, true, name) { }

    private protected override double[] Counts(ConfusionCounter counter) => counter.FalsePositives;
}

/// <summary>The (weighted) number of negative predictions of negative targets (<c>keras.metrics.TrueNegatives</c>). See <see cref="ConfusionCountMetric"/>.</summary>
public sealed partial class TrueNegatives : ConfusionCountMetric
{
    /// <summary>The count at one threshold.</summary>
    /// <param name="thresholds">A threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    public TrueNegatives(float thresholds, string name = "true_negatives") : base([thresholds], false, name) { }

    /// <summary>The count at each of a list of thresholds (null: 0.5).</summary>
    /// <param name="thresholds">Thresholds in [0, 1]; one count per threshold in this order.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1].</exception>
    public TrueNegatives(float[]? thresholds = null, string name = "true_negatives") : base(thresholds, true, name) { }

    private protected override double[] Counts(ConfusionCounter counter) => counter.TrueNegatives;
}

/// <summary>The (weighted) number of negative predictions of positive targets (<c>keras.metrics.FalseNegatives</c>). See <see cref="ConfusionCountMetric"/>.</summary>
public sealed partial class FalseNegatives : ConfusionCountMetric
{
    /// <summary>The count at one threshold.</summary>
    /// <param name="thresholds">A threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    public FalseNegatives(float thresholds, string name = "false_negatives") : base([thresholds], false, name) { }

    /// <summary>The count at each of a list of thresholds (null: 0.5).</summary>
    /// <param name="thresholds">Thresholds in [0, 1]; one count per threshold in this order.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1].</exception>
    public FalseNegatives(float[]? thresholds = null, string name = "false_negatives") : base(thresholds, true, name) { }

    private protected override double[] Counts(ConfusionCounter counter) => counter.FalseNegatives;
}
