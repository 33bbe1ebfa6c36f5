using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Constraints;

/// <summary>
/// Caps the L2 norm of each slice over <see cref="Axis"/> at <see cref="MaxValue"/> (Keras' <c>MaxNorm</c>,
/// <c>"max_norm"</c>): <c>w ← w·clip(n, 0, max) / (1e-7 + n)</c>, n the slice's norm. For a Dense kernel
/// (input_dim, units), axis 0 caps each unit's incoming weights; for a Conv2D kernel, axes [0, 1, 2] cap each filter.
/// </summary>
/// <param name="maxValue">The largest norm; Keras' default 2.</param>
/// <param name="axis">The axes the norm runs over; Keras' default 0. Negative axes count from the end.</param>
public sealed class MaxNorm(double maxValue = 2, params int[] axis) : Constraint
{
    /// <summary>The largest norm.</summary>
    public double MaxValue { get; } = maxValue >= 0 && double.IsFinite(maxValue) ? maxValue
        : throw new ArgumentOutOfRangeException(nameof(maxValue), FormattableString.Invariant($"max_value must be a non-negative finite number. Received: max_value={maxValue}"));

    /// <summary>The axes the norm runs over.</summary>
    public IReadOnlyList<int> Axis { get; } = axis is { Length: > 0 } ? CheckAxes(axis, nameof(axis)) : [0];

    /// <inheritdoc/>
    public override void Apply(Span<float> values, Shape shape)
    {
        float max = (float)MaxValue;
        AxisNorms.Rescale(values, shape, [.. Axis], n => Math.Clamp(n, 0f, max) / (AxisNorms.Epsilon + n), "MaxNorm");
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["max_value"] = MaxValue, ["axis"] = AxisNode([.. Axis]) };

    /// <summary>Rebuilds the constraint from its Keras config.</summary>
    public static MaxNorm FromConfig(JsonObject config) =>
        KerasRegistry.ReadConfig(config, "constraint MaxNorm", c => new MaxNorm(c.Double("max_value", 2), ReadAxis(c, 0)));
}
