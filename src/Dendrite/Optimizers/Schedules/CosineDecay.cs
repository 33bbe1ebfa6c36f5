using System.Numerics;

namespace Dendrite.Optimizers.Schedules;

/// <summary>
/// Cosine decay with an optional linear warmup (Keras' <c>CosineDecay</c>): <see cref="ValueAt"/> in float32 like
/// Keras, <see cref="Evaluate"/> the same formula in float64. Without
/// <see cref="WarmupTarget"/>: with s = min(step, decaySteps),
/// <c>lr = initial · ((1 − alpha)·0.5·(1 + cos(π·s/decaySteps)) + alpha)</c>. With it: for step &lt; warmupSteps the
/// rate goes linearly from initial to the target, <c>(target − initial)·step/warmupSteps + initial</c>; afterwards the
/// same cosine decays from the target over decaySteps, with s = min(step, decaySteps + warmupSteps) − warmupSteps.
/// </summary>
public sealed partial class CosineDecay : LearningRateSchedule
{
    private readonly float _initial, _decaySteps, _warmupSteps, _oneMinusAlpha, _alpha;
    private readonly float? _warmupTarget;

    /// <summary>Creates the schedule; the argument order and defaults are Keras'.</summary>
    public CosineDecay(float initialLearningRate, long decaySteps, double alpha = 0.0, string name = "CosineDecay", float? warmupTarget = null, long warmupSteps = 0)
        : base(name)
    {
        InitialLearningRate = CheckRate(initialLearningRate, nameof(initialLearningRate), "initial_learning_rate");
        DecaySteps = CheckDecaySteps(decaySteps, nameof(decaySteps));
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), FormattableString.Invariant($"alpha (the final fraction of the rate) must be in [0, 1]. Received: alpha={alpha}"));
        if (warmupTarget is float target) CheckRate(target, nameof(warmupTarget), "warmup_target");
        if (warmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), FormattableString.Invariant($"warmup_steps must be >= 0. Received: warmup_steps={warmupSteps}"));
        Alpha = alpha; WarmupTarget = warmupTarget; WarmupSteps = warmupSteps;
        _initial = initialLearningRate;
        _decaySteps = decaySteps;
        _warmupSteps = warmupSteps;
        _warmupTarget = warmupTarget;
        // Keras: (1 - alpha) is a Python float, rounded to float32 only when it meets the float32 tensor.
        _oneMinusAlpha = (float)(1.0 - alpha);
        _alpha = (float)alpha;
    }

    /// <summary>The rate at step 0 (the start of the warmup, or of the decay without one).</summary>
    public float InitialLearningRate { get; }

    /// <summary>The number of steps the cosine decay lasts.</summary>
    public long DecaySteps { get; }

    /// <summary>The final rate as a fraction of the rate the decay starts from.</summary>
    public double Alpha { get; }

    /// <summary>The rate the warmup reaches, or <see langword="null"/> for no warmup.</summary>
    public float? WarmupTarget { get; }

    /// <summary>The number of warmup steps (used only with <see cref="WarmupTarget"/>).</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc/>
    public override float ValueAt(long step) =>
        Compute(step, _initial, _decaySteps, _warmupSteps, _warmupTarget, _oneMinusAlpha, _alpha);

    /// <inheritdoc/>
    public override double Evaluate(long step) =>
        Compute(step, (double)_initial, DecaySteps, WarmupSteps, _warmupTarget is float t ? t : null, 1.0 - Alpha, Alpha);

    // One formula for both precisions.
    private static T Compute<T>(long step, T initial, T decaySteps, T warmupSteps, T? warmupTarget, T oneMinusAlpha, T alpha)
        where T : struct, IFloatingPointIeee754<T>
    {
        T s = T.CreateChecked(step);
        if (warmupTarget is not T target)
            return Decay(T.Min(s, decaySteps), initial);
        s = T.Min(s, decaySteps + warmupSteps);
        return s < warmupSteps
            ? (target - initial) * (s / warmupSteps) + initial
            : Decay(s - warmupSteps, target);

        T Decay(T s, T from)
        {
            T half = T.CreateChecked(0.5);
            T cosine = half * (T.One + T.Cos(T.Pi * (s / decaySteps)));
            return from * (oneMinusAlpha * cosine + alpha);
        }
    }
}
