namespace Dendrite.Autodiff;

/// <summary>
/// Records the ops run while it is active (on this thread) and computes gradients by walking them backwards,
/// like TensorFlow's <c>tf.GradientTape</c>. Only ops with at least one input that requires a gradient are recorded.
/// </summary>
/// <example>
/// <code>
/// using var tape = GradientTape.Start();
/// var loss = Ops.Mean(...);
/// tape.Backward(loss);   // gradients now in each variable's Value.Grad
/// </code>
/// </example>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic] private static GradientTape? s_current;
    private static int s_generation;

    private readonly List<Op> _ops = [];
    private readonly GradientTape? _previous;
    private bool _disposed;

    private GradientTape()
    {
        _previous = s_current;
        s_current = this;
    }

    /// <summary>Starts recording on this thread until the tape is disposed.</summary>
    public static GradientTape Start() => new();

    internal static GradientTape? Current => s_current;

    internal static void Record(Op op)
    {
        s_current?._ops.Add(op);
    }

    /// <summary>Whether an op with these inputs must be recorded (a tape is active and some input needs a gradient).</summary>
    internal static bool ShouldRecord(Tensor a) => s_current is not null && a.RequiresGrad;

    internal static bool ShouldRecord(Tensor a, Tensor b) => s_current is not null && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>
    /// Back-propagates from the scalar <paramref name="target"/> (seeded with gradient 1) through every recorded op,
    /// newest first. Afterwards each tensor that requires a gradient and was reached holds it in <see cref="Tensor.Grad"/>.
    /// </summary>
    public void Backward(Tensor target)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (target.Size != 1) throw new ArgumentException($"Backward needs a scalar (one-element) target, got shape {target.Shape}.");
        if (!target.RequiresGrad) throw new InvalidOperationException("The target does not depend on any tensor that requires a gradient.");
        int generation = Interlocked.Increment(ref s_generation);
        target.GradForAccumulation(generation)[0] = 1f;
        for (int i = _ops.Count - 1; i >= 0; i--)
        {
            var op = _ops[i];
            // An op whose output no gradient reached contributes nothing (e.g. the softmax beside a fused loss).
            if (op.Output.GradBuffer is null || op.Output.GradGeneration != generation) continue;
            op.Backward(generation);
        }
        LastGeneration = generation;
    }

    /// <summary>The generation number of the last backward pass of this tape; gradients stamped with it are current.</summary>
    internal int LastGeneration { get; private set; } = -1;

    /// <summary>Stops recording.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        s_current = _previous;
        _ops.Clear();
    }
}
