using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The Kullback–Leibler divergence Σ yTrue·log(yTrue / yPred) over the last axis, averaged over the batch, with both
/// operands clipped to [1e-7, 1] (<c>keras.losses.KLDivergence</c>). See <see cref="Ops.KLDivergence"/>.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class KLDivergence(string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "kl_divergence";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) =>
        ReducesByMean ? Ops.KLDivergence(yTrue, yPred, sampleWeight) : Reduce(Ops.KLDivergenceValues(yTrue, yPred), sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
