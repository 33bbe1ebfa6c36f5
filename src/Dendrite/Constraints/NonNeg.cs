using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Constraints;

/// <summary>Keeps every weight non-negative: <c>w ← max(w, 0)</c> (Keras' <c>NonNeg</c>, <c>"non_neg"</c>).</summary>
public sealed class NonNeg : Constraint
{
    /// <inheritdoc/>
    public override void Apply(Span<float> values, Shape shape)
    {
        // NaN stays NaN, as in ops.maximum.
        for (int i = 0; i < values.Length; i++) if (values[i] < 0) values[i] = 0;
    }

    /// <summary>Rebuilds the constraint from its (empty) Keras config.</summary>
    public static NonNeg FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "constraint NonNeg", _ => new NonNeg());
}
