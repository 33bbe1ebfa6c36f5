using Dendrite.Autodiff;

namespace Dendrite.Losses;

/// <summary>
/// A loss (Keras' <c>keras.losses</c>): maps targets and predictions of a batch to one scalar, the mean over the
/// batch (Keras' <c>sum_over_batch_size</c> reduction). A string converts to the loss of that Keras name.
/// </summary>
public abstract class Loss
{
    /// <summary>The Keras name, e.g. <c>sparse_categorical_crossentropy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The mean loss of the batch, as a differentiable scalar tensor.</summary>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// Checks every target of a data set before training starts, so that a bad label fails at once with its index,
    /// not midway through an epoch. <paramref name="outputShape"/> is the model's per-sample output shape.
    /// </summary>
    internal virtual void ValidateTargets(NDArray y, Shape outputShape) { }

    /// <summary>The loss of a Keras name.</summary>
    public static Loss Get(string name) => name.ToLowerInvariant() switch
    {
        "sparse_categorical_crossentropy" or "sparsecategoricalcrossentropy" => new SparseCategoricalCrossentropy(),
        _ => throw new ArgumentException($"Unknown loss function: '{name}'. Known: sparse_categorical_crossentropy."),
    };

    /// <summary>Lets a Keras name stand for the loss: <c>loss: "sparse_categorical_crossentropy"</c>.</summary>
    public static implicit operator Loss(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
