using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// The Poisson loss (<c>keras.losses.Poisson</c>): mean(p − t·log(p + ε)) over the last axis, ε = 1e-7.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class Poisson(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "poisson";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        Ops.Mean(yPred - yTrue * Ops.Log(yPred + Ops.Epsilon), -1);
}

/// <summary>
/// The log-cosh loss (<c>keras.losses.LogCosh</c>): mean(log(cosh(p − t))) over the last axis, computed as
/// |x| + log(1 + e^−2|x|) − log 2, which never overflows (Keras' x + softplus(−2x) − log 2).
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class LogCosh(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "log_cosh";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var a = Ops.Abs(yPred - yTrue);
        return Ops.Mean(a + Ops.Log(1f + Ops.Exp(a * -2f)) - MathF.Log(2f), -1);
    }
}

/// <summary>
/// The mean absolute percentage error (<c>keras.losses.MeanAbsolutePercentageError</c>, <c>mape</c>):
/// 100 · mean(|t − p| / max(|t|, ε)) over the last axis, ε = 1e-7.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class MeanAbsolutePercentageError(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_percentage_error";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        Ops.Mean(Ops.Abs((yTrue - yPred) / Ops.Maximum(Ops.Abs(yTrue), Ops.Epsilon)), -1) * 100f;
}

/// <summary>
/// The mean squared logarithmic error (<c>keras.losses.MeanSquaredLogarithmicError</c>, <c>msle</c>):
/// mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²) over the last axis, ε = 1e-7.
/// </summary>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class MeanSquaredLogarithmicError(string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_logarithmic_error";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        Ops.Mean(Ops.Square(Ops.Log(Ops.Maximum(yPred, Ops.Epsilon) + 1f) - Ops.Log(Ops.Maximum(yTrue, Ops.Epsilon) + 1f)), -1);
}

/// <summary>
/// The negated cosine similarity (<c>keras.losses.CosineSimilarity</c>): −Σ t̂·p̂ over <see cref="Axis"/>, each operand
/// L2-normalised with its norm floored at ε = 1e-7 (Keras' <c>normalize</c>), so a zero vector gives 0. Values lie in
/// [−1, 1]; −1 is best.
/// </summary>
/// <param name="axis">The features axis; the last by default.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class CosineSimilarity(int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <summary>The axis the similarity runs along.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "cosine_similarity";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        -1f * Ops.Sum(Normalize(MoveAxisLast(yTrue, Axis)) * Normalize(MoveAxisLast(yPred, Axis)), -1);

    /// <summary>x · min(1/√Σx², 1/ε): Keras' L2 normalisation.</summary>
    internal static Tensor Normalize(Tensor x) =>
        x / Ops.Sqrt(Ops.Maximum(Ops.Sum(Ops.Square(x), -1, keepDims: true), Ops.Epsilon * Ops.Epsilon));
}
