using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>Flattens each sample to one axis (Keras' <c>Flatten</c>): (batch, d1, d2, …) → (batch, d1·d2·…).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Flatten(string? name = null) : Layer(name)
{
    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => new(inputShape.Size);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.Flatten(inputs);
    }
}
