namespace Dendrite.Autodiff;

/// <summary>
/// Records the ops run while it is active (on this thread) and computes gradients by walking them backwards,
/// like TensorFlow's <c>tf.GradientTape</c>. Only ops with at least one input that requires a gradient are recorded.
/// </summary>
/// <example>
/// <code>
/// using var tape = GradientTape.Start();
/// var loss = Ops.SparseCategoricalCrossentropy(labels, model.Call(inputs, training: true));
/// tape.Backward(loss);   // gradients now in each variable's Value.Grad
/// </code>
/// </example>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic] private static GradientTape? s_current;
    private static int s_generation;

    private readonly List<Op> _ops = [];
    private readonly GradientTape? _previous;
    private readonly bool _recordAll;
    private bool _disposed;

    private GradientTape(bool recordAll)
    {
        _recordAll = recordAll;
        _previous = s_current;
        s_current = this;
    }

    /// <summary>Starts recording on this thread until the tape is disposed.</summary>
    public static GradientTape Start() => new(recordAll: false);

    /// <summary>
    /// Starts a tape that records every op, even those no gradient flows through, so that the recorded list can be
    /// replayed as a whole step (a training step plan).
    /// </summary>
    internal static GradientTape StartRecordingAll() => new(recordAll: true);

    /// <summary>The tape recording on this thread, if any.</summary>
    internal static GradientTape? Current => s_current;

    /// <summary>Whether an op whose inputs do (or do not) require gradients must be recorded now.</summary>
    internal static bool ShouldRecord(bool anyInputRequiresGrad) => s_current is { } tape && (anyInputRequiresGrad || tape._recordAll);

    /// <summary>Whether the result of an op with such inputs requires a gradient (only while a tape records).</summary>
    internal static bool OutputRequiresGrad(bool anyInputRequiresGrad) => anyInputRequiresGrad && s_current is not null;

    /// <summary>Records <paramref name="op"/> on every active tape (nested tapes all see it, as in TensorFlow).</summary>
    internal static void Record(Op op)
    {
        for (var tape = s_current; tape is not null; tape = tape._previous) tape._ops.Add(op);
    }

    /// <summary>The recorded ops, oldest first.</summary>
    internal Op[] RecordedOps() => [.. _ops];

    /// <summary>
    /// Back-propagates from the scalar <paramref name="target"/> (seeded with gradient 1) through every recorded op,
    /// newest first. Afterwards each tensor that requires a gradient and was reached holds it in <see cref="Tensor.Grad"/>.
    /// </summary>
    public void Backward(Tensor target)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(target);
        LastGeneration = Backpropagate(_ops, target);
    }

    /// <summary>As <see cref="Backward(Tensor)"/>, seeding the target's gradient with <paramref name="seed"/> (the gradient of seed·target: Keras' loss scaling).</summary>
    internal void Backward(Tensor target, float seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(target);
        LastGeneration = Backpropagate(_ops, target, observer: null, seed);
    }

    /// <summary>Runs the backward pass of <paramref name="ops"/> (in recording order) from <paramref name="target"/>; returns its generation.</summary>
    internal static int Backpropagate(IReadOnlyList<Op> ops, Tensor target) => Backpropagate(ops, target, observer: null);

    /// <summary>The op (index + 1) whose backward this thread is running, 0 outside one; see <see cref="Tensor.LastGradWriter"/>.</summary>
    [ThreadStatic] private static int t_backwardOp;

    internal static int CurrentBackwardOp => t_backwardOp;

    /// <summary>
    /// As <see cref="Backpropagate(IReadOnlyList{Op}, Tensor)"/>; <paramref name="observer"/> hears of every op index
    /// once its backward has run (or been skipped), newest first, so it can act on gradients that are complete.
    /// </summary>
    internal static int Backpropagate(IReadOnlyList<Op> ops, Tensor target, IBackwardObserver? observer, float seed = 1f)
    {
        if (target.Size != 1) throw new ArgumentException($"Backward needs a scalar (one-element) target, got shape {target.Shape}.");
        if (!target.RequiresGrad) throw new InvalidOperationException("The target does not depend on any tensor that requires a gradient.");
        int generation = Interlocked.Increment(ref s_generation);
        target.GradForWrite(generation, out _)[0] = seed;
        try
        {
            for (int i = ops.Count - 1; i >= 0; i--)
            {
                var op = ops[i];
                // An op whose output no gradient reached contributes nothing (e.g. the softmax beside a fused loss).
                if (op.Output.GradBuffer is not null && op.Output.GradGeneration == generation)
                {
                    t_backwardOp = i + 1;
                    op.Backward(generation);
                }
                observer?.AfterOp(i);
            }
        }
        finally { t_backwardOp = 0; }
        return generation;
    }

    /// <summary>The generation number of the last backward pass of this tape; gradients stamped with it are current.</summary>
    internal int LastGeneration { get; private set; } = -1;

    /// <summary>Stops recording. Nested tapes must be disposed innermost first (a <c>using</c> block does that).</summary>
    /// <remarks>A tape belongs to the thread that started it: do not <c>await</c> between starting and disposing it.</remarks>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(s_current, this))
            throw new InvalidOperationException("GradientTapes must be disposed in the reverse order they were started, on the thread that started them.");
        _disposed = true;
        s_current = _previous;
    }
}

/// <summary>Told of each op of a backward pass as it completes (newest first).</summary>
internal interface IBackwardObserver
{
    /// <summary>The backward of op <paramref name="index"/> has run or was skipped; no op after it in this pass has a lower index.</summary>
    void AfterOp(int index);
}
