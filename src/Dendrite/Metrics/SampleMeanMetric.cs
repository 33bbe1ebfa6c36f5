namespace Dendrite.Metrics;

/// <summary>
/// A metric that is the (weighted) mean of values a function of each batch's targets and predictions gives, one per
/// sample or per step (Keras' <c>MeanMetricWrapper</c>): the accuracies and the regression metrics. Sample weights and
/// masks reduce as in Keras' <c>Mean</c> (see <see cref="Metric.UpdateState(ReadOnlySpan{float}, Shape, ReadOnlySpan{float}, Shape, ReadOnlySpan{float}, Shape)"/>).
/// </summary>
/// <remarks>
/// The values of a batch go to a buffer the metric keeps, grown only when a batch needs more room, so that steady
/// training steps allocate nothing. Subclass <see cref="ArgMaxAccuracy"/> or <see cref="MeanErrorMetric"/> to make
/// one of your own.
/// </remarks>
public abstract class SampleMeanMetric : MeanMetric
{
    private double[] _values = [];

    private protected SampleMeanMetric() { }

    /// <summary>
    /// Checks a batch, writes the values' dimensions into <paramref name="dims"/> and the values into
    /// <see cref="ValueBuffer"/>; returns the values' rank.
    /// </summary>
    private protected abstract int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims);

    /// <summary>The buffer the values of a batch of <paramref name="length"/> values go to.</summary>
    private protected Span<double> ValueBuffer(int length)
    {
        if (_values.Length < length) _values = new double[length];
        return _values.AsSpan(0, length);
    }

    /// <inheritdoc/>
    public sealed override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, default, default, default);

    /// <inheritdoc/>
    /// <remarks>The mask weighs the values as sample weights of 0 and 1 would (Keras' <c>apply_mask</c>): only the real steps count.</remarks>
    public sealed override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, default, default, mask);

    /// <inheritdoc/>
    public sealed override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, default);

    /// <inheritdoc/>
    public sealed override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, mask);

    private void Update(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        Span<int> dims = stackalloc int[SampleWeighting.MaxRank];
        int rank = ComputeValues(yTrue, yTrueShape, yPred, yPredShape, dims);
        var valueDims = dims[..rank];
        var values = _values.AsSpan(0, SampleWeighting.Product(valueDims));
        var (total, count) = SampleWeighting.Reduce(Name, values, valueDims, sampleWeight, sampleWeightShape.AsSpan(), mask);
        Accumulate(total, count);
    }

    /// <summary>
    /// The dimensions of the values of a metric that averages over the last axis of aligned targets and predictions
    /// (<see cref="TargetShapes.AlignedLastDim"/>): the aligned shape without its last axis.
    /// </summary>
    private protected static int AlignedValueDims(Shape yTrueShape, Shape yPredShape, Span<int> dims)
    {
        var t = yTrueShape.AsSpan();
        var p = yPredShape.AsSpan();
        // Equal ranks: the predictions' leading axes; one side with an extra trailing 1: the other side, which gains
        // that axis when it has rank 1 (then all of it leads) and is the aligned shape otherwise.
        var leading = t.Length == p.Length ? p[..Math.Max(0, p.Length - 1)]
            : t.Length > p.Length ? (p.Length <= 1 ? p : p[..^1])
            : (t.Length <= 1 ? t : t[..^1]);
        leading.CopyTo(dims);
        return leading.Length;
    }
}
