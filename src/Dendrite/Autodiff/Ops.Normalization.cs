using System.Runtime.CompilerServices;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Batch normalisation in training mode over the last axis (Keras' <c>BatchNormalization</c>, channels last):
    /// each channel is normalised with the mean and the biased variance of the batch (over every axis but the last),
    /// then scaled by <paramref name="gamma"/> and shifted by <paramref name="beta"/> (either may be null). As a side
    /// effect, every run folds the batch statistics into <paramref name="movingMean"/> and
    /// <paramref name="movingVariance"/>: <c>moving ← moving·momentum + batch·(1 − momentum)</c>, as Keras does.
    /// </summary>
    /// <remarks>
    /// Keras computes <c>1 − momentum</c> in double precision before it meets the float32 statistics, so the two
    /// factors are rounded separately: for 0.99 they are 0.99f and 0.01f, whereas <c>1f − 0.99f</c> would be
    /// 0.0099999905f.
    /// </remarks>
    /// <param name="x">The inputs, features on the last axis.</param>
    /// <param name="gamma">The scale, or null.</param>
    /// <param name="beta">The offset, or null.</param>
    /// <param name="movingMean">Updated in place.</param>
    /// <param name="movingVariance">Updated in place.</param>
    /// <param name="momentum">The moving statistics' momentum.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <param name="mask">
    /// Optional: one value per row (every axis but the last), 0 where the row is masked. As in Keras 3's
    /// <c>_moments</c>, masked rows are left out of the batch mean and variance (which then divide by Σmask + 1e-7),
    /// but are normalised like the others.
    /// </param>
    /// <param name="renorm">Batch renormalization's state and settings, or null for plain batch normalization.</param>
    internal static Tensor BatchNormTraining(Tensor x, Tensor? gamma, Tensor? beta, Tensor movingMean, Tensor movingVariance, double momentum, float epsilon, Tensor? mask = null,
        BatchRenorm? renorm = null)
    {
        int c = x.LastDim;
        int[]? maskIndex = mask is null || mask.Size == x.Rows ? null : BroadcastMaskRows(mask.Shape, x.Shape);
        CheckChannelVector(gamma, c, "gamma"); CheckChannelVector(beta, c, "beta");
        CheckChannelVector(movingMean, c, "moving_mean"); CheckChannelVector(movingVariance, c, "moving_variance");
        var ws = Workspace.Current;
        float[] Scratch() => ws is null ? new float[c] : ws.Rent(c);
        var op = new BatchNormTrainingOp(x, gamma, beta, movingMean, movingVariance, (float)momentum, (float)(1 - momentum), epsilon, Scratch(), Scratch(), mask, maskIndex, renorm);
        return Run(op, x.Shape, x.RequiresGrad || (gamma?.RequiresGrad ?? false) || (beta?.RequiresGrad ?? false));
    }

    /// <summary>
    /// Normalisation with fixed statistics (batch normalisation at inference):
    /// <c>(x − mean) / sqrt(variance + epsilon) · gamma + beta</c> over the last axis.
    /// </summary>
    internal static Tensor BatchNormInference(Tensor x, Tensor? gamma, Tensor? beta, Tensor mean, Tensor variance, float epsilon)
    {
        int c = x.LastDim;
        CheckChannelVector(gamma, c, "gamma"); CheckChannelVector(beta, c, "beta");
        CheckChannelVector(mean, c, "moving_mean"); CheckChannelVector(variance, c, "moving_variance");
        return Run(new BatchNormInferenceOp(x, gamma, beta, mean, variance, epsilon), x.Shape,
            x.RequiresGrad || (gamma?.RequiresGrad ?? false) || (beta?.RequiresGrad ?? false));
    }

    /// <summary>
    /// Layer normalisation over the last axis (Keras' <c>LayerNormalization</c>): each row is normalised by its own
    /// mean and biased variance, then scaled by <paramref name="gamma"/> and shifted by <paramref name="beta"/>.
    /// </summary>
    internal static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float epsilon)
    {
        int c = x.LastDim;
        CheckChannelVector(gamma, c, "gamma"); CheckChannelVector(beta, c, "beta");
        var ws = Workspace.Current;
        int rows = x.Rows;
        float[] Scratch() => ws is null ? new float[rows] : ws.Rent(rows);
        return Run(new LayerNormOp(x, gamma, beta, epsilon, Scratch(), Scratch()), x.Shape,
            x.RequiresGrad || (gamma?.RequiresGrad ?? false) || (beta?.RequiresGrad ?? false));
    }

    /// <summary>
    /// For a mask that broadcasts against the inputs without their feature axis (each dimension equal or 1, as Keras'
    /// <c>(1, 2, 1)</c> mask for <c>(1, 2, 3, 4)</c> inputs): the mask element of every row.
    /// </summary>
    private static int[] BroadcastMaskRows(Shape mask, Shape x)
    {
        int rank = x.Rank - 1;
        bool fits = mask.Rank == rank;
        for (int d = 0; fits && d < rank; d++) fits = mask[d] == x[d] || mask[d] == 1;
        if (!fits)
            throw new ArgumentException($"BatchNormalization: a mask of shape {mask} does not broadcast to the inputs {x} without their feature axis.");
        var strides = mask.ContiguousStrides();
        int rows = x.Rank == 0 ? 1 : x.Size / Math.Max(1, x[^1]);
        var index = new int[rows];
        var coordinate = new int[rank];
        for (int r = 0; r < rows; r++)
        {
            int m = 0;
            for (int d = 0; d < rank; d++) if (mask[d] != 1) m += coordinate[d] * strides[d];
            index[r] = m;
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++coordinate[d] < x[d]) break;
                coordinate[d] = 0;
            }
        }
        return index;
    }

    private static void CheckChannelVector(Tensor? t, int channels, string name)
    {
        if (t is not null && (t.Shape.Rank != 1 || t.Size != channels))
            throw new ArgumentException($"Normalization: {name} must have shape ({channels},) for inputs with {channels} features on the last axis, got {t.Shape}.");
    }

    private sealed class BatchNormTrainingOp(Tensor x, Tensor? gamma, Tensor? beta, Tensor movingMean, Tensor movingVariance,
        float momentum, float oneMinusMomentum, float epsilon, float[] mean, float[] invStd, Tensor? rowMask, int[]? maskIndex, BatchRenorm? renorm) : Op
    {
        // Per-channel float64 sums (forward: Σx, Σ(x−μ)²; backward: Σdy, Σdy·x̂) and the backward's float means,
        // made at the first step and reused, so that replayed steps allocate nothing whatever the channel count.
        private double[]? _sums;
        private float[]? _means;

        // The divisor of the moments: the row count, or with a mask Keras' Σm + 1e-7 (and Σm itself).
        private double _divisor, _weight;

        /// <summary>Row r's weight in the moments: 1, or 1/0 from the mask (masked rows are still normalised).</summary>
        private float Weight(int r) => rowMask is null ? 1f : rowMask.Values[maskIndex is null ? r : maskIndex[r]] != 0 ? 1f : 0f;

        // Sums in float64 over the (possibly many: batch × height × width) rows, so the statistics stay accurate.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Forward()
        {
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values;
            _sums ??= new double[2 * c];
            Span<double> sum = _sums.AsSpan(0, c), sumSq = _sums.AsSpan(c, c);
            sum.Clear(); sumSq.Clear();
            _weight = 0;
            for (int r = 0; r < rows; r++)
            {
                if (Weight(r) == 0) continue;
                _weight++;
                var row = xs.Slice(r * c, c);
                for (int j = 0; j < c; j++) sum[j] += row[j];
            }
            // Keras' masked moments divide by Σm + epsilon (its backend epsilon, 1e-7); ops.moments by the count.
            _divisor = rowMask is null ? rows : _weight + 1e-7;
            for (int j = 0; j < c; j++) mean[j] = (float)(sum[j] / _divisor);
            for (int r = 0; r < rows; r++)
            {
                if (Weight(r) == 0) continue;
                var row = xs.Slice(r * c, c);
                for (int j = 0; j < c; j++) { double d = row[j] - mean[j]; sumSq[j] += d * d; }
            }
            var mm = movingMean.Values; var mv = movingVariance.Values;
            for (int j = 0; j < c; j++)
            {
                float variance = (float)(sumSq[j] / _divisor);
                invStd[j] = 1f / MathF.Sqrt(variance + epsilon);
                if (renorm is not null) renorm.Step(j, mean[j], variance, epsilon, mm, mv, momentum, oneMinusMomentum);
                else
                {
                    mm[j] = mm[j] * momentum + mean[j] * oneMinusMomentum;
                    mv[j] = mv[j] * momentum + variance * oneMinusMomentum;
                }
            }
            // With renorm the output is x̂·(r·γ) + (d·γ + β), r and d held constant (Keras' stop_gradient).
            var g = renorm is not null ? renorm.EffectiveGamma(gamma) : gamma is null ? default : gamma.Values;
            var b = renorm is not null ? renorm.EffectiveBeta(gamma, beta) : beta is null ? default : beta.Values;
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var y = ys.Slice(r * c, c);
                for (int j = 0; j < c; j++)
                {
                    float v = (row[j] - mean[j]) * invStd[j];
                    if (!g.IsEmpty) v *= g[j];
                    if (!b.IsEmpty) v += b[j];
                    y[j] = v;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Backward(int generation)
        {
            // With x̂ = (x − μ)·σ⁻¹, g = dy·γ, weights m (1 without a mask) and D the moments' divisor:
            // dx = σ⁻¹·(g − m·Σg/D − m·x̂·Σ(g·x̂)/D) + m·σ⁻²·μ·Σ(g·x̂)·(D − Σm)/D² (the last term is the masked
            // moments' epsilon, 0 without a mask); dγ = Σ dy·x̂; dβ = Σ dy. A masked row (m = 0) did not move the
            // moments, so its dx is σ⁻¹·g alone.
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var dy = Output.Grad;
            var gv = renorm is not null ? renorm.EffectiveGamma(gamma) : gamma is null ? default : gamma.Values;
            _sums ??= new double[2 * c];
            _means ??= new float[3 * c];
            if (_means.Length < 3 * c) _means = new float[3 * c];
            Span<double> sumDy = _sums.AsSpan(0, c), sumDyX = _sums.AsSpan(c, c);
            Span<float> meanG = _means.AsSpan(0, c), meanGX = _means.AsSpan(c, c), epsilonTerm = _means.AsSpan(2 * c, c);
            // Every row, masked or not, is normalised with μ and σ: the sums run over all of them.
            sumDy.Clear(); sumDyX.Clear();
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var d = dy.Slice(r * c, c);
                for (int j = 0; j < c; j++)
                {
                    float xhat = (row[j] - mean[j]) * invStd[j];
                    sumDy[j] += d[j];
                    sumDyX[j] += d[j] * xhat;
                }
            }
            if (gamma is { RequiresGrad: true })
            {
                var dg = gamma.GradForAccumulation(generation);
                // ∂y/∂γ = x̂ (with renorm x̂·r + d).
                if (renorm is null) for (int j = 0; j < c; j++) dg[j] += (float)sumDyX[j];
                else for (int j = 0; j < c; j++) dg[j] += (float)(sumDyX[j] * renorm.R[j] + sumDy[j] * renorm.D[j]);
            }
            if (beta is { RequiresGrad: true })
            {
                var db = beta.GradForAccumulation(generation);
                for (int j = 0; j < c; j++) db[j] += (float)sumDy[j];
            }
            if (!x.RequiresGrad) return;
            // Σg/D and Σ(g·x̂)/D per channel, g = dy·γ.
            double slack = (_divisor - (rowMask is null ? _divisor : _weight)) / (_divisor * _divisor);
            for (int j = 0; j < c; j++)
            {
                double scale = gv.IsEmpty ? 1.0 : gv[j];
                meanG[j] = (float)(sumDy[j] * scale / _divisor);
                meanGX[j] = (float)(sumDyX[j] * scale / _divisor);
                epsilonTerm[j] = (float)((double)invStd[j] * invStd[j] * mean[j] * sumDyX[j] * scale * slack);
            }
            var dx = x.GradForWrite(generation, out bool fresh);
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var d = dy.Slice(r * c, c); var o = dx.Slice(r * c, c);
                float w = Weight(r);
                for (int j = 0; j < c; j++)
                {
                    float xhat = (row[j] - mean[j]) * invStd[j];
                    float g = gv.IsEmpty ? d[j] : d[j] * gv[j];
                    float v = w == 1f
                        ? invStd[j] * (g - meanG[j] - xhat * meanGX[j]) + epsilonTerm[j]
                        : invStd[j] * g;
                    o[j] = fresh ? v : o[j] + v;
                }
            }
        }
    }

    private sealed class BatchNormInferenceOp(Tensor x, Tensor? gamma, Tensor? beta, Tensor mean, Tensor variance, float epsilon) : Op
    {
        // √(variance + ε) per channel (forward), or its reciprocal (backward), computed once per pass, not per element.
        private float[]? _perChannel;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Forward()
        {
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values; var m = mean.Values; var v = variance.Values;
            var g = gamma is null ? default : gamma.Values; var b = beta is null ? default : beta.Values;
            var std = (_perChannel ??= new float[c]).AsSpan();
            for (int j = 0; j < c; j++) std[j] = MathF.Sqrt(v[j] + epsilon);
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var y = ys.Slice(r * c, c);
                for (int j = 0; j < c; j++)
                {
                    float value = (row[j] - m[j]) / std[j];
                    if (!g.IsEmpty) value *= g[j];
                    if (!b.IsEmpty) value += b[j];
                    y[j] = value;
                }
            }
        }

        public override void Backward(int generation)
        {
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var dy = Output.Grad; var m = mean.Values; var v = variance.Values;
            var g = gamma is null ? default : gamma.Values;
            var dx = x.RequiresGrad ? x.GradForAccumulation(generation) : default;
            var dg = gamma is { RequiresGrad: true } ? gamma.GradForAccumulation(generation) : default;
            var db = beta is { RequiresGrad: true } ? beta.GradForAccumulation(generation) : default;
            var invStd = (_perChannel ??= new float[c]).AsSpan();
            for (int j = 0; j < c; j++) invStd[j] = 1f / MathF.Sqrt(v[j] + epsilon);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < c; j++)
                {
                    float inv = invStd[j], d = dy[r * c + j];
                    if (!dx.IsEmpty) dx[r * c + j] += d * inv * (g.IsEmpty ? 1f : g[j]);
                    if (!dg.IsEmpty) dg[j] += d * (xs[r * c + j] - m[j]) * inv;
                    if (!db.IsEmpty) db[j] += d;
                }
        }
    }

    private sealed class LayerNormOp(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, float[] mean, float[] invStd) : Op
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Forward()
        {
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var ys = Output.Values;
            var g = gamma is null ? default : gamma.Values; var b = beta is null ? default : beta.Values;
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var y = ys.Slice(r * c, c);
                double sum = 0;
                for (int j = 0; j < c; j++) sum += row[j];
                float mu = (float)(sum / c);
                double sq = 0;
                for (int j = 0; j < c; j++) { double d = row[j] - mu; sq += d * d; }
                float inv = 1f / MathF.Sqrt((float)(sq / c) + epsilon);
                mean[r] = mu; invStd[r] = inv;
                for (int j = 0; j < c; j++)
                {
                    float v = (row[j] - mu) * inv;
                    if (!g.IsEmpty) v *= g[j];
                    if (!b.IsEmpty) v += b[j];
                    y[j] = v;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Backward(int generation)
        {
            int c = x.LastDim, rows = x.Rows;
            var xs = x.Values; var dy = Output.Grad;
            var gv = gamma is null ? default : gamma.Values;
            bool fresh = false;
            Span<float> dx = default;
            if (x.RequiresGrad) dx = x.GradForWrite(generation, out fresh);
            var dg = gamma is { RequiresGrad: true } ? gamma.GradForAccumulation(generation) : default;
            var db = beta is { RequiresGrad: true } ? beta.GradForAccumulation(generation) : default;
            for (int r = 0; r < rows; r++)
            {
                var row = xs.Slice(r * c, c); var d = dy.Slice(r * c, c);
                float mu = mean[r], inv = invStd[r];
                double sumG = 0, sumGX = 0;
                for (int j = 0; j < c; j++)
                {
                    float xhat = (row[j] - mu) * inv;
                    float g = gv.IsEmpty ? d[j] : d[j] * gv[j];
                    sumG += g; sumGX += g * xhat;
                    if (!dg.IsEmpty) dg[j] += d[j] * xhat;
                    if (!db.IsEmpty) db[j] += d[j];
                }
                if (dx.IsEmpty) continue;
                float meanG = (float)(sumG / c), meanGX = (float)(sumGX / c);
                var o = dx.Slice(r * c, c);
                for (int j = 0; j < c; j++)
                {
                    float xhat = (row[j] - mu) * inv;
                    float g = gv.IsEmpty ? d[j] : d[j] * gv[j];
                    float v = inv * (g - meanG - xhat * meanGX);
                    o[j] = fresh ? v : o[j] + v;
                }
            }
        }
    }
}
