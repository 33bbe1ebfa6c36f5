namespace Dendrite.Metrics;

/// <summary>
/// The mean of an error function of (yPred − yTrue) over everything seen: each sample's mean over the last axis,
/// averaged over the samples (Keras' <c>MeanMetricWrapper</c> around a regression loss function).
/// </summary>
public abstract partial class MeanErrorMetric : MeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => false;

    /// <summary>The error of one element, given the difference yPred − yTrue.</summary>
    protected abstract double Error(double difference);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        double sum = 0;
        for (int i = 0; i < yPred.Length; i++) sum += Error((double)yPred[i] - yTrue[i]);
        if (last > 0) Accumulate(sum / last, yPred.Length / last);
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
