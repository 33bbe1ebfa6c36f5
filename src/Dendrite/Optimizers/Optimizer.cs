using Dendrite.Autodiff;
using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Updates trainable variables from their gradients (Keras' <c>keras.optimizers</c>). Per-variable state ("slots")
/// is created on the first update, as Keras builds its optimizer lazily. A string converts to the optimizer of that
/// Keras name with its default arguments (<c>"rmsprop"</c>).
/// </summary>
/// <remarks>
/// <para>
/// The learning rate is a float or a <see cref="LearningRateSchedule"/>: every built-in optimizer has one constructor
/// taking a float (<c>new Adam(learningRate: 1e-3f)</c>) and one taking a schedule
/// (<c>new Adam(new CosineDecay(1e-3f, decaySteps: 1000))</c>), with the same other arguments. A schedule is
/// evaluated at <see cref="Iterations"/> (the number of updates already applied) before each update, as Keras does.
/// </para>
/// <para>
/// Keras' base-optimizer arguments <c>weight_decay</c>, <c>clipnorm</c>, <c>clipvalue</c> and
/// <c>global_clipnorm</c> are the init-only properties <see cref="WeightDecay"/>, <see cref="Clipnorm"/>,
/// <see cref="Clipvalue"/> and <see cref="GlobalClipnorm"/>: <c>new SGD(0.1f) { Clipnorm = 1.0 }</c>.
/// Each update then runs in Keras' order: clip the gradients, decay the weights (<c>w ← w − w·wd·lr</c>), apply the
/// optimizer's own rule.
/// </para>
/// </remarks>
public abstract partial class Optimizer
{
    private Variable[]? _variables;
    private float _learningRate;
    private readonly LearningRateSchedule? _schedule;

    /// <summary>Creates an optimizer with a constant (but settable) learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        _learningRate = CheckLearningRate(learningRate, nameof(learningRate));
        _job = new UpdateJob(this);
    }

    /// <summary>The Keras name, e.g. <c>rmsprop</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The learning rate of the next update: the constant, or the schedule's value at <see cref="Iterations"/>.
    /// Setting it (as callbacks such as ReduceLROnPlateau do) replaces the constant; an optimizer created with a
    /// schedule throws <see cref="InvalidOperationException"/> instead, as Keras raises a TypeError, because a set value
    /// would silently stop the schedule.
    /// </summary>
    public float LearningRate
    {
        get => _schedule is null ? _learningRate : _schedule.ValueAt(StepCount);
        set
        {
            if (_schedule is not null)
                throw new InvalidOperationException($"{Name} was created with the learning-rate schedule '{_schedule.Name}', so its learning rate cannot be set. Create the optimizer with a float learning rate to make it settable.");
            _learningRate = CheckLearningRate(value, nameof(value));
        }
    }

    /// <summary>
    /// The schedule that gives the learning rate, or <see langword="null"/> for a constant one. The built-in
    /// optimizers' schedule constructors set it.
    /// </summary>
    public LearningRateSchedule? Schedule
    {
        get => _schedule;
        protected init => _schedule = value ?? throw new ArgumentNullException("learningRate", "The learning-rate schedule must not be null.");
    }

    /// <summary>
    /// How many updates have been applied (Keras' <c>iterations</c>): the calls of <c>Apply</c>, divided by
    /// <see cref="GradientAccumulationSteps"/> when that is set.
    /// </summary>
    public long Iterations => _gradientAccumulationSteps is int steps ? StepCount / steps : StepCount;

    /// <summary>
    /// How many times <c>Apply</c> ran (Keras' <c>_iterations</c>, the <c>iteration</c> variable a weights file holds);
    /// a learning-rate schedule is evaluated at it.
    /// </summary>
    internal long StepCount { get; private set; }

    // Zero is allowed, as in Keras (a schedule or callback may freeze training); negative or non-finite rates are not.
    private static float CheckLearningRate(float learningRate, string paramName) =>
        learningRate >= 0 && float.IsFinite(learningRate) ? learningRate
            : throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"The learning rate must be a finite number >= 0. Received: learning_rate={learningRate}"));

    /// <summary>Checks a decay rate (rho, beta) that must be in [0, 1).</summary>
    private protected static float CheckDecayRate(double value, string paramName, string kerasName) =>
        value >= 0 && value < 1 ? (float)value
            : throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"{kerasName} must be in [0, 1). Received: {kerasName}={value}"));

    /// <summary>Checks an argument (epsilon, an initial value) that must be non-negative and finite.</summary>
    private protected static float CheckNonNegative(double value, string paramName, string kerasName) =>
        value >= 0 && double.IsFinite(value) ? (float)value
            : throw new ArgumentOutOfRangeException(paramName, FormattableString.Invariant($"{kerasName} must be a non-negative finite number. Received: {kerasName}={value}"));

    /// <summary>
    /// Applies one update to every variable from the gradient of the latest backward pass that reached any of them;
    /// a variable whose gradient is older (that pass did not reach it) is left alone, as Keras skips variables
    /// without a gradient.
    /// </summary>
    public void Apply(IReadOnlyList<Variable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        int latest = -1;
        for (int i = 0; i < variables.Count; i++)
            if (variables[i].Value.GradBuffer is not null) latest = Math.Max(latest, variables[i].Value.GradGeneration);
        Apply(variables, latest);
    }

    /// <summary>Applies one update from the gradients that <paramref name="tape"/>'s last backward pass computed.</summary>
    public void Apply(IReadOnlyList<Variable> variables, GradientTape tape)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(tape);
        Apply(variables, tape.LastGeneration);
    }

    /// <summary>
    /// As <see cref="Apply(IReadOnlyList{Variable})"/>, skipping variables that the backward pass
    /// <paramref name="generation"/> did not reach (their gradient buffers still hold an older pass).
    /// </summary>
    internal void Apply(IReadOnlyList<Variable> variables, int? generation)
    {
        if (_variables is null) Build(variables);
        else
        {
            // The state of variable i belongs to that very variable (Keras keys it by variable too).
            if (_variables.Length != variables.Count)
                throw new InvalidOperationException($"{Name} was built for {_variables.Length} variables, now asked to update {variables.Count}. After changing which layers are trainable, compile the model again (as in Keras) so that it gets a new optimizer.");
            for (int i = 0; i < variables.Count; i++)
                if (!ReferenceEquals(_variables[i], variables[i]))
                    throw new InvalidOperationException($"{Name} was built for other variables: position {i} held '{_variables[i].Name}' {_variables[i].Shape}, now '{variables[i].Name}' {variables[i].Shape}. Use a new optimizer for another model.");
        }
        // Keras reads the learning rate once per update, before the iteration counter moves.
        float learningRate = LearningRate;
        // Unscaling and accumulation come first; a call that only accumulates leaves the variables alone.
        if (PrepareGradients(variables, generation))
        {
            PrepareStep(learningRate);
            // Clipping by norm needs every norm before any element changes, so it is a pass of its own.
            ComputeClipScales(variables, generation);

            long total = 0;
            for (int i = 0; i < variables.Count; i++) total += variables[i].Shape.Size;
            int parts = total >= ParallelThreshold ? Kernels.WorkerPool.TilesPerThread * Kernels.WorkerPool.MaxThreads : 1;
            EnsureClipScratch(parts);
            _job.Variables = variables;
            _job.Generation = generation;
            _job.LearningRate = learningRate;
            // Every element's update is independent, so cutting each variable into tiles (taken by whichever thread is free)
            // changes no bit.
            Kernels.WorkerPool.Run(_job, parts);
            _job.Variables = null;
            ResetAccumulators();
        }
        // Keras' order after the update: the moving averages, then the variables' constraints, then the counter.
        UpdateMovingAverages();
        ApplyConstraints(variables, generation);
        StepCount++;
    }

    /// <summary>
    /// Creates the state for <paramref name="variables"/> now, as Keras' <c>optimizer.build</c>, so that a loaded
    /// model's optimizer state can be restored before its first update; nothing when already built.
    /// </summary>
    internal void EnsureBuilt(IReadOnlyList<Variable> variables)
    {
        if (_variables is null) Build(variables);
    }

    private void Build(IReadOnlyList<Variable> variables)
    {
        _variables = [.. variables];
        BuildGradientProcessing(_variables);
        BuildStepOptions(_variables);
        for (int i = 0; i < _variables.Length; i++) BuildSlots(i, _variables[i].Shape.Size);
    }

    /// <summary>Whether the backward pass <paramref name="generation"/> (null: any) left a gradient in <paramref name="value"/>.</summary>
    private static bool HasGradient(Tensor value, int? generation) =>
        value.GradBuffer is not null && (generation is not int g || value.GradGeneration == g);

    /// <summary>Variables smaller than this in total are updated on the calling thread alone.</summary>
    private const long ParallelThreshold = 1 << 16;

    private readonly UpdateJob _job;

    /// <summary>Updates slice <c>part</c> of every variable: elements [size·part/parts, size·(part+1)/parts), cut at multiples of 64.</summary>
    private sealed class UpdateJob(Optimizer optimizer) : Kernels.IParallelJob
    {
        public IReadOnlyList<Variable>? Variables;
        public int? Generation;
        public float LearningRate;

        public void Execute(int part, int parts)
        {
            var variables = Variables!;
            for (int i = 0; i < variables.Count; i++)
            {
                var value = variables[i].Value;
                if (!HasGradient(value, Generation)) continue; // no gradient reached it
                int size = value.Size;
                int start = (int)((long)size * part / parts) & ~63, end = part == parts - 1 ? size : (int)((long)size * (part + 1) / parts) & ~63;
                if (end <= start) continue;
                var w = value.Values[start..end];
                // Keras' order: clipped gradient, weight decay, then the optimizer's own update (same slice, same thread).
                var g = optimizer.ClipGradient(i, optimizer.GradientOf(i, value)[start..end], part);
                optimizer.DecayWeights(i, w, LearningRate);
                optimizer.UpdateStep(i, start, w, g, LearningRate);
            }
        }
    }

    /// <summary>
    /// Keras' count of the optimizer's variables once its first update has built it (iterations and learning rate,
    /// then every element of the per-variable state); null before. <c>Summary()</c> reports it as "Optimizer params".
    /// </summary>
    internal long? VariableCount => _variables is null ? null : 2 + SlotElements();

    /// <summary>The number of state elements kept for all variables (velocities, momentums, …).</summary>
    private protected virtual long SlotElements() => SavedState?.Sum(s => (long)s.Values.Length) ?? 0;

    // Weights files (Saving/WeightsFile) save and restore the optimizer's state through the next four members.

    /// <summary>The variables the optimizer was built for by its first update; null before that.</summary>
    internal IReadOnlyList<Variable>? BuiltVariables => _variables;

    /// <summary>
    /// The per-variable state in the order Keras 3 stores its optimizer variables after <c>iteration</c> and
    /// <c>learning_rate</c> (RMSprop: every velocity, then every momentum, then every average gradient), each array
    /// with the index of the variable it shadows, or −1 for a scalar of the optimizer's own (Nadam's momentum-cache
    /// product); null when this optimizer does not expose its state, which is then neither saved nor loaded.
    /// </summary>
    internal virtual IEnumerable<(int Variable, float[] Values)>? KerasState => null;

    /// <summary>
    /// Everything a weights file holds after <c>iteration</c> and <c>learning_rate</c>, in Keras' order: the EMA averages,
    /// the gradient accumulators, then <see cref="KerasState"/>; null when the optimizer does not expose its state.
    /// </summary>
    internal IEnumerable<(int Variable, float[] Values)>? SavedState => KerasState is { } own ? StepOptionState().Concat(own) : null;

    /// <summary>Sets the call count (<see cref="StepCount"/>, Keras' saved <c>iteration</c>) from a weights file.</summary>
    internal void RestoreIterations(long iterations) => StepCount = iterations;

    /// <summary>Pairs each array of a per-variable slot list with the index of its variable.</summary>
    private protected static IEnumerable<(int Variable, float[] Values)> Indexed(List<float[]> slots) => slots.Select((s, i) => (i, s));

    /// <summary>Two slots per variable in Keras' creation order: first[0], second[0], first[1], second[1], …</summary>
    private protected static IEnumerable<(int Variable, float[] Values)> Interleaved(List<float[]> first, List<float[]> second)
    {
        for (int i = 0; i < first.Count; i++)
        {
            yield return (i, first[i]);
            yield return (i, second[i]);
        }
    }

    /// <summary>Creates the state for variable number <paramref name="index"/> of <paramref name="size"/> elements.</summary>
    protected abstract void BuildSlots(int index, int size);

    /// <summary>
    /// Called once per update on the calling thread, before any <see cref="UpdateStep"/>, with <see cref="Iterations"/>
    /// still counting the updates before this one: the place for per-step scalars (Adam's bias correction, Nadam's
    /// momentum-cache product), which would otherwise be recomputed for every slice.
    /// </summary>
    protected virtual void PrepareStep(float learningRate) { }

    /// <summary>
    /// Updates elements [<paramref name="offset"/>, offset + length) of variable number <paramref name="index"/> in place
    /// from <paramref name="gradient"/> (the same slice of its gradient, already clipped) with this update's
    /// <paramref name="learningRate"/>. Slices of one variable may run on different threads at once, so an update must
    /// touch only its own elements (and the same elements of its slots).
    /// </summary>
    protected abstract void UpdateStep(int index, int offset, Span<float> variable, ReadOnlySpan<float> gradient, float learningRate);

    /// <summary>The Keras names <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["adadelta", "adagrad", "adam", "adamw", "nadam", "rmsprop", "sgd"];

    /// <summary>The optimizer of a Keras name (any letter case, as Keras also accepts the class name), with its defaults.</summary>
    public static Optimizer Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "adadelta" => new Adadelta(),
            "adagrad" => new Adagrad(),
            "adam" => new Adam(),
            "adamw" => new AdamW(),
            "nadam" => new Nadam(),
            "rmsprop" => new RMSprop(),
            "sgd" => new SGD(),
            _ => throw new ArgumentException($"Unknown optimizer: '{name}'. Known: {string.Join(", ", KnownNames)}.", nameof(name)),
        };
    }

    /// <summary>Lets a Keras name stand for the optimizer: <c>optimizer: "rmsprop"</c>.</summary>
    public static implicit operator Optimizer(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
