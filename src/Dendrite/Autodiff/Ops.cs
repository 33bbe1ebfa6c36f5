using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

/// <summary>
/// The differentiable operations layers and losses are written in (the counterpart of <c>keras.ops</c>).
/// Each computes its result at once and, while a <see cref="GradientTape"/> records, records an op whose forward and
/// backward sit side by side in the files of this folder.
/// </summary>
public static partial class Ops
{
    /// <summary>A new tensor for an op's result, borrowed from the current workspace when there is one.</summary>
    internal static Tensor NewTensor(Shape shape, bool requiresGrad)
    {
        var ws = Workspace.Current;
        var buffer = ws is null ? new float[shape.Size] : ws.Rent(shape.Size);
        return new Tensor(buffer, shape, requiresGrad, borrowed: ws is not null);
    }

    /// <summary>Gives <paramref name="op"/> its output tensor, computes it, and records the op when a tape needs it.</summary>
    internal static Tensor Run(Op op, Shape shape, bool anyInputRequiresGrad)
    {
        var output = NewTensor(shape, GradientTape.OutputRequiresGrad(anyInputRequiresGrad));
        op.Output = output;
        op.Forward();
        if (GradientTape.ShouldRecord(anyInputRequiresGrad)) GradientTape.Record(op);
        return output;
    }

    /// <summary>The shape of <paramref name="shape"/> with its last dimension replaced.</summary>
    internal static Shape WithLastDim(Shape shape, int last)
    {
        var dims = shape.ToArray();
        dims[^1] = last;
        return new Shape(dims);
    }

    /// <summary>
    /// Matrix product with NumPy's <c>matmul</c> rules (<c>keras.ops.matmul</c>). With a matrix on the right,
    /// (…, k) · (k, n) → (…, n): leading axes of <paramref name="a"/> are treated as rows, as Keras' Dense does, in one
    /// GEMM. Otherwise both operands are stacks of matrices, (…, m, k) · (…, k, n) → (…, m, n), whose batch axes
    /// broadcast; a vector operand counts as a row on the left or a column on the right, and that axis is dropped.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (b.Shape.Rank != 2) return BatchMatMul(a, b);
        if (a.Shape.Rank < 1 || a.LastDim != b.Shape[0])
            throw new ArgumentException($"MatMul shapes do not align: {a.Shape} · {b.Shape} (last dimension {a.LastDim} vs {b.Shape[0]}).");
        return Run(new MatMulOp(a, b), WithLastDim(a.Shape, b.Shape[1]), a.RequiresGrad || b.RequiresGrad);
    }

    private sealed class MatMulOp(Tensor a, Tensor b) : Op
    {
        private readonly int _m = a.Rows, _k = b.Shape[0], _n = b.Shape[1];

        public override void Forward() => Gemm.Multiply(a.Values, b.Values, Output.Values, _m, _k, _n);

        public override void Backward(int generation) => MatMulBackward(a, b, Output.Grad, _m, _k, _n, generation);
    }

    /// <summary>
    /// The backward of C = A·B for (m, k)·(k, n): dA = dC·Bᵀ and dB = Aᵀ·dC, each read transposed in place by the
    /// GEMM. A tensor's first contribution in a pass overwrites its gradient (beta = 0) instead of clearing and adding.
    /// </summary>
    internal static void MatMulBackward(Tensor a, Tensor b, ReadOnlySpan<float> dc, int m, int k, int n, int generation)
    {
        if (a.RequiresGrad)
        {
            var da = a.GradForWrite(generation, out bool fresh);
            Gemm.Multiply(dc, b.Values, da, m, n, k, transposeA: false, transposeB: true, 1f, fresh ? 0f : 1f);
        }
        if (b.RequiresGrad)
        {
            var db = b.GradForWrite(generation, out bool fresh);
            Gemm.Multiply(a.Values, dc, db, k, m, n, transposeA: true, transposeB: false, 1f, fresh ? 0f : 1f);
        }
    }

    /// <summary>Adds the vector <paramref name="bias"/> (n,) to every row of <paramref name="x"/> (…, n).</summary>
    public static Tensor BiasAdd(Tensor x, Tensor bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(bias);
        if (bias.Shape.Rank != 1 || bias.Size != x.LastDim)
            throw new ArgumentException($"BiasAdd needs a bias of shape ({x.LastDim},) for input {x.Shape}, got {bias.Shape}.");
        return Run(new BiasAddOp(x, bias), x.Shape, x.RequiresGrad || bias.RequiresGrad);
    }

    private sealed class BiasAddOp(Tensor x, Tensor bias) : Op
    {
        public override void Forward()
        {
            int n = bias.Size, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values; var bs = bias.Values;
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(xs.Slice(r * n, n), bs, ys.Slice(r * n, n));
        }

        public override void Backward(int generation)
        {
            var dy = Output.Grad;
            if (x.RequiresGrad)
            {
                var dx = x.GradForWrite(generation, out bool fresh);
                if (fresh) dy.CopyTo(dx); else TensorPrimitives.Add(dx, dy, dx);
            }
            if (bias.RequiresGrad) MaskAndSumColumns(dy, default, bias.Size, relu: false, bias.GradForAccumulation(generation));
        }
    }
}
