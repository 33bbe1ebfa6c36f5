namespace Dendrite;

// In-place arithmetic, NumPy's augmented assignment: `x /= 255f` divides the elements where they are, in x's own
// buffer (and so in every view that shares it), without allocating a second array. C# 14's user-defined compound
// assignment operators make `/=` mean exactly that, as in NumPy, instead of `x = x / 255f`.
public sealed partial class NDArray<T>
{
    /// <summary>Adds <paramref name="right"/> to every element, in place.</summary>
    public void operator +=(T right) => InPlace<AddOp<T>>(right);

    /// <summary>Subtracts <paramref name="right"/> from every element, in place.</summary>
    public void operator -=(T right) => InPlace<SubtractOp<T>>(right);

    /// <summary>Multiplies every element by <paramref name="right"/>, in place.</summary>
    public void operator *=(T right) => InPlace<MultiplyOp<T>>(right);

    /// <summary>
    /// Divides every element by <paramref name="right"/>, in place: <c>x /= 255f</c> scales pixels without a second
    /// array. Same rules as <c>/</c> (floor division for integers; integer division by zero throws).
    /// </summary>
    public void operator /=(T right) => InPlace<DivideOp<T>>(right);

    /// <summary>Adds <paramref name="right"/>, broadcast to this array's shape, in place.</summary>
    /// <exception cref="ArgumentException">The right operand does not broadcast to this array's shape.</exception>
    public void operator +=(NDArray<T> right) => InPlace<AddOp<T>>(right);

    /// <summary>Subtracts <paramref name="right"/>, broadcast to this array's shape, in place.</summary>
    public void operator -=(NDArray<T> right) => InPlace<SubtractOp<T>>(right);

    /// <summary>Multiplies by <paramref name="right"/>, broadcast to this array's shape, in place.</summary>
    public void operator *=(NDArray<T> right) => InPlace<MultiplyOp<T>>(right);

    /// <summary>Divides by <paramref name="right"/>, broadcast to this array's shape, in place.</summary>
    public void operator /=(NDArray<T> right) => InPlace<DivideOp<T>>(right);

    private void InPlace<TOp>(T right) where TOp : IBinaryOp<T>
    {
        if (IsContiguous)
        {
            var span = Buffer.AsSpan(Offset, Size);
            TOp.Apply(span, right, span);
            return;
        }
        foreach (int index in BufferIndices()) Buffer[index] = TOp.Apply(Buffer[index], right);
    }

    private void InPlace<TOp>(NDArray<T> right) where TOp : IBinaryOp<T>
    {
        ArgumentNullException.ThrowIfNull(right);
        // NumPy: the result must keep this array's shape, so the right operand may broadcast but not this one.
        if (Broadcasting.BroadcastShapes(Shape, right.Shape) != Shape)
            throw new ArgumentException($"non-broadcastable output operand with shape {Broadcasting.NumPyShape(Shape)} doesn't match the broadcast shape {Broadcasting.NumPyShape(Broadcasting.BroadcastShapes(Shape, right.Shape))}.");
        var result = Binary<TOp>(this, right); // computed first, so `x += x[::-1]`-style overlaps read the old values
        if (IsContiguous) result.Buffer.AsSpan(0, Size).CopyTo(Buffer.AsSpan(Offset, Size));
        else
        {
            int i = 0;
            foreach (int index in BufferIndices()) Buffer[index] = result.Buffer[i++];
        }
    }
}
