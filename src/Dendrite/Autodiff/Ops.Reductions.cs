using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>The sum over <paramref name="axis"/> (<c>keras.ops.sum</c>); a negative axis counts from the end.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to sum over.</param>
    /// <param name="keepDims">Keep the reduced axis with length 1 (Keras' <c>keepdims</c>), so the result broadcasts against <paramref name="x"/>.</param>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceKind.Sum, x, [axis], keepDims);

    /// <summary>The sum over <paramref name="axes"/>, or over every element when null (<c>keras.ops.sum</c>).</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axes">The axes to sum over (negative ones count from the end); null for all, empty for none.</param>
    /// <param name="keepDims">Keep the reduced axes with length 1.</param>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Sum, x, axes, keepDims);

    /// <summary>The mean over <paramref name="axis"/> (<c>keras.ops.mean</c>); NaN when the axis is empty.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to average over.</param>
    /// <param name="keepDims">Keep the reduced axis with length 1.</param>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceKind.Mean, x, [axis], keepDims);

    /// <summary>The mean over <paramref name="axes"/>, or over every element when null (<c>keras.ops.mean</c>).</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axes">The axes to average over; null for all, empty for none.</param>
    /// <param name="keepDims">Keep the reduced axes with length 1.</param>
    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Mean, x, axes, keepDims);

    /// <summary>
    /// The maximum over <paramref name="axis"/> (<c>keras.ops.max</c>); NaN when the reduced values hold one.
    /// The gradient goes to the first maximum in C order (the first NaN if any), not shared between ties.
    /// </summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to take the maximum over.</param>
    /// <param name="keepDims">Keep the reduced axis with length 1.</param>
    /// <exception cref="ArgumentException">The axis is empty: a maximum of nothing has no value.</exception>
    public static Tensor Max(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceKind.Max, x, [axis], keepDims);

    /// <summary>The maximum over <paramref name="axes"/>, or over every element when null; ties as in <see cref="Max(Tensor, int, bool)"/>.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axes">The axes to take the maximum over; null for all, empty for none.</param>
    /// <param name="keepDims">Keep the reduced axes with length 1.</param>
    public static Tensor Max(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Max, x, axes, keepDims);

    /// <summary>The minimum over <paramref name="axis"/> (<c>keras.ops.min</c>); the gradient goes to the first minimum in C order.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to take the minimum over.</param>
    /// <param name="keepDims">Keep the reduced axis with length 1.</param>
    /// <exception cref="ArgumentException">The axis is empty.</exception>
    public static Tensor Min(Tensor x, int axis, bool keepDims = false) => Reduce(ReduceKind.Min, x, [axis], keepDims);

    /// <summary>The minimum over <paramref name="axes"/>, or over every element when null; ties go to the first minimum.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axes">The axes to take the minimum over; null for all, empty for none.</param>
    /// <param name="keepDims">Keep the reduced axes with length 1.</param>
    public static Tensor Min(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Min, x, axes, keepDims);

    private enum ReduceKind { Sum, Mean, Max, Min }

    private static Tensor Reduce(ReduceKind kind, Tensor x, int[]? axes, bool keepDims)
    {
        ArgumentNullException.ThrowIfNull(x);
        var reduced = new bool[x.Shape.Rank];
        if (axes is null) Array.Fill(reduced, true);
        else
            foreach (int axis in axes)
            {
                int a = axis < 0 ? axis + x.Shape.Rank : axis;
                if (a < 0 || a >= x.Shape.Rank)
                    throw new ArgumentException($"{kind} axis {axis} is out of bounds for a tensor of rank {x.Shape.Rank} and shape {x.Shape}.");
                if (reduced[a]) throw new ArgumentException($"{kind} got axis {a} twice (as {axis}) for shape {x.Shape}.");
                reduced[a] = true;
            }
        var kept = new int[x.Shape.Rank];
        var dropped = new List<int>();
        for (int a = 0; a < kept.Length; a++)
        {
            kept[a] = reduced[a] ? 1 : x.Shape[a];
            if (!reduced[a]) dropped.Add(x.Shape[a]);
            else if (x.Shape[a] == 0 && kind is ReduceKind.Max or ReduceKind.Min)
                throw new ArgumentException($"{kind} cannot reduce axis {a} of shape {x.Shape}: it is empty, and a {kind.ToString().ToLowerInvariant()} of nothing has no value.");
        }
        var keptShape = new Shape(kept);
        var shape = keepDims ? keptShape : new Shape([.. dropped]);
        // The result, with the reduced axes kept as 1, broadcasts onto x: the walk over x reads it as operand A.
        var loop = new StridedLoop(x.Shape.AsSpan(), StridedLoop.BroadcastStrides(keptShape, x.Shape), x.Shape.ContiguousStrides());
        Op op = kind is ReduceKind.Max or ReduceKind.Min
            ? new ExtremumOp(x, loop, kind == ReduceKind.Max, keptShape.Size)
            : new SumOp(x, loop, kind == ReduceKind.Mean ? (keptShape.Size == 0 ? 0 : x.Size / keptShape.Size) : 1);
        return Run(op, shape, x.RequiresGrad);
    }

    /// <summary>
    /// Sum of x over the reduced axes, divided by <paramref name="divisor"/> (the count, for a mean). The walk goes over
    /// x; its operand A is the result, read broadcast.
    /// </summary>
    private sealed class SumOp(Tensor x, StridedLoop loop, int divisor) : Op
    {
        private readonly float _scale = 1f / divisor;

        public override void Forward()
        {
            var xs = x.Values; var y = Output.Values;
            int n = loop.Length;
            y.Clear();
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int oy, out _);
                var run = xs.Slice(r * n, n);
                if (loop.StrideA != 0) TensorPrimitives.Add(y.Slice(oy, n), run, y.Slice(oy, n));
                else y[oy] += TensorPrimitives.Sum(run);
            }
            // Keras divides the sum by the count; the mean of an empty axis is 0/0 = NaN there too.
            if (divisor != 1) TensorPrimitives.Divide(y, divisor, y);
        }

        public override void Backward(int generation)
        {
            // Every element of x receives the gradient of the result element it was summed into (times 1/count).
            var dy = Output.Grad;
            var dx = x.GradForWrite(generation, out bool fresh);
            int n = loop.Length;
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int oy, out _);
                var run = dx.Slice(r * n, n);
                if (loop.StrideA != 0)
                {
                    var g = dy.Slice(oy, n);
                    if (fresh) TensorPrimitives.Multiply(g, _scale, run); else TensorPrimitives.MultiplyAdd(g, _scale, run, run);
                }
                else if (fresh) run.Fill(dy[oy] * _scale);
                else TensorPrimitives.Add(run, dy[oy] * _scale, run);
            }
        }
    }

    /// <summary>Maximum (or minimum) over the reduced axes, remembering where each came from for the backward.</summary>
    private sealed class ExtremumOp(Tensor x, StridedLoop loop, bool max, int resultSize) : Op
    {
        private readonly int[] _source = new int[resultSize]; // flat index in x of each result's first extremum

        public override void Forward()
        {
            var xs = x.Values; var y = Output.Values;
            int n = loop.Length;
            Array.Fill(_source, -1);
            // The walk visits x in C order, so a strict comparison keeps the first of equal values.
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int oy, out _);
                for (int i = 0; i < n; i++)
                {
                    int o = loop.StrideA != 0 ? oy + i : oy, s = r * n + i;
                    float v = xs[s], current = y[o];
                    if (_source[o] < 0 || (max ? v > current : v < current) || (float.IsNaN(v) && !float.IsNaN(current)))
                    {
                        y[o] = v;
                        _source[o] = s;
                    }
                }
            }
        }

        public override void Backward(int generation)
        {
            var dy = Output.Grad;
            var dx = x.GradForAccumulation(generation);
            for (int o = 0; o < _source.Length; o++) dx[_source[o]] += dy[o];
        }
    }
}
