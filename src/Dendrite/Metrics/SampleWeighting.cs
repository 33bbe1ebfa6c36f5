namespace Dendrite.Metrics;

/// <summary>
/// Keras' <c>reduce_to_samplewise_values</c> followed by <c>Mean.update_state</c>, on spans: how a batch of a mean
/// metric's values (shape (N, …)) and its sample weights and mask become an increment of the metric's total and count.
/// Nothing here allocates unless it throws.
/// </summary>
/// <remarks>
/// Keras squeezes or expands a trailing 1 so that weights and values have the same rank, averages the values over
/// the axes the weights lack, broadcasts the weights over the values, then averages each sample over its remaining
/// axes: total += Σₙ meanₚ(vₙₚ·wₙₚ), count += Σₙ meanₚ(wₙₚ). Averaging before or after weighting gives the same sums
/// when the weight is constant along the averaged axes, so both come out as (Σⱼ vⱼ·eⱼ) / P and (Σⱼ eⱼ) / P, where eⱼ is
/// the weight broadcast to value j and P the number of values per sample. A mask (Keras' <c>apply_mask</c> with
/// reduction "sum") multiplies into the weights, or stands for them when there are none; its entries cover
/// consecutive blocks of values, aligned with the leading axes (Keras would align a (N,) weight with a (N, T) mask by
/// their trailing axes, which only works when N is T).
/// </remarks>
internal static class SampleWeighting
{
    /// <summary>The most axes the values, weights or broadcast shapes may have (spans of this size live on the stack).</summary>
    public const int MaxRank = 16;

    /// <summary>
    /// The increment of a mean metric's total and count for one batch of <paramref name="values"/> of shape
    /// <paramref name="valueDims"/>; empty <paramref name="weights"/> and <paramref name="mask"/> mean none.
    /// </summary>
    /// <exception cref="ArgumentException">The weights or mask do not fit the values; the message names both shapes.</exception>
    public static (double Total, double Count) Reduce(string metric, ReadOnlySpan<double> values, ReadOnlySpan<int> valueDims,
        ReadOnlySpan<float> weights, ReadOnlySpan<int> weightDims, ReadOnlySpan<float> mask)
    {
        bool weighted = !weights.IsEmpty, masked = !mask.IsEmpty;
        if (weighted && weights.Length != Product(weightDims))
            throw new ArgumentException($"{metric}: the sample weights hold {weights.Length} values but their shape {Format(weightDims)} needs {Product(weightDims)}.");
        if (valueDims.Length == 0)
        {
            // One value (a scalar): Keras weighs it by the weight itself.
            if (weighted && weights.Length != 1)
                throw new ArgumentException($"{metric}: sample weights of shape {Format(weightDims)} do not fit a single value.");
            if (masked && mask.Length != 1)
                throw new ArgumentException($"{metric}: a mask of {mask.Length} entries does not fit a single value.");
            double w = (weighted ? weights[0] : 1.0) * (masked ? mask[0] : 1.0);
            return (values[0] * w, w);
        }
        int samples = valueDims[0];
        int count = values.Length;
        if (samples == 0 || count == 0) return (0, 0);
        double perSample = (double)count / samples;
        if (!weighted && !masked)
        {
            double sum = 0;
            foreach (double v in values) sum += v;
            return (sum / perSample, samples);
        }
        if (weighted && weightDims.Length == 0 && !masked)
        {
            // A scalar weight: Keras reduces the values to their mean and weighs that once.
            double sum = 0;
            foreach (double v in values) sum += v;
            return (sum / count * weights[0], weights[0]);
        }
        int maskBlock = masked ? MaskBlock(metric, mask.Length, samples, valueDims) : 0;
        var index = weighted ? new WeightIndex(metric, weightDims, valueDims, weights.Length) : default;
        double total = 0, weightSum = 0;
        if (!weighted || index.Kind == WeightIndex.Layout.PerValue || index.Kind == WeightIndex.Layout.PerSample || index.Kind == WeightIndex.Layout.Single)
        {
            int perWeight = !weighted ? 0 : index.Kind == WeightIndex.Layout.PerValue ? 1 : index.Kind == WeightIndex.Layout.PerSample ? count / samples : count;
            for (int j = 0; j < count; j++)
            {
                double e = weighted ? weights[j / perWeight] : 1.0;
                if (masked) e *= mask[j / maskBlock];
                total += values[j] * e;
                weightSum += e;
            }
        }
        else
        {
            Span<int> valueStrides = stackalloc int[MaxRank];
            Span<int> weightStrides = stackalloc int[MaxRank];
            index.Strides(valueDims, weightDims, valueStrides, weightStrides);
            int rank = index.Rank;
            for (int j = 0; j < count; j++)
            {
                int w = 0;
                for (int a = 0; a < rank; a++)
                    if (weightStrides[a] != 0) w += j / valueStrides[a] % valueDims[a] * weightStrides[a];
                double e = weights[w];
                if (masked) e *= mask[j / maskBlock];
                total += values[j] * e;
                weightSum += e;
            }
        }
        return (total / perSample, weightSum / perSample);
    }

    /// <summary>How many consecutive values each mask entry covers; the entries must split every sample alike.</summary>
    private static int MaskBlock(string metric, int entries, int samples, ReadOnlySpan<int> valueDims)
    {
        int count = Product(valueDims);
        if (entries > 0 && count % entries == 0 && entries % samples == 0) return count / entries;
        throw new ArgumentException($"{metric}: a mask of {entries} entries does not fit the metric's values of shape {Format(valueDims)}.");
    }

    /// <summary>Where the weight of each value is, once the weights are squeezed or expanded and broadcast as Keras does.</summary>
    private readonly struct WeightIndex
    {
        public enum Layout { Single, PerSample, PerValue, Broadcast }

        public WeightIndex(string metric, ReadOnlySpan<int> weightDims, ReadOnlySpan<int> valueDims, int weightCount)
        {
            // squeeze_or_expand_to_same_rank: a trailing 1 on the longer side goes (no element moves).
            var w = weightDims;
            var v = valueDims;
            if (w.Length == v.Length + 1 && w[^1] == 1) w = w[..^1];
            else if (v.Length == w.Length + 1 && v[^1] == 1) v = v[..^1];
            bool fits = w.Length <= v.Length;
            for (int a = 0; fits && a < w.Length; a++) fits = w[a] == 1 || w[a] == v[a];
            if (!fits)
                throw new ArgumentException($"{metric}: sample weights of shape {Format(weightDims)} do not fit the metric's values of shape {Format(valueDims)}: give one weight per sample, ({valueDims[0]},) or ({valueDims[0]}, 1), or one per step of the leading axes{(valueDims.Length > 1 ? $", such as {Format(valueDims)}" : "")}.");
            Rank = w.Length;
            int values = Product(valueDims);
            Kind = weightCount == 1 ? Layout.Single
                : weightCount == values ? Layout.PerValue
                : w.Length >= 1 && w[0] == valueDims[0] && weightCount == valueDims[0] ? Layout.PerSample
                : Layout.Broadcast;
        }

        public Layout Kind { get; }

        /// <summary>The number of leading value axes the weights span.</summary>
        public int Rank { get; }

        /// <summary>For each of the first <see cref="Rank"/> axes: the values' stride, and the weights' (0 where they broadcast).</summary>
        public void Strides(ReadOnlySpan<int> valueDims, ReadOnlySpan<int> weightDims, Span<int> valueStrides, Span<int> weightStrides)
        {
            int stride = 1;
            for (int a = valueDims.Length - 1; a >= 0; a--)
            {
                if (a < Rank) valueStrides[a] = stride;
                stride *= valueDims[a];
            }
            stride = 1;
            for (int a = Rank - 1; a >= 0; a--)
            {
                weightStrides[a] = weightDims[a] == 1 ? 0 : stride;
                stride *= weightDims[a];
            }
        }
    }

    /// <summary>
    /// NumPy's broadcast of two shapes (aligned at their last axes) into <paramref name="result"/>; returns its rank,
    /// or -1 when they do not broadcast.
    /// </summary>
    public static int Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int rank = Math.Max(a.Length, b.Length);
        if (rank > MaxRank) return -1;
        for (int i = 1; i <= rank; i++)
        {
            int da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            if (da != db && da != 1 && db != 1) return -1;
            result[rank - i] = da == 1 ? db : da;
        }
        return rank;
    }

    /// <summary>The flat index, in an array of shape <paramref name="source"/>, of element <paramref name="flat"/> of its broadcast to <paramref name="target"/>.</summary>
    public static int SourceIndex(int flat, ReadOnlySpan<int> target, ReadOnlySpan<int> source)
    {
        int index = 0, stride = 1;
        for (int i = 1; i <= target.Length; i++)
        {
            int coordinate = flat % target[^i];
            flat /= target[^i];
            if (i <= source.Length)
            {
                if (source[^i] != 1) index += coordinate * stride;
                stride *= source[^i];
            }
        }
        return index;
    }

    /// <summary>The number of elements of a shape.</summary>
    public static int Product(ReadOnlySpan<int> dims)
    {
        int size = 1;
        foreach (int d in dims) size *= d;
        return size;
    }

    /// <summary>A shape as NumPy prints it, for messages.</summary>
    public static string Format(ReadOnlySpan<int> dims) => new Shape(dims.ToArray()).ToString();
}
