namespace Dendrite.Metrics;

/// <summary>
/// The mean of an error function of (yPred − yTrue) over everything seen: each sample's mean over the last axis,
/// averaged over the samples (Keras' <c>MeanMetricWrapper</c> around a regression loss function).
/// </summary>
public abstract partial class MeanErrorMetric : SampleMeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => false;

    /// <summary>The error of one element, given the difference yPred − yTrue.</summary>
    protected abstract double Error(double difference);

    /// <summary>Each sample's (or step's) mean error over the last axis of the aligned targets and predictions.</summary>
    private protected override int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims)
    {
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        int rank = AlignedValueDims(yTrueShape, yPredShape, dims);
        var values = ValueBuffer(last == 0 ? 0 : yPred.Length / last);
        for (int r = 0; r < values.Length; r++)
        {
            double sum = 0;
            for (int i = r * last; i < (r + 1) * last; i++) sum += Error((double)yPred[i] - yTrue[i]);
            values[r] = sum / last;
        }
        return rank;
    }
}

/// <summary>The mean of |yPred − yTrue| over everything seen (<c>keras.metrics.MeanAbsoluteError</c>).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class MeanAbsoluteError(string name = "mean_absolute_error") : MeanErrorMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override double Error(double difference) => Math.Abs(difference);
}

/// <summary>The mean of (yPred − yTrue)² over everything seen (<c>keras.metrics.MeanSquaredError</c>).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class MeanSquaredError(string name = "mean_squared_error") : MeanErrorMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override double Error(double difference) => difference * difference;
}
