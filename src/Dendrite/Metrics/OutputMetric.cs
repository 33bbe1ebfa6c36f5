namespace Dendrite.Metrics;

/// <summary>
/// A compiled metric logged under a name other than its own: the metric of one output of a multi-output model, as
/// Keras 3 names it (the output's name, an underscore, the metric's name: <c>digits_accuracy</c>), or a weighted
/// metric renamed because an unweighted one already has its name (<c>weighted_accuracy</c>, Keras' compile rule).
/// </summary>
internal sealed class OutputMetric : Metric
{
    /// <summary>The metric of output <paramref name="outputName"/>, logged as <c>outputName_name</c>.</summary>
    public OutputMetric(Metric inner, string outputName) : this(inner, outputName, $"{outputName}_{inner.Name}") { }

    /// <summary>The metric <paramref name="inner"/> (of output <paramref name="outputName"/>, if named) logged as <paramref name="loggedName"/>.</summary>
    public OutputMetric(Metric inner, string? outputName, string loggedName)
    {
        Inner = inner;
        OutputName = outputName;
        Name = loggedName;
    }

    public Metric Inner { get; }

    /// <summary>The output whose name prefixes the logged name, if any.</summary>
    public string? OutputName { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => Inner.HigherIsBetter;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape, mask);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask) =>
        Inner.UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, mask);

    /// <inheritdoc/>
    public override double Result() => Inner.Result();

    /// <inheritdoc/>
    public override void ResetState() => Inner.ResetState();

    internal override int StateLength => Inner.StateLength;

    internal override void CopyState(Span<double> state) => Inner.CopyState(state);

    internal override void SetState(ReadOnlySpan<double> state) => Inner.SetState(state);
}
