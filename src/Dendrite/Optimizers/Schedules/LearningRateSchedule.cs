namespace Dendrite.Optimizers.Schedules;

/// <summary>
/// A learning rate that changes with the training step (Keras' <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// Pass it to an optimizer's schedule constructor (<c>new SGD(new ExponentialDecay(0.1f, 1000, 0.96))</c>); the
/// optimizer asks for <see cref="ValueAt"/> its <see cref="Optimizer.Iterations"/> before each update. To write one,
/// override <see cref="ValueAt"/>.
/// </summary>
public abstract partial class LearningRateSchedule
{
    /// <summary>Creates a schedule named after its class.</summary>
    protected LearningRateSchedule() => Name = GetType().Name;

    /// <summary>Creates a schedule with a Keras name (<c>ExponentialDecay</c>, …).</summary>
    protected LearningRateSchedule(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The schedule's name (Keras' <c>name</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// The learning rate after <paramref name="step"/> updates (Keras' <c>__call__(step)</c>), computed in float32 as
    /// Keras does for a float <c>initial_learning_rate</c>; this is what the optimizers use.
    /// </summary>
    public abstract float ValueAt(long step);

    /// <summary>
    /// The learning rate after <paramref name="step"/> updates computed in float64, as Keras does for a float64
    /// <c>initial_learning_rate</c> (its tests' golden values). The built-in schedules compute it in double throughout;
    /// by default it is <see cref="ValueAt"/> widened.
    /// </summary>
    public virtual double Evaluate(long step) => ValueAt(step);

    /// <summary>Checks an argument that Keras documents as a non-negative float learning rate.</summary>
    private protected static float CheckRate(float value, string paramName, string kerasName) =>
        value >= 0 && float.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"{kerasName} must be a non-negative finite number. Received: {kerasName}={value}"));

    /// <summary>Keras' check of <c>decay_steps</c>: "must be > 0".</summary>
    private protected static long CheckDecaySteps(long decaySteps, string paramName) =>
        decaySteps > 0 ? decaySteps
            : throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"Argument decay_steps must be > 0. Received: decay_steps={decaySteps}"));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
