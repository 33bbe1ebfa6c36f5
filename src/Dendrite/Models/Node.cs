using Dendrite.Layers;

namespace Dendrite;

/// <summary>One call of a layer in a functional graph: the layer, the symbolic tensors it was called on, its output.</summary>
internal sealed class Node
{
    public Node(Layer layer, KerasTensor[] inputs, Shape outputShape)
    {
        Layer = layer;
        Inputs = inputs;
        Output = new KerasTensor(outputShape, layer.Name, this);
    }

    /// <summary>An input node: the <see cref="Input"/> tensor is its own output.</summary>
    public Node(InputLayer layer, KerasTensor[] inputs, KerasTensor output)
    {
        Layer = layer;
        Inputs = inputs;
        Output = output;
    }

    public Layer Layer { get; }

    public KerasTensor[] Inputs { get; }

    public KerasTensor Output { get; }

    /// <summary>Keyword arguments of the call (keyword tensors are the last inputs); null for a plain call on its inputs.</summary>
    public CallArguments? Arguments { get; init; }

    /// <summary>The positional inputs: all of them unless some are keyword tensors.</summary>
    public ArraySegment<KerasTensor> PositionalInputs => new(Inputs, 0, Arguments?.PositionalCount ?? Inputs.Length);
}
