using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The Huber loss (<c>keras.losses.Huber</c>): quadratic, ½e², for errors up to <paramref name="delta"/> and linear,
/// δ|e| − ½δ², beyond; averaged over the last axis and the batch. See <see cref="Ops.Huber"/>.
/// </summary>
/// <param name="delta">Where the loss turns from quadratic to linear; must be positive.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class Huber(float delta = 1f, string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    private readonly float _delta = delta > 0 ? delta
        : throw new ArgumentException(FormattableString.Invariant($"Huber needs a positive delta, got {delta}."), nameof(delta));

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta => _delta;

    /// <inheritdoc/>
    public override string Name => "huber_loss";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) =>
        ReducesByMean ? Ops.Huber(yTrue, yPred, _delta, sampleWeight) : Reduce(Ops.HuberValues(yTrue, yPred, _delta), sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
