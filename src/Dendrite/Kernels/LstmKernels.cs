using System.Runtime.CompilerServices;
using static Dendrite.Kernels.GateMath;

namespace Dendrite.Kernels;

/// <summary>
/// One LSTM step for one sample, fused: the four gate pre-activations (input, forget, candidate, output — Keras'
/// order i, f, c, o, each <c>units</c> wide) go through their activations, the cell state and the output are updated,
/// all in one pass over the units. The backward kernel walks the same pass in reverse from the stored activations.
/// Each fast kernel has a float64 reference beside it, which the tests compare it with.
/// </summary>
internal static class LstmKernels
{
    /// <summary>
    /// i = rec(z_i), f = rec(z_f), g = act(z_g), o = rec(z_o); c = f·c_prev + i·g; h = o·act(c).
    /// <paramref name="gates"/> holds the pre-activations (4·units) on entry and the activations [i, f, g, o] on exit;
    /// <paramref name="activatedCell"/> receives act(c), which the backward pass reuses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> activatedCell, Span<float> h,
        GateActivation activation, GateActivation recurrentActivation)
    {
        int units = h.Length;
        var gi = gates[..units]; var gf = gates.Slice(units, units); var gg = gates.Slice(2 * units, units); var go = gates.Slice(3 * units, units);
        int j = 0;
        if (Vectorized512)
            for (; j <= units - Width512; j += Width512)
            {
                var i = Apply(recurrentActivation, Load512(gi, j));
                var f = Apply(recurrentActivation, Load512(gf, j));
                var g = Apply(activation, Load512(gg, j));
                var o = Apply(recurrentActivation, Load512(go, j));
                var cj = f * Load512(cPrev, j) + i * g;
                var tc = Apply(activation, cj);
                Store(i, gi, j); Store(f, gf, j); Store(g, gg, j); Store(o, go, j);
                Store(cj, c, j); Store(tc, activatedCell, j); Store(o * tc, h, j);
            }
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var i = Apply(recurrentActivation, Load(gi, j));
                var f = Apply(recurrentActivation, Load(gf, j));
                var g = Apply(activation, Load(gg, j));
                var o = Apply(recurrentActivation, Load(go, j));
                var cj = f * Load(cPrev, j) + i * g;
                var tc = Apply(activation, cj);
                Store(i, gi, j); Store(f, gf, j); Store(g, gg, j); Store(o, go, j);
                Store(cj, c, j); Store(tc, activatedCell, j); Store(o * tc, h, j);
            }
        for (; j < units; j++)
        {
            float i = Apply(recurrentActivation, gi[j]), f = Apply(recurrentActivation, gf[j]);
            float g = Apply(activation, gg[j]), o = Apply(recurrentActivation, go[j]);
            float cj = f * cPrev[j] + i * g, tc = Apply(activation, cj);
            gi[j] = i; gf[j] = f; gg[j] = g; go[j] = o;
            c[j] = cj; activatedCell[j] = tc; h[j] = o * tc;
        }
    }

    /// <summary>
    /// The step's backward: from the gradient <paramref name="dh"/> of h and the gradient of c flowing back from the
    /// next step (<paramref name="dc"/> on entry), writes the gate pre-activation gradients to <paramref name="dGates"/>
    /// and the gradient of c_prev to <paramref name="dc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> activatedCell, ReadOnlySpan<float> dh,
        Span<float> dc, Span<float> dGates, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        var gi = gates[..units]; var gf = gates.Slice(units, units); var gg = gates.Slice(2 * units, units); var go = gates.Slice(3 * units, units);
        var di = dGates[..units]; var df = dGates.Slice(units, units); var dg = dGates.Slice(2 * units, units); var dO = dGates.Slice(3 * units, units);
        int j = 0;
        if (Vectorized512)
            for (; j <= units - Width512; j += Width512)
            {
                var i = Load512(gi, j); var f = Load512(gf, j); var g = Load512(gg, j); var o = Load512(go, j);
                var tc = Load512(activatedCell, j); var dhj = Load512(dh, j);
                var dcj = Load512(dc, j) + dhj * o * Derivative(activation, tc);
                Store(dcj * g * Derivative(recurrentActivation, i), di, j);
                Store(dcj * Load512(cPrev, j) * Derivative(recurrentActivation, f), df, j);
                Store(dcj * i * Derivative(activation, g), dg, j);
                Store(dhj * tc * Derivative(recurrentActivation, o), dO, j);
                Store(dcj * f, dc, j);
            }
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var i = Load(gi, j); var f = Load(gf, j); var g = Load(gg, j); var o = Load(go, j);
                var tc = Load(activatedCell, j); var dhj = Load(dh, j);
                var dcj = Load(dc, j) + dhj * o * Derivative(activation, tc);
                Store(dcj * g * Derivative(recurrentActivation, i), di, j);
                Store(dcj * Load(cPrev, j) * Derivative(recurrentActivation, f), df, j);
                Store(dcj * i * Derivative(activation, g), dg, j);
                Store(dhj * tc * Derivative(recurrentActivation, o), dO, j);
                Store(dcj * f, dc, j);
            }
        for (; j < units; j++)
        {
            float i = gi[j], f = gf[j], g = gg[j], o = go[j], tc = activatedCell[j];
            float dcj = dc[j] + dh[j] * o * Derivative(activation, tc);
            di[j] = dcj * g * Derivative(recurrentActivation, i);
            df[j] = dcj * cPrev[j] * Derivative(recurrentActivation, f);
            dg[j] = dcj * i * Derivative(activation, g);
            dO[j] = dh[j] * tc * Derivative(recurrentActivation, o);
            dc[j] = dcj * f;
        }
    }

    /// <summary>The float64 reference of <see cref="Forward"/>.</summary>
    public static void ForwardReference(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> activatedCell, Span<float> h,
        GateActivation activation, GateActivation recurrentActivation)
    {
        int units = h.Length;
        for (int j = 0; j < units; j++)
        {
            double i = GateMath.Apply(recurrentActivation, (double)gates[j]);
            double f = GateMath.Apply(recurrentActivation, (double)gates[units + j]);
            double g = GateMath.Apply(activation, (double)gates[2 * units + j]);
            double o = GateMath.Apply(recurrentActivation, (double)gates[3 * units + j]);
            double cj = f * cPrev[j] + i * g, tc = GateMath.Apply(activation, cj);
            gates[j] = (float)i; gates[units + j] = (float)f; gates[2 * units + j] = (float)g; gates[3 * units + j] = (float)o;
            c[j] = (float)cj; activatedCell[j] = (float)tc; h[j] = (float)(o * tc);
        }
    }

    /// <summary>The float64 reference of <see cref="Backward"/>.</summary>
    public static void BackwardReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> activatedCell, ReadOnlySpan<float> dh,
        Span<float> dc, Span<float> dGates, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        for (int j = 0; j < units; j++)
        {
            double i = gates[j], f = gates[units + j], g = gates[2 * units + j], o = gates[3 * units + j], tc = activatedCell[j];
            double dcj = dc[j] + (double)dh[j] * o * GateMath.Derivative(activation, tc);
            dGates[j] = (float)(dcj * g * GateMath.Derivative(recurrentActivation, i));
            dGates[units + j] = (float)(dcj * cPrev[j] * GateMath.Derivative(recurrentActivation, f));
            dGates[2 * units + j] = (float)(dcj * i * GateMath.Derivative(activation, g));
            dGates[3 * units + j] = (float)(dh[j] * tc * GateMath.Derivative(recurrentActivation, o));
            dc[j] = (float)(dcj * f);
        }
    }
}
