using System.Runtime.CompilerServices;
using System.Numerics;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// The fused dense layer: <c>act(x · kernel + bias)</c> with act ReLU or identity, as one matrix product whose
    /// epilogue adds the bias and applies the activation before the result leaves the registers. Its backward folds
    /// the ReLU derivative and the bias gradient into one pass over the incoming gradient, then runs the two products
    /// for the kernel and input gradients. Numerically the same as <c>Relu(BiasAdd(MatMul(x, kernel), bias))</c>.
    /// </summary>
    internal static Tensor Dense(Tensor x, Tensor kernel, Tensor? bias, bool relu)
    {
        // A kernel of rank > 2 (a convolution's HWIO kernel) is read as (all but its last axis, last axis).
        if (kernel.Shape.Rank < 2 || x.LastDim != kernel.Size / kernel.LastDim)
            throw new ArgumentException($"Dense shapes do not align: {x.Shape} · {kernel.Shape}.");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Size != kernel.LastDim))
            throw new ArgumentException($"Dense needs a bias of shape ({kernel.LastDim},), got {bias.Shape}.");
        bool grad = x.RequiresGrad || kernel.RequiresGrad || (bias?.RequiresGrad ?? false);
        return Run(new DenseOp(x, kernel, bias, relu, kernel.Size / kernel.LastDim, kernel.LastDim), WithLastDim(x.Shape, kernel.LastDim), grad);
    }

    /// <summary>
    /// A projection of several axes to several axes as one matrix product (the einsum of Keras' <c>EinsumDense</c> in
    /// multi-head attention, <c>abc,cde->abde</c> or <c>abcd,cde->abe</c>): the last <paramref name="contractedAxes"/>
    /// axes of <paramref name="x"/> are contracted with the leading axes of <paramref name="kernel"/>, whose remaining
    /// axes (<paramref name="outputDims"/>) replace them; <paramref name="bias"/> has the shape of those.
    /// </summary>
    internal static Tensor Projection(Tensor x, Tensor kernel, Tensor? bias, int contractedAxes, int[] outputDims)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        var xDims = x.Shape.ToArray();
        int k = 1, n = 1;
        for (int i = xDims.Length - contractedAxes; i < xDims.Length; i++) k *= xDims[i];
        foreach (int d in outputDims) n *= d;
        if (contractedAxes < 1 || contractedAxes >= xDims.Length || kernel.Size != k * n || !kernel.Shape.AsSpan()[..contractedAxes].SequenceEqual(xDims.AsSpan()[^contractedAxes..]))
            throw new ArgumentException($"A projection of input {x.Shape} over its last {contractedAxes} axes does not fit kernel {kernel.Shape}.");
        if (bias is not null && bias.Size != n) throw new ArgumentException($"A projection to ({string.Join(", ", outputDims)}) needs a bias of {n} values, got {bias.Shape}.");
        bool grad = x.RequiresGrad || kernel.RequiresGrad || (bias?.RequiresGrad ?? false);
        return Run(new DenseOp(x, kernel, bias, relu: false, k, n), new Shape([.. xDims[..^contractedAxes], .. outputDims]), grad);
    }

    private sealed class DenseOp(Tensor x, Tensor kernel, Tensor? bias, bool relu, int k, int n) : Op
    {
        private readonly int _m = x.Size / Math.Max(1, k), _k = k, _n = n;


        public override void Forward() =>
            Gemm.Multiply(x.Values, kernel.Values, Output.Values, _m, _k, _n, false, false, 1f, 0f,
                bias is null ? default : bias.Values, relu ? GemmActivation.Relu : GemmActivation.None);

        public override void Backward(int generation)
        {
            // dZ = dY ⊙ relu'(Z), written over dY (no other op reads this gradient any more: the tape runs in reverse
            // order, so every consumer of Y has already added its part), with the bias gradient summed in the same pass.
            (_maskSums ??= new MaskSums(_m, _n)).Run(Output, relu, bias, generation);
            MatMulBackward(x, kernel, Output.Grad, _m, _k, _n, generation);
        }

        private MaskSums? _maskSums;
    }

    /// <summary>
    /// The ReLU mask and bias-gradient sums over an op's output gradient, on every core when it is tall (a
    /// convolution's: batch × pixels rows). Rows go in chunks of a fixed size whatever the thread count, each chunk's
    /// column sums are kept apart and added in chunk order afterwards, so the bias gradient has the same bits on one
    /// thread or many.
    /// </summary>
    internal sealed class MaskSums(int rows, int columns) : IParallelJob
    {
        private const int ChunkRows = 512;
        private readonly float[] _partials = new float[(rows + ChunkRows - 1) / ChunkRows * columns];
        private Tensor? _output;
        private bool _relu, _sums;

        private int Chunks => (rows + ChunkRows - 1) / ChunkRows;

        /// <summary>
        /// The first step of a fused product's backward: masks <paramref name="output"/>'s gradient where its value is
        /// ≤ 0 (when <paramref name="relu"/>) and sums its columns into the gradient of <paramref name="bias"/> (when
        /// that needs one); does nothing when neither is needed.
        /// </summary>
        public void Run(Tensor output, bool relu, Tensor? bias, int generation)
        {
            if (!relu && bias is not { RequiresGrad: true }) return;
            Span<float> db = default;
            if (bias is { RequiresGrad: true })
            {
                db = bias.GradForWrite(generation, out bool fresh);
                if (fresh) db.Clear();
            }
            Run(output, relu, db);
        }

        private void Run(Tensor output, bool relu, Span<float> db)
        {
            if ((long)rows * columns < ParallelMaskThreshold)
            {
                MaskAndSumColumns(output.Grad, output.Values, columns, relu, db);
                return;
            }
            (_output, _relu, _sums) = (output, relu, !db.IsEmpty);
            WorkerPool.Run(this, Chunks); // fixed chunks, each its own tile
            _output = null;
            if (_sums)
                for (int chunk = 0; chunk < Chunks; chunk++)
                    System.Numerics.Tensors.TensorPrimitives.Add(db, _partials.AsSpan(chunk * columns, columns), db);
        }

        public void Execute(int part, int parts)
        {
            int first = (int)((long)Chunks * part / parts), last = (int)((long)Chunks * (part + 1) / parts);
            var dz = _output!.Grad; var y = _output.Values;
            for (int chunk = first; chunk < last; chunk++)
            {
                int r0 = chunk * ChunkRows, count = Math.Min(ChunkRows, rows - r0);
                var sums = _sums ? _partials.AsSpan(chunk * columns, columns) : default;
                sums.Clear();
                MaskAndSumColumns(dz.Slice(r0 * columns, count * columns), y.Slice(r0 * columns, count * columns), columns, _relu, sums);
            }
        }
    }

    /// <summary>Gradients of at least this many elements are masked and summed on every core.</summary>
    private const long ParallelMaskThreshold = 1 << 16;

    /// <summary>
    /// One pass over the (rows, n) gradient: zeroes it where the ReLU output is not positive (when
    /// <paramref name="relu"/>) and adds each column's sum to <paramref name="columnSums"/> (when not empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    internal static void MaskAndSumColumns(Span<float> grad, ReadOnlySpan<float> output, int n, bool relu, Span<float> columnSums)
    {
        int width = Vector<float>.Count;
        bool sums = !columnSums.IsEmpty;
        for (int r = 0; r + n <= grad.Length; r += n)
        {
            var g = grad.Slice(r, n);
            var y = relu ? output.Slice(r, n) : default; // the output is only read for the ReLU mask
            int j = 0;
            for (; j <= n - width; j += width)
            {
                var gv = new Vector<float>(g.Slice(j));
                if (relu)
                {
                    gv = Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(y.Slice(j)), Vector<float>.Zero), gv, Vector<float>.Zero);
                    gv.CopyTo(g.Slice(j));
                }
                if (sums) (new Vector<float>(columnSums.Slice(j)) + gv).CopyTo(columnSums.Slice(j));
            }
            for (; j < n; j++)
            {
                if (relu && !(y[j] > 0f)) g[j] = 0f;
                if (sums) columnSums[j] += g[j];
            }
        }
    }
}
