using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// The same elements in C order under a new shape (<c>keras.ops.reshape</c>); one dimension may be −1 and is
    /// then inferred. The result is a copy, not a view: writing into it never changes <paramref name="x"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ, a dimension is below −1, or −1 appears twice.</exception>
    public static Tensor Reshape(Tensor x, params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(newShape);
        var dims = (int[])newShape.Clone();
        // Written out by hand: a requested shape may hold -1, which a Shape cannot.
        string requested = newShape.Length == 1 ? $"({newShape[0]},)" : $"({string.Join(", ", newShape)})";
        string Describe() => $"Reshape cannot reshape a tensor of shape {x.Shape} ({x.Size} elements) into {requested}";
        int unknown = -1, known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (unknown >= 0) throw new ArgumentException($"{Describe()}: only one dimension can be -1.");
                unknown = i;
            }
            else if (dims[i] < 0) throw new ArgumentException($"{Describe()}: dimension {i} is {dims[i]}.");
            else known *= dims[i];
        }
        if (unknown >= 0)
        {
            if (known == 0 || x.Size % known != 0) throw new ArgumentException($"{Describe()}.");
            dims[unknown] = x.Size / known;
        }
        else if (known != x.Size) throw new ArgumentException($"{Describe()}.");
        return Run(new CopyOp(x), new Shape(dims), x.RequiresGrad);
    }

    /// <summary>
    /// Inserts an axis of length 1 at <paramref name="axis"/> (<c>keras.ops.expand_dims</c>); −1 appends it, and
    /// any axis in [−rank − 1, rank] is accepted.
    /// </summary>
    public static Tensor ExpandDims(Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank, a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank)
            throw new ArgumentException($"ExpandDims axis {axis} is out of bounds for a tensor of rank {rank} and shape {x.Shape} (the result has rank {rank + 1}).");
        var dims = x.Shape.ToList();
        dims.Insert(a, 1);
        return Run(new CopyOp(x), new Shape([.. dims]), x.RequiresGrad);
    }

    /// <summary>
    /// Removes axes of length 1 (<c>keras.ops.squeeze</c>): the one at <paramref name="axis"/>, or every one when null.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of bounds or its length is not 1.</exception>
    public static Tensor Squeeze(Tensor x, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var dims = x.Shape.ToList();
        if (axis is int requested)
        {
            int a = requested < 0 ? requested + dims.Count : requested;
            if (a < 0 || a >= dims.Count)
                throw new ArgumentException($"Squeeze axis {requested} is out of bounds for a tensor of rank {dims.Count} and shape {x.Shape}.");
            if (dims[a] != 1) throw new ArgumentException($"Squeeze cannot remove axis {requested} of shape {x.Shape}: its length is {dims[a]}, not 1.");
            dims.RemoveAt(a);
        }
        else dims.RemoveAll(d => d == 1);
        return Run(new CopyOp(x), new Shape([.. dims]), x.RequiresGrad);
    }

    /// <summary>The output holds x's elements in the same order (a reshape): copy forward, pass the gradient back.</summary>
    private sealed class CopyOp(Tensor x) : Op
    {
        public override void Forward() => x.Values.CopyTo(Output.Values);

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh);
            if (fresh) Output.Grad.CopyTo(dx); else TensorPrimitives.Add(dx, Output.Grad, dx);
        }
    }

    /// <summary>
    /// Permutes the axes (<c>keras.ops.transpose</c>): axis i of the result is axis <c>axes[i]</c> of
    /// <paramref name="x"/>. Without <paramref name="axes"/> the order is reversed (a matrix transpose for rank 2).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of 0 … rank − 1 (negative axes allowed).</exception>
    public static Tensor Transpose(Tensor x, params int[]? axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank;
        var permutation = new int[rank];
        if (axes is null || axes.Length == 0)
            for (int i = 0; i < rank; i++) permutation[i] = rank - 1 - i;
        else
        {
            string Describe() => $"Transpose axes ({string.Join(", ", axes)}) are not a permutation of the {rank} axes of shape {x.Shape}";
            if (axes.Length != rank) throw new ArgumentException($"{Describe()}.");
            var seen = new bool[rank];
            for (int i = 0; i < rank; i++)
            {
                int a = axes[i] < 0 ? axes[i] + rank : axes[i];
                if (a < 0 || a >= rank || seen[a]) throw new ArgumentException($"{Describe()}.");
                seen[a] = true;
                permutation[i] = a;
            }
        }
        var source = x.Shape.ContiguousStrides();
        var dims = new int[rank];
        var strides = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = x.Shape[permutation[i]];
            strides[i] = source[permutation[i]];
        }
        return Run(new GatherOp(x, new StridedLoop(dims, strides, new int[rank]), 0), new Shape(dims), x.RequiresGrad);
    }

    /// <summary>
    /// A block of <paramref name="x"/> (<c>keras.ops.slice</c>): <paramref name="shape"/> elements along each axis,
    /// starting at <paramref name="startIndices"/>. A size of −1 takes the rest of that axis.
    /// </summary>
    /// <exception cref="ArgumentException">The block does not fit inside <paramref name="x"/>.</exception>
    public static Tensor Slice(Tensor x, int[] startIndices, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(startIndices);
        ArgumentNullException.ThrowIfNull(shape);
        int rank = x.Shape.Rank;
        if (startIndices.Length != rank || shape.Length != rank)
            throw new ArgumentException($"Slice needs one start and one size per axis of shape {x.Shape}, got starts ({string.Join(", ", startIndices)}) and sizes ({string.Join(", ", shape)}).");
        var strides = x.Shape.ContiguousStrides();
        var dims = new int[rank];
        int offset = 0;
        for (int a = 0; a < rank; a++)
        {
            int start = startIndices[a], length = shape[a] == -1 ? x.Shape[a] - start : shape[a];
            if (start < 0 || length < 0 || start + length > x.Shape[a])
                throw new ArgumentException($"Slice of axis {a} (length {x.Shape[a]}) of shape {x.Shape}: start {start} with size {shape[a]} does not fit.");
            dims[a] = length;
            offset += start * strides[a];
        }
        return Run(new GatherOp(x, new StridedLoop(dims, strides, new int[rank]), offset), new Shape(dims), x.RequiresGrad);
    }

    /// <summary>
    /// Elements [<paramref name="start"/>, start + <paramref name="length"/>) along <paramref name="axis"/>, all of the
    /// other axes (NumPy's <c>x[:, start:start + length]</c> for axis 1). A negative axis counts from the end.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of bounds or the range does not fit in it.</exception>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank, a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"Slice axis {axis} is out of bounds for a tensor of rank {rank} and shape {x.Shape}.");
        if (start < 0 || length < 0 || start + length > x.Shape[a])
            throw new ArgumentException($"Slice of axis {axis} (length {x.Shape[a]}) of shape {x.Shape}: start {start} with length {length} does not fit.");
        var starts = new int[rank];
        var sizes = x.Shape.ToArray();
        starts[a] = start;
        sizes[a] = length;
        return Slice(x, starts, sizes);
    }

    /// <summary>
    /// The elements of <paramref name="range"/> along <paramref name="axis"/>, e.g. <c>Slice(x, 1, 2..^1)</c> for
    /// NumPy's <c>x[:, 2:-1]</c>. The range must lie inside the axis (no clamping, unlike Python).
    /// </summary>
    public static Tensor Slice(Tensor x, int axis, Range range)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank, a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"Slice axis {axis} is out of bounds for a tensor of rank {rank} and shape {x.Shape}.");
        int length = x.Shape[a];
        int start = range.Start.GetOffset(length), end = range.End.GetOffset(length);
        if (start < 0 || end > length || end < start)
            throw new ArgumentException($"Slice of axis {axis} (length {length}) of shape {x.Shape}: range {range} does not fit.");
        return Slice(x, a, start, end - start);
    }

    /// <summary>
    /// The output is a strided view of x read in C order (a transpose or a slice), starting at <paramref name="offset"/>.
    /// The backward scatters the gradient back through the same view.
    /// </summary>
    private sealed class GatherOp(Tensor x, StridedLoop loop, int offset) : Op
    {
        public override void Forward()
        {
            var xs = x.Values; var y = Output.Values;
            int n = loop.Length, stride = loop.StrideA;
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int o, out _);
                o += offset;
                var run = y.Slice(r * n, n);
                if (stride == 1) xs.Slice(o, n).CopyTo(run);
                else for (int i = 0; i < n; i++) run[i] = xs[o + i * stride];
            }
        }

        public override void Backward(int generation)
        {
            var dy = Output.Grad;
            var dx = x.GradForWrite(generation, out bool fresh);
            // A transpose reaches every element of x once and may overwrite a fresh gradient; a slice reaches only
            // part of x, whose other elements have a zero gradient.
            bool overwrite = fresh && Output.Size == x.Size;
            if (fresh && !overwrite) dx.Clear();
            int n = loop.Length, stride = loop.StrideA;
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int o, out _);
                o += offset;
                var run = dy.Slice(r * n, n);
                if (stride == 1)
                {
                    if (overwrite) run.CopyTo(dx.Slice(o, n)); else TensorPrimitives.Add(dx.Slice(o, n), run, dx.Slice(o, n));
                }
                else if (overwrite) for (int i = 0; i < n; i++) dx[o + i * stride] = run[i];
                else for (int i = 0; i < n; i++) dx[o + i * stride] += run[i];
            }
        }
    }

    /// <summary>
    /// Joins tensors along an existing axis (<c>keras.ops.concatenate</c>); every other dimension must agree.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, different ranks, or a mismatch outside <paramref name="axis"/>.</exception>
    public static Tensor Concatenate(IReadOnlyList<Tensor> xs, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("Concatenate needs at least one tensor.");
        var first = xs[0].Shape;
        int rank = first.Rank;
        if (rank == 0) throw new ArgumentException("Concatenate cannot join 0-d tensors (shape ()): they have no axis.");
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"Concatenate axis {axis} is out of bounds for tensors of rank {rank} (first shape {first}).");
        var dims = first.ToArray();
        dims[a] = 0;
        bool requiresGrad = false;
        foreach (var x in xs)
        {
            ArgumentNullException.ThrowIfNull(x, nameof(xs));
            bool fits = x.Shape.Rank == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == a || x.Shape[d] == first[d];
            if (!fits)
                throw new ArgumentException($"Concatenate along axis {axis} needs the same shape outside that axis: got {string.Join(" and ", xs.Select(t => t.Shape.ToString()))}.");
            dims[a] += x.Shape[a];
            requiresGrad |= x.RequiresGrad;
        }
        return Run(new ConcatenateOp([.. xs], a, new Shape(dims)), new Shape(dims), requiresGrad);
    }

    /// <summary>Each input fills a block of the output along the axis: one contiguous stretch per index of the axes before it.</summary>
    private sealed class ConcatenateOp : Op
    {
        private readonly Tensor[] _inputs;
        private readonly int _outer, _outputBlock;
        private readonly int[] _blocks, _starts;

        public ConcatenateOp(Tensor[] inputs, int axis, Shape output)
        {
            _inputs = inputs;
            int inner = 1;
            for (int d = axis + 1; d < output.Rank; d++) inner *= output[d];
            _outer = 1;
            for (int d = 0; d < axis; d++) _outer *= output[d];
            _outputBlock = output[axis] * inner;
            _blocks = new int[inputs.Length];
            _starts = new int[inputs.Length];
            for (int i = 0, start = 0; i < inputs.Length; i++)
            {
                _blocks[i] = inputs[i].Shape[axis] * inner;
                _starts[i] = start;
                start += _blocks[i];
            }
        }

        public override void Forward()
        {
            var y = Output.Values;
            for (int i = 0; i < _inputs.Length; i++)
            {
                var xs = _inputs[i].Values;
                int block = _blocks[i];
                for (int o = 0; o < _outer; o++) xs.Slice(o * block, block).CopyTo(y.Slice(o * _outputBlock + _starts[i], block));
            }
        }

        public override void Backward(int generation)
        {
            var dy = Output.Grad;
            for (int i = 0; i < _inputs.Length; i++)
            {
                var x = _inputs[i];
                if (!x.RequiresGrad) continue;
                var dx = x.GradForWrite(generation, out bool fresh);
                int block = _blocks[i];
                for (int o = 0; o < _outer; o++)
                {
                    var g = dy.Slice(o * _outputBlock + _starts[i], block);
                    var d = dx.Slice(o * block, block);
                    if (fresh) g.CopyTo(d); else TensorPrimitives.Add(d, g, d);
                }
            }
        }
    }
}
