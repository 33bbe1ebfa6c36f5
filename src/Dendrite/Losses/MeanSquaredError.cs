using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The mean of (yPred − yTrue)² (<c>keras.losses.MeanSquaredError</c>): over the last axis per sample, then over the
/// batch. See <see cref="Ops.MeanSquaredError"/>.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class MeanSquaredError(string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) =>
        ReducesByMean ? Ops.MeanSquaredError(yTrue, yPred, sampleWeight) : Reduce(Ops.MeanSquaredErrorValues(yTrue, yPred), sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
