using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The hinge loss (<c>keras.losses.Hinge</c>): mean(max(1 − t·p, 0)) over the last axis. Targets are −1 or 1; when
/// every target of a batch is 0 or 1 they are first mapped to −1 and 1, as Keras does.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class Hinge(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "hinge";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        Ops.Mean(Ops.Maximum(1f - Ops.HingeLabels(yTrue) * yPred, 0f), -1);
}

/// <summary>
/// The squared hinge loss (<c>keras.losses.SquaredHinge</c>): mean(max(1 − t·p, 0)²) over the last axis, with 0/1
/// targets mapped to −1/1 as for <see cref="Hinge"/>.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class SquaredHinge(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "squared_hinge";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        Ops.Mean(Ops.Square(Ops.Maximum(1f - Ops.HingeLabels(yTrue) * yPred, 0f)), -1);
}

/// <summary>
/// The categorical hinge loss (<c>keras.losses.CategoricalHinge</c>): max(neg − pos + 1, 0) with pos = Σ t·p and
/// neg = max((1 − t)·p) over the last axis; targets one-hot (no label mapping).
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class CategoricalHinge(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "categorical_hinge";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var pos = Ops.Sum(yTrue * yPred, -1);
        var neg = Ops.Max((1f - yTrue) * yPred, -1);
        return Ops.Maximum(neg - pos + 1f, 0f);
    }
}
