using Dendrite.Layers;

namespace Dendrite;

/// <summary>
/// One call of a layer in a functional graph: the layer, the symbolic tensors it was called on, and its outputs
/// (one, or several for a layer that returns a list, such as a recurrent layer with returnState).
/// </summary>
internal sealed class Node
{
    public Node(Layer layer, KerasTensor[] inputs, Shape[] outputShapes)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = [.. outputShapes.Select((shape, i) => new KerasTensor(shape, layer.Name, this, i))];
    }

    /// <summary>An input node: the <see cref="Input"/> tensor is its own output.</summary>
    public Node(InputLayer layer, KerasTensor[] inputs, KerasTensor output)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = [output];
    }

    public Layer Layer { get; }

    public KerasTensor[] Inputs { get; }

    /// <summary>Every output of the call, in the layer's order.</summary>
    public KerasTensor[] Outputs { get; }

    /// <summary>The first (usually the only) output.</summary>
    public KerasTensor Output => Outputs[0];

    /// <summary>Keyword arguments of the call (keyword tensors are the last inputs); null for a plain call on its inputs.</summary>
    public CallArguments? Arguments { get; init; }

    /// <summary>The positional inputs: all of them unless some are keyword tensors.</summary>
    public ArraySegment<KerasTensor> PositionalInputs => new(Inputs, 0, Arguments?.PositionalCount ?? Inputs.Length);
}
