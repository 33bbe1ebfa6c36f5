using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Constraints;

/// <summary>
/// Moves the L2 norm n of each slice over <see cref="Axis"/> towards [<see cref="MinValue"/>, <see cref="MaxValue"/>]
/// (Keras' <c>MinMaxNorm</c>, <c>"min_max_norm"</c>): <c>w ← w·(rate·clip(n, min, max) + (1 − rate)·n) / (1e-7 + n)</c>.
/// A rate of 1 enforces the bounds at once; below 1 the norm gets there over several updates.
/// </summary>
/// <param name="minValue">The smallest norm; Keras' default 0.</param>
/// <param name="maxValue">The largest norm; Keras' default 1.</param>
/// <param name="rate">How far each application moves the norm; Keras' default 1.</param>
/// <param name="axis">The axes the norm runs over; Keras' default 0. Negative axes count from the end.</param>
public sealed class MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, params int[] axis) : Constraint
{
    /// <summary>The smallest norm.</summary>
    public double MinValue { get; } = minValue >= 0 && double.IsFinite(minValue) ? minValue
        : throw new ArgumentOutOfRangeException(nameof(minValue), FormattableString.Invariant($"min_value must be a non-negative finite number. Received: min_value={minValue}"));

    /// <summary>The largest norm.</summary>
    public double MaxValue { get; } = maxValue >= minValue && double.IsFinite(maxValue) ? maxValue
        : throw new ArgumentOutOfRangeException(nameof(maxValue), FormattableString.Invariant($"max_value must be a finite number >= min_value. Received: min_value={minValue}, max_value={maxValue}"));

    /// <summary>How far each application moves the norm into the bounds (1: all the way).</summary>
    public double Rate { get; } = double.IsFinite(rate) ? rate
        : throw new ArgumentOutOfRangeException(nameof(rate), FormattableString.Invariant($"rate must be a finite number. Received: rate={rate}"));

    /// <summary>The axes the norm runs over.</summary>
    public IReadOnlyList<int> Axis { get; } = axis is { Length: > 0 } ? CheckAxes(axis, nameof(axis)) : [0];

    /// <inheritdoc/>
    public override void Apply(Span<float> values, Shape shape)
    {
        float min = (float)MinValue, max = (float)MaxValue, r = (float)Rate, oneMinusR = (float)(1 - Rate);
        AxisNorms.Rescale(values, shape, [.. Axis], n => (r * Math.Clamp(n, min, max) + oneMinusR * n) / (AxisNorms.Epsilon + n), "MinMaxNorm");
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["min_value"] = MinValue,
        ["max_value"] = MaxValue,
        ["rate"] = Rate,
        ["axis"] = AxisNode([.. Axis]),
    };

    /// <summary>Rebuilds the constraint from its Keras config.</summary>
    public static MinMaxNorm FromConfig(JsonObject config) =>
        KerasRegistry.ReadConfig(config, "constraint MinMaxNorm", c => new MinMaxNorm(c.Double("min_value", 0), c.Double("max_value", 1), c.Double("rate", 1), ReadAxis(c, 0)));
}
