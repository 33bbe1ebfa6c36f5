using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// An element-wise function of two operands: its value over spans (the TensorPrimitives kernels) and its partial
    /// derivatives, from which <see cref="BinaryOp{TFunction}"/> builds the forward and backward with broadcasting.
    /// </summary>
    private interface IBinaryFunction
    {
        static abstract string Name { get; }
        static abstract float Apply(float a, float b);
        static abstract void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c);
        static abstract void Apply(ReadOnlySpan<float> a, float b, Span<float> c);
        static abstract void Apply(float a, ReadOnlySpan<float> b, Span<float> c);

        /// <summary>dc · ∂c/∂a at one element.</summary>
        static abstract float GradA(float dc, float a, float b);

        /// <summary>dc · ∂c/∂b at one element.</summary>
        static abstract float GradB(float dc, float a, float b);

        /// <summary>
        /// The gradient of one run into a contiguous stretch of the operand's gradient, vectorised; false when the
        /// function has no such kernel and the scalar loop must do it. <paramref name="a"/> and <paramref name="b"/>
        /// hold the run's values, or one value when that operand is broadcast along the run.
        /// </summary>
        static virtual bool TryGradRun(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite) => false;
    }

    private static Tensor Binary<TFunction>(Tensor a, Tensor b) where TFunction : IBinaryFunction
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = StridedLoop.BroadcastShapes(TFunction.Name, a.Shape, b.Shape);
        return Run(new BinaryOp<TFunction>(a, b, StridedLoop.Broadcast(a.Shape, b.Shape, shape)), shape, a.RequiresGrad || b.RequiresGrad);
    }

    /// <summary>A one-element tensor of shape () for a scalar operand; it broadcasts against anything.</summary>
    private static Tensor ScalarTensor(float value) => new([value], new Shape(), requiresGrad: false, borrowed: false);

    /// <summary>
    /// c = f(a, b) with NumPy broadcasting. The output is walked in runs along its innermost merged axis: each
    /// operand either advances along a run or repeats one value, so the forward is a TensorPrimitives call per run
    /// (one call in all when the shapes are equal). The backward sums each operand's gradient over the axes it was
    /// broadcast along.
    /// </summary>
    private sealed class BinaryOp<TFunction>(Tensor a, Tensor b, StridedLoop loop) : Op where TFunction : IBinaryFunction
    {
        public override void Forward()
        {
            var av = a.Values; var bv = b.Values; var c = Output.Values;
            int n = loop.Length;
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int oa, out int ob);
                var run = c.Slice(r * n, n);
                if (loop.StrideA != 0)
                {
                    if (loop.StrideB != 0) TFunction.Apply(av.Slice(oa, n), bv.Slice(ob, n), run);
                    else TFunction.Apply(av.Slice(oa, n), bv[ob], run);
                }
                else if (loop.StrideB != 0) TFunction.Apply(av[oa], bv.Slice(ob, n), run);
                else run.Fill(TFunction.Apply(av[oa], bv[ob]));
            }
        }

        public override void Backward(int generation)
        {
            if (a.RequiresGrad) BackwardInto(a, ofA: true, generation);
            if (b.RequiresGrad) BackwardInto(b, ofA: false, generation);
        }

        private void BackwardInto(Tensor x, bool ofA, int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh);
            // A broadcast operand sums several output elements into each of its own: it must start from zero.
            bool broadcast = x.Size != Output.Size;
            if (fresh && broadcast) dx.Clear();
            bool overwrite = fresh && !broadcast;
            var dc = Output.Grad; var av = a.Values; var bv = b.Values;
            int n = loop.Length, strideX = ofA ? loop.StrideA : loop.StrideB;
            for (int r = 0; r < loop.Runs; r++)
            {
                loop.Offsets(r, out int oa, out int ob);
                var dcRun = dc.Slice(r * n, n);
                var aRun = loop.StrideA != 0 ? av.Slice(oa, n) : av.Slice(oa, 1);
                var bRun = loop.StrideB != 0 ? bv.Slice(ob, n) : bv.Slice(ob, 1);
                int ox = ofA ? oa : ob;
                if (strideX != 0)
                {
                    var dxRun = dx.Slice(ox, n);
                    if (!TFunction.TryGradRun(ofA, dcRun, aRun, bRun, dxRun, overwrite))
                        GradRunScalar(ofA, dcRun, aRun, bRun, dxRun, overwrite);
                }
                else
                {
                    // The operand is broadcast along the run: its one element receives the run's sum.
                    double sum = 0;
                    for (int i = 0; i < n; i++)
                    {
                        float ai = aRun.Length == 1 ? aRun[0] : aRun[i], bi = bRun.Length == 1 ? bRun[0] : bRun[i];
                        sum += ofA ? TFunction.GradA(dcRun[i], ai, bi) : TFunction.GradB(dcRun[i], ai, bi);
                    }
                    dx[ox] += (float)sum;
                }
            }
        }

        private static void GradRunScalar(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite)
        {
            for (int i = 0; i < dx.Length; i++)
            {
                float ai = a.Length == 1 ? a[0] : a[i], bi = b.Length == 1 ? b[0] : b[i];
                float g = ofA ? TFunction.GradA(dc[i], ai, bi) : TFunction.GradB(dc[i], ai, bi);
                dx[i] = overwrite ? g : dx[i] + g;
            }
        }
    }

    /// <summary>dx = ±dc (or dx += ±dc): the gradient of a sum or difference.</summary>
    private static void PassGradient(ReadOnlySpan<float> dc, Span<float> dx, bool negate, bool overwrite)
    {
        if (overwrite)
        {
            if (negate) TensorPrimitives.Negate(dc, dx); else dc.CopyTo(dx);
        }
        else if (negate) TensorPrimitives.Subtract(dx, dc, dx);
        else TensorPrimitives.Add(dx, dc, dx);
    }

    /// <summary>dx = dc · y (or dx += dc · y), y a run or one value.</summary>
    private static void ScaleGradient(ReadOnlySpan<float> dc, ReadOnlySpan<float> y, Span<float> dx, bool overwrite)
    {
        if (y.Length == 1)
        {
            if (overwrite) TensorPrimitives.Multiply(dc, y[0], dx); else TensorPrimitives.MultiplyAdd(dc, y[0], dx, dx);
        }
        else if (overwrite) TensorPrimitives.Multiply(dc, y, dx);
        else TensorPrimitives.MultiplyAdd(dc, y, dx, dx);
    }
}
