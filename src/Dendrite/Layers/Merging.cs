using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>
/// The base of the merging layers (Keras' <c>keras.layers.Add</c>, <c>Concatenate</c>, …): they take a list of at
/// least two inputs, in the functional API: <c>new Add().Call(a, b)</c>.
/// </summary>
public abstract partial class Merge : Layer
{
    private protected Merge(string? name) : base(name) { }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false) =>
        throw new ArgumentException($"{GetType().Name} '{Name}' merges a list of at least 2 inputs; it was called on one.");

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) =>
        throw new ArgumentException($"{GetType().Name} '{Name}' merges a list of at least 2 inputs; it was called on one of shape {KerasTensor.Format(inputShape)}.");

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) =>
        throw new ArgumentException($"{GetType().Name} '{Name}' merges a list of at least 2 inputs; it was called on one.");

    /// <inheritdoc/>
    protected override void Build(IReadOnlyList<Shape> inputShapes) => ComputeOutputShape(inputShapes);

    /// <inheritdoc/>
    public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count < 2) throw new ArgumentException($"{GetType().Name} '{Name}' merges a list of at least 2 inputs, got {inputs.Count}.");
        return Merge2(inputs);
    }

    /// <summary>Combines the (at least two) inputs.</summary>
    private protected abstract Tensor Merge2(IReadOnlyList<Tensor> inputs);
}

/// <summary>The element-wise merges: all inputs have the same shape (Keras also broadcasts; Dendrite requires equal shapes).</summary>
public abstract partial class ElementwiseMerge : Merge
{
    private protected ElementwiseMerge(string? name) : base(name) { }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        if (inputShapes.Count < 2) throw new ArgumentException($"{GetType().Name} '{Name}' merges a list of at least 2 inputs, got {inputShapes.Count}.");
        foreach (var s in inputShapes)
            if (s != inputShapes[0])
                throw new ArgumentException($"{GetType().Name} '{Name}' needs inputs of one shape, got {string.Join(" and ", inputShapes.Select(KerasTensor.Format))}.");
        return inputShapes[0];
    }

    /// <inheritdoc/>
    /// <remarks>As Keras' <c>Merge.compute_mask</c>: a step is real when it is real in every input that has a mask.</remarks>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        Tensor? mask = null;
        foreach (var m in masks) mask = Ops.MaskAnd(mask, m);
        return mask;
    }

    private protected override Tensor Merge2(IReadOnlyList<Tensor> inputs)
    {
        var result = inputs[0];
        for (int i = 1; i < inputs.Count; i++) result = Combine(result, inputs[i]);
        return Finish(result, inputs.Count);
    }

    private protected abstract Tensor Combine(Tensor a, Tensor b);

    private protected virtual Tensor Finish(Tensor combined, int count) => combined;
}

/// <summary>The element-wise sum of its inputs (Keras' <c>Add</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Add(string? name = null) : ElementwiseMerge(name)
{
    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Add(a, b);
}

/// <summary>The difference of exactly two inputs (Keras' <c>Subtract</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Subtract(string? name = null) : ElementwiseMerge(name)
{
    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) =>
        inputShapes.Count == 2 ? base.ComputeOutputShape(inputShapes)
        : throw new ArgumentException($"Subtract '{Name}' takes exactly 2 inputs, got {inputShapes.Count}.");

    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Subtract(a, b);
}

/// <summary>The element-wise product of its inputs (Keras' <c>Multiply</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Multiply(string? name = null) : ElementwiseMerge(name)
{
    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Multiply(a, b);
}

/// <summary>The element-wise mean of its inputs (Keras' <c>Average</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Average(string? name = null) : ElementwiseMerge(name)
{
    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Add(a, b);

    private protected override Tensor Finish(Tensor combined, int count) => Ops.Divide(combined, count);
}

/// <summary>The element-wise maximum of its inputs (Keras' <c>Maximum</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Maximum(string? name = null) : ElementwiseMerge(name)
{
    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Maximum(a, b);
}

/// <summary>The element-wise minimum of its inputs (Keras' <c>Minimum</c>).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Minimum(string? name = null) : ElementwiseMerge(name)
{
    private protected override Tensor Combine(Tensor a, Tensor b) => Ops.Minimum(a, b);
}

/// <summary>Joins its inputs along an axis (Keras' <c>Concatenate</c>, default the last).</summary>
/// <param name="axis">The axis of the batched tensors (−1: the last; 0, the batch axis, is not allowed).</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Concatenate(int axis = -1, string? name = null) : Merge(name)
{
    /// <summary>The axis joined along (of the batched tensors).</summary>
    public int Axis { get; } = axis;

    private int PerSampleAxis(int rank)
    {
        int a = Axis < 0 ? Axis + rank + 1 : Axis; // on the batched rank
        if (a <= 0 || a > rank)
            throw new ArgumentException($"Concatenate '{Name}': axis {Axis} is out of range for inputs of rank {rank + 1} (the batch axis 0 cannot be joined).");
        return a - 1;
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        if (inputShapes.Count < 2) throw new ArgumentException($"Concatenate '{Name}' merges a list of at least 2 inputs, got {inputShapes.Count}.");
        int rank = inputShapes[0].Rank, axis = PerSampleAxis(rank);
        var dims = inputShapes[0].ToArray();
        for (int i = 1; i < inputShapes.Count; i++)
        {
            var s = inputShapes[i];
            bool fits = s.Rank == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == axis || s[d] == dims[d];
            if (!fits)
                throw new ArgumentException($"A Concatenate layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape={string.Join(", ", inputShapes.Select(KerasTensor.Format))}");
            dims[axis] += s[axis];
        }
        return new Shape(dims);
    }

    private protected override Tensor Merge2(IReadOnlyList<Tensor> inputs) => Ops.Concatenate(inputs, PerSampleAxis(inputs[0].Shape.Rank - 1) + 1);
}
