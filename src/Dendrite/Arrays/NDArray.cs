namespace Dendrite;

/// <summary>
/// The element-type-independent face of an n-dimensional array: what a model needs to know about its
/// inputs (shape, element type) whatever <c>T</c> they hold. The concrete type is <see cref="NDArray{T}"/>.
/// </summary>
public abstract class NDArray
{
    private protected NDArray(Shape shape) => Shape = shape;

    /// <summary>The dimensions, printed like NumPy: <c>(60000, 28, 28)</c>.</summary>
    public Shape Shape { get; }

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Total number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>Size of the first axis, like Python's <c>len()</c>; a scalar (rank 0) has no length.</summary>
    public int Length => Rank == 0 ? throw new InvalidOperationException("len() of a 0-d array (a scalar) is undefined.") : Shape[0];

    /// <summary>NumPy's name of the element type: <c>uint8</c>, <c>int32</c>, <c>int64</c>, <c>float32</c> or <c>float64</c>.</summary>
    public abstract string DType { get; }

    /// <summary>A copy with every element converted to <typeparamref name="U"/> (NumPy's <c>astype</c>).</summary>
    public abstract NDArray<U> AsType<U>() where U : unmanaged, System.Numerics.INumber<U>;

    /// <summary>
    /// Copies the rows (sub-arrays along the first axis) listed in <paramref name="rows"/>, converted to float32, into
    /// <paramref name="destination"/> one after another in C order. This is how the trainer builds a batch.
    /// </summary>
    internal abstract void GatherRows(ReadOnlySpan<int> rows, Span<float> destination);

    /// <summary>As <see cref="GatherRows(ReadOnlySpan{int}, Span{float})"/>, converted to int32 (labels).</summary>
    internal abstract void GatherRows(ReadOnlySpan<int> rows, Span<int> destination);

    /// <summary>
    /// A new array (a copy, same element type) of the rows (sub-arrays along the first axis) listed in
    /// <paramref name="rows"/>, in that order: NumPy's <c>x[rows]</c>.
    /// </summary>
    internal abstract NDArray TakeRows(ReadOnlySpan<int> rows);

    /// <summary>True when some element is NaN or infinite (always false for integer arrays).</summary>
    internal abstract bool HasNonFinite();
}
