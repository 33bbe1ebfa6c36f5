using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Cross-entropy between one-hot (or soft) targets of shape (N, C) and predicted class probabilities, or logits when
/// <paramref name="fromLogits"/> (<c>keras.losses.CategoricalCrossentropy</c>). Behind a softmax output it is computed
/// from the logits, as Keras does on TensorFlow; see <see cref="Ops.CategoricalCrossentropy"/>.
/// </summary>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / C.</param>
/// <param name="axis">The class (features) axis; the last by default. Another axis is moved last before the loss is taken.</param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class CategoricalCrossentropy(bool fromLogits = false, float labelSmoothing = 0f, int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    private readonly float _labelSmoothing = Checked(labelSmoothing);

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are smoothed towards the uniform distribution.</summary>
    public float LabelSmoothing => _labelSmoothing;

    /// <summary>The class axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        (yTrue, yPred) = ClassAxisLast(yTrue, yPred, Axis);
        return ReducesByMean ? Ops.CategoricalCrossentropy(yTrue, yPred, FromLogits, _labelSmoothing, sampleWeight)
            : Reduce(Ops.CategoricalCrossentropyValues(yTrue, yPred, FromLogits, _labelSmoothing), sampleWeight);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape) =>
        ValidateSameShape(y, outputShape, "Integer class labels need sparse_categorical_crossentropy, or one-hot encoding with Utils.ToCategorical.");

    internal static float Checked(float labelSmoothing)
    {
        Ops.CheckLabelSmoothing(labelSmoothing);
        return labelSmoothing;
    }
}
