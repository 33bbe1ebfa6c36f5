using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Dendrite;

/// <summary>
/// One element-wise binary operation, in the four forms the broadcasting kernel needs. Implemented by structs and
/// called through static abstract members, so the JIT specialises every loop per operation and element type:
/// no delegates, no virtual calls per element.
/// </summary>
internal interface IBinaryOp<T> where T : unmanaged, INumber<T>
{
    /// <summary>The NumPy name of the operation, for messages.</summary>
    static abstract string Name { get; }

    /// <summary>One pair of elements.</summary>
    static abstract T Apply(T x, T y);

    /// <summary>Two equally long spans; <paramref name="destination"/> may be one of the inputs.</summary>
    static abstract void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);

    /// <summary>A span and a scalar on the right.</summary>
    static abstract void Apply(ReadOnlySpan<T> x, T y, Span<T> destination);

    /// <summary>A scalar on the left and a span.</summary>
    static abstract void Apply(T x, ReadOnlySpan<T> y, Span<T> destination);
}

/// <summary>Element-wise addition (integers wrap around, as NumPy's fixed-width integers do).</summary>
internal readonly struct AddOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static string Name => "add";
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T y) => x + y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Add(x, y, destination);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Add(x, y, destination);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Add(y, x, destination);
}

/// <summary>Element-wise subtraction (integers wrap around).</summary>
internal readonly struct SubtractOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static string Name => "subtract";
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T y) => x - y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
}

/// <summary>Element-wise multiplication (integers wrap around).</summary>
internal readonly struct MultiplyOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static string Name => "multiply";
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T y) => x * y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Multiply(x, y, destination);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Multiply(x, y, destination);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Multiply(y, x, destination);
}

/// <summary>
/// Element-wise division. Floating point follows IEEE 754 (x/0 is ±inf or nan), exactly as NumPy.
/// Integers use NumPy's floor division (<c>//</c>, rounding toward negative infinity, <c>MinValue // -1</c> wraps to
/// <c>MinValue</c>) and throw <see cref="DivideByZeroException"/> on a zero divisor.
/// </summary>
internal readonly struct DivideOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static string Name => "divide";

    private static bool IsFloat => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    private static bool IsSigned => typeof(T) != typeof(byte);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T y)
    {
        if (IsFloat) return x / y;
        if (y == T.Zero) ThrowDivideByZero();
        return FloorDivide(x, y);
    }

    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
    {
        if (IsFloat) { TensorPrimitives.Divide(x, y, destination); return; }
        if (y.Contains(T.Zero)) ThrowDivideByZero();
        for (int i = 0; i < destination.Length; i++) destination[i] = FloorDivide(x[i], y[i]);
    }

    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> destination)
    {
        if (IsFloat) { TensorPrimitives.Divide(x, y, destination); return; }
        if (y == T.Zero) ThrowDivideByZero();
        for (int i = 0; i < destination.Length; i++) destination[i] = FloorDivide(x[i], y);
    }

    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> destination)
    {
        if (IsFloat) { TensorPrimitives.Divide(x, y, destination); return; }
        if (y.Contains(T.Zero)) ThrowDivideByZero();
        for (int i = 0; i < destination.Length; i++) destination[i] = FloorDivide(x, y[i]);
    }

    /// <summary>Python's <c>x // y</c> for a non-zero integer <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T FloorDivide(T x, T y)
    {
        if (!IsSigned) return x / y;
        // x / -1 overflows for MinValue in .NET; NumPy wraps it to MinValue, which is what 0 - x gives unchecked.
        if (y == T.Zero - T.One) return T.Zero - x;
        T q = x / y;
        if (q * y != x && (x < T.Zero) != (y < T.Zero)) q -= T.One;
        return q;
    }

    private static void ThrowDivideByZero() =>
        throw new DivideByZeroException(
            $"integer division by zero in an {DTypes.NameOf<T>()} array division " +
            "(NumPy would return 0 with a RuntimeWarning; Dendrite throws instead).");
}
