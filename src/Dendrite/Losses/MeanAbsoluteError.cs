using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The mean of |yPred − yTrue| (<c>keras.losses.MeanAbsoluteError</c>): over the last axis per sample, then over the
/// batch. See <see cref="Ops.MeanAbsoluteError"/>.
/// </summary>
public sealed partial class MeanAbsoluteError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_error";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => Ops.MeanAbsoluteError(yTrue, yPred, sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
