using Dendrite.Layers;

namespace Dendrite;

/// <summary>
/// A symbolic tensor of the functional API (Keras' <c>KerasTensor</c>): it has a per-sample shape but no values,
/// and remembers the layer call that produced it. Layers called on it build themselves and return new symbolic
/// tensors; <c>new Model(inputs, outputs)</c> then runs that graph on real data.
/// </summary>
public class KerasTensor
{
    internal KerasTensor(Shape shape, string name, Node? producer, int outputIndex = 0)
    {
        Shape = shape;
        Name = name;
        Producer = producer;
        OutputIndex = outputIndex;
    }

    /// <summary>Which output of its producer's call this is (Keras' tensor index in <c>keras_history</c>): 0 unless the layer returns several.</summary>
    internal int OutputIndex { get; }

    /// <summary>The shape of one sample (the batch axis, Keras' <c>None</c>, is left out).</summary>
    public Shape Shape { get; }

    /// <summary>The name: an input's name, or the producing layer's.</summary>
    public string Name { get; }

    /// <summary>The layer call that produced it (for an <see cref="Input"/>, its <see cref="InputLayer"/>'s node).</summary>
    internal Node? Producer { get; private protected set; }

    /// <summary>Keras' shape text with the batch axis: <c>(None, 28, 28, 1)</c>.</summary>
    internal static string Format(Shape perSample) => perSample.Rank == 0 ? "(None,)" : $"(None, {string.Join(", ", perSample.ToArray())})";

    /// <inheritdoc/>
    public override string ToString() => $"<KerasTensor shape={Format(Shape)}, dtype=float32, name={Name}>";
}

/// <summary>
/// The start of a functional model (Keras' <c>keras.Input</c>): a symbolic tensor for inputs of the given
/// per-sample shape, produced by an <see cref="InputLayer"/>.
/// </summary>
/// <example>
/// <code>
/// var inputs = new Input(shape: [28, 28, 1]);
/// var x = new Conv2D(32, 3, activation: "relu").Call(inputs);
/// var outputs = new Dense(10, activation: "softmax").Call(new Flatten().Call(x));
/// var model = new Model(inputs, outputs);
/// </code>
/// </example>
public sealed class Input : KerasTensor
{
    /// <summary>An input of per-sample shape <paramref name="shape"/>; named <c>input_layer</c>, <c>input_layer_1</c>, … by default.</summary>
    public Input(int[] shape, string? name = null) : this(new InputLayer(shape, name)) { }

    private Input(InputLayer layer) : base(layer.Shape, layer.Name, null)
    {
        Layer = layer;
        layer.EnsureBuilt(layer.Shape);
        InputNode = new Node(layer, [], this);
        Producer = InputNode;
    }

    /// <summary>The input of an existing <see cref="InputLayer"/> (a model being loaded from its config).</summary>
    internal static Input ForLayer(InputLayer layer) => new(layer);

    /// <summary>The layer that stands for this input in the model.</summary>
    public InputLayer Layer { get; }

    internal Node InputNode { get; }
}
