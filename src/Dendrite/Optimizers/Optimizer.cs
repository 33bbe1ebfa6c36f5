using Dendrite.Autodiff;

namespace Dendrite.Optimizers;

/// <summary>
/// Updates trainable variables from their gradients (Keras' <c>keras.optimizers</c>). Per-variable state ("slots")
/// is created on the first update, as Keras builds its optimizer lazily. A string converts to the optimizer of that
/// Keras name with its default arguments (<c>"rmsprop"</c>).
/// </summary>
public abstract class Optimizer
{
    private Variable[]? _variables;

    /// <summary>Creates an optimizer with a learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), FormattableString.Invariant($"The learning rate must be a positive finite number. Received: learning_rate={learningRate}"));
        LearningRate = learningRate;
        _job = new UpdateJob(this);
    }

    /// <summary>The Keras name, e.g. <c>rmsprop</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The step size.</summary>
    public float LearningRate { get; set; }

    /// <summary>How many updates have been applied (Keras' <c>iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Applies one update to every variable from the gradient of the latest backward pass that reached any of them;
    /// a variable whose gradient is older (that pass did not reach it) is left alone, as Keras skips variables
    /// without a gradient.
    /// </summary>
    public void Apply(IReadOnlyList<Variable> variables)
    {
        int latest = -1;
        for (int i = 0; i < variables.Count; i++)
            if (variables[i].Value.GradBuffer is not null) latest = Math.Max(latest, variables[i].Value.GradGeneration);
        Apply(variables, latest);
    }

    /// <summary>Applies one update from the gradients that <paramref name="tape"/>'s last backward pass computed.</summary>
    public void Apply(IReadOnlyList<Variable> variables, GradientTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        Apply(variables, tape.LastGeneration);
    }

    /// <summary>
    /// As <see cref="Apply(IReadOnlyList{Variable})"/>, skipping variables that the backward pass
    /// <paramref name="generation"/> did not reach (their gradient buffers still hold an older pass).
    /// </summary>
    internal void Apply(IReadOnlyList<Variable> variables, int? generation)
    {
        if (_variables is null)
        {
            _variables = [.. variables];
            for (int i = 0; i < _variables.Length; i++) BuildSlots(i, _variables[i].Shape.Size);
        }
        else
        {
            // The state of variable i belongs to that very variable (Keras keys it by variable too).
            if (_variables.Length != variables.Count)
                throw new InvalidOperationException($"{Name} was built for {_variables.Length} variables, now asked to update {variables.Count}.");
            for (int i = 0; i < variables.Count; i++)
                if (!ReferenceEquals(_variables[i], variables[i]))
                    throw new InvalidOperationException($"{Name} was built for other variables: position {i} held '{_variables[i].Name}' {_variables[i].Shape}, now '{variables[i].Name}' {variables[i].Shape}. Use a new optimizer for another model.");
        }
        long total = 0;
        for (int i = 0; i < variables.Count; i++) total += variables[i].Shape.Size;
        _job.Variables = variables;
        _job.Generation = generation;
        // Every element's update is independent, so splitting each variable in two halves changes no bit.
        Kernels.WorkerPool.Run(_job, total >= ParallelThreshold ? Kernels.WorkerPool.MaxThreads : 1);
        _job.Variables = null;
        Iterations++;
    }

    /// <summary>Variables smaller than this in total are updated on the calling thread alone.</summary>
    private const long ParallelThreshold = 1 << 16;

    private readonly UpdateJob _job;

    /// <summary>Updates slice <c>part</c> of every variable: elements [size·part/parts, size·(part+1)/parts), cut at multiples of 64.</summary>
    private sealed class UpdateJob(Optimizer optimizer) : Kernels.IParallelJob
    {
        public IReadOnlyList<Variable>? Variables;
        public int? Generation;

        public void Execute(int part, int parts)
        {
            var variables = Variables!;
            for (int i = 0; i < variables.Count; i++)
            {
                var value = variables[i].Value;
                if (value.GradBuffer is null || (Generation is int g && value.GradGeneration != g)) continue; // no gradient reached it
                int size = value.Size;
                int start = (int)((long)size * part / parts) & ~63, end = part == parts - 1 ? size : (int)((long)size * (part + 1) / parts) & ~63;
                if (end > start)
                    optimizer.UpdateStep(i, start, value.Values[start..end], value.Grad[start..end]);
            }
        }
    }

    // Weights files (Saving/WeightsFile) save and restore the optimizer's state through the next four members.

    /// <summary>The variables the optimizer was built for by its first update; null before that.</summary>
    internal IReadOnlyList<Variable>? BuiltVariables => _variables;

    /// <summary>
    /// The per-variable state in the order Keras 3 stores its optimizer variables after <c>iteration</c> and
    /// <c>learning_rate</c> (RMSprop: every velocity, then every momentum, then every average gradient), each array
    /// with the index of the variable it shadows; null when this optimizer does not expose its state, which is then
    /// neither saved nor loaded.
    /// </summary>
    internal virtual IEnumerable<(int Variable, float[] Values)>? KerasState => null;

    /// <summary>Sets <see cref="Iterations"/> from a weights file.</summary>
    internal void RestoreIterations(long iterations) => Iterations = iterations;

    /// <summary>Pairs each array of a per-variable slot list with the index of its variable.</summary>
    private protected static IEnumerable<(int Variable, float[] Values)> Indexed(List<float[]> slots) => slots.Select((s, i) => (i, s));

    /// <summary>Creates the state for variable number <paramref name="index"/> of <paramref name="size"/> elements.</summary>
    protected abstract void BuildSlots(int index, int size);

    /// <summary>
    /// Updates elements [<paramref name="offset"/>, offset + length) of variable number <paramref name="index"/> in place
    /// from <paramref name="gradient"/> (the same slice of its gradient). Slices of one variable may run on different
    /// threads at once, so an update must touch only its own elements (and the same elements of its slots).
    /// </summary>
    protected abstract void UpdateStep(int index, int offset, Span<float> variable, ReadOnlySpan<float> gradient);

    /// <summary>The optimizer of a Keras name, with its defaults.</summary>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "rmsprop" => new RMSprop(),
        "sgd" => new SGD(),
        _ => throw new ArgumentException($"Unknown optimizer: '{name}'. Known: rmsprop, sgd."),
    };

    /// <summary>Lets a Keras name stand for the optimizer: <c>optimizer: "rmsprop"</c>.</summary>
    public static implicit operator Optimizer(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
