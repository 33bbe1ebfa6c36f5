using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// A loss defined by its per-sample values, written with <see cref="Ops"/> (Keras' <c>LossFunctionWrapper</c>):
/// targets and predictions are brought to the same rank (a trailing axis of length 1 squeezed or added, Keras'
/// <c>squeeze_or_expand_to_same_rank</c>), <see cref="Values"/> maps them to one value per sample (or per step), and
/// those are weighted and reduced as <see cref="Loss.Reduction"/> says.
/// </summary>
public abstract class PerSampleLoss : Loss
{
    /// <summary>A loss reduced as <paramref name="reduction"/> says.</summary>
    /// <param name="reduction">One of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
    /// <exception cref="ArgumentException">The reduction is not a Keras reduction.</exception>
    protected PerSampleLoss(string? reduction) : base(reduction) { }

    /// <summary>The unreduced values (Keras' <c>call</c>): typically of the predictions' shape without the last axis.</summary>
    /// <param name="yTrue">The targets, of the predictions' rank.</param>
    /// <param name="yPred">The predictions.</param>
    protected abstract Tensor Values(Tensor yTrue, Tensor yPred);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        TargetShapes.AlignedLastDim(yTrue.Shape, yPred.Shape, Name);
        (yTrue, yPred) = FunctionLoss.SameRank(yTrue, yPred);
        return Reduce(Values(yTrue, yPred), sampleWeight);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
