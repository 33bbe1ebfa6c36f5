using Dendrite.Kernels;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// <see cref="MatMul"/> when the right operand is not a matrix: NumPy's <c>matmul</c> with batch axes, one GEMM per
    /// matrix of the batch. A vector operand is promoted (a (1, k) row on the left, a (k, 1) column on the right) and
    /// the added axis is dropped from the result; the batch axes (all but the last two) broadcast.
    /// </summary>
    private static Tensor BatchMatMul(Tensor a, Tensor b)
    {
        if (a.Shape.Rank == 0 || b.Shape.Rank == 0)
            throw new ArgumentException($"MatMul needs operands of rank 1 or more, got shapes {a.Shape} and {b.Shape}.");
        int[] aDims = a.Shape.Rank == 1 ? [1, a.Shape[0]] : a.Shape.ToArray();
        int[] bDims = b.Shape.Rank == 1 ? [b.Shape[0], 1] : b.Shape.ToArray();
        int m = aDims[^2], k = aDims[^1], n = bDims[^1];
        if (bDims[^2] != k)
            throw new ArgumentException($"MatMul shapes do not align: {a.Shape} · {b.Shape} (contracting dimensions {k} and {bDims[^2]}).");
        var batchA = new Shape(aDims[..^2]);
        var batchB = new Shape(bDims[..^2]);
        if (!Broadcasting.TryBroadcastShapes(batchA, batchB, out var batch))
            throw new ArgumentException($"MatMul cannot broadcast the batch dimensions {batchA} and {batchB} of shapes {a.Shape} and {b.Shape}.");
        var stridesA = StridedLoop.BroadcastStrides(batchA, batch);
        var stridesB = StridedLoop.BroadcastStrides(batchB, batch);
        for (int i = 0; i < batch.Rank; i++)
        {
            stridesA[i] *= m * k;
            stridesB[i] *= k * n;
        }
        var dims = batch.ToList();
        if (a.Shape.Rank > 1) dims.Add(m);
        if (b.Shape.Rank > 1) dims.Add(n);
        var op = new BatchMatMulOp(a, b, new StridedLoop(batch.AsSpan(), stridesA, stridesB), batch.Size, m, k, n);
        return Run(op, new Shape([.. dims]), a.RequiresGrad || b.RequiresGrad);
    }

    /// <summary>C_t = A_t · B_t for every matrix t of the batch; A_t and B_t are found through the broadcast batch walk.</summary>
    private sealed class BatchMatMulOp(Tensor a, Tensor b, StridedLoop loop, int count, int m, int k, int n) : Op
    {
        public override void Forward()
        {
            var av = a.Values; var bv = b.Values; var c = Output.Values;
            for (int t = 0; t < count; t++)
            {
                Locate(t, out int oa, out int ob);
                Gemm.Multiply(av.Slice(oa, m * k), bv.Slice(ob, k * n), c.Slice(t * m * n, m * n), m, k, n);
            }
        }

        public override void Backward(int generation)
        {
            var dc = Output.Grad; var av = a.Values; var bv = b.Values;
            if (a.RequiresGrad)
            {
                float beta = Start(a, count * m * k, generation, out var da);
                for (int t = 0; t < count; t++)
                {
                    Locate(t, out int oa, out int ob);
                    // dA_t (+)= dC_t · B_tᵀ
                    Gemm.Multiply(dc.Slice(t * m * n, m * n), bv.Slice(ob, k * n), da.Slice(oa, m * k), m, n, k, false, true, 1f, beta);
                }
            }
            if (b.RequiresGrad)
            {
                float beta = Start(b, count * k * n, generation, out var db);
                for (int t = 0; t < count; t++)
                {
                    Locate(t, out int oa, out int ob);
                    // dB_t (+)= A_tᵀ · dC_t
                    Gemm.Multiply(av.Slice(oa, m * k), dc.Slice(t * m * n, m * n), db.Slice(ob, k * n), k, m, n, true, false, 1f, beta);
                }
            }
        }

        /// <summary>
        /// The gradient buffer of an operand and the GEMM's beta: 0 (overwrite) when the pass has not touched it yet and
        /// every matrix of it is used once; otherwise 1, after zeroing a fresh buffer that broadcast matrices sum into.
        /// </summary>
        private static float Start(Tensor x, int usedElements, int generation, out Span<float> grad)
        {
            grad = x.GradForWrite(generation, out bool fresh);
            if (!fresh) return 1f;
            if (x.Size == usedElements) return 0f;
            grad.Clear();
            return 1f;
        }

        private void Locate(int t, out int oa, out int ob)
        {
            int run = t / loop.Length, i = t - run * loop.Length;
            loop.Offsets(run, out oa, out ob);
            oa += i * loop.StrideA;
            ob += i * loop.StrideB;
        }
    }
}
