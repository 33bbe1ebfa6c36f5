using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Binary focal cross-entropy (<c>keras.losses.BinaryFocalCrossentropy</c>, Lin et al. 2018): the binary
/// cross-entropy of each element (probabilities clipped to [ε, 1 − ε]) times (1 − pₜ)^γ, pₜ = t·p + (1 − t)(1 − p),
/// and with class balancing times α for class 1 and 1 − α for class 0; the mean over <see cref="Axis"/>. Targets are
/// smoothed towards ½ first; from logits, the predictions go through a sigmoid.
/// </summary>
/// <param name="applyClassBalancing">Whether to weigh class 1 by α and class 0 by 1 − α.</param>
/// <param name="alpha">The weight of class 1 under class balancing.</param>
/// <param name="gamma">The focusing exponent; 0 gives the binary cross-entropy.</param>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / 2.</param>
/// <param name="axis">The axis the mean runs over; the last by default.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class BinaryFocalCrossentropy(bool applyClassBalancing = false, float alpha = 0.25f, float gamma = 2f, bool fromLogits = false,
    float labelSmoothing = 0f, int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <summary>Whether class 1 is weighed by α and class 0 by 1 − α.</summary>
    public bool ApplyClassBalancing { get; } = applyClassBalancing;

    /// <summary>The weight of class 1 under class balancing.</summary>
    public float Alpha { get; } = alpha;

    /// <summary>The focusing exponent.</summary>
    public float Gamma { get; } = gamma;

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are squeezed towards ½.</summary>
    public float LabelSmoothing { get; } = CategoricalCrossentropy.Checked(labelSmoothing);

    /// <summary>The axis the mean runs over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "binary_focal_crossentropy";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var t = MoveAxisLast(yTrue, Axis);
        var p = MoveAxisLast(yPred, Axis);
        if (LabelSmoothing != 0f) t = t * (1f - LabelSmoothing) + 0.5f * LabelSmoothing;
        if (FromLogits) p = Ops.Sigmoid(p);
        var clipped = Ops.Clip(p, Ops.Epsilon, 1f - Ops.Epsilon);
        var bce = -1f * (t * Ops.Log(clipped) + (1f - t) * Ops.Log(1f - clipped));
        var pt = t * p + (1f - t) * (1f - p);
        var focal = Ops.Power(1f - pt, Gamma) * bce;
        if (ApplyClassBalancing) focal = (t * Alpha + (1f - t) * (1f - Alpha)) * focal;
        return Ops.Mean(focal, -1);
    }
}

/// <summary>
/// Categorical focal cross-entropy (<c>keras.losses.CategoricalFocalCrossentropy</c>): Σ α·(1 − q)^γ·(−t·log q) over
/// <see cref="Axis"/>, with q the predictions divided by their sum and clipped to [ε, 1 − ε] (from logits, the softmax
/// first). Targets are one-hot, smoothed towards uniform first. Keras also takes a list of per-class α; Dendrite one α.
/// </summary>
/// <param name="alpha">The weighting factor.</param>
/// <param name="gamma">The focusing exponent; 0 gives α times the categorical cross-entropy.</param>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / C.</param>
/// <param name="axis">The class axis; the last by default.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class CategoricalFocalCrossentropy(float alpha = 0.25f, float gamma = 2f, bool fromLogits = false, float labelSmoothing = 0f,
    int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : PerSampleLoss(reduction)
{
    /// <summary>The weighting factor.</summary>
    public float Alpha { get; } = alpha;

    /// <summary>The focusing exponent.</summary>
    public float Gamma { get; } = gamma;

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are smoothed towards the uniform distribution.</summary>
    public float LabelSmoothing { get; } = CategoricalCrossentropy.Checked(labelSmoothing);

    /// <summary>The class axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "categorical_focal_crossentropy";

    /// <inheritdoc/>
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        var t = MoveAxisLast(yTrue, Axis);
        var p = MoveAxisLast(yPred, Axis);
        if (LabelSmoothing != 0f) t = t * (1f - LabelSmoothing) + LabelSmoothing / t.Shape[^1];
        if (FromLogits) p = Ops.Softmax(p);
        var q = Ops.Clip(p / Ops.Sum(p, -1, keepDims: true), Ops.Epsilon, 1f - Ops.Epsilon);
        var cce = -1f * t * Ops.Log(q);
        return Ops.Sum(Ops.Power(1f - q, Gamma) * Alpha * cce, -1);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape) =>
        ValidateSameShape(y, outputShape, "Integer class labels need one-hot encoding with Utils.ToCategorical.");
}
