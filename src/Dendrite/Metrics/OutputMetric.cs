namespace Dendrite.Metrics;

/// <summary>
/// A metric of one output of a multi-output model, logged as Keras 3 names it: the output's name, an underscore,
/// the metric's name (<c>digits_accuracy</c>).
/// </summary>
internal sealed class OutputMetric(Metric inner, string outputName) : Metric
{
    public Metric Inner { get; } = inner;

    /// <inheritdoc/>
    public override string Name { get; } = $"{outputName}_{inner.Name}";

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => Inner.HigherIsBetter;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape, mask);

    /// <inheritdoc/>
    public override double Result() => Inner.Result();

    /// <inheritdoc/>
    public override void ResetState() => Inner.ResetState();

    internal override int StateLength => Inner.StateLength;

    internal override void CopyState(Span<double> state) => Inner.CopyState(state);

    internal override void SetState(ReadOnlySpan<double> state) => Inner.SetState(state);
}
