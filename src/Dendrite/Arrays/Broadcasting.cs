namespace Dendrite;

/// <summary>
/// NumPy's broadcasting rules: shapes are aligned at their last axis; two dimensions are compatible when they are
/// equal or one of them is 1 (a missing leading axis counts as 1), and the result takes the larger one.
/// </summary>
internal static class Broadcasting
{
    /// <summary>
    /// The shape two operands broadcast to, or an <see cref="ArgumentException"/> worded like NumPy's
    /// <c>operands could not be broadcast together with shapes (2,3) (4,)</c>.
    /// </summary>
    public static Shape BroadcastShapes(Shape a, Shape b) => TryBroadcastShapes(a, b, out var shape) ? shape
        : throw new ArgumentException($"operands could not be broadcast together with shapes {NumPyShape(a)} {NumPyShape(b)}");

    /// <summary>The shape two operands broadcast to; false when some axis pair is neither equal nor 1 (callers word the error).</summary>
    public static bool TryBroadcastShapes(Shape a, Shape b, out Shape result)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        var da = a.AsSpan();
        var db = b.AsSpan();
        for (int i = 1; i <= rank; i++)
        {
            int x = i <= da.Length ? da[^i] : 1;
            int y = i <= db.Length ? db[^i] : 1;
            if (x == y || y == 1) dims[^i] = x;
            else if (x == 1) dims[^i] = y;
            else
            {
                result = default;
                return false;
            }
        }
        result = new Shape(dims);
        return true;
    }

    /// <summary>
    /// The strides that let an array of <paramref name="source"/> shape be read as <paramref name="target"/> shape:
    /// leading axes that the source lacks and axes where the source has size 1 get stride 0.
    /// <paramref name="target"/> must be a broadcast of <paramref name="source"/>.
    /// </summary>
    public static int[] BroadcastStrides(Shape source, ReadOnlySpan<int> sourceStrides, Shape target)
    {
        var strides = new int[target.Rank];
        int shift = target.Rank - source.Rank;
        for (int axis = 0; axis < source.Rank; axis++)
            strides[axis + shift] = source[axis] == 1 ? 0 : sourceStrides[axis];
        return strides;
    }

    /// <summary>NumPy's spelling of a shape inside error messages: no spaces, <c>(2,3)</c>, <c>(4,)</c>, <c>()</c>.</summary>
    public static string NumPyShape(Shape shape) =>
        shape.Rank == 1 ? $"({shape[0]},)" : $"({string.Join(",", shape.ToArray())})";
}
