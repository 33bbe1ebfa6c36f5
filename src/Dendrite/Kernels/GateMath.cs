using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

/// <summary>
/// The activations a recurrent cell can apply to its gates and candidates. Each has a derivative that is a function
/// of its output, so the backward pass needs only the stored activations, never the pre-activations.
/// </summary>
internal enum GateActivation
{
    Tanh,
    Sigmoid,
    Relu,
    Linear,
}

/// <summary>
/// Elementwise math of the recurrent cells on <see cref="Vector256{T}"/> lanes and on scalars: sigmoid, tanh (as
/// Cephes' <c>tanhf</c>: an odd polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above), ReLU and the identity, and
/// their derivatives written in terms of the output.
/// </summary>
internal static partial class GateMath
{
    /// <summary>
    /// The widest vectors the kernels may use: 16 (16-lane vectors where AVX-512 is accelerated, then 8-lane ones for
    /// what is left), 8, or 1 (scalar loops only). Tests lower it to check every path against the references.
    /// </summary>
    internal static int MaxLanes { get; set; } = 16;

    /// <summary>Whether the kernels take the 8-lane path (else they run their scalar loop on every element).</summary>
    public static bool Vectorized => MaxLanes >= 8 && Vector256.IsHardwareAccelerated;

    /// <summary>Whether the kernels that have one take a 16-lane path first.</summary>
    public static bool Vectorized512 => MaxLanes >= 16 && Simd.ActivePath == SimdPath.Avx512;

    /// <summary>Lanes per vector.</summary>
    public const int Width = 8;

    /// <summary>
    /// e^x in eight lanes, as Cephes' <c>expf</c>: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two for an exact
    /// product), e^r by a degree-6 polynomial, 2^n put straight into the exponent bits (relative error about 2e-7).
    /// Inputs are clamped to [−88, 89]: below about −87.7 the result flushes to 0, above about 88.4 it is +∞ (as a
    /// sigmoid or tanh built on it wants); NaN stays NaN.
    /// </summary>
    /// <remarks>
    /// Written out here rather than calling <c>Vector256.Exp</c>, which measured several times slower in the gate
    /// kernels (its float version goes through double precision).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var clamped = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-88f)), Vector256.Create(89f));
        // n = round(x / ln 2) by the float adder itself: adding 1.5·2²³ leaves the integer in the low mantissa bits.
        var shifted = Vector256.MultiplyAddEstimate(clamped, Vector256.Create(1.44269504088896341f), Vector256.Create(RoundingShift));
        var n = shifted - Vector256.Create(RoundingShift);
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-0.693359375f), clamped);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(5.0000001201e-1f));
        var y = Vector256.MultiplyAddEstimate(p * r, r, r) + Vector256<float>.One;
        // 2^n: n + 127 into the exponent field (n is read from the shifted sum's low bits).
        var scale = (shifted.AsInt32() - Vector256.Create(RoundingShiftBits - 127)) << 23;
        var result = y * scale.AsSingle();
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x); // NaN in, NaN out
    }

    /// <summary>1.5·2²³: a float this large has no fraction bits, so adding it rounds to an integer.</summary>
    private const float RoundingShift = 12582912f;

    /// <summary>The bits of <see cref="RoundingShift"/> (0x4B400000): subtracted from a shifted sum's bits, they leave its integer.</summary>
    private const int RoundingShiftBits = 0x4B400000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        // |x| ≥ 0.625: 1 − 2/(e^{2|x|} + 1), which saturates to 1 when the exponential overflows; the sign comes back below.
        var large = Vector256<float>.One - Vector256.Create(2f) / (Exp(ax + ax) + Vector256<float>.One);
        large = Vector256.ConditionalSelect(Vector256.Create(-0f), x, large); // copysign(large, x)
        // |x| < 0.625: x + x·z·P(z), z = x², where the exponential form would cancel.
        var z = x * x;
        var p = Vector256.Create(-5.70498872745e-3f) * z + Vector256.Create(2.06390887954e-2f);
        p = p * z - Vector256.Create(5.37397155531e-2f);
        p = p * z + Vector256.Create(1.33314422036e-1f);
        p = p * z - Vector256.Create(3.33332819422e-1f);
        var small = x + x * z * p;
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.625f)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(GateActivation kind, Vector256<float> x) => kind switch
    {
        GateActivation.Sigmoid => Sigmoid(x),
        GateActivation.Tanh => Tanh(x),
        GateActivation.Relu => Vector256.Max(x, Vector256<float>.Zero),
        _ => x,
    };

    /// <summary>The derivative at the point whose output is <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(GateActivation kind, Vector256<float> y) => kind switch
    {
        GateActivation.Sigmoid => y * (Vector256<float>.One - y),
        GateActivation.Tanh => Vector256<float>.One - y * y,
        GateActivation.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero),
        _ => Vector256<float>.One,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(GateActivation kind, float x) => kind switch
    {
        GateActivation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        GateActivation.Tanh => MathF.Tanh(x),
        GateActivation.Relu => MathF.Max(x, 0f),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(GateActivation kind, float y) => kind switch
    {
        GateActivation.Sigmoid => y * (1f - y),
        GateActivation.Tanh => 1f - y * y,
        GateActivation.Relu => y > 0f ? 1f : 0f,
        _ => 1f,
    };

    /// <summary>The float64 reference of <see cref="Apply(GateActivation, float)"/>.</summary>
    public static double Apply(GateActivation kind, double x) => kind switch
    {
        GateActivation.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
        GateActivation.Tanh => Math.Tanh(x),
        GateActivation.Relu => Math.Max(x, 0.0),
        _ => x,
    };

    /// <summary>The float64 reference of <see cref="Derivative(GateActivation, float)"/>.</summary>
    public static double Derivative(GateActivation kind, double y) => kind switch
    {
        GateActivation.Sigmoid => y * (1.0 - y),
        GateActivation.Tanh => 1.0 - y * y,
        GateActivation.Relu => y > 0.0 ? 1.0 : 0.0,
        _ => 1.0,
    };

    /// <summary>Eight lanes from <paramref name="index"/>; the caller guarantees index + 8 ≤ length (no bounds check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ReadOnlySpan<float> span, int index) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);

    /// <summary>Stores eight lanes at <paramref name="index"/>; the caller guarantees index + 8 ≤ length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, Span<float> span, int index) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
}
