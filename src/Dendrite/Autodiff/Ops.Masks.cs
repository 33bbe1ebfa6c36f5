namespace Dendrite.Autodiff;

// Masks (Keras' _keras_mask) as ops: each has no gradient, but it is recorded while a training step is traced, so
// that a replayed step recomputes the mask from the new batch.

public static partial class Ops
{
    /// <summary>1 where <paramref name="x"/> differs from <paramref name="value"/>, 0 where it equals it; same shape, no gradient (Keras' <c>not_equal</c> as a mask).</summary>
    public static Tensor NotEqualMask(Tensor x, float value)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Run(new NotEqualMaskOp(x, value, x.LastDim, reduceLastAxis: false), x.Shape, anyInputRequiresGrad: false);
    }

    /// <summary>
    /// 1 for each row (last axis) of <paramref name="x"/> holding any element that differs from
    /// <paramref name="value"/>, else 0: shape of <paramref name="x"/> without its last axis (the mask <c>Masking</c> makes).
    /// </summary>
    public static Tensor AnyNotEqualMask(Tensor x, float value)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank < 2) throw new ArgumentException($"AnyNotEqualMask needs a batch axis and a feature axis, got shape {x.Shape}.");
        return Run(new NotEqualMaskOp(x, value, x.LastDim, reduceLastAxis: true), new Shape(x.Shape.ToArray()[..^1]), anyInputRequiresGrad: false);
    }

    /// <summary>The logical AND of two masks of one shape (either may be null: the other is returned).</summary>
    public static Tensor? MaskAnd(Tensor? a, Tensor? b)
    {
        if (a is null) return b;
        if (b is null || ReferenceEquals(a, b)) return a;
        if (a.Shape != b.Shape) throw new ArgumentException($"Masks of shapes {a.Shape} and {b.Shape} cannot be combined.");
        return Run(new MaskAndOp(a, b), a.Shape, anyInputRequiresGrad: false);
    }

    /// <summary>
    /// Multiplies each row (last axis) of <paramref name="x"/> by the matching 0/1 entry of <paramref name="mask"/>
    /// (x's shape without the last axis): padded steps become zeros and get no gradient.
    /// </summary>
    public static Tensor MaskRows(Tensor x, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Size * x.LastDim != x.Size || x.Shape.Rank != mask.Shape.Rank + 1)
            throw new ArgumentException($"A mask of shape {mask.Shape} does not fit inputs of shape {x.Shape}: expected the inputs' shape without the last axis.");
        return Run(new MaskRowsOp(x, mask), x.Shape, x.RequiresGrad);
    }

    private sealed class NotEqualMaskOp(Tensor x, float value, int rowLength, bool reduceLastAxis) : Op
    {
        public override void Forward()
        {
            var xs = x.Values; var m = Output.Values;
            if (!reduceLastAxis)
            {
                for (int i = 0; i < xs.Length; i++) m[i] = xs[i] != value ? 1f : 0f;
                return;
            }
            for (int r = 0; r < m.Length; r++)
            {
                var row = xs.Slice(r * rowLength, rowLength);
                m[r] = row.IndexOfAnyExcept(value) >= 0 ? 1f : 0f;
            }
        }

        public override void Backward(int generation) { }
    }

    private sealed class MaskAndOp(Tensor a, Tensor b) : Op
    {
        public override void Forward()
        {
            var x = a.Values; var y = b.Values; var m = Output.Values;
            for (int i = 0; i < m.Length; i++) m[i] = x[i] != 0 && y[i] != 0 ? 1f : 0f;
        }

        public override void Backward(int generation) { }
    }

    private sealed class MaskRowsOp(Tensor x, Tensor mask) : Op
    {
        private readonly int _n = x.LastDim;

        public override void Forward()
        {
            var xs = x.Values; var ys = Output.Values; var m = mask.Values;
            for (int r = 0; r < m.Length; r++)
            {
                var dst = ys.Slice(r * _n, _n);
                if (m[r] != 0) xs.Slice(r * _n, _n).CopyTo(dst);
                else dst.Clear();
            }
        }

        public override void Backward(int generation)
        {
            var dx = x.GradForWrite(generation, out bool fresh); var dy = Output.Grad; var m = mask.Values;
            for (int r = 0; r < m.Length; r++)
            {
                var dst = dx.Slice(r * _n, _n);
                if (m[r] != 0)
                {
                    if (fresh) dy.Slice(r * _n, _n).CopyTo(dst);
                    else System.Numerics.Tensors.TensorPrimitives.Add(dst, dy.Slice(r * _n, _n), dst);
                }
                else if (fresh) dst.Clear();
            }
        }
    }

    /// <summary>
    /// The per-step loss weights a mask stands for (Keras' <c>apply_mask</c> under <c>sum_over_batch_size</c>): the
    /// mask scaled by total / (valid + ε), so that the mean over all steps is the mean over the real ones, times the
    /// sample's weight when there are sample weights.
    /// </summary>
    internal static Tensor MaskedLossWeights(Tensor mask, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (sampleWeight is not null && (sampleWeight.Size == 0 || mask.Size % sampleWeight.Size != 0))
            throw new ArgumentException($"Sample weights of shape {sampleWeight.Shape} do not fit a mask of shape {mask.Shape}.");
        return Run(new MaskedLossWeightsOp(mask, sampleWeight), mask.Shape, anyInputRequiresGrad: false);
    }

    private sealed class MaskedLossWeightsOp(Tensor mask, Tensor? sampleWeight) : Op
    {
        public override void Forward()
        {
            var m = mask.Values; var w = Output.Values;
            double valid = 0;
            foreach (float v in m) valid += v;
            float scale = (float)(m.Length / (valid + Epsilon));
            int perWeight = sampleWeight is null ? 1 : m.Length / sampleWeight.Size;
            for (int i = 0; i < m.Length; i++)
                w[i] = m[i] * scale * (sampleWeight is null ? 1f : sampleWeight.Values[i / perWeight]);
        }

        public override void Backward(int generation) { }
    }
}
