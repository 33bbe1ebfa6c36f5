using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The mean of (yPred − yTrue)² (<c>keras.losses.MeanSquaredError</c>): over the last axis per sample, then over the
/// batch. See <see cref="Ops.MeanSquaredError"/>.
/// </summary>
public sealed partial class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => Ops.MeanSquaredError(yTrue, yPred, sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
