using System.Numerics.Tensors;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>−x, element-wise (<c>keras.ops.negative</c>).</summary>
    public static Tensor Negative(Tensor x) => Unary(x, new NegativeFunction());

    /// <summary>eˣ, element-wise (<c>keras.ops.exp</c>).</summary>
    public static Tensor Exp(Tensor x) => Unary(x, new ExpFunction());

    /// <summary>
    /// The natural logarithm, element-wise (<c>keras.ops.log</c>): −∞ at 0 and NaN below, as in NumPy. Its gradient
    /// is 1/x.
    /// </summary>
    public static Tensor Log(Tensor x) => Unary(x, new LogFunction());

    /// <summary>√x, element-wise (<c>keras.ops.sqrt</c>); NaN below 0. Its gradient 1/(2√x) is +∞ at 0, as in TensorFlow.</summary>
    public static Tensor Sqrt(Tensor x) => Unary(x, new SqrtFunction());

    /// <summary>x², element-wise (<c>keras.ops.square</c>).</summary>
    public static Tensor Square(Tensor x) => Unary(x, new SquareFunction());

    /// <summary>|x|, element-wise (<c>keras.ops.abs</c>). The gradient is sign(x), 0 at 0 as in TensorFlow.</summary>
    public static Tensor Abs(Tensor x) => Unary(x, new AbsFunction());

    /// <summary>
    /// xᵖ, element-wise (<c>keras.ops.power</c> with a scalar exponent), with <see cref="MathF.Pow"/>'s rules (NaN for
    /// a negative base and a fractional exponent). The gradient is p·xᵖ⁻¹, and 0 for p = 0.
    /// </summary>
    public static Tensor Power(Tensor x, float exponent) => Unary(x, new PowerFunction(exponent));

    /// <summary>
    /// Limits every element to [<paramref name="min"/>, <paramref name="max"/>] (<c>keras.ops.clip</c>). The gradient
    /// passes where min ≤ x ≤ max (bounds included, as TensorFlow's <c>clip_by_value</c>) and is 0 outside.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="min"/> is greater than <paramref name="max"/> or either is NaN.</exception>
    public static Tensor Clip(Tensor x, float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException(FormattableString.Invariant($"Clip needs min <= max, got min={min} and max={max} for a tensor of shape {x.Shape}."));
        return Unary(x, new ClipFunction(min, max));
    }

    /// <summary>
    /// An element-wise function of one operand. A struct, so that <see cref="UnaryOp{TFunction}"/> is compiled once
    /// per function with the derivative inlined, and can carry parameters (an exponent, clip bounds).
    /// </summary>
    private interface IUnaryFunction
    {
        /// <summary>y = f(x) over whole spans.</summary>
        void Apply(ReadOnlySpan<float> x, Span<float> y);

        /// <summary>f′ at one element, given its input and output.</summary>
        float Derivative(float x, float y);
    }

    private static Tensor Unary<TFunction>(Tensor x, TFunction function) where TFunction : struct, IUnaryFunction
    {
        ArgumentNullException.ThrowIfNull(x);
        return Run(new UnaryOp<TFunction>(x, function), x.Shape, x.RequiresGrad);
    }

    private sealed class UnaryOp<TFunction>(Tensor x, TFunction function) : Op where TFunction : struct, IUnaryFunction
    {
        public override void Forward() => function.Apply(x.Values, Output.Values);

        public override void Backward(int generation)
        {
            var dy = Output.Grad; var xs = x.Values; var y = Output.Values;
            var dx = x.GradForWrite(generation, out bool fresh);
            for (int i = 0; i < dx.Length; i++)
            {
                float g = dy[i] * function.Derivative(xs[i], y[i]);
                dx[i] = fresh ? g : dx[i] + g;
            }
        }
    }

    private readonly struct NegativeFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);
        public float Derivative(float x, float y) => -1f;
    }

    private readonly struct ExpFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Exp(x, y);
        public float Derivative(float x, float y) => y;
    }

    private readonly struct LogFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Log(x, y);
        public float Derivative(float x, float y) => 1f / x;
    }

    private readonly struct SqrtFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sqrt(x, y);
        public float Derivative(float x, float y) => 0.5f / y;
    }

    private readonly struct SquareFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Multiply(x, x, y);
        public float Derivative(float x, float y) => 2f * x;
    }

    private readonly struct AbsFunction : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Abs(x, y);
        public float Derivative(float x, float y) => x > 0f ? 1f : x < 0f ? -1f : 0f;
    }

    private readonly struct PowerFunction(float exponent) : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Pow(x, exponent, y);

        // p = 0 is a constant: without the special case 0·x⁻¹ would be NaN at x = 0.
        public float Derivative(float x, float y) => exponent == 0f ? 0f : exponent * MathF.Pow(x, exponent - 1f);
    }

    private readonly struct ClipFunction(float min, float max) : IUnaryFunction
    {
        public void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            TensorPrimitives.Max(x, min, y);
            TensorPrimitives.Min(y, max, y);
        }

        public float Derivative(float x, float y) => x >= min && x <= max ? 1f : 0f;
    }
}
