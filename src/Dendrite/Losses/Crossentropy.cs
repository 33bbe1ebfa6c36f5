using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Keras' <c>"crossentropy"</c> (or <c>"ce"</c>) in <c>compile</c>: the cross-entropy the shapes call for, chosen on
/// the first batch (or when <c>Fit</c> checks the targets) as Keras' <c>get_loss</c> does — binary when the prediction
/// has one column, else sparse categorical when the targets have fewer axes than the predictions (or one column
/// against several), categorical otherwise. Each with Keras' defaults.
/// </summary>
/// <param name="name">The name it was asked by.</param>
public sealed partial class Crossentropy(string name = "crossentropy") : Loss
{
    private Loss? _resolved;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>The cross-entropy chosen, once the shapes have been seen.</summary>
    public Loss? Resolved => _resolved;

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        return Resolve(yTrue.Shape, yPred.Shape).Call(yTrue, yPred, sampleWeight);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape) =>
        Resolve(y.Shape, TargetShapes.WithBatch(y.Length, outputShape)).ValidateTargets(y, outputShape);

    private Loss Resolve(Shape yTrue, Shape yPred)
    {
        if (_resolved is not null) return _resolved;
        return _resolved = TargetShapes.Classify(yTrue, yPred) switch
        {
            TargetShapes.TargetKind.Binary => new BinaryCrossentropy(),
            TargetShapes.TargetKind.Sparse => new SparseCategoricalCrossentropy(),
            _ => new CategoricalCrossentropy(),
        };
    }
}
