using System.Runtime.Intrinsics;
using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// The fused recurrent gate kernels against their float64 references on every path — 16-lane vectors (where AVX-512
/// runs) then 8-lane ones then scalars, 8-lane then scalars, scalars alone (<see cref="GateMath.MaxLanes"/>) — on
/// unit counts that leave each path a remainder (1, 7, 8, 24, 129), every activation pair, and pre-activations up to
/// ±12 (saturation) as well as tiny ones (tanh's polynomial branch).
/// </summary>
[Collection(GlobalStateCollection.Name)] // sets GateMath.MaxLanes
public class GateKernelTests
{
    public static TheoryData<int, string, string, int> Cases()
    {
        var data = new TheoryData<int, string, string, int>();
        foreach (int lanes in new[] { 16, 8, 1 })
        foreach (int units in new[] { 1, 7, 8, 24, 129 })
            foreach (var (act, rec) in new[]
            {
                (GateActivation.Tanh, GateActivation.Sigmoid), (GateActivation.Relu, GateActivation.Sigmoid),
                (GateActivation.Linear, GateActivation.Tanh), (GateActivation.Sigmoid, GateActivation.Linear),
            })
                data.Add(units, act.ToString(), rec.ToString(), lanes);
        return data;
    }

    private const double Tolerance = 2e-6; // |fast − reference| ≤ Tolerance·(1 + |reference|)

    private static float[] Values(int seed, int n, double scale = 3) =>
        TestData.Uniform(seed, n, -scale, scale).Select((v, i) => i % 11 == 3 ? v * 4 : i % 13 == 5 ? v * 1e-3f : v).ToArray();

    private static void AssertClose(float[] reference, float[] fast, string what)
    {
        Assert.Equal(reference.Length, fast.Length);
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(fast[i] - reference[i]) <= Tolerance * (1 + Math.Abs(reference[i])), $"{what}[{i}]: fast {fast[i]:G9}, reference {reference[i]:G9}.");
    }

    [Theory, MemberData(nameof(Cases))]
    public void LstmKernelsMatchTheirReferences(int units, string activation, string recurrentActivation, int lanes)
    {
        var (act, rec) = (Enum.Parse<GateActivation>(activation), Enum.Parse<GateActivation>(recurrentActivation));
        using var restore = Lanes(lanes);
        var gates = Values(1, 4 * units);
        var cPrev = Values(2, units, 2);
        var (g1, c1, a1, h1) = ((float[])gates.Clone(), new float[units], new float[units], new float[units]);
        var (g2, c2, a2, h2) = ((float[])gates.Clone(), new float[units], new float[units], new float[units]);
        LstmKernels.Forward(g1, cPrev, c1, a1, h1, act, rec);
        LstmKernels.ForwardReference(g2, cPrev, c2, a2, h2, act, rec);
        AssertClose(g2, g1, "gates"); AssertClose(c2, c1, "c"); AssertClose(a2, a1, "act(c)"); AssertClose(h2, h1, "h");

        var dh = Values(3, units, 1);
        var dc = Values(4, units, 1);
        var (dc1, dg1) = ((float[])dc.Clone(), new float[4 * units]);
        var (dc2, dg2) = ((float[])dc.Clone(), new float[4 * units]);
        LstmKernels.Backward(g2, cPrev, a2, dh, dc1, dg1, act, rec);
        LstmKernels.BackwardReference(g2, cPrev, a2, dh, dc2, dg2, act, rec);
        AssertClose(dg2, dg1, "dGates"); AssertClose(dc2, dc1, "dc_prev");
    }

    [Theory, MemberData(nameof(Cases))]
    public void GruResetAfterKernelsMatchTheirReferences(int units, string activation, string recurrentActivation, int lanes)
    {
        var (act, rec) = (Enum.Parse<GateActivation>(activation), Enum.Parse<GateActivation>(recurrentActivation));
        using var restore = Lanes(lanes);
        var gates = Values(5, 3 * units);
        var recurrent = Values(6, 3 * units);
        var hPrev = Values(7, units, 1);
        foreach (var bias in new[] { Values(8, 3 * units, 0.5), Array.Empty<float>() })
        {
            var (g1, rc1, h1) = ((float[])gates.Clone(), new float[units], new float[units]);
            var (g2, rc2, h2) = ((float[])gates.Clone(), new float[units], new float[units]);
            GruKernels.ForwardResetAfter(g1, recurrent, bias, hPrev, rc1, h1, act, rec);
            GruKernels.ForwardResetAfterReference(g2, recurrent, bias, hPrev, rc2, h2, act, rec);
            AssertClose(g2, g1, "gates"); AssertClose(rc2, rc1, "recurrent candidate"); AssertClose(h2, h1, "h");

            var dh = Values(9, units, 1);
            var (dh1, dx1, dr1) = ((float[])dh.Clone(), new float[3 * units], new float[3 * units]);
            var (dh2, dx2, dr2) = ((float[])dh.Clone(), new float[3 * units], new float[3 * units]);
            GruKernels.BackwardResetAfter(g2, rc2, hPrev, dh1, dx1, dr1, act, rec);
            GruKernels.BackwardResetAfterReference(g2, rc2, hPrev, dh2, dx2, dr2, act, rec);
            AssertClose(dx2, dx1, "dInput"); AssertClose(dr2, dr1, "dRecurrent"); AssertClose(dh2, dh1, "dh·z");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void GruResetBeforeKernelsMatchTheirReferences(int units, string activation, string recurrentActivation, int lanes)
    {
        var (act, rec) = (Enum.Parse<GateActivation>(activation), Enum.Parse<GateActivation>(recurrentActivation));
        using var restore = Lanes(lanes);
        var gates = Values(10, 3 * units);
        var recurrentZr = Values(11, 2 * units);
        var operand = Values(12, units, 1);
        var hPrev = Values(13, units, 1);
        var (g1, ro1) = ((float[])gates.Clone(), new float[units]);
        var (g2, ro2) = ((float[])gates.Clone(), new float[units]);
        GruKernels.GatesResetBefore(g1, recurrentZr, operand, ro1, rec);
        GruKernels.GatesResetBeforeReference(g2, recurrentZr, operand, ro2, rec);
        AssertClose(g2, g1, "gates"); AssertClose(ro2, ro1, "r·h");

        var recurrentH = Values(14, units);
        var h1 = new float[units]; var h2 = new float[units];
        GruKernels.CandidateResetBefore(g1, recurrentH, hPrev, h1, act);
        GruKernels.CandidateResetBeforeReference(g2, recurrentH, hPrev, h2, act);
        AssertClose(g2, g1, "gates with candidate"); AssertClose(h2, h1, "h");

        var dh = Values(15, units, 1);
        var (dh1, dx1) = ((float[])dh.Clone(), new float[3 * units]);
        var (dh2, dx2) = ((float[])dh.Clone(), new float[3 * units]);
        GruKernels.CandidateBackwardResetBefore(g2, hPrev, dh1, dx1, act, rec);
        GruKernels.CandidateBackwardResetBeforeReference(g2, hPrev, dh2, dx2, act, rec);
        AssertClose(dx2, dx1, "dInput (z, h)"); AssertClose(dh2, dh1, "dh·z");

        var dReset = Values(16, units, 1);
        var (do1, do2) = (new float[units], new float[units]);
        GruKernels.GatesBackwardResetBefore(g2, operand, dReset, dx1, do1, rec);
        GruKernels.GatesBackwardResetBeforeReference(g2, operand, dReset, dx2, do2, rec);
        AssertClose(dx2, dx1, "dInput (r)"); AssertClose(do2, do1, "d operand");
    }

    [Theory, MemberData(nameof(Cases))]
    public void SimpleRnnKernelsMatchTheirReferences(int units, string activation, string recurrentActivation, int lanes)
    {
        var (act, rec) = (Enum.Parse<GateActivation>(activation), Enum.Parse<GateActivation>(recurrentActivation));
        using var restore = Lanes(lanes);
        _ = rec;
        var pre = Values(17, units);
        var h1 = new float[units]; var h2 = new float[units];
        SimpleRnnKernels.Forward(pre, h1, act);
        SimpleRnnKernels.ForwardReference(pre, h2, act);
        AssertClose(h2, h1, "h");
        var dh = Values(18, units, 1);
        var d1 = new float[units]; var d2 = new float[units];
        SimpleRnnKernels.Backward(h2, dh, d1, act);
        SimpleRnnKernels.BackwardReference(h2, dh, d2, act);
        AssertClose(d2, d1, "dPre");
    }

    /// <summary>Sets <see cref="GateMath.MaxLanes"/> until disposed.</summary>
    private static Restore Lanes(int lanes)
    {
        var restore = new Restore(GateMath.MaxLanes);
        GateMath.MaxLanes = lanes;
        return restore;
    }

    private readonly struct Restore(int lanes) : IDisposable
    {
        public void Dispose() => GateMath.MaxLanes = lanes;
    }

    /// <summary>The vector sigmoid and tanh (8 and 16 lanes) against float64 over a dense sweep, including saturation, ±0 and NaN.</summary>
    [Fact]
    public void VectorSigmoidAndTanhAreAccurate()
    {
        double worstSigmoid = 0, worstTanh = 0;
        for (int i = -200_000; i <= 200_000; i++)
        {
            float x = i * 1e-4f * (i % 3 == 0 ? 1f : 0.05f); // dense near 0 too
            double exact = Math.Tanh(x), exactSigmoid = 1 / (1 + Math.Exp(-(double)x));
            foreach (var (s, t) in new[]
            {
                ((double)GateMath.Sigmoid(Vector256.Create(x)).GetElement(0), (double)GateMath.Tanh(Vector256.Create(x)).GetElement(0)),
                ((double)GateMath.Sigmoid(Vector512.Create(x)).GetElement(0), (double)GateMath.Tanh(Vector512.Create(x)).GetElement(0)),
            })
            {
                worstSigmoid = Math.Max(worstSigmoid, Math.Abs(s - exactSigmoid));
                // tanh relative to its value near 0 (the polynomial branch must keep small values accurate), absolute elsewhere
                worstTanh = Math.Max(worstTanh, Math.Abs(t - exact) / Math.Max(Math.Abs(exact), 1e-3));
            }
        }
        Assert.True(worstSigmoid < 2e-7, $"sigmoid error {worstSigmoid:G3}");
        Assert.True(worstTanh < 1e-6, $"tanh error {worstTanh:G3}");
        foreach (var (tanh, sigmoid, exp) in new (Func<float, float>, Func<float, float>, Func<float, float>)[]
        {
            (x => GateMath.Tanh(Vector256.Create(x)).GetElement(0), x => GateMath.Sigmoid(Vector256.Create(x)).GetElement(0), x => GateMath.Exp(Vector256.Create(x)).GetElement(0)),
            (x => GateMath.Tanh(Vector512.Create(x)).GetElement(0), x => GateMath.Sigmoid(Vector512.Create(x)).GetElement(0), x => GateMath.Exp(Vector512.Create(x)).GetElement(0)),
        })
        {
            Assert.Equal(1f, tanh(100f));
            Assert.Equal(-1f, tanh(-100f));
            Assert.Equal(0f, tanh(0f));
            Assert.True(float.IsNaN(tanh(float.NaN)));
            Assert.Equal(0f, sigmoid(-200f));
            Assert.Equal(1f, sigmoid(200f));
            Assert.True(float.IsNaN(sigmoid(float.NaN)));
            Assert.Equal(float.PositiveInfinity, exp(100f));
            Assert.Equal(0f, exp(-100f));
            Assert.Equal(1f, exp(0f));
        }
    }
}
