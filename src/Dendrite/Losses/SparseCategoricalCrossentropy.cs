using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Cross-entropy between integer class labels (shape (N,) or (N, 1)) and predicted class probabilities (N, C), or
/// logits when <paramref name="fromLogits"/> (<c>keras.losses.SparseCategoricalCrossentropy</c>). Behind a softmax
/// output it is computed from the logits, stably, as Keras does on TensorFlow; see
/// <see cref="Ops.SparseCategoricalCrossentropy"/>.
/// </summary>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
/// <param name="ignoreClass">
/// A label whose samples (or steps) get a loss of 0 and count in neither the sum nor the divisor (Keras'
/// <c>ignore_class</c>, e.g. -1 or 255 for "void" pixels); such labels may lie outside [0, classes). Null for none.
/// </param>
/// <param name="axis">
/// The class axis of the predictions; the last by default (Keras' <c>sparse_categorical_crossentropy(axis=...)</c>;
/// the Keras class has no such argument, so a config carries it only when it is not -1).
/// </param>
/// <param name="reduction">How the per-sample values are reduced: one of <see cref="LossReduction.All"/> (null for <c>none</c>).</param>
public sealed partial class SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, int axis = -1, string? reduction = LossReduction.SumOverBatchSize) : Loss(reduction)
{
    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>The ignored label, or null.</summary>
    public int? IgnoreClass { get; } = ignoreClass;

    /// <summary>The class axis of the predictions.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (!IsLastAxis(Axis, yPred.Shape.Rank)) yPred = MoveAxisLast(yPred, Axis);
        if (IgnoreClass is null && ReducesByMean) return Ops.SparseCategoricalCrossentropy(yTrue, yPred, FromLogits, sampleWeight);
        var values = Ops.SparseCategoricalCrossentropyValues(yTrue, yPred, FromLogits, IgnoreClass);
        // Keras marks the ignored entries with a mask on the values, which apply_mask turns into weights.
        var mask = IgnoreClass is int ignored ? Ops.NotEqualMask(yTrue, ignored) : null;
        return Reduce(values, sampleWeight, mask);
    }

    internal override void ValidateTargets(NDArray y, Shape outputShape)
    {
        if (!IsLastAxis(Axis, outputShape.Rank + 1)) return; // the op checks the labels once the class axis is last
        int classes = TargetShapes.CheckSparse(y.Shape, TargetShapes.WithBatch(y.Length, outputShape), Name,
            "For one-hot targets use categorical_crossentropy.");
        var labels = new float[y.Size];
        var rows = new int[y.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = i;
        y.GatherRows(rows, labels);
        TargetShapes.CheckLabelRange(labels, classes, IgnoreClass);
    }
}
