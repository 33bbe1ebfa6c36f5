using Dendrite.Kernels;

namespace Dendrite.Autodiff;

// Dot-product attention as batched matrix products over (sample, head) pairs. Projected queries, keys and values
// stay in the layout their projection wrote, (batch, time, heads, depth): one head of one sample is a (time, depth)
// block with row stride heads·depth, which the strided GEMM reads in place, so heads are never split or merged by a
// copy. Scores and probabilities are (batch, heads, Tq, Tv), Keras' layout of the attention scores.

public static partial class Ops
{
    /// <summary>
    /// Attention probabilities <c>softmax(scale·Q·Kᵀ + mask)</c> per sample and head, the product and Keras' masked
    /// softmax fused: <paramref name="query"/> (batch, Tq, heads, depth) or (batch, Tq, depth) with one head,
    /// <paramref name="key"/> likewise with Tv steps; the result is (batch, heads, Tq, Tv), or (batch, Tq, Tv) for
    /// rank-3 inputs.
    /// </summary>
    internal static Tensor AttentionProbabilities(Tensor query, Tensor key, AttentionMasks masks, float scale)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        var geometry = AttentionGeometry.Of(query, key, "query", "key");
        masks.Check(geometry.Batch, geometry.Tq, geometry.Tv);
        Shape shape = query.Shape.Rank == 4 ? new(geometry.Batch, geometry.Heads, geometry.Tq, geometry.Tv) : new(geometry.Batch, geometry.Tq, geometry.Tv);
        return Run(new AttentionProbabilitiesOp(query, key, masks, scale, geometry), shape, query.RequiresGrad || key.RequiresGrad);
    }

    /// <summary>
    /// Keras' masked softmax alone, over the last axis of <paramref name="scores"/> (batch, Tq, Tv): for scores that
    /// are not a plain product (Attention's <c>score_mode="concat"</c>).
    /// </summary>
    internal static Tensor MaskedSoftmax(Tensor scores, AttentionMasks masks, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Shape.Rank != 3) throw new ArgumentException($"MaskedSoftmax needs scores of shape (batch, Tq, Tv), got {scores.Shape}.");
        masks.Check(scores.Shape[0], scores.Shape[1], scores.Shape[2]);
        return Run(new MaskedSoftmaxOp(scores, masks, scale), scores.Shape, scores.RequiresGrad);
    }

    /// <summary>
    /// The attention output <c>P·V</c> per sample and head: <paramref name="probabilities"/> (batch, heads, Tq, Tv)
    /// or (batch, Tq, Tv), <paramref name="value"/> (batch, Tv, heads, depth) or (batch, Tv, depth); the result is
    /// (batch, Tq, heads, depth) or (batch, Tq, depth), ready for the output projection.
    /// </summary>
    internal static Tensor AttentionCombine(Tensor probabilities, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(value);
        int rank = value.Shape.Rank;
        if (rank is not (3 or 4) || probabilities.Shape.Rank != rank)
            throw new ArgumentException($"AttentionCombine needs probabilities (batch, heads, Tq, Tv) and values (batch, Tv, heads, depth), or both of rank 3; got {probabilities.Shape} and {value.Shape}.");
        int batch = value.Shape[0], tv = value.Shape[1], heads = rank == 4 ? value.Shape[2] : 1, depth = value.Shape[^1];
        int tq = probabilities.Shape[^2];
        if (probabilities.Shape[0] != batch || probabilities.Shape[^1] != tv || (rank == 4 && probabilities.Shape[1] != heads))
            throw new ArgumentException($"Attention probabilities of shape {probabilities.Shape} do not fit values of shape {value.Shape}.");
        var geometry = new AttentionGeometry(batch, heads, tq, tv, depth);
        Shape shape = rank == 4 ? new(batch, tq, heads, depth) : new(batch, tq, depth);
        return Run(new AttentionCombineOp(probabilities, value, geometry), shape, probabilities.RequiresGrad || value.RequiresGrad);
    }

    /// <summary>Sizes of one attention product: batch, heads, query steps, key steps, and the depth of one head.</summary>
    private readonly record struct AttentionGeometry(int Batch, int Heads, int Tq, int Tv, int Depth)
    {
        public int Pairs => Batch * Heads;

        /// <summary>Floats between consecutive time steps of a projected tensor: all heads of one step.</summary>
        public int Stride => Heads * Depth;

        public static AttentionGeometry Of(Tensor query, Tensor key, string queryName, string keyName)
        {
            int rank = query.Shape.Rank;
            if (rank is not (3 or 4) || key.Shape.Rank != rank)
                throw new ArgumentException($"Attention needs a {queryName} and a {keyName} of shape (batch, time, heads, depth), or both (batch, time, depth); got {query.Shape} and {key.Shape}.");
            int heads = rank == 4 ? query.Shape[2] : 1;
            if (key.Shape[0] != query.Shape[0] || key.Shape[^1] != query.Shape[^1] || (rank == 4 && key.Shape[2] != heads))
                throw new ArgumentException($"The {queryName} of shape {query.Shape} and the {keyName} of shape {key.Shape} differ in batch, heads or depth.");
            return new(query.Shape[0], heads, query.Shape[1], key.Shape[1], query.Shape[^1]);
        }
    }

    /// <summary>
    /// Runs a body over the (sample, head) pairs on the kernel threads: part p takes a fixed contiguous range of
    /// pairs, and every pair writes only its own blocks, so results do not depend on the thread count. The products
    /// inside run on the calling worker alone (the pool is busy), small enough to stay in its cache.
    /// </summary>
    private sealed class PairRunner(Action<int> body) : IParallelJob
    {
        /// <summary>Multiply-adds below which the pairs all run on the calling thread.</summary>
        private const long ParallelWork = 100_000;

        private int _pairs;

        public void Run(int pairs, long workPerPair)
        {
            _pairs = pairs;
            int parts = pairs * workPerPair < ParallelWork ? 1 : WorkerPool.Tiles(pairs);
            WorkerPool.Run(this, parts);
        }

        public void Execute(int part, int parts)
        {
            int start = (int)((long)_pairs * part / parts), end = (int)((long)_pairs * (part + 1) / parts);
            for (int pair = start; pair < end; pair++) body(pair);
        }

        [ThreadStatic] private static float[]? t_row;

        /// <summary>A scratch row of this thread (the allowed-keys row of the mask); grows once, then never allocates.</summary>
        public static Span<float> ScratchRow(int length)
        {
            if (t_row is null || t_row.Length < length) t_row = new float[Math.Max(length, 64)];
            return t_row.AsSpan(0, length);
        }
    }

    private sealed class AttentionProbabilitiesOp(Tensor query, Tensor key, AttentionMasks masks, float scale, AttentionGeometry g) : Op
    {
        private PairRunner? _pairs; // made at the first (recording) run; replays reuse it
        private bool _backward;
        private float _betaQ, _betaK;

        private PairRunner Runner => _pairs ??= new PairRunner(Pair);

        public override void Forward()
        {
            _backward = false;
            Runner.Run(g.Pairs, (long)g.Tq * g.Tv * g.Depth);
        }

        public override void Backward(int generation)
        {
            _backward = true;
            if (query.RequiresGrad) { query.GradForWrite(generation, out bool fresh); _betaQ = fresh ? 0f : 1f; }
            if (key.RequiresGrad)
            {
                key.GradForWrite(generation, out bool fresh);
                // The same tensor as query and key (self-attention without projections): the key part adds to the query part.
                _betaK = ReferenceEquals(key, query) && query.RequiresGrad ? 1f : fresh ? 0f : 1f;
            }
            Runner.Run(g.Pairs, 3L * g.Tq * g.Tv * g.Depth);
        }

        private void Pair(int pair)
        {
            int b = pair / g.Heads, h = pair - b * g.Heads;
            int qOffset = b * g.Tq * g.Stride + h * g.Depth, kOffset = b * g.Tv * g.Stride + h * g.Depth, pOffset = pair * g.Tq * g.Tv;
            var p = Output.Values.Slice(pOffset, g.Tq * g.Tv);
            var allowed = masks.Any ? PairRunner.ScratchRow(g.Tv) : default;
            if (!_backward)
            {
                // Scores S = Q·Kᵀ straight into the output, then each row softmaxed in place.
                Gemm.MultiplyStrided(query.Values[qOffset..], g.Stride, key.Values[kOffset..], g.Stride, p, g.Tv, g.Tq, g.Depth, g.Tv, transposeB: true);
                for (int i = 0; i < g.Tq; i++)
                {
                    if (masks.Any) masks.Row(b, i, g.Tq, allowed);
                    var row = p.Slice(i * g.Tv, g.Tv);
                    Kernels.MaskedSoftmax.Forward(row, allowed, scale, row);
                }
                return;
            }
            // dS overwrites dP (this op is the only reader of its output's gradient, and runs after every consumer).
            var ds = Output.Grad.Slice(pOffset, g.Tq * g.Tv);
            for (int i = 0; i < g.Tq; i++)
            {
                if (masks.Any) masks.Row(b, i, g.Tq, allowed);
                var row = ds.Slice(i * g.Tv, g.Tv);
                Kernels.MaskedSoftmax.Backward(p.Slice(i * g.Tv, g.Tv), row, allowed, scale, row);
            }
            // dQ = dS·K and dK = dSᵀ·Q, each into its head's block.
            if (query.RequiresGrad)
                Gemm.MultiplyStrided(ds, g.Tv, key.Values[kOffset..], g.Stride, query.Grad[qOffset..], g.Stride, g.Tq, g.Tv, g.Depth, beta: _betaQ);
            if (key.RequiresGrad)
                Gemm.MultiplyStrided(ds, g.Tv, query.Values[qOffset..], g.Stride, key.Grad[kOffset..], g.Stride, g.Tv, g.Tq, g.Depth, transposeA: true, beta: _betaK);
        }
    }

    private sealed class AttentionCombineOp(Tensor probabilities, Tensor value, AttentionGeometry g) : Op
    {
        private PairRunner? _pairs; // made at the first (recording) run; replays reuse it
        private bool _backward;
        private float _betaP, _betaV;

        private PairRunner Runner => _pairs ??= new PairRunner(Pair);

        public override void Forward()
        {
            _backward = false;
            Runner.Run(g.Pairs, (long)g.Tq * g.Tv * g.Depth);
        }

        public override void Backward(int generation)
        {
            _backward = true;
            if (probabilities.RequiresGrad) { probabilities.GradForWrite(generation, out bool fresh); _betaP = fresh ? 0f : 1f; }
            if (value.RequiresGrad) { value.GradForWrite(generation, out bool fresh); _betaV = fresh ? 0f : 1f; }
            Runner.Run(g.Pairs, 2L * g.Tq * g.Tv * g.Depth);
        }

        private void Pair(int pair)
        {
            int b = pair / g.Heads, h = pair - b * g.Heads;
            int pOffset = pair * g.Tq * g.Tv, vOffset = b * g.Tv * g.Stride + h * g.Depth, oOffset = b * g.Tq * g.Stride + h * g.Depth;
            var p = probabilities.Values.Slice(pOffset, g.Tq * g.Tv);
            if (!_backward)
            {
                // O = P·V into the head's block of the (batch, Tq, heads, depth) output.
                Gemm.MultiplyStrided(p, g.Tv, value.Values[vOffset..], g.Stride, Output.Values[oOffset..], g.Stride, g.Tq, g.Tv, g.Depth);
                return;
            }
            var dOut = Output.Grad[oOffset..];
            // dP = dO·Vᵀ and dV = Pᵀ·dO.
            if (probabilities.RequiresGrad)
                Gemm.MultiplyStrided(dOut, g.Stride, value.Values[vOffset..], g.Stride, probabilities.Grad.Slice(pOffset, g.Tq * g.Tv), g.Tv, g.Tq, g.Depth, g.Tv, transposeB: true, beta: _betaP);
            if (value.RequiresGrad)
                Gemm.MultiplyStrided(p, g.Tv, dOut, g.Stride, value.Grad[vOffset..], g.Stride, g.Tv, g.Tq, g.Depth, transposeA: true, beta: _betaV);
        }
    }

    private sealed class MaskedSoftmaxOp(Tensor scores, AttentionMasks masks, float scale) : Op
    {
        private readonly int _batch = scores.Shape[0], _tq = scores.Shape[1], _tv = scores.Shape[2];
        private float[] _allowed = [];

        public override void Forward()
        {
            var s = scores.Values; var p = Output.Values;
            for (int b = 0; b < _batch; b++)
                for (int i = 0; i < _tq; i++)
                {
                    int offset = (b * _tq + i) * _tv;
                    Kernels.MaskedSoftmax.Forward(s.Slice(offset, _tv), Allowed(b, i), scale, p.Slice(offset, _tv));
                }
        }

        public override void Backward(int generation)
        {
            var ds = scores.GradForWrite(generation, out bool fresh); var p = Output.Values; var dp = Output.Grad;
            for (int b = 0; b < _batch; b++)
                for (int i = 0; i < _tq; i++)
                {
                    int offset = (b * _tq + i) * _tv;
                    var row = dp.Slice(offset, _tv); // overwritten with the scores' gradient, then moved or added
                    Kernels.MaskedSoftmax.Backward(p.Slice(offset, _tv), row, Allowed(b, i), scale, row);
                    if (fresh) row.CopyTo(ds.Slice(offset, _tv));
                    else System.Numerics.Tensors.TensorPrimitives.Add(ds.Slice(offset, _tv), row, ds.Slice(offset, _tv));
                }
        }

        private ReadOnlySpan<float> Allowed(int b, int i)
        {
            if (!masks.Any) return default;
            if (_allowed.Length < _tv) _allowed = new float[_tv]; // once, at the first (recording) run
            var row = _allowed.AsSpan(0, _tv);
            masks.Row(b, i, _tq, row);
            return row;
        }
    }
}
