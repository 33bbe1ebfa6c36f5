namespace Dendrite.Metrics;

/// <summary>
/// Keras' placement of <c>sample_weight</c> against a batch, expanded to one weight per element: the weights gain a
/// trailing axis and are then squeezed or expanded to the targets' rank (<c>squeeze_or_expand_to_same_rank</c>), so
/// weights of shape (N,) weigh whole samples of shape (N, C), and a shape of the targets' rank (N, C) or (1, C)
/// broadcasts as NumPy does. The buffer grows with the batch and is reused, so steady batches allocate nothing.
/// </summary>
internal static class SampleWeights
{
    /// <summary>The largest rank handled (Keras metrics see far fewer axes).</summary>
    private const int MaxRank = 16;

    /// <summary>
    /// One weight per element of a batch of shape <paramref name="target"/>, in C order, written into
    /// <paramref name="buffer"/> (grown when too small); empty when there are no weights.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not broadcast to the batch.</exception>
    public static ReadOnlySpan<double> Expand(string metric, ReadOnlySpan<float> weights, Shape weightShape, ReadOnlySpan<int> target, ref double[]? buffer)
    {
        if (weights.IsEmpty) return [];
        if (weights.Length != weightShape.Size)
            throw new ArgumentException($"{metric}: sample_weight holds {weights.Length} values but its shape {weightShape} needs {weightShape.Size}.");
        int size = 1;
        foreach (int d in target) size *= d;
        if (buffer is null || buffer.Length < size) buffer = new double[size];
        var result = buffer.AsSpan(0, size);
        if (weights.Length == 1)
        {
            result.Fill(weights[0]);
            return result;
        }
        Span<int> effective = stackalloc int[MaxRank];
        int rank = EffectiveShape(weightShape.AsSpan(), target.Length, effective);
        var shape = effective[..rank];
        if (rank > target.Length || rank > MaxRank || target.Length > MaxRank) throw Mismatch(metric, weightShape, target);
        // Strides of the weights along each target axis (0 where the weights broadcast).
        Span<int> strides = stackalloc int[target.Length];
        int stride = 1;
        for (int axis = target.Length - 1; axis >= 0; axis--)
        {
            int w = axis - (target.Length - rank);
            int dim = w >= 0 ? shape[w] : 1;
            if (dim != 1 && dim != target[axis]) throw Mismatch(metric, weightShape, target);
            strides[axis] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        if (stride == size)
        {
            for (int i = 0; i < size; i++) result[i] = weights[i];
            return result;
        }
        Span<int> index = stackalloc int[target.Length];
        int source = 0;
        for (int i = 0; i < size; i++)
        {
            result[i] = weights[source];
            // Odometer over the target's axes, moving the source offset along.
            for (int axis = target.Length - 1; axis >= 0; axis--)
            {
                source += strides[axis];
                if (++index[axis] < target[axis]) break;
                source -= strides[axis] * target[axis];
                index[axis] = 0;
            }
        }
        return result;
    }

    /// <summary>The weights' shape after Keras' expand-then-squeeze against targets of rank <paramref name="targetRank"/>.</summary>
    private static int EffectiveShape(ReadOnlySpan<int> shape, int targetRank, Span<int> effective)
    {
        int rank = shape.Length;
        if (rank > effective.Length - 1) return effective.Length + 1;
        shape.CopyTo(effective);
        if (rank + 1 == targetRank) effective[rank++] = 1; // (N,) against (N, C): one weight per sample
        // Extra trailing axes of length 1 cannot name anything: drop them.
        while (rank > targetRank && effective[rank - 1] == 1) rank--;
        return rank;
    }

    private static ArgumentException Mismatch(string metric, Shape weightShape, ReadOnlySpan<int> target) =>
        new($"{metric}: sample_weight of shape {weightShape} does not broadcast to the batch of shape {new Shape(target.ToArray())}; give one weight per sample (N,) or a shape that broadcasts to it.");

    /// <summary>The shape targets and predictions share once a trailing axis of length 1 is squeezed or added (already checked by <c>TargetShapes.AlignedLastDim</c>).</summary>
    public static ReadOnlySpan<int> Aligned(Shape yTrue, Shape yPred)
    {
        var t = yTrue.AsSpan();
        var p = yPred.AsSpan();
        if (t.Length == p.Length + 1) return p.Length == 1 ? t : p;
        if (p.Length == t.Length + 1) return t.Length == 1 ? p : t;
        return p;
    }
}
