using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// Cross-entropy between integer class labels (shape (N,) or (N, 1)) and predicted class probabilities (N, C), or
/// logits when <paramref name="fromLogits"/> (<c>keras.losses.SparseCategoricalCrossentropy</c>). Behind a softmax
/// output it is computed from the logits, stably, as Keras does on TensorFlow; see
/// <see cref="Ops.SparseCategoricalCrossentropy"/>.
/// </summary>
/// <param name="fromLogits">Whether predictions are logits rather than probabilities.</param>
public sealed partial class SparseCategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

    /// <inheritdoc/>
    public override Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => Ops.SparseCategoricalCrossentropy(yTrue, yPred, FromLogits, sampleWeight);

    internal override void ValidateTargets(NDArray y, Shape outputShape)
    {
        int classes = TargetShapes.CheckSparse(y.Shape, TargetShapes.WithBatch(y.Length, outputShape), Name,
            "For one-hot targets use categorical_crossentropy.");
        var labels = new float[y.Size];
        var rows = new int[y.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = i;
        y.GatherRows(rows, labels);
        TargetShapes.CheckLabelRange(labels, classes);
    }
}
