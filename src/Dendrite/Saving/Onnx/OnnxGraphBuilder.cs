using System.Runtime.InteropServices;
using Dendrite.Saving.Onnx.Proto;
using Google.Protobuf;

namespace Dendrite.Saving.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX <see cref="GraphProto"/>, giving every value a unique name, and renames a
/// node's output afterwards (to give a model output its Keras name).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName) => Graph = new GraphProto { Name = graphName };

    /// <summary>The graph being written.</summary>
    public GraphProto Graph { get; }

    /// <summary>
    /// A name no value has yet, taken: <paramref name="wanted"/> itself when free, else <c>wanted_1</c>, <c>wanted_2</c>, …
    /// </summary>
    public string UniqueName(string wanted)
    {
        if (_names.Add(wanted)) return wanted;
        for (int i = 1; ; i++)
        {
            string candidate = $"{wanted}_{i}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    /// <summary>Appends a node of <paramref name="opType"/> (default domain) and returns the name of its one output.</summary>
    public string AddNode(string opType, IEnumerable<string> inputs, string outputName, params AttributeProto[] attributes)
    {
        string output = UniqueName(outputName);
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        _producers[output] = node;
        return output;
    }

    /// <summary>Whether a node (rather than the graph's inputs) produces <paramref name="value"/>.</summary>
    public bool IsNodeOutput(string value) => _producers.ContainsKey(value);

    /// <summary>
    /// Renames the node output <paramref name="value"/> to the already reserved <paramref name="newName"/>, in the node
    /// that writes it and in every node that reads it.
    /// </summary>
    public void RenameNodeOutput(string value, string newName)
    {
        var producer = _producers[value];
        _producers.Remove(value);
        _producers[newName] = producer;
        for (int i = 0; i < producer.Output.Count; i++)
            if (producer.Output[i] == value) producer.Output[i] = newName;
        if (producer.Name == value) producer.Name = newName;
        foreach (var node in Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == value) node.Input[i] = newName;
    }

    /// <summary>Adds a float32 constant of shape <paramref name="dims"/> (empty for a scalar); returns its name.</summary>
    public string AddFloatInitializer(string wantedName, ReadOnlySpan<float> data, params int[] dims)
    {
        long count = 1;
        foreach (int d in dims) count *= d;
        if (count != data.Length)
            throw new InvalidOperationException($"ONNX export: initializer '{wantedName}' has {data.Length} values for shape ({string.Join(", ", dims)}).");
        var tensor = new TensorProto { Name = UniqueName(wantedName), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        if (BitConverter.IsLittleEndian) tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        else tensor.FloatData.AddRange(data.ToArray()); // raw_data is little-endian by definition
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a float32 scalar constant.</summary>
    public string AddScalar(string wantedName, float value) => AddFloatInitializer(wantedName, [value]);

    /// <summary>Adds a 1-D int64 constant (a shape for Reshape); returns its name.</summary>
    public string AddInt64Initializer(string wantedName, params long[] data)
    {
        var tensor = new TensorProto { Name = UniqueName(wantedName), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(data.Length);
        tensor.Int64Data.AddRange(data);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float32 tensor type with a symbolic batch axis (<c>dim_param "batch"</c>) before the per-sample dims.</summary>
    public static ValueInfoProto BatchedFloatValue(string name, Shape perSample)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (int d in perSample.ToArray()) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
