using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>
/// Declares the per-sample input shape of a model (Keras' <c>InputLayer</c> / <c>Input</c>): a
/// <see cref="Sequential"/> that starts with one is built at once, so <c>Summary()</c> shows every shape before any
/// data is seen. Without it the model builds from the first batch.
/// </summary>
/// <param name="shape">The shape of one sample, without the batch axis, e.g. <c>[28, 28, 1]</c>.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class InputLayer(int[] shape, string? name = null) : Layer(name)
{
    /// <summary>The per-sample shape.</summary>
    public Shape Shape { get; } = Validate(shape);

    private static Shape Validate(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"InputLayer needs a per-sample shape of positive dimensions (no batch axis), got ({string.Join(", ", shape)}).", nameof(shape));
        return new Shape(shape);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs;
    }
}
