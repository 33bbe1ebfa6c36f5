using Dendrite.Kernels;
using Dendrite.Tests.Layers;

namespace Dendrite.Tests.Kernels;

/// <summary><see cref="Gemm.MaxThreads"/> is static, so these tests run alone.</summary>
[Collection(GlobalStateCollection.Name)]
public class GemmThreadingTests
{
    // Large enough (≥ 1 M multiply-adds, several 16-column blocks) for the kernel to split the work across threads.
    public static TheoryData<int, int, int, bool, bool> LargeProducts() => new()
    {
        { 129, 1000, 129, false, false },
        { 129, 1000, 129, true, true },
        { 1000, 17, 129, false, true },
        { 17, 129, 1000, true, false },
        { 7, 1000, 1000, false, false },
        { 200, 300, 250, true, true },
    };

    [Theory]
    [MemberData(nameof(LargeProducts))]
    public void TwoThreadsUnderACoreThiefGiveTheBitsOfOne(int m, int k, int n, bool transposeA, bool transposeB)
    {
        // Another thread takes a core at random moments, so which thread computes which tile changes from call to call.
        var a = TestData.Uniform(m + k, m * k);
        var b = TestData.Uniform(k + n, k * n);
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            var single = new float[m * n];
            Gemm.Multiply(a, b, single, m, k, n, transposeA, transposeB);
            Gemm.MaxThreads = 2;
            using var thief = new CoreThief(threads: 1, seed: m);
            for (int round = 0; round < 20; round++)
            {
                var disturbed = new float[m * n];
                Gemm.Multiply(a, b, disturbed, m, k, n, transposeA, transposeB);
                LayerTestHarness.AssertBitIdentical(single, disturbed, $"({m}, {k}, {n}) round {round}");
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Theory]
    [MemberData(nameof(LargeProducts))]
    public void OneThreadAndManyThreadsGiveIdenticalBits(int m, int k, int n, bool transposeA, bool transposeB)
    {
        var a = TestData.Uniform(m + k, m * k);
        var b = TestData.Uniform(k + n, k * n);
        var c0 = TestData.Uniform(m + n, m * n);
        int saved = Gemm.MaxThreads;
        try
        {
            foreach (bool accumulate in new[] { false, true })
            {
                Gemm.MaxThreads = 1;
                var single = (float[])c0.Clone();
                Gemm.Multiply(a, b, single, m, k, n, transposeA, transposeB, accumulate);

                Gemm.MaxThreads = Math.Max(2, Environment.ProcessorCount);
                var parallel = (float[])c0.Clone();
                Gemm.Multiply(a, b, parallel, m, k, n, transposeA, transposeB, accumulate);
                var again = (float[])c0.Clone();
                Gemm.Multiply(a, b, again, m, k, n, transposeA, transposeB, accumulate);

                for (int i = 0; i < single.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(single[i]) != BitConverter.SingleToInt32Bits(parallel[i]))
                        Assert.Fail($"accumulate={accumulate}: element {i} is {single[i]:R} on one thread, {parallel[i]:R} on several.");
                    if (BitConverter.SingleToInt32Bits(parallel[i]) != BitConverter.SingleToInt32Bits(again[i]))
                        Assert.Fail($"accumulate={accumulate}: element {i} differs between two multi-threaded runs.");
                }

                // And the multi-threaded result is right, not merely reproducible.
                var reference = (float[])c0.Clone();
                Gemm.MultiplyReference(a, b, reference, m, k, n, transposeA, transposeB, accumulate);
                for (int i = 0; i < reference.Length; i++)
                    Assert.True(Math.Abs(parallel[i] - reference[i]) <= 1e-3 * (1 + Math.Abs(reference[i])) + 1e-3,
                        $"element {i}: {parallel[i]:R} vs reference {reference[i]:R}");
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }
}
