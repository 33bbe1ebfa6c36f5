using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The mean of (yPred − yTrue)² (<c>keras.losses.MeanSquaredError</c>): over the last axis per sample, then over the
/// batch. See <see cref="Ops.MeanSquaredError"/>.
/// </summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Ops.MeanSquaredError(yTrue, yPred);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
