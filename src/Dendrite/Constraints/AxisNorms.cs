namespace Dendrite.Constraints;

/// <summary>
/// The kernel the norm constraints share: the L2 norm of every slice of a C-order array over some axes (Keras'
/// <c>sqrt(sum(square(w), axis, keepdims=True))</c>), then a per-slice rescale <c>w ← w·factor(norm)</c>.
/// </summary>
internal static class AxisNorms
{
    /// <summary>
    /// Rescales <paramref name="values"/> of <paramref name="shape"/>: each slice over <paramref name="axes"/> (negative
    /// axes count from the end) is multiplied by <paramref name="factor"/> of its norm, all in float32 like Keras.
    /// </summary>
    public static void Rescale(Span<float> values, Shape shape, int[] axes, Func<float, float> factor, string constraint)
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"{constraint}: {values.Length} values do not fill shape {shape}.", nameof(values));
        var reduced = new bool[shape.Rank];
        foreach (int axis in axes)
        {
            int a = axis < 0 ? axis + shape.Rank : axis;
            if (a < 0 || a >= shape.Rank)
                throw new ArgumentException($"{constraint}: axis {axis} is out of bounds for a variable of shape {shape} (rank {shape.Rank}).", nameof(axes));
            reduced[a] = true;
        }
        // Group of a flat index: its coordinates on the kept axes, in C order. groupStride[d] is 0 on reduced axes.
        var groupStride = new long[shape.Rank];
        long groups = 1;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            if (reduced[d]) continue;
            groupStride[d] = groups;
            groups *= shape[d];
        }
        // Two passes in C order with the group index kept in step (no per-element table): sums, then the rescale.
        var sums = System.Buffers.ArrayPool<float>.Shared.Rent((int)groups);
        try
        {
            Array.Clear(sums, 0, (int)groups);
            Span<int> coordinate = stackalloc int[shape.Rank];
            long g = 0;
            for (int i = 0; i < values.Length; i++)
            {
                sums[g] += values[i] * values[i];
                g = Next(coordinate, g, shape, groupStride);
            }
            for (long k = 0; k < groups; k++) sums[k] = factor(MathF.Sqrt(sums[k]));
            coordinate.Clear();
            g = 0;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] *= sums[g];
                g = Next(coordinate, g, shape, groupStride);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(sums);
        }
    }

    /// <summary>Moves <paramref name="coordinate"/> to the next element in C order and returns its group index.</summary>
    private static long Next(Span<int> coordinate, long g, Shape shape, long[] groupStride)
    {
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            g += groupStride[d];
            if (++coordinate[d] < shape[d]) break;
            g -= groupStride[d] * coordinate[d];
            coordinate[d] = 0;
        }
        return g;
    }

    /// <summary>Keras' backend epsilon, added to the norm before dividing by it.</summary>
    public const float Epsilon = 1e-7f;
}
