using System.Numerics;

namespace Dendrite.Optimizers.Schedules;

/// <summary>
/// Exponential decay (Keras' <c>ExponentialDecay</c>):
/// <c>initialLearningRate · decayRate^(step / decaySteps)</c>, with the exponent floored when
/// <see cref="Staircase"/> is set. <see cref="ValueAt"/> computes in float32 like Keras (step, decaySteps and decayRate
/// cast to float32), <see cref="Evaluate"/> the same formula in float64.
/// </summary>
public sealed partial class ExponentialDecay : LearningRateSchedule
{
    private readonly float _initial, _decaySteps, _decayRate;

    /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
    public ExponentialDecay(float initialLearningRate, long decaySteps, double decayRate, bool staircase = false, string name = "ExponentialDecay")
        : base(name)
    {
        InitialLearningRate = CheckRate(initialLearningRate, nameof(initialLearningRate), "initial_learning_rate");
        DecaySteps = CheckDecaySteps(decaySteps, nameof(decaySteps));
        if (!(decayRate >= 0 && double.IsFinite(decayRate)))
            throw new ArgumentOutOfRangeException(nameof(decayRate), FormattableString.Invariant($"decay_rate must be a non-negative finite number. Received: decay_rate={decayRate}"));
        DecayRate = decayRate;
        Staircase = staircase;
        _initial = initialLearningRate;
        _decaySteps = decaySteps;
        _decayRate = (float)decayRate;
    }

    /// <summary>The learning rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The number of steps over which the rate is multiplied by <see cref="DecayRate"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>The factor per <see cref="DecaySteps"/> steps.</summary>
    public double DecayRate { get; }

    /// <summary>Whether the rate drops in steps (integer exponent) rather than continuously.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float ValueAt(long step) => Compute(step, _initial, _decaySteps, _decayRate, Staircase);

    /// <inheritdoc/>
    public override double Evaluate(long step) => Compute(step, (double)_initial, DecaySteps, DecayRate, Staircase);

    // One formula for both precisions: initial · rate^(step / decaySteps), the exponent floored with staircase.
    private static T Compute<T>(long step, T initial, T decaySteps, T decayRate, bool staircase) where T : IFloatingPointIeee754<T>
    {
        T p = T.CreateChecked(step) / decaySteps;
        if (staircase) p = T.Floor(p);
        return initial * T.Pow(decayRate, p);
    }
}
