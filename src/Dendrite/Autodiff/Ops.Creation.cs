namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// A constant tensor holding a float32 copy of <paramref name="array"/> (<c>keras.ops.convert_to_tensor</c>); any
    /// element type converts as NumPy's <c>astype</c> does. No gradient flows to it.
    /// </summary>
    /// <remarks>
    /// Constants own their memory (they never borrow from a training step's workspace), so one made in a layer's
    /// <c>Call</c> stays valid when the step is recorded and replayed. Making it once, in <c>Build</c> or the
    /// constructor, saves a copy per eager call.
    /// </remarks>
    public static Tensor Constant(NDArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var floats = array as NDArray<float> ?? array.AsType<float>();
        return new Tensor(floats.ToArray(), floats.Shape, requiresGrad: false, borrowed: false);
    }

    /// <summary>A constant tensor of <paramref name="shape"/> holding a copy of <paramref name="values"/> (C order).</summary>
    /// <exception cref="ArgumentException">The number of values does not fill the shape.</exception>
    public static Tensor Constant(ReadOnlySpan<float> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var s = new Shape(shape);
        if (values.Length != s.Size) throw new ArgumentException($"Constant needs {s.Size} values for shape {s}, got {values.Length}.");
        return new Tensor(values.ToArray(), s, requiresGrad: false, borrowed: false);
    }

    /// <summary>A constant scalar (shape ()), which broadcasts against any tensor.</summary>
    public static Tensor Constant(float value) => ScalarTensor(value);

    /// <summary>A constant tensor of <paramref name="shape"/> filled with <paramref name="value"/> (<c>keras.ops.full</c>).</summary>
    public static Tensor Full(int[] shape, float value)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var s = new Shape(shape);
        var values = new float[s.Size];
        Array.Fill(values, value);
        return new Tensor(values, s, requiresGrad: false, borrowed: false);
    }

    /// <summary>A constant tensor of zeros (<c>keras.ops.zeros</c>).</summary>
    public static Tensor Zeros(params int[] shape) => Full(shape, 0f);

    /// <summary>A constant tensor of ones (<c>keras.ops.ones</c>).</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);
}
