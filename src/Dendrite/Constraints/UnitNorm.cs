using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Constraints;

/// <summary>
/// Scales each slice over <see cref="Axis"/> to unit L2 norm (Keras' <c>UnitNorm</c>, <c>"unit_norm"</c>):
/// <c>w ← w / (1e-7 + n)</c>, n the slice's norm (an all-zero slice stays zero).
/// </summary>
/// <param name="axis">The axes the norm runs over; Keras' default 0. Negative axes count from the end.</param>
public sealed class UnitNorm(params int[] axis) : Constraint
{
    /// <summary>The axes the norm runs over.</summary>
    public IReadOnlyList<int> Axis { get; } = axis is { Length: > 0 } ? CheckAxes(axis, nameof(axis)) : [0];

    /// <inheritdoc/>
    public override void Apply(Span<float> values, Shape shape) =>
        AxisNorms.Rescale(values, shape, [.. Axis], n => 1f / (AxisNorms.Epsilon + n), "UnitNorm");

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["axis"] = AxisNode([.. Axis]) };

    /// <summary>Rebuilds the constraint from its Keras config.</summary>
    public static UnitNorm FromConfig(JsonObject config) =>
        KerasRegistry.ReadConfig(config, "constraint UnitNorm", c => new UnitNorm(ReadAxis(c, 0)));
}
