using System.Runtime.CompilerServices;
using static Dendrite.Kernels.GateMath;

namespace Dendrite.Kernels;

/// <summary>
/// One SimpleRNN step for one sample: h = act(x·W + b + h_prev·U), the sum already formed by the matrix products,
/// and its backward from the output. Float64 references beside the fast kernels.
/// </summary>
internal static class SimpleRnnKernels
{
    /// <summary>h = act(<paramref name="preActivation"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> preActivation, Span<float> h, GateActivation activation)
    {
        int j = 0;
        if (Vectorized)
            for (; j <= h.Length - Width; j += Width) Store(Apply(activation, Load(preActivation, j)), h, j);
        for (; j < h.Length; j++) h[j] = Apply(activation, preActivation[j]);
    }

    /// <summary>dPre = dh·act'(h).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dPre, GateActivation activation)
    {
        int j = 0;
        if (Vectorized)
            for (; j <= h.Length - Width; j += Width) Store(Load(dh, j) * Derivative(activation, Load(h, j)), dPre, j);
        for (; j < h.Length; j++) dPre[j] = dh[j] * Derivative(activation, h[j]);
    }

    /// <summary>The float64 reference of <see cref="Forward"/>.</summary>
    public static void ForwardReference(ReadOnlySpan<float> preActivation, Span<float> h, GateActivation activation)
    {
        for (int j = 0; j < h.Length; j++) h[j] = (float)GateMath.Apply(activation, (double)preActivation[j]);
    }

    /// <summary>The float64 reference of <see cref="Backward"/>.</summary>
    public static void BackwardReference(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dPre, GateActivation activation)
    {
        for (int j = 0; j < h.Length; j++) dPre[j] = (float)(dh[j] * GateMath.Derivative(activation, (double)h[j]));
    }
}
