using System.Text.Json.Nodes;
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
    public static ActivationFunction Relu { get; } = new Builtin("relu", Ops.Relu);

    /// <summary>Softmax over the last axis.</summary>
    public static ActivationFunction Softmax { get; } = new Builtin("softmax", Ops.Softmax);

    /// <summary>1 / (1 + exp(−x)).</summary>
    public static ActivationFunction Sigmoid { get; } = new Builtin("sigmoid", Ops.Sigmoid);

    /// <summary>tanh(x).</summary>
    public static ActivationFunction Tanh { get; } = new Builtin("tanh", Ops.Tanh);

    /// <summary>The identity (Keras' <c>None</c> / <c>"linear"</c>).</summary>
    public static ActivationFunction Linear { get; } = new Builtin("linear", static x => x);

    /// <summary>The activation of a Keras name (case-insensitive).</summary>
    public static ActivationFunction Get(string name) => (name ?? throw new ArgumentNullException(nameof(name))).ToLowerInvariant() switch
    {
        "relu" => Relu,
        "softmax" => Softmax,
        "sigmoid" => Sigmoid,
        "tanh" => Tanh,
        "linear" or "" => Linear,
        _ => throw new ArgumentException($"Unknown activation function: '{name}'. Known: {string.Join(", ", KnownNames)}.", nameof(name)),
    };

    /// <summary>The Keras names <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["relu", "softmax", "sigmoid", "tanh", "linear"];

    /// <summary>
    /// The function as Keras serializes an activation (<c>keras.activations.serialize</c>): its name, which is also
    /// what layer configs hold under <c>activation</c>. A custom function is written by its name too; pass it to
    /// <c>Model.Load</c> in <c>customObjects</c> under that name.
    /// </summary>
    public JsonNode GetConfig() => JsonValue.Create(Name);

    /// <summary>
    /// The function a serialized activation names (<c>keras.activations.deserialize</c>): a name such as
    /// <c>"relu"</c>, or Keras' <c>{"class_name": "function", "config": "relu", …}</c> form.
    /// </summary>
    /// <exception cref="Saving.ModelFormatException">The activation is unknown.</exception>
    public static ActivationFunction FromConfig(JsonNode config) =>
        Saving.KerasRegistry.ReadConfig(new JsonObject { ["activation"] = config?.DeepClone() }, "activation", c => Layers.LayerConfigs.Activation(c));

    /// <summary>Lets a Keras name stand for the function: <c>activation: "relu"</c>.</summary>
    public static implicit operator ActivationFunction(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>A built-in activation: a Keras name and the op that applies it.</summary>
    private sealed class Builtin(string name, Func<Tensor, Tensor> apply) : ActivationFunction
    {
        public override string Name => name;
        public override Tensor Apply(Tensor x) => apply(x);
    }
}
