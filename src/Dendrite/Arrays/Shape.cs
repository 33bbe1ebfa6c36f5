using System.Collections;

namespace Dendrite;

/// <summary>
/// The dimensions of an <see cref="NDArray{T}"/>, printed like a NumPy shape tuple:
/// <c>(60000, 28, 28)</c>, <c>(60000,)</c> for one axis and <c>()</c> for a scalar.
/// </summary>
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be zero or more.</summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"Shape dimensions must be >= 0, got ({string.Join(", ", dims)}).", nameof(dims));
        _dims = (int[])dims.Clone();
    }

    private int[] Dims => _dims ?? [];

    /// <summary>Number of axes.</summary>
    public int Rank => Dims.Length;

    /// <summary>Total number of elements (the product of the dimensions; 1 for a scalar).</summary>
    /// <exception cref="ArgumentException">The product is more than one .NET array can hold (<see cref="Array.MaxLength"/>).</exception>
    public int Size
    {
        get
        {
            long size = LongSize;
            return size <= Array.MaxLength ? (int)size
                : throw new ArgumentException(FormattableString.Invariant($"The shape {this} has {(size == long.MaxValue ? "more than 9.2e18" : size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} elements, more than one array can hold ({Array.MaxLength:N0})."));
        }
    }

    /// <summary>The product of the dimensions as a long, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
    public long LongSize
    {
        get
        {
            long size = 1;
            foreach (var d in Dims)
            {
                if (d == 0) return 0;
                size = size > long.MaxValue / d ? long.MaxValue : size * d;
            }
            return size;
        }
    }

    /// <summary>Number of axes (same as <see cref="Rank"/>), for <see cref="IReadOnlyCollection{T}"/>.</summary>
    public int Count => Dims.Length;

    /// <summary>The dimension of <paramref name="axis"/>; a negative axis counts from the end, as in NumPy.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis)];

    /// <summary>Turns a possibly negative axis into 0..Rank-1, or throws naming the rank.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of bounds for an array of rank {Rank} and shape {this}.");
        return a;
    }

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    /// <summary>The dimensions as a read-only span (no copy).</summary>
    public ReadOnlySpan<int> AsSpan() => Dims;

    /// <summary>The C-order (row-major) strides of this shape, in elements.</summary>
    internal int[] ContiguousStrides()
    {
        var strides = new int[Rank];
        int stride = 1;
        for (int axis = Rank - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= Dims[axis];
        }
        return strides;
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shapes are equal when their dimensions are.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Shapes differ when any dimension does.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Lets an <c>int[]</c> stand where a shape is expected.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>The NumPy spelling: <c>(2, 3)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public override string ToString() => Dims.Length == 1 ? $"({Dims[0]},)" : $"({string.Join(", ", Dims)})";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
