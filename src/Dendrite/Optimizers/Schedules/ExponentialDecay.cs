namespace Dendrite.Optimizers.Schedules;

/// <summary>
/// Exponential decay (Keras' <c>ExponentialDecay</c>):
/// <c>initialLearningRate · decayRate^(step / decaySteps)</c>, with the exponent floored when
/// <see cref="Staircase"/> is set. Evaluated in float32 like Keras (step, decaySteps and decayRate cast to float32).
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
    public override float ValueAt(long step)
    {
        float p = (float)step / _decaySteps;
        if (Staircase) p = MathF.Floor(p);
        return _initial * MathF.Pow(_decayRate, p);
    }
}
