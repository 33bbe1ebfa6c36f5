namespace Dendrite.Optimizers.Schedules;

/// <summary>
/// A piecewise constant learning rate (Keras' <c>PiecewiseConstantDecay</c>): <c>values[0]</c> while
/// <c>step ≤ boundaries[0]</c>, <c>values[i]</c> while <c>boundaries[i−1] &lt; step ≤ boundaries[i]</c>, and the last
/// value after the last boundary.
/// </summary>
public sealed partial class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <summary>
    /// Creates the schedule. <paramref name="values"/> has one more element than <paramref name="boundaries"/>, which
    /// must be strictly increasing and not empty (Keras documents that and fails later without it).
    /// </summary>
    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<float> values, string name = "PiecewiseConstant")
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (boundaries.Count != values.Count - 1)
            throw new ArgumentException($"The length of boundaries should be 1 less than the length of values. Received: boundaries=[{string.Join(", ", boundaries)}] of length {boundaries.Count}, and values of length {values.Count}.", nameof(values));
        if (boundaries.Count == 0)
            throw new ArgumentException("boundaries must hold at least one step.", nameof(boundaries));
        for (int i = 1; i < boundaries.Count; i++)
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"boundaries must be strictly increasing. Received: boundaries=[{string.Join(", ", boundaries)}]", nameof(boundaries));
        for (int i = 0; i < values.Count; i++)
            if (!(float.IsFinite(values[i]) && values[i] >= 0))
                throw new ArgumentOutOfRangeException(nameof(values), FormattableString.Invariant($"values must be finite learning rates >= 0. Received: values[{i}]={values[i]}"));
        _boundaries = [.. boundaries];
        _values = [.. values];
    }

    /// <summary>The steps at which the value changes (the new value applies after the boundary step).</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The learning rate of each interval.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <inheritdoc/>
    /// <remarks>The values are the float32 ones given, widened.</remarks>
    public override double Evaluate(long step) => ValueAt(step);

    /// <inheritdoc/>
    public override float ValueAt(long step)
    {
        // The first boundary not below step closes the interval that holds it.
        for (int i = 0; i < _boundaries.Length; i++)
            if (step <= _boundaries[i]) return _values[i];
        return _values[^1];
    }
}
