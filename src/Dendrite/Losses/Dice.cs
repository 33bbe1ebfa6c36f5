using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The Dice loss (<c>keras.losses.Dice</c>): 1 − 2·Σ t·p / (Σ t + Σ p + ε) over <see cref="Axis"/> (ε = 1e-7). With
/// no axis (Keras' default) the sums run over every axis and the loss is one scalar for the batch, which no reduction
/// changes; with e.g. axis [1, 2, 3] it is one value per sample.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
/// <param name="axis">The axes the sums run over; null for all.</param>
public sealed partial class Dice(string? reduction = LossReduction.SumOverBatchSize, int[]? axis = null) : PerSampleLoss(reduction)
{
    /// <summary>The axes the sums run over; null for all.</summary>
    public IReadOnlyList<int>? Axis { get; } = axis is null ? null : [.. axis];

    /// <inheritdoc/>
    public override string Name => "dice";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        int[]? axes = Axis is null ? null : [.. Axis];
        var intersection = Ops.Sum(yTrue * yPred, axes);
        return 1f - intersection * 2f / (Ops.Sum(yTrue, axes) + Ops.Sum(yPred, axes) + Ops.Epsilon);
    }
}
