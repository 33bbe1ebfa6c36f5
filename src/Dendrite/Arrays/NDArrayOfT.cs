using System.Numerics;
using System.Runtime.CompilerServices;

namespace Dendrite;

/// <summary>
/// An n-dimensional array with NumPy semantics: a shape, strides over a shared buffer (so reshaping and slicing
/// give views, not copies), broadcasting arithmetic, reductions and NumPy's printing.
/// Elements may be <see cref="byte"/>, <see cref="int"/>, <see cref="long"/>, <see cref="float"/> or <see cref="double"/>.
/// </summary>
/// <remarks>
/// Storage is one managed <c>T[]</c> with an element offset and per-axis element strides (never negative).
/// A view shares the buffer with its parent: writing through one is seen by the other, exactly as in NumPy.
/// </remarks>
public sealed partial class NDArray<T> : NDArray where T : unmanaged, INumber<T>
{
    internal readonly T[] Buffer;
    internal readonly int Offset;
    internal readonly int[] Strides;

    /// <summary>
    /// Wraps <paramref name="data"/> (no copy) as an array of <paramref name="shape"/> in C (row-major) order.
    /// With no shape, the array is one-dimensional.
    /// </summary>
    public NDArray(T[] data, params int[] shape)
        : this(data ?? throw new ArgumentNullException(nameof(data)), 0, shape.Length == 0 ? new Shape(data.Length) : new Shape(shape), null)
    {
        if (Shape.Size != data.Length)
            throw new ArgumentException($"cannot reshape array of size {data.Length} into shape {Shape}.", nameof(shape));
    }

    internal NDArray(T[] buffer, int offset, Shape shape, int[]? strides) : base(shape)
    {
        _ = DTypes.NameOf<T>(); // rejects unsupported element types early
        Buffer = buffer;
        Offset = offset;
        Strides = strides ?? shape.ContiguousStrides();
    }

    /// <summary>A new array of <paramref name="shape"/> filled with zeros.</summary>
    public static NDArray<T> Zeros(params int[] shape) => new(new T[new Shape(shape).Size], shape);

    /// <summary>A new one-dimensional array holding a copy of <paramref name="values"/>.</summary>
    public static NDArray<T> FromSpan(ReadOnlySpan<T> values) => new(values.ToArray());

    /// <summary>A new array of <paramref name="shape"/> holding a copy of <paramref name="values"/> in C order.</summary>
    public static NDArray<T> FromSpan(ReadOnlySpan<T> values, params int[] shape) => new(values.ToArray(), shape);

    /// <inheritdoc/>
    public override string DType => DTypes.NameOf<T>();

    /// <summary>True when the elements lie in C order, one after another, in <see cref="Buffer"/>.</summary>
    public bool IsContiguous
    {
        get
        {
            int expected = 1;
            for (int axis = Rank - 1; axis >= 0; axis--)
            {
                if (Shape[axis] != 1 && Strides[axis] != expected) return false;
                expected *= Shape[axis];
            }
            return true;
        }
    }

    /// <summary>
    /// The elements in C order as a span over the shared buffer when the array is contiguous (no copy);
    /// otherwise throws. Use <see cref="ToArray"/> for a copy that always works.
    /// </summary>
    public Span<T> AsSpan()
    {
        if (!IsContiguous) throw new InvalidOperationException($"AsSpan needs a contiguous array; this {Shape} view is strided. Use ToArray() for a copy.");
        return Buffer.AsSpan(Offset, Size);
    }

    /// <summary>A copy of the elements in C (row-major) order.</summary>
    public T[] ToArray()
    {
        var result = new T[Size];
        CopyTo(result);
        return result;
    }

    /// <summary>Copies the elements in C order into <paramref name="destination"/>, which must hold <see cref="NDArray.Size"/> elements.</summary>
    public void CopyTo(Span<T> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException($"destination holds {destination.Length} elements, the array has {Size}.", nameof(destination));
        if (IsContiguous)
        {
            Buffer.AsSpan(Offset, Size).CopyTo(destination);
            return;
        }
        CopyStridedTo(destination);
    }

    /// <summary>
    /// Copies a strided view row by row along the last axis (an odometer over the outer axes), so that the inner
    /// loop is a plain strided read and contiguous rows are block copies.
    /// </summary>
    private void CopyStridedTo(Span<T> destination)
    {
        int size = Size;
        if (size == 0) return;
        int rank = Rank;
        if (rank == 0) { destination[0] = Buffer[Offset]; return; }
        int n = Shape[rank - 1];
        int step = Strides[rank - 1];
        var counter = new int[rank - 1];
        int index = Offset;
        for (int start = 0; start < size; start += n)
        {
            var row = destination.Slice(start, n);
            if (step == 1) Buffer.AsSpan(index, n).CopyTo(row);
            else
                for (int k = 0, j = index; k < n; k++, j += step) row[k] = Buffer[j];
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                if (++counter[axis] < Shape[axis]) { index += Strides[axis]; break; }
                index -= Strides[axis] * (counter[axis] - 1);
                counter[axis] = 0;
            }
        }
    }

    /// <summary>The buffer index of every element, in C order (odometer walk over the strides).</summary>
    internal IEnumerable<int> BufferIndices()
    {
        int size = Size;
        if (size == 0) yield break;
        int rank = Rank;
        var counter = new int[rank];
        int index = Offset;
        for (int n = 0; n < size; n++)
        {
            yield return index;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                if (++counter[axis] < Shape[axis]) { index += Strides[axis]; break; }
                index -= Strides[axis] * (counter[axis] - 1);
                counter[axis] = 0;
            }
        }
    }

    /// <summary>The element at C-order position <paramref name="flatIndex"/>.</summary>
    internal T GetFlat(int flatIndex)
    {
        int index = Offset;
        for (int axis = Rank - 1; axis >= 0; axis--)
        {
            int dim = Shape[axis];
            index += flatIndex % dim * Strides[axis];
            flatIndex /= dim;
        }
        return Buffer[index];
    }

    /// <summary>
    /// The same elements with another shape; one dimension may be <c>-1</c> and is then inferred.
    /// A view when the array is contiguous (as NumPy's <c>reshape</c>), otherwise a copy.
    /// </summary>
    public NDArray<T> Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = (int[])shape.Clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException("can only specify one unknown dimension (-1) in Reshape.", nameof(shape));
                inferred = i;
            }
            else if (dims[i] < 0) throw new ArgumentException($"negative dimension {dims[i]} in Reshape.", nameof(shape));
            else known *= dims[i];
        }
        if (inferred >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"cannot reshape array of size {Size} into shape ({string.Join(", ", shape)}).", nameof(shape));
            dims[inferred] = (int)(Size / known);
        }
        var newShape = new Shape(dims);
        if (newShape.Size != Size)
            throw new ArgumentException($"cannot reshape array of size {Size} into shape {newShape}.", nameof(shape));
        return IsContiguous ? new NDArray<T>(Buffer, Offset, newShape, null) : new NDArray<T>(ToArray(), 0, newShape, null);
    }

    /// <summary>The sub-array at <paramref name="index"/> along the first axis, as a view (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The array is 0-d, or <paramref name="index"/> is out of bounds (NumPy's IndexError).</exception>
    [IndexerName("At")]
    public NDArray<T> this[int index]
    {
        get
        {
            if (Rank == 0) throw new ArgumentOutOfRangeException(nameof(index), "too many indices: a 0-d array cannot be indexed.");
            int i = NormalizeIndex(index, 0, nameof(index));
            return new NDArray<T>(Buffer, Offset + i * Strides[0], new Shape(Shape.ToArray()[1..]), Strides[1..]);
        }
    }

    /// <summary>The element at the given indices, one per axis (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of indices is not the rank, or one is out of bounds (NumPy's IndexError).</exception>
    [IndexerName("At")]
    public T this[params int[] indices]
    {
        get => Buffer[ElementIndex(indices)];
        set => Buffer[ElementIndex(indices)] = value;
    }

    /// <summary>A view of the rows in <paramref name="range"/> along the first axis, e.g. <c>x[0..10]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The array is 0-d.</exception>
    [IndexerName("At")]
    public NDArray<T> this[Range range]
    {
        get
        {
            if (Rank == 0) throw new ArgumentOutOfRangeException(nameof(range), "a 0-d array cannot be sliced.");
            // Python slices clamp out-of-range bounds instead of failing; so do we.
            int length = Shape[0];
            int start = Math.Clamp(range.Start.IsFromEnd ? length - range.Start.Value : range.Start.Value, 0, length);
            int end = Math.Clamp(range.End.IsFromEnd ? length - range.End.Value : range.End.Value, 0, length);
            if (end < start) end = start;
            var dims = Shape.ToArray();
            dims[0] = end - start;
            return new NDArray<T>(Buffer, Offset + (dims[0] == 0 ? 0 : start * Strides[0]), new Shape(dims), (int[])Strides.Clone());
        }
    }

    private int NormalizeIndex(int index, int axis, string parameter)
    {
        int dim = Shape[axis];
        int i = index < 0 ? index + dim : index;
        if (i < 0 || i >= dim)
            throw new ArgumentOutOfRangeException(parameter, $"index {index} is out of bounds for axis {axis} with size {dim}.");
        return i;
    }

    private int ElementIndex(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length != Rank)
            throw new ArgumentOutOfRangeException(nameof(indices), $"expected {Rank} indices for an array of shape {Shape}, got {indices.Length}.");
        int index = Offset;
        for (int axis = 0; axis < indices.Length; axis++) index += NormalizeIndex(indices[axis], axis, nameof(indices)) * Strides[axis];
        return index;
    }

    /// <summary>The single element of a one-element array (NumPy's <c>item()</c>).</summary>
    public T Item()
    {
        if (Size != 1) throw new InvalidOperationException($"can only convert an array of size 1 to a scalar, this one has shape {Shape}.");
        return GetFlat(0);
    }

    /// <inheritdoc/>
    /// <remarks>Converts like NumPy's astype: floats to integers truncate toward zero; integers wrap around.</remarks>
    public override NDArray<U> AsType<U>()
    {
        var result = new U[Size];
        if (typeof(T) == typeof(U)) CopyTo(Unsafe.As<U[], T[]>(ref result));
        else ConvertSpan<U>(IsContiguous ? Buffer.AsSpan(Offset, Size) : ToArray(), result);
        // The internal constructor keeps a 0-d array 0-d (the public one reads an empty shape as one axis).
        return new NDArray<U>(result, 0, Shape, null);
    }

    internal override void GatherRows(ReadOnlySpan<int> rows, Span<float> destination) => GatherRowsCore(rows, destination);

    internal override NDArray TakeRows(ReadOnlySpan<int> rows)
    {
        if (Rank == 0) throw new ArgumentOutOfRangeException(nameof(rows), "a 0-d array has no rows.");
        var dims = Shape.ToArray();
        dims[0] = rows.Length;
        int rowSize = dims[1..].Aggregate(1, (p, d) => p * d);
        var result = new T[rows.Length * rowSize];
        GatherRowsCore(rows, result.AsSpan());
        return new NDArray<T>(result, 0, new Shape(dims), null);
    }

    internal override void GatherRows(ReadOnlySpan<int> rows, Span<int> destination) => GatherRowsCore(rows, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private void GatherRowsCore<U>(ReadOnlySpan<int> rows, Span<U> destination) where U : unmanaged, INumber<U>
    {
        int rowSize = Rank == 0 ? 1 : Size / Math.Max(1, Shape[0]);
        if (destination.Length < rows.Length * rowSize)
            throw new ArgumentException($"destination holds {destination.Length} elements, {rows.Length} rows of {rowSize} need {rows.Length * rowSize}.");
        bool contiguous = IsContiguous;
        for (int r = 0; r < rows.Length; r++)
        {
            var dst = destination.Slice(r * rowSize, rowSize);
            if (contiguous)
            {
                var src = Buffer.AsSpan(Offset + rows[r] * rowSize, rowSize);
                ConvertSpan(src, dst);
            }
            else
            {
                var row = this[rows[r]];
                int i = 0;
                foreach (int index in row.BufferIndices()) dst[i++] = U.CreateTruncating(Buffer[index]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void ConvertSpan<U>(ReadOnlySpan<T> src, Span<U> dst) where U : unmanaged, INumber<U>
    {
        if (typeof(T) == typeof(U)) { src.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<U, T>(dst)); return; }
        // Same conversion as U.CreateTruncating per element, but vectorised where the runtime can.
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<T, U>(src, dst);
    }

    internal override bool HasNonFinite()
    {
        if (typeof(T) == typeof(float))
        {
            if (IsContiguous)
            {
                var span = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(Buffer.AsSpan(Offset, Size));
                // x - x is 0 for every finite x and NaN for NaN and the infinities.
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    var bad = Vector<float>.Zero;
                    for (; i <= span.Length - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        var v = new Vector<float>(span.Slice(i));
                        bad |= Vector.AsVectorSingle(~Vector.Equals(v - v, Vector<float>.Zero));
                    }
                    if (bad != Vector<float>.Zero) return true;
                }
                for (; i < span.Length; i++)
                    if (!float.IsFinite(span[i])) return true;
                return false;
            }
        }
        if (!DTypes.IsFloatingPoint<T>()) return false;
        foreach (int index in BufferIndices())
            if (!T.IsFinite(Buffer[index])) return true;
        return false;
    }
}
