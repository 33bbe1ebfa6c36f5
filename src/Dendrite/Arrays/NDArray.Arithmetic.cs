using System.Numerics;
using System.Numerics.Tensors;

namespace Dendrite;

// Element-wise arithmetic with NumPy broadcasting. Every operator returns a new C-contiguous array of the same
// element type; the operands are never modified.
public sealed partial class NDArray<T>
{
    /// <summary>
    /// Element-wise sum with NumPy broadcasting, e.g. shapes (3,1) + (1,4) give (3,4) and (2,3) + (3,) give (2,3).
    /// Integer results wrap around on overflow, like NumPy's fixed-width integers.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static NDArray<T> operator +(NDArray<T> left, NDArray<T> right) => Binary<AddOp<T>>(left, right);

    /// <summary>Adds <paramref name="right"/> to every element.</summary>
    public static NDArray<T> operator +(NDArray<T> left, T right) => Binary<AddOp<T>>(left, right);

    /// <summary>Adds every element to <paramref name="left"/>.</summary>
    public static NDArray<T> operator +(T left, NDArray<T> right) => Binary<AddOp<T>>(left, right);

    /// <summary>Element-wise difference with NumPy broadcasting; integer results wrap around on overflow.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static NDArray<T> operator -(NDArray<T> left, NDArray<T> right) => Binary<SubtractOp<T>>(left, right);

    /// <summary>Subtracts <paramref name="right"/> from every element.</summary>
    public static NDArray<T> operator -(NDArray<T> left, T right) => Binary<SubtractOp<T>>(left, right);

    /// <summary>Subtracts every element from <paramref name="left"/>.</summary>
    public static NDArray<T> operator -(T left, NDArray<T> right) => Binary<SubtractOp<T>>(left, right);

    /// <summary>Element-wise product with NumPy broadcasting; integer results wrap around on overflow.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static NDArray<T> operator *(NDArray<T> left, NDArray<T> right) => Binary<MultiplyOp<T>>(left, right);

    /// <summary>Multiplies every element by <paramref name="right"/>.</summary>
    public static NDArray<T> operator *(NDArray<T> left, T right) => Binary<MultiplyOp<T>>(left, right);

    /// <summary>Multiplies <paramref name="left"/> by every element.</summary>
    public static NDArray<T> operator *(T left, NDArray<T> right) => Binary<MultiplyOp<T>>(left, right);

    /// <summary>
    /// Element-wise quotient with NumPy broadcasting. The result keeps the element type <typeparamref name="T"/>:
    /// for <see cref="float"/> and <see cref="double"/> this is NumPy's <c>/</c> (IEEE 754: x/0 gives ±inf or nan).
    /// For integer arrays it is NumPy's floor division <c>//</c> (rounds toward negative infinity: -7 / 2 = -4),
    /// not NumPy's <c>/</c>, which would return float64.
    /// </summary>
    /// <remarks>
    /// Integer division by zero throws <see cref="DivideByZeroException"/>. NumPy returns 0 with a RuntimeWarning
    /// instead; Dendrite deliberately refuses to produce a silently wrong value.
    /// </remarks>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    /// <exception cref="DivideByZeroException">An integer divisor is zero.</exception>
    public static NDArray<T> operator /(NDArray<T> left, NDArray<T> right) => Binary<DivideOp<T>>(left, right);

    /// <summary>
    /// Divides every element by <paramref name="right"/>, e.g. <c>x.AsType&lt;float&gt;() / 255f</c>. Same rules as
    /// the array–array <c>/</c>: IEEE division for floating point, floor division for integers.
    /// </summary>
    /// <exception cref="DivideByZeroException">The array holds integers and <paramref name="right"/> is zero.</exception>
    public static NDArray<T> operator /(NDArray<T> left, T right) => Binary<DivideOp<T>>(left, right);

    /// <summary>
    /// Divides <paramref name="left"/> by every element. Same rules as the array–array <c>/</c>: IEEE division for
    /// floating point, floor division for integers.
    /// </summary>
    /// <exception cref="DivideByZeroException">The array holds integers and one of them is zero.</exception>
    public static NDArray<T> operator /(T left, NDArray<T> right) => Binary<DivideOp<T>>(left, right);

    /// <summary>
    /// Element-wise negation. Unsigned <see cref="byte"/> elements wrap around as NumPy's uint8 does (-1 gives 255);
    /// negating a floating-point zero gives -0.
    /// </summary>
    public static NDArray<T> operator -(NDArray<T> operand)
    {
        ArgumentNullException.ThrowIfNull(operand);
        var result = operand.ToArray();
        TensorPrimitives.Negate<T>(result, result);
        return new NDArray<T>(result, 0, operand.Shape, null);
    }

    private static NDArray<T> Binary<TOp>(NDArray<T> left, NDArray<T> right) where TOp : IBinaryOp<T>
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);

        // Fast path: same shape, both contiguous: one vectorised call over the whole buffers.
        if (left.Shape == right.Shape && left.IsContiguous && right.IsContiguous)
        {
            var data = new T[left.Size];
            TOp.Apply(left.Buffer.AsSpan(left.Offset, left.Size), right.Buffer.AsSpan(right.Offset, right.Size), data);
            return new NDArray<T>(data, 0, left.Shape, null);
        }

        var shape = Broadcasting.BroadcastShapes(left.Shape, right.Shape);
        var result = new T[shape.Size];
        if (result.Length == 0) return new NDArray<T>(result, 0, shape, null);
        if (shape.Rank == 0)
        {
            result[0] = TOp.Apply(left.Buffer[left.Offset], right.Buffer[right.Offset]);
            return new NDArray<T>(result, 0, shape, null);
        }

        var ls = Broadcasting.BroadcastStrides(left.Shape, left.Strides, shape);
        var rs = Broadcasting.BroadcastStrides(right.Shape, right.Strides, shape);
        int rank = shape.Rank;
        int n = shape[rank - 1];
        int lStep = ls[rank - 1], rStep = rs[rank - 1];
        T[] lb = left.Buffer, rb = right.Buffer;

        // Walk the outer axes with an odometer; each step handles one row along the last axis, vectorised when
        // the row is contiguous or broadcast (stride 0) on either side.
        var counter = new int[rank - 1];
        int li = left.Offset, ri = right.Offset;
        for (int start = 0; start < result.Length; start += n)
        {
            var dst = result.AsSpan(start, n);
            if (lStep == 1 && rStep == 1) TOp.Apply(lb.AsSpan(li, n), rb.AsSpan(ri, n), dst);
            else if (lStep == 1 && rStep == 0) TOp.Apply(lb.AsSpan(li, n), rb[ri], dst);
            else if (lStep == 0 && rStep == 1) TOp.Apply(lb[li], rb.AsSpan(ri, n), dst);
            else
                for (int k = 0, l = li, r = ri; k < n; k++, l += lStep, r += rStep)
                    dst[k] = TOp.Apply(lb[l], rb[r]);

            for (int axis = rank - 2; axis >= 0; axis--)
            {
                if (++counter[axis] < shape[axis]) { li += ls[axis]; ri += rs[axis]; break; }
                li -= ls[axis] * (counter[axis] - 1);
                ri -= rs[axis] * (counter[axis] - 1);
                counter[axis] = 0;
            }
        }
        return new NDArray<T>(result, 0, shape, null);
    }

    private static NDArray<T> Binary<TOp>(NDArray<T> left, T right) where TOp : IBinaryOp<T>
    {
        ArgumentNullException.ThrowIfNull(left);
        var destination = new T[left.Size];
        TOp.Apply(left.ContiguousElements(destination), right, destination);
        return new NDArray<T>(destination, 0, left.Shape, null);
    }

    private static NDArray<T> Binary<TOp>(T left, NDArray<T> right) where TOp : IBinaryOp<T>
    {
        ArgumentNullException.ThrowIfNull(right);
        var destination = new T[right.Size];
        TOp.Apply(left, right.ContiguousElements(destination), destination);
        return new NDArray<T>(destination, 0, right.Shape, null);
    }

    /// <summary>
    /// The elements in C order without copying when the array is contiguous; otherwise they are copied into
    /// <paramref name="scratch"/> (which must hold <see cref="NDArray.Size"/> elements) and that is returned.
    /// </summary>
    internal ReadOnlySpan<T> ContiguousElements(T[] scratch)
    {
        if (IsContiguous) return Buffer.AsSpan(Offset, Size);
        CopyTo(scratch);
        return scratch.AsSpan(0, Size);
    }
}
