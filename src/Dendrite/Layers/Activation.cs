using Dendrite.Activations;
using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>Applies an activation function to its input (Keras' <c>Activation</c>): <c>new Activation("relu")</c>.</summary>
/// <param name="activation">The function, or its Keras name.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Activation(ActivationFunction activation, string? name = null) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>The function applied.</summary>
    public ActivationFunction Function { get; } = activation ?? throw new ArgumentNullException(nameof(activation));

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Function.Apply(inputs);
    }
}
