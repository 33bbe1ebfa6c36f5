using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Dendrite.Kernels.GateMath;

namespace Dendrite.Kernels;

/// <summary>
/// One GRU step for one sample, fused, in Keras' gate order z (update), r (reset), h (candidate), each
/// <c>units</c> wide. With <c>reset_after</c> (Keras 3's default) the reset gate scales the recurrent product of the
/// candidate: hh = act(x_h + r·(h_prev·U_h + b_h)), so one product h_prev·U serves all three gates and the step is one
/// kernel. Without it, r scales h_prev before its product with U_h: the step is two kernels around that product.
/// Then h = z·h_prev + (1 − z)·hh. Float64 references beside the fast kernels.
/// </summary>
internal static class GruKernels
{
    /// <summary>
    /// The reset-after step. <paramref name="gates"/> holds x·W + input bias on entry and [z, r, hh] on exit;
    /// <paramref name="recurrent"/> is h_prev·U (3·units) and <paramref name="recurrentBias"/> its bias (or empty);
    /// <paramref name="recurrentCandidate"/> receives h_prev·U_h + b_h, which the backward pass needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardResetAfter(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> hPrev,
        Span<float> recurrentCandidate, Span<float> h, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = h.Length;
        bool bias = !recurrentBias.IsEmpty;
        var gz = gates[..units]; var gr = gates.Slice(units, units); var gh = gates.Slice(2 * units, units);
        var rz = recurrent[..units]; var rr = recurrent.Slice(units, units); var rh = recurrent.Slice(2 * units, units);
        ReadOnlySpan<float> bz = bias ? recurrentBias[..units] : default, br = bias ? recurrentBias.Slice(units, units) : default, bh = bias ? recurrentBias.Slice(2 * units, units) : default;
        int j = 0;
        if (Vectorized512)
            for (; j <= units - Width512; j += Width512)
            {
                var sz = Load512(gz, j) + Load512(rz, j); var sr = Load512(gr, j) + Load512(rr, j); var rc = Load512(rh, j);
                if (bias) { sz += Load512(bz, j); sr += Load512(br, j); rc += Load512(bh, j); }
                var z = Apply(recurrentActivation, sz);
                var r = Apply(recurrentActivation, sr);
                var hh = Apply(activation, Load512(gh, j) + r * rc);
                var hp = Load512(hPrev, j);
                Store(z, gz, j); Store(r, gr, j); Store(hh, gh, j); Store(rc, recurrentCandidate, j);
                Store(z * hp + (Vector512<float>.One - z) * hh, h, j);
            }
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var sz = Load(gz, j) + Load(rz, j); var sr = Load(gr, j) + Load(rr, j); var rc = Load(rh, j);
                if (bias) { sz += Load(bz, j); sr += Load(br, j); rc += Load(bh, j); }
                var z = Apply(recurrentActivation, sz);
                var r = Apply(recurrentActivation, sr);
                var hh = Apply(activation, Load(gh, j) + r * rc);
                var hp = Load(hPrev, j);
                Store(z, gz, j); Store(r, gr, j); Store(hh, gh, j); Store(rc, recurrentCandidate, j);
                Store(z * hp + (Vector256<float>.One - z) * hh, h, j);
            }
        for (; j < units; j++)
        {
            float sz = gz[j] + rz[j], sr = gr[j] + rr[j], rc = rh[j];
            if (bias) { sz += bz[j]; sr += br[j]; rc += bh[j]; }
            float z = Apply(recurrentActivation, sz), r = Apply(recurrentActivation, sr);
            float hh = Apply(activation, gh[j] + r * rc);
            gz[j] = z; gr[j] = r; gh[j] = hh; recurrentCandidate[j] = rc;
            h[j] = z * hPrev[j] + (1f - z) * hh;
        }
    }

    /// <summary>
    /// The reset-after step's backward. From <paramref name="dh"/>, writes the gradients of the input side's
    /// pre-activations (<paramref name="dInput"/>: z, r, x_h) and of the recurrent side's (<paramref name="dRecurrent"/>:
    /// z, r, h_prev·U_h + b_h); <paramref name="dh"/> is left holding the direct part of the gradient of h_prev (dh·z).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardResetAfter(ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentCandidate, ReadOnlySpan<float> hPrev, Span<float> dh,
        Span<float> dInput, Span<float> dRecurrent, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        var gz = gates[..units]; var gr = gates.Slice(units, units); var gh = gates.Slice(2 * units, units);
        int j = 0;
        if (Vectorized512)
            for (; j <= units - Width512; j += Width512)
            {
                var z = Load512(gz, j); var r = Load512(gr, j); var hh = Load512(gh, j); var d = Load512(dh, j);
                var dz = d * (Load512(hPrev, j) - hh) * Derivative(recurrentActivation, z);
                var dhh = d * (Vector512<float>.One - z) * Derivative(activation, hh);
                var dr = dhh * Load512(recurrentCandidate, j) * Derivative(recurrentActivation, r);
                Store(dz, dInput, j); Store(dr, dInput, units + j); Store(dhh, dInput, 2 * units + j);
                Store(dz, dRecurrent, j); Store(dr, dRecurrent, units + j); Store(dhh * r, dRecurrent, 2 * units + j);
                Store(d * z, dh, j);
            }
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var z = Load(gz, j); var r = Load(gr, j); var hh = Load(gh, j); var d = Load(dh, j);
                var dz = d * (Load(hPrev, j) - hh) * Derivative(recurrentActivation, z);
                var dhh = d * (Vector256<float>.One - z) * Derivative(activation, hh);
                var dr = dhh * Load(recurrentCandidate, j) * Derivative(recurrentActivation, r);
                Store(dz, dInput, j); Store(dr, dInput, units + j); Store(dhh, dInput, 2 * units + j);
                Store(dz, dRecurrent, j); Store(dr, dRecurrent, units + j); Store(dhh * r, dRecurrent, 2 * units + j);
                Store(d * z, dh, j);
            }
        for (; j < units; j++)
        {
            float z = gz[j], r = gr[j], hh = gh[j], d = dh[j];
            float dz = d * (hPrev[j] - hh) * Derivative(recurrentActivation, z);
            float dhh = d * (1f - z) * Derivative(activation, hh);
            float dr = dhh * recurrentCandidate[j] * Derivative(recurrentActivation, r);
            dInput[j] = dz; dInput[units + j] = dr; dInput[2 * units + j] = dhh;
            dRecurrent[j] = dz; dRecurrent[units + j] = dr; dRecurrent[2 * units + j] = dhh * r;
            dh[j] = d * z;
        }
    }

    /// <summary>
    /// The reset-before step, first half: z and r from x·W + b (in <paramref name="gates"/>) and
    /// <paramref name="recurrentZr"/> = h·U_zr, written over the first 2·units of <paramref name="gates"/>; and
    /// <paramref name="resetOperand"/> = r·h, the left operand of the candidate's product with U_h.
    /// <paramref name="hOperand"/> is h_prev as the products see it (after recurrent dropout).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatesResetBefore(Span<float> gates, ReadOnlySpan<float> recurrentZr, ReadOnlySpan<float> hOperand, Span<float> resetOperand,
        GateActivation recurrentActivation)
    {
        int units = hOperand.Length;
        var gz = gates[..units]; var gr = gates.Slice(units, units);
        int j = 0;
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var z = Apply(recurrentActivation, Load(gz, j) + Load(recurrentZr, j));
                var r = Apply(recurrentActivation, Load(gr, j) + Load(recurrentZr, units + j));
                Store(z, gz, j); Store(r, gr, j); Store(r * Load(hOperand, j), resetOperand, j);
            }
        for (; j < units; j++)
        {
            float z = Apply(recurrentActivation, gz[j] + recurrentZr[j]), r = Apply(recurrentActivation, gr[j] + recurrentZr[units + j]);
            gz[j] = z; gr[j] = r; resetOperand[j] = r * hOperand[j];
        }
    }

    /// <summary>
    /// The reset-before step, second half: hh = act(x_h + (r·h)·U_h) (the product in <paramref name="recurrentH"/>),
    /// written over the last units of <paramref name="gates"/>, and h = z·h_prev + (1 − z)·hh.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CandidateResetBefore(Span<float> gates, ReadOnlySpan<float> recurrentH, ReadOnlySpan<float> hPrev, Span<float> h, GateActivation activation)
    {
        int units = h.Length;
        var gz = gates[..units]; var gh = gates.Slice(2 * units, units);
        int j = 0;
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var hh = Apply(activation, Load(gh, j) + Load(recurrentH, j));
                var z = Load(gz, j);
                Store(hh, gh, j);
                Store(z * Load(hPrev, j) + (Vector256<float>.One - z) * hh, h, j);
            }
        for (; j < units; j++)
        {
            float hh = Apply(activation, gh[j] + recurrentH[j]), z = gz[j];
            gh[j] = hh;
            h[j] = z * hPrev[j] + (1f - z) * hh;
        }
    }

    /// <summary>
    /// The reset-before step's backward, candidate half: writes the z and x_h blocks of <paramref name="dInput"/>
    /// (the x_h block is also the gradient of the candidate's product) and leaves dh·z in <paramref name="dh"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CandidateBackwardResetBefore(ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dInput,
        GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        var gz = gates[..units]; var gh = gates.Slice(2 * units, units);
        int j = 0;
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var z = Load(gz, j); var hh = Load(gh, j); var d = Load(dh, j);
                Store(d * (Load(hPrev, j) - hh) * Derivative(recurrentActivation, z), dInput, j);
                Store(d * (Vector256<float>.One - z) * Derivative(activation, hh), dInput, 2 * units + j);
                Store(d * z, dh, j);
            }
        for (; j < units; j++)
        {
            float z = gz[j], hh = gh[j], d = dh[j];
            dInput[j] = d * (hPrev[j] - hh) * Derivative(recurrentActivation, z);
            dInput[2 * units + j] = d * (1f - z) * Derivative(activation, hh);
            dh[j] = d * z;
        }
    }

    /// <summary>
    /// The reset-before step's backward, gate half: from the gradient of r·h (<paramref name="dResetOperand"/>),
    /// writes the r block of <paramref name="dInput"/> and sets <paramref name="dOperand"/> to the gradient of h
    /// through r·h (the caller adds the gates' product to it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatesBackwardResetBefore(ReadOnlySpan<float> gates, ReadOnlySpan<float> hOperand, ReadOnlySpan<float> dResetOperand,
        Span<float> dInput, Span<float> dOperand, GateActivation recurrentActivation)
    {
        int units = hOperand.Length;
        var gr = gates.Slice(units, units);
        int j = 0;
        if (Vectorized)
            for (; j <= units - Width; j += Width)
            {
                var r = Load(gr, j); var d = Load(dResetOperand, j);
                Store(d * Load(hOperand, j) * Derivative(recurrentActivation, r), dInput, units + j);
                Store(d * r, dOperand, j);
            }
        for (; j < units; j++)
        {
            float r = gr[j], d = dResetOperand[j];
            dInput[units + j] = d * hOperand[j] * Derivative(recurrentActivation, r);
            dOperand[j] = d * r;
        }
    }

    // ---- float64 references ----

    /// <summary>The float64 reference of <see cref="ForwardResetAfter"/>.</summary>
    public static void ForwardResetAfterReference(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> hPrev,
        Span<float> recurrentCandidate, Span<float> h, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = h.Length;
        bool bias = !recurrentBias.IsEmpty;
        for (int j = 0; j < units; j++)
        {
            double bz = bias ? recurrentBias[j] : 0, br = bias ? recurrentBias[units + j] : 0, bh = bias ? recurrentBias[2 * units + j] : 0;
            double z = GateMath.Apply(recurrentActivation, (double)gates[j] + recurrent[j] + bz);
            double r = GateMath.Apply(recurrentActivation, (double)gates[units + j] + recurrent[units + j] + br);
            double rc = (double)recurrent[2 * units + j] + bh;
            double hh = GateMath.Apply(activation, gates[2 * units + j] + r * rc);
            gates[j] = (float)z; gates[units + j] = (float)r; gates[2 * units + j] = (float)hh; recurrentCandidate[j] = (float)rc;
            h[j] = (float)(z * hPrev[j] + (1 - z) * hh);
        }
    }

    /// <summary>The float64 reference of <see cref="BackwardResetAfter"/>.</summary>
    public static void BackwardResetAfterReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentCandidate, ReadOnlySpan<float> hPrev, Span<float> dh,
        Span<float> dInput, Span<float> dRecurrent, GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        for (int j = 0; j < units; j++)
        {
            double z = gates[j], r = gates[units + j], hh = gates[2 * units + j], d = dh[j];
            double dz = d * (hPrev[j] - hh) * GateMath.Derivative(recurrentActivation, z);
            double dhh = d * (1 - z) * GateMath.Derivative(activation, hh);
            double dr = dhh * recurrentCandidate[j] * GateMath.Derivative(recurrentActivation, r);
            dInput[j] = (float)dz; dInput[units + j] = (float)dr; dInput[2 * units + j] = (float)dhh;
            dRecurrent[j] = (float)dz; dRecurrent[units + j] = (float)dr; dRecurrent[2 * units + j] = (float)(dhh * r);
            dh[j] = (float)(d * z);
        }
    }

    /// <summary>The float64 reference of <see cref="GatesResetBefore"/>.</summary>
    public static void GatesResetBeforeReference(Span<float> gates, ReadOnlySpan<float> recurrentZr, ReadOnlySpan<float> hOperand, Span<float> resetOperand,
        GateActivation recurrentActivation)
    {
        int units = hOperand.Length;
        for (int j = 0; j < units; j++)
        {
            double z = GateMath.Apply(recurrentActivation, (double)gates[j] + recurrentZr[j]);
            double r = GateMath.Apply(recurrentActivation, (double)gates[units + j] + recurrentZr[units + j]);
            gates[j] = (float)z; gates[units + j] = (float)r; resetOperand[j] = (float)(r * hOperand[j]);
        }
    }

    /// <summary>The float64 reference of <see cref="CandidateResetBefore"/>.</summary>
    public static void CandidateResetBeforeReference(Span<float> gates, ReadOnlySpan<float> recurrentH, ReadOnlySpan<float> hPrev, Span<float> h, GateActivation activation)
    {
        int units = h.Length;
        for (int j = 0; j < units; j++)
        {
            double hh = GateMath.Apply(activation, (double)gates[2 * units + j] + recurrentH[j]), z = gates[j];
            gates[2 * units + j] = (float)hh;
            h[j] = (float)(z * hPrev[j] + (1 - z) * hh);
        }
    }

    /// <summary>The float64 reference of <see cref="CandidateBackwardResetBefore"/>.</summary>
    public static void CandidateBackwardResetBeforeReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dInput,
        GateActivation activation, GateActivation recurrentActivation)
    {
        int units = dh.Length;
        for (int j = 0; j < units; j++)
        {
            double z = gates[j], hh = gates[2 * units + j], d = dh[j];
            dInput[j] = (float)(d * (hPrev[j] - hh) * GateMath.Derivative(recurrentActivation, z));
            dInput[2 * units + j] = (float)(d * (1 - z) * GateMath.Derivative(activation, hh));
            dh[j] = (float)(d * z);
        }
    }

    /// <summary>The float64 reference of <see cref="GatesBackwardResetBefore"/>.</summary>
    public static void GatesBackwardResetBeforeReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> hOperand, ReadOnlySpan<float> dResetOperand,
        Span<float> dInput, Span<float> dOperand, GateActivation recurrentActivation)
    {
        int units = hOperand.Length;
        for (int j = 0; j < units; j++)
        {
            double r = gates[units + j], d = dResetOperand[j];
            dInput[units + j] = (float)(d * hOperand[j] * GateMath.Derivative(recurrentActivation, r));
            dOperand[j] = (float)(d * r);
        }
    }
}
