namespace Dendrite.Metrics;

/// <summary>
/// Keras' <c>"accuracy"</c>/<c>"acc"</c> string in <c>compile</c>: resolved on the first batch from the shapes, as
/// Keras' <c>compile_utils.get_metric</c> does — binary when the prediction has one column, else sparse categorical
/// when the targets have fewer axes than the predictions (or one column against several), categorical otherwise.
/// Logged under the name it was asked by (<c>accuracy</c> or <c>acc</c>). Not the class <see cref="Accuracy"/>,
/// which is Keras' exact-match metric.
/// </summary>
/// <param name="name">The name it is logged under.</param>
internal sealed class ResolvedAccuracy(string name = "accuracy") : Metric
{
    private Metric? _resolved;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>The metric the shapes picked, once a batch has been seen.</summary>
    public Metric? Resolved => _resolved;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        Resolve(yTrueShape, yPredShape).UpdateState(yTrue, yTrueShape, yPred, yPredShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        Resolve(yTrueShape, yPredShape).UpdateState(yTrue, yTrueShape, yPred, yPredShape, mask);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        Resolve(yTrueShape, yPredShape).UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask) =>
        Resolve(yTrueShape, yPredShape).UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, mask);

    private Metric Resolve(Shape yTrue, Shape yPred) => _resolved ??= TargetShapes.Classify(yTrue, yPred) switch
    {
        TargetShapes.TargetKind.Binary => new BinaryAccuracy(Name),
        TargetShapes.TargetKind.Sparse => new SparseCategoricalAccuracy(Name),
        _ => new CategoricalAccuracy(Name),
    };

    /// <inheritdoc/>
    public override double Result() => _resolved?.Result() ?? 0.0;

    /// <inheritdoc/>
    public override void ResetState() => _resolved?.ResetState();

    // Every kind it resolves to is a mean (total, count); before the first batch the state is zero.
    internal override int StateLength => 2;

    internal override void CopyState(Span<double> state)
    {
        if (_resolved is null) state[..2].Clear();
        else _resolved.CopyState(state);
    }

    internal override void SetState(ReadOnlySpan<double> state) => _resolved?.SetState(state);
}
