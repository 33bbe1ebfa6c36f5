using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// Every micro-kernel this machine can run (AVX-512, AVX2, portable), forced one at a time, against the float64
/// reference: sizes 1, 7, 17, 129 and 1000 in every dimension, both transposes, the full alpha/beta/bias/ReLU
/// contract, the narrow kernel and the one-row path. <see cref="Gemm.ForcedPath"/> and <see cref="Gemm.MaxThreads"/>
/// are global, so these tests run alone.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class GemmPathTests
{
    private static readonly int[] Small = [1, 7, 17, 129];

    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var path in new[] { GemmPath.Avx512, GemmPath.Avx2, GemmPath.Portable })
            if (Gemm.IsSupported(path)) data.Add(path.ToString());
        return data;
    }

    private static IEnumerable<(int M, int K, int N)> Shapes()
    {
        foreach (int m in Small) foreach (int k in Small) foreach (int n in Small) yield return (m, k, n);
        // 1000 in one dimension at a time: several k blocks, row blocks, column panels and thread slices.
        foreach (int a in Small) foreach (int b in Small)
            {
                yield return (1000, a, b);
                yield return (a, 1000, b);
                yield return (a, b, 1000);
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathMatchesTheFloat64Reference(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        WithPath(path, () =>
        {
            foreach (var (m, k, n) in Shapes())
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        Check(m, k, n, ta, tb, alpha: 1f, beta: 0f, bias: false, relu: false);
        });
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathAppliesAlphaBetaBiasAndRelu(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        WithPath(path, () =>
        {
            foreach (var (m, k, n) in new[] { (1, 7, 17), (2, 129, 10), (7, 17, 129), (129, 129, 10), (128, 784, 33), (17, 1000, 7) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        Check(m, k, n, ta, tb, alpha: 0.5f, beta: 1f, bias: true, relu: true);
                        Check(m, k, n, ta, tb, alpha: -2f, beta: 0.25f, bias: true, relu: false);
                        Check(m, k, n, ta, tb, alpha: 1f, beta: 0f, bias: false, relu: true);
                    }
        });
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathGivesTheSameBitsOnOneThreadAndOnAll(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        WithPath(path, () =>
        {
            foreach (var (m, k, n) in new[] { (128, 784, 512), (784, 128, 512), (128, 512, 10), (1, 784, 512), (2, 300, 1000), (300, 300, 300) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        var a = TestData.Uniform(m * 3 + k, m * k);
                        var b = TestData.Uniform(k * 5 + n, k * n);
                        var bias = TestData.Uniform(n, n);
                        float[] Run(int threads)
                        {
                            Gemm.MaxThreads = threads;
                            var c = TestData.Uniform(7, m * n);
                            Gemm.Multiply(a, b, c, m, k, n, ta, tb, 1f, 1f, bias, GemmActivation.Relu);
                            return c;
                        }
                        var one = Run(1);
                        var all = Run(Math.Max(2, Environment.ProcessorCount));
                        for (int i = 0; i < one.Length; i++)
                            if (BitConverter.SingleToInt32Bits(one[i]) != BitConverter.SingleToInt32Bits(all[i]))
                                Assert.Fail($"{path} ({m},{k},{n}) tA={ta} tB={tb}: element {i} is {one[i]:R} on one thread, {all[i]:R} on several.");
                    }
        });
    }

    [Fact]
    public void BiasOfTheWrongLengthIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[6], new float[6], new float[4], 2, 3, 2, false, false, 1f, 0f, new float[3]));
        Assert.Contains("bias must hold n = 2 values, got 3", error.Message);
    }

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        var c = new float[] { float.NaN, float.NaN };
        Gemm.Multiply([1f, 2f], [3f, 4f], c, 1, 1, 2, false, false, 1f, 0f);
        Assert.Equal([3f, 4f], c);
    }

    private static void Check(int m, int k, int n, bool ta, bool tb, float alpha, float beta, bool bias, bool relu)
    {
        int seed = m * 7919 + k * 104729 + n * 31 + (ta ? 1 : 0) + (tb ? 2 : 0);
        var a = TestData.Uniform(seed, m * k);
        var b = TestData.Uniform(seed + 1, k * n);
        var c0 = TestData.Uniform(seed + 2, m * n);
        var biasValues = bias ? TestData.Uniform(seed + 3, n) : [];
        var activation = relu ? GemmActivation.Relu : GemmActivation.None;
        var actual = (float[])c0.Clone();
        var expected = (float[])c0.Clone();
        Gemm.Multiply(a, b, actual, m, k, n, ta, tb, alpha, beta, biasValues, activation);
        Gemm.MultiplyReference(a, b, expected, m, k, n, ta, tb, alpha, beta, biasValues, activation);
        for (int i = 0; i < actual.Length; i++)
        {
            // float32 rounding grows with k: allow k·2⁻²³ relative to the size of the terms (all |values| ≤ 1).
            double tolerance = 1e-6 * (1 + k) * (Math.Abs(alpha) + Math.Abs(beta) + 1);
            if (Math.Abs((double)actual[i] - expected[i]) > tolerance)
                Assert.Fail($"{Gemm.ActivePath} ({m},{k},{n}) tA={ta} tB={tb} alpha={alpha} beta={beta} bias={bias} relu={relu}: " +
                    $"C[{i / n},{i % n}] = {actual[i]:R}, reference {expected[i]:R}.");
        }
    }

    [Theory]
    [InlineData(nameof(GemmPath.Avx512), "AVX-512")]
    [InlineData(nameof(GemmPath.Avx2), "AVX2+FMA")]
    [InlineData(nameof(GemmPath.Portable), "Vector128")]
    public void ActiveKernelNamesThePathInUse(string pathName, string expected)
    {
        var saved = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = Enum.Parse<GemmPath>(pathName);
            Assert.Equal(expected, Gemm.ActiveKernel);
        }
        finally { Gemm.ForcedPath = saved; }
    }

    private static void WithPath(GemmPath path, Action body)
    {
        var savedPath = Gemm.ForcedPath;
        int savedThreads = Gemm.MaxThreads;
        try
        {
            Gemm.ForcedPath = path;
            Assert.Equal(path, Gemm.ActivePath);
            body();
        }
        finally
        {
            Gemm.ForcedPath = savedPath;
            Gemm.MaxThreads = savedThreads;
        }
    }
}
