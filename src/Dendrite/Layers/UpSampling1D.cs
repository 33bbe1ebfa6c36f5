using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>Repeats each step <see cref="Size"/> times along the time axis (Keras' <c>UpSampling1D</c>): (steps, c) → (steps·size, c).</summary>
/// <param name="size">The upsampling factor; Keras' default 2.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class UpSampling1D(int size = 2, string? name = null) : Layer(name)
{
    /// <summary>How many times each step is repeated.</summary>
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"Argument `size` should be a positive integer. Received: size={size}");

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) =>
        inputShape.Rank == 2 ? new Shape(inputShape[0] * Size, inputShape[1])
        : throw new ArgumentException($"UpSampling1D '{Name}' expects sequences of shape (steps, channels) per sample, i.e. batches of rank 3; got per-sample shape {inputShape}.");

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Shape.Rank != 3)
            throw new ArgumentException($"UpSampling1D '{Name}' expects inputs of rank 3 (batch, steps, channels), got shape {inputs.Shape}.");
        return Ops.Repeat(inputs, Size, axis: 1);
    }
}
