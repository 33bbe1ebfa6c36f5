using System.Text.Json.Nodes;

namespace Dendrite;

/// <summary>
/// The Keras call arguments of one functional layer call beyond its positional tensors, as a <c>.keras</c> config's
/// inbound node records them under <c>"kwargs"</c>: keyword tensors (MultiHeadAttention's <c>attention_mask</c>),
/// which the node lists after its <see cref="PositionalCount"/> positional inputs, in <see cref="TensorNames"/> order,
/// and plain values (<c>use_causal_mask: true</c>) in <see cref="Values"/>. The model passes them to the layer each
/// time it runs the call, and writes them back to the config.
/// </summary>
internal sealed class CallArguments(int positionalCount, IReadOnlyList<string> tensorNames, JsonObject values)
{
    /// <summary>How many of the node's inputs are positional; the rest are the keyword tensors.</summary>
    public int PositionalCount { get; } = positionalCount;

    /// <summary>The keyword of each keyword tensor, in the node's input order after the positional ones.</summary>
    public IReadOnlyList<string> TensorNames { get; } = tensorNames;

    /// <summary>The non-tensor keyword arguments, as JSON.</summary>
    public JsonObject Values { get; } = values;

    /// <summary>The keyword tensor named <paramref name="name"/> among a call's <paramref name="inputs"/>, or null.</summary>
    public T? Tensor<T>(IReadOnlyList<T> inputs, string name) where T : class
    {
        for (int i = 0; i < TensorNames.Count; i++)
            if (TensorNames[i] == name) return inputs[PositionalCount + i];
        return null;
    }

    /// <summary>A boolean keyword argument, or <paramref name="defaultValue"/> when absent or null.</summary>
    public bool Flag(string name, bool defaultValue = false) =>
        Values[name] is JsonValue v && v.TryGetValue(out bool b) ? b : defaultValue;
}
