namespace Dendrite.Autodiff;

/// <summary>
/// A float32 tensor on the autodiff tape: values in C order, a shape, and (when it takes part in a gradient
/// computation) a gradient buffer of the same size. Layers and losses are written with <see cref="Ops"/> over
/// tensors; <see cref="GradientTape"/> records those ops and walks them backwards.
/// </summary>
/// <remarks>
/// Tensors made inside a <see cref="Workspace"/> borrow their buffers from it and must not be used after the
/// workspace is reset (the trainer resets it after every batch). Tensors made outside one own their buffers.
/// </remarks>
public sealed partial class Tensor
{
    internal float[] Buffer;
    internal float[]? GradBuffer;
    internal int GradGeneration = -1;

    /// <summary>
    /// Which op of the last backward pass wrote this gradient last: its index in the recorded ops plus one, or 0 when
    /// unknown (written outside a recorded pass, or from a worker thread). Data-parallel training reads it to start
    /// reducing a gradient as soon as no later op can add to it.
    /// </summary>
    internal int LastGradWriter;
    internal readonly bool Borrowed;

    /// <summary>When this tensor is a softmax output, its input logits (what Keras keeps as <c>_keras_logits</c>).</summary>
    internal Tensor? SoftmaxLogits;

    /// <summary>
    /// Which time steps of a sequence are real (1) and which are padding (0): a tensor of shape (batch, time), or the
    /// tensor's own shape without its last axis, with no gradient (Keras' <c>_keras_mask</c>). Set by layers that
    /// make masks (<c>Embedding(maskZero: true)</c>, <c>Masking</c>), carried by layers that support masking, read by
    /// recurrent layers, pooling, attention, losses and metrics. Null when every step is real.
    /// </summary>
    public Tensor? Mask { get; internal set; }

    /// <summary>When this tensor is a sigmoid output, its input logits (Keras' <c>_keras_logits</c> on a sigmoid).</summary>
    internal Tensor? SigmoidLogits;

    internal Tensor(float[] buffer, Shape shape, bool requiresGrad, bool borrowed)
    {
        if (buffer.Length < shape.Size)
            throw new ArgumentException($"buffer holds {buffer.Length} elements, shape {shape} needs {shape.Size}.");
        Buffer = buffer;
        Shape = shape;
        Size = shape.Size;
        RequiresGrad = requiresGrad;
        Borrowed = borrowed;
    }

    /// <summary>A tensor owning a copy of <paramref name="values"/> with the given shape.</summary>
    public Tensor(ReadOnlySpan<float> values, params int[] shape) : this(values.ToArray(), new Shape(shape), false, false)
    {
        if (values.Length != Size) throw new ArgumentException($"{values.Length} values do not fill shape {Shape}.");
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Size { get; }

    /// <summary>Whether gradients flow to this tensor (true for trainable weights and anything computed from them).</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>The values, in C order.</summary>
    public Span<float> Values => Buffer.AsSpan(0, Size);

    /// <summary>
    /// The gradient of the last backward pass that reached this tensor; empty when none did. For the output of a
    /// fused op (a Dense layer with a ReLU), the buffer holds the gradient after the activation's derivative has been
    /// applied in place (dZ rather than dY): the fused backward reuses it to save a pass.
    /// </summary>
    public Span<float> Grad => GradBuffer is null ? Span<float>.Empty : GradBuffer.AsSpan(0, Size);

    /// <summary>The last dimension (features per row).</summary>
    internal int LastDim => Shape.Rank == 0 ? 1 : Shape[^1];

    /// <summary>The number of rows when the tensor is seen as (rows, last dimension).</summary>
    internal int Rows => Shape.Rank == 0 ? 1 : Size / Math.Max(1, LastDim);

    /// <summary>
    /// The gradient buffer for the current backward pass. <paramref name="fresh"/> is true the first time the pass
    /// touches this tensor: the buffer then holds stale values and the caller must overwrite, not add. Ops use it to
    /// write their first contribution directly (a GEMM with beta = 0) instead of clearing and accumulating.
    /// </summary>
    internal Span<float> GradForWrite(int generation, out bool fresh)
    {
        if (GradBuffer is null)
        {
            GradBuffer = Borrowed && Workspace.Current is { } ws ? ws.Rent(Size) : new float[Size];
            fresh = true;
        }
        else fresh = GradGeneration != generation;
        GradGeneration = generation;
        LastGradWriter = GradientTape.CurrentBackwardOp;
        return GradBuffer.AsSpan(0, Size);
    }

    /// <summary>
    /// The gradient buffer for the current backward pass, zeroed the first time the pass touches this tensor, so
    /// that ops can always accumulate (a tensor feeding two ops receives the sum of both contributions).
    /// </summary>
    internal Span<float> GradForAccumulation(int generation)
    {
        var grad = GradForWrite(generation, out bool fresh);
        if (fresh) grad.Clear();
        return grad;
    }

    /// <summary>A copy of the values as an <see cref="NDArray{T}"/> of the same shape.</summary>
    public NDArray<float> ToNDArray() => new(Values.ToArray(), 0, Shape, null); // keeps a scalar () a scalar

    /// <inheritdoc/>
    public override string ToString() => $"Tensor(shape={Shape})";
}
