using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

/// <summary>
/// The differentiable operations layers and losses are written in (the counterpart of <c>keras.ops</c>).
/// Each computes its result at once and, when a <see cref="GradientTape"/> is recording and an input requires a
/// gradient, records an op whose backward is defined right beside its forward in the files of this folder.
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

    internal static Tensor Record(Op op, Tensor output)
    {
        op.Output = output;
        output.Creator = op;
        GradientTape.Record(op);
        return output;
    }

    /// <summary>
    /// Matrix product over the last axis of <paramref name="a"/>: (…, k) · (k, n) → (…, n). Leading axes of
    /// <paramref name="a"/> are treated as rows, as Keras' Dense does.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (b.Shape.Rank != 2) throw new ArgumentException($"MatMul expects a 2-D right operand, got shape {b.Shape}.");
        if (a.Shape.Rank < 1 || a.LastDim != b.Shape[0])
            throw new ArgumentException($"MatMul shapes do not align: {a.Shape} · {b.Shape} (last dimension {a.LastDim} vs {b.Shape[0]}).");
        int m = a.Rows, k = b.Shape[0], n = b.Shape[1];
        var dims = a.Shape.ToArray();
        dims[^1] = n;
        bool grad = GradientTape.ShouldRecord(a, b);
        var output = NewTensor(new Shape(dims), grad);
        Gemm.Multiply(a.Values, b.Values, output.Values, m, k, n);
        return grad ? Record(new MatMulOp(a, b, m, k, n), output) : output;
    }

    private sealed class MatMulOp(Tensor a, Tensor b, int m, int k, int n) : Op
    {
        public override void Backward(int generation)
        {
            var dc = Output.Grad;
            // dA = dC · Bᵀ  (m, n)·(n, k);  dB = Aᵀ · dC  (k, m)·(m, n)
            if (a.RequiresGrad) Gemm.Multiply(dc, b.Values, a.GradForAccumulation(generation), m, n, k, transposeB: true, accumulate: true);
            if (b.RequiresGrad) Gemm.Multiply(a.Values, dc, b.GradForAccumulation(generation), k, m, n, transposeA: true, accumulate: true);
        }
    }

    /// <summary>Adds the vector <paramref name="bias"/> (n,) to every row of <paramref name="x"/> (…, n).</summary>
    public static Tensor BiasAdd(Tensor x, Tensor bias)
    {
        if (bias.Shape.Rank != 1 || bias.Size != x.LastDim)
            throw new ArgumentException($"BiasAdd needs a bias of shape ({x.LastDim},) for input {x.Shape}, got {bias.Shape}.");
        bool grad = GradientTape.ShouldRecord(x, bias);
        var output = NewTensor(x.Shape, grad);
        int n = bias.Size, rows = x.Rows;
        var xs = x.Values; var ys = output.Values; var bs = bias.Values;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(xs.Slice(r * n, n), bs, ys.Slice(r * n, n));
        return grad ? Record(new BiasAddOp(x, bias), output) : output;
    }

    private sealed class BiasAddOp(Tensor x, Tensor bias) : Op
    {
        public override void Backward(int generation)
        {
            var dy = Output.Grad;
            if (x.RequiresGrad)
            {
                var dx = x.GradForAccumulation(generation);
                TensorPrimitives.Add(dx, dy, dx);
            }
            if (bias.RequiresGrad)
            {
                var db = bias.GradForAccumulation(generation);
                int n = bias.Size, rows = x.Rows;
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * n, n), db);
            }
        }
    }
}
