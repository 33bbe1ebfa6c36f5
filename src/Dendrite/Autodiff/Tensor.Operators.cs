namespace Dendrite.Autodiff;

// C# operators for the element-wise ops, so that a custom layer or loss reads like its formula: (yPred - yTrue) * w.
// Each is the Ops method of the same meaning, with NumPy broadcasting, and is recorded on the tape like it.
public sealed partial class Tensor
{
    /// <summary><see cref="Ops.Add(Tensor, Tensor)"/>.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary><see cref="Ops.Add(Tensor, float)"/>.</summary>
    public static Tensor operator +(Tensor a, float b) => Ops.Add(a, b);

    /// <summary><see cref="Ops.Add(float, Tensor)"/>.</summary>
    public static Tensor operator +(float a, Tensor b) => Ops.Add(a, b);

    /// <summary><see cref="Ops.Subtract(Tensor, Tensor)"/>.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Subtract(a, b);

    /// <summary><see cref="Ops.Subtract(Tensor, float)"/>.</summary>
    public static Tensor operator -(Tensor a, float b) => Ops.Subtract(a, b);

    /// <summary><see cref="Ops.Subtract(float, Tensor)"/>.</summary>
    public static Tensor operator -(float a, Tensor b) => Ops.Subtract(a, b);

    /// <summary><see cref="Ops.Multiply(Tensor, Tensor)"/> (element-wise; the matrix product is <see cref="Ops.MatMul"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Multiply(a, b);

    /// <summary><see cref="Ops.Multiply(Tensor, float)"/>.</summary>
    public static Tensor operator *(Tensor a, float b) => Ops.Multiply(a, b);

    /// <summary><see cref="Ops.Multiply(float, Tensor)"/>.</summary>
    public static Tensor operator *(float a, Tensor b) => Ops.Multiply(a, b);

    /// <summary><see cref="Ops.Divide(Tensor, Tensor)"/>.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Divide(a, b);

    /// <summary><see cref="Ops.Divide(Tensor, float)"/>.</summary>
    public static Tensor operator /(Tensor a, float b) => Ops.Divide(a, b);

    /// <summary><see cref="Ops.Divide(float, Tensor)"/>.</summary>
    public static Tensor operator /(float a, Tensor b) => Ops.Divide(a, b);

    /// <summary><see cref="Ops.Negative"/>.</summary>
    public static Tensor operator -(Tensor x) => Ops.Negative(x);
}
