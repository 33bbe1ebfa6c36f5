using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Binary cross-entropy between 0/1 (or soft) targets and predicted probabilities, or logits when
/// <paramref name="fromLogits"/> (<c>keras.losses.BinaryCrossentropy</c>), averaged over the last axis and the batch.
/// Probabilities are clipped to [1e-7, 1 − 1e-7]; behind a sigmoid output the loss is computed from the logits, as
/// Keras does on TensorFlow. See <see cref="Ops.BinaryCrossentropy"/>.
/// </summary>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / 2.</param>
/// <param name="axis">The class (features) axis; the last by default. Another axis is moved last before the loss is taken.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class BinaryCrossentropy(bool fromLogits = false, float labelSmoothing = 0f, int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    private readonly float _labelSmoothing = CategoricalCrossentropy.Checked(labelSmoothing);

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are squeezed towards ½.</summary>
    public float LabelSmoothing => _labelSmoothing;

    /// <summary>The axis the mean runs over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        (yTrue, yPred) = ClassAxisLast(yTrue, yPred, Axis);
        return ReducesByMean ? Ops.BinaryCrossentropy(yTrue, yPred, FromLogits, _labelSmoothing, sampleWeight)
            : Reduce(Ops.BinaryCrossentropyValues(yTrue, yPred, FromLogits, _labelSmoothing), sampleWeight);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape) => ValidateSameShape(y, outputShape);
}
