using Dendrite.Autodiff;

namespace Dendrite.Activations;

/// <summary>
/// An activation function applied by a layer (Keras' <c>keras.activations</c>). A string converts to the function of
/// that Keras name: <c>"relu"</c>, <c>"softmax"</c>, <c>"sigmoid"</c>, <c>"tanh"</c>, <c>"linear"</c>.
/// </summary>
public abstract class ActivationFunction
{
    /// <summary>The Keras name, as written in configs.</summary>
    public abstract string Name { get; }

    /// <summary>Applies the function with differentiable ops.</summary>
    public abstract Tensor Apply(Tensor x);

    /// <summary>max(x, 0).</summary>
    public static ActivationFunction Relu { get; } = new ReluActivation();

    /// <summary>Softmax over the last axis.</summary>
    public static ActivationFunction Softmax { get; } = new SoftmaxActivation();

    /// <summary>1 / (1 + exp(−x)).</summary>
    public static ActivationFunction Sigmoid { get; } = new SigmoidActivation();

    /// <summary>tanh(x).</summary>
    public static ActivationFunction Tanh { get; } = new TanhActivation();

    /// <summary>The identity (Keras' <c>None</c> / <c>"linear"</c>).</summary>
    public static ActivationFunction Linear { get; } = new LinearActivation();

    /// <summary>The activation of a Keras name (case-insensitive).</summary>
    public static ActivationFunction Get(string name) => name.ToLowerInvariant() switch
    {
        "relu" => Relu,
        "softmax" => Softmax,
        "sigmoid" => Sigmoid,
        "tanh" => Tanh,
        "linear" or "" => Linear,
        _ => throw new ArgumentException($"Unknown activation function: '{name}'. Known: relu, softmax, sigmoid, tanh, linear."),
    };

    /// <summary>Lets a Keras name stand for the function: <c>activation: "relu"</c>.</summary>
    public static implicit operator ActivationFunction(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    private sealed class ReluActivation : ActivationFunction
    {
        public override string Name => "relu";
        public override Tensor Apply(Tensor x) => Ops.Relu(x);
    }

    private sealed class SoftmaxActivation : ActivationFunction
    {
        public override string Name => "softmax";
        public override Tensor Apply(Tensor x) => Ops.Softmax(x);
    }

    private sealed class SigmoidActivation : ActivationFunction
    {
        public override string Name => "sigmoid";
        public override Tensor Apply(Tensor x) => Ops.Sigmoid(x);
    }

    private sealed class TanhActivation : ActivationFunction
    {
        public override string Name => "tanh";
        public override Tensor Apply(Tensor x) => Ops.Tanh(x);
    }

    private sealed class LinearActivation : ActivationFunction
    {
        public override string Name => "linear";
        public override Tensor Apply(Tensor x) => x;
    }
}
