using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// a + b, element-wise with NumPy broadcasting (<c>keras.ops.add</c>): shapes are aligned at their last axis and a
    /// dimension of 1 (or a missing one) stretches to match. Each operand's gradient is summed over the axes it was
    /// broadcast along.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast, e.g. (3, 4) and (5,).</exception>
    public static Tensor Add(Tensor a, Tensor b) => Binary<AddFunction>(a, b);

    /// <summary>x + s for every element (<c>keras.ops.add</c> with a Python scalar).</summary>
    public static Tensor Add(Tensor x, float s) => Binary<AddFunction>(x, ScalarTensor(s));

    /// <summary>s + x for every element.</summary>
    public static Tensor Add(float s, Tensor x) => Binary<AddFunction>(ScalarTensor(s), x);

    /// <summary>a − b, element-wise with NumPy broadcasting (<c>keras.ops.subtract</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Subtract(Tensor a, Tensor b) => Binary<SubtractFunction>(a, b);

    /// <summary>x − s for every element.</summary>
    public static Tensor Subtract(Tensor x, float s) => Binary<SubtractFunction>(x, ScalarTensor(s));

    /// <summary>s − x for every element.</summary>
    public static Tensor Subtract(float s, Tensor x) => Binary<SubtractFunction>(ScalarTensor(s), x);

    /// <summary>a · b, element-wise with NumPy broadcasting (<c>keras.ops.multiply</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary<MultiplyFunction>(a, b);

    /// <summary>x · s for every element.</summary>
    public static Tensor Multiply(Tensor x, float s) => Binary<MultiplyFunction>(x, ScalarTensor(s));

    /// <summary>s · x for every element.</summary>
    public static Tensor Multiply(float s, Tensor x) => Binary<MultiplyFunction>(ScalarTensor(s), x);

    /// <summary>
    /// a / b, element-wise with NumPy broadcasting (<c>keras.ops.divide</c>, true division). Division by zero gives
    /// ±∞ or NaN as in IEEE arithmetic, as NumPy does (with a warning there, silently here).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Divide(Tensor a, Tensor b) => Binary<DivideFunction>(a, b);

    /// <summary>x / s for every element.</summary>
    public static Tensor Divide(Tensor x, float s) => Binary<DivideFunction>(x, ScalarTensor(s));

    /// <summary>s / x for every element.</summary>
    public static Tensor Divide(float s, Tensor x) => Binary<DivideFunction>(ScalarTensor(s), x);

    /// <summary>
    /// The larger of a and b, element-wise with NumPy broadcasting (<c>keras.ops.maximum</c>); NaN wins, as in NumPy.
    /// Where a == b the whole gradient goes to <paramref name="a"/>, as in TensorFlow (JAX would split it in halves).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary<MaximumFunction>(a, b);

    /// <summary>max(x, s) for every element; where x == s the gradient goes to x.</summary>
    public static Tensor Maximum(Tensor x, float s) => Binary<MaximumFunction>(x, ScalarTensor(s));

    /// <summary>max(s, x) for every element; where x == s the gradient goes to the constant (x gets none).</summary>
    public static Tensor Maximum(float s, Tensor x) => Binary<MaximumFunction>(ScalarTensor(s), x);

    /// <summary>
    /// The smaller of a and b, element-wise with NumPy broadcasting (<c>keras.ops.minimum</c>); NaN wins.
    /// Where a == b the whole gradient goes to <paramref name="a"/>, as in TensorFlow.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary<MinimumFunction>(a, b);

    /// <summary>min(x, s) for every element; where x == s the gradient goes to x.</summary>
    public static Tensor Minimum(Tensor x, float s) => Binary<MinimumFunction>(x, ScalarTensor(s));

    /// <summary>min(s, x) for every element; where x == s the gradient goes to the constant (x gets none).</summary>
    public static Tensor Minimum(float s, Tensor x) => Binary<MinimumFunction>(ScalarTensor(s), x);

    private readonly struct AddFunction : IBinaryFunction
    {
        public static string Name => "Add";
        public static float Apply(float a, float b) => a + b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Add(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Add(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Add(b, a, c);
        public static float GradA(float dc, float a, float b) => dc;
        public static float GradB(float dc, float a, float b) => dc;

        public static bool TryGradRun(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite)
        {
            PassGradient(dc, dx, negate: false, overwrite);
            return true;
        }
    }

    private readonly struct SubtractFunction : IBinaryFunction
    {
        public static string Name => "Subtract";
        public static float Apply(float a, float b) => a - b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
        public static float GradA(float dc, float a, float b) => dc;
        public static float GradB(float dc, float a, float b) => -dc;

        public static bool TryGradRun(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite)
        {
            PassGradient(dc, dx, negate: !ofA, overwrite);
            return true;
        }
    }

    private readonly struct MultiplyFunction : IBinaryFunction
    {
        public static string Name => "Multiply";
        public static float Apply(float a, float b) => a * b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Multiply(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Multiply(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Multiply(b, a, c);
        public static float GradA(float dc, float a, float b) => dc * b;
        public static float GradB(float dc, float a, float b) => dc * a;

        public static bool TryGradRun(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite)
        {
            ScaleGradient(dc, ofA ? b : a, dx, overwrite);
            return true;
        }
    }

    private readonly struct DivideFunction : IBinaryFunction
    {
        public static string Name => "Divide";
        public static float Apply(float a, float b) => a / b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
        public static float GradA(float dc, float a, float b) => dc / b;
        public static float GradB(float dc, float a, float b) => -dc * a / (b * b);

        public static bool TryGradRun(bool ofA, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx, bool overwrite)
        {
            if (!ofA || !overwrite) return false;
            if (b.Length == 1) TensorPrimitives.Divide(dc, b[0], dx); else TensorPrimitives.Divide(dc, b, dx);
            return true;
        }
    }

    private readonly struct MaximumFunction : IBinaryFunction
    {
        public static string Name => "Maximum";
        public static float Apply(float a, float b) => MathF.Max(a, b);
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Max(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Max(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Max(b, a, c);
        public static float GradA(float dc, float a, float b) => a >= b ? dc : 0f;
        public static float GradB(float dc, float a, float b) => a >= b ? 0f : dc;
    }

    private readonly struct MinimumFunction : IBinaryFunction
    {
        public static string Name => "Minimum";
        public static float Apply(float a, float b) => MathF.Min(a, b);
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Min(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Min(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Min(b, a, c);
        public static float GradA(float dc, float a, float b) => a <= b ? dc : 0f;
        public static float GradB(float dc, float a, float b) => a <= b ? 0f : dc;
    }
}
