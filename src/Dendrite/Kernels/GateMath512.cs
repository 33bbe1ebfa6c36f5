using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

// The 16-lane (AVX-512) forms of the gate math, for the default cells' kernels (LSTM, and GRU with reset_after): the
// same formulas as the 8-lane ones, on twice the lanes.

internal static partial class GateMath
{
    /// <summary>Lanes per 16-lane vector.</summary>
    public const int Width512 = 16;

    /// <summary>e^x on 16 lanes; see <see cref="Exp(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var clamped = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-88f)), Vector512.Create(89f));
        var shifted = Vector512.MultiplyAddEstimate(clamped, Vector512.Create(1.44269504088896341f), Vector512.Create(RoundingShift));
        var n = shifted - Vector512.Create(RoundingShift);
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-0.693359375f), clamped);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(5.0000001201e-1f));
        var y = Vector512.MultiplyAddEstimate(p * r, r, r) + Vector512<float>.One;
        var scale = (shifted.AsInt32() - Vector512.Create(RoundingShiftBits - 127)) << 23;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y * scale.AsSingle(), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    /// <summary>tanh on 16 lanes; see <see cref="Tanh(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var large = Vector512<float>.One - Vector512.Create(2f) / (Exp(ax + ax) + Vector512<float>.One);
        large = Vector512.ConditionalSelect(Vector512.Create(-0f), x, large);
        var z = x * x;
        var p = Vector512.Create(-5.70498872745e-3f) * z + Vector512.Create(2.06390887954e-2f);
        p = p * z - Vector512.Create(5.37397155531e-2f);
        p = p * z + Vector512.Create(1.33314422036e-1f);
        p = p * z - Vector512.Create(3.33332819422e-1f);
        var small = x + x * z * p;
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(0.625f)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(GateActivation kind, Vector512<float> x) => kind switch
    {
        GateActivation.Sigmoid => Sigmoid(x),
        GateActivation.Tanh => Tanh(x),
        GateActivation.Relu => Vector512.Max(x, Vector512<float>.Zero),
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Derivative(GateActivation kind, Vector512<float> y) => kind switch
    {
        GateActivation.Sigmoid => y * (Vector512<float>.One - y),
        GateActivation.Tanh => Vector512<float>.One - y * y,
        GateActivation.Relu => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero),
        _ => Vector512<float>.One,
    };

    /// <summary>Sixteen lanes from <paramref name="index"/>; the caller guarantees index + 16 ≤ length (no bounds check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ReadOnlySpan<float> span, int index) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);

    /// <summary>Stores sixteen lanes at <paramref name="index"/>; the caller guarantees index + 16 ≤ length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, Span<float> span, int index) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
}
