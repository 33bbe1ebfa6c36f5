using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = [1, 7, 17, 129];

    public static TheoryData<int, int, int> AwkwardSizes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in Sizes)
            foreach (int k in Sizes)
                foreach (int n in Sizes)
                    data.Add(m, k, n);
        // One long dimension at a time (k = 1000 exercises several k blocks of 256; m, n = 1000 many tiles).
        data.Add(1000, 17, 7);
        data.Add(7, 1000, 17);
        data.Add(17, 7, 1000);
        data.Add(129, 1000, 1);
        data.Add(1, 1000, 129);
        data.Add(1000, 1, 129);
        return data;
    }

    /// <summary>Fills op(A) (m, k) and op(B) (k, n) with random values and checks every element of C against the float64 reference.</summary>
    [Theory]
    [MemberData(nameof(AwkwardSizes))]
    public void MultiplyMatchesFloat64Reference(int m, int k, int n)
    {
        int seed = m * 1_000_003 + k * 1009 + n;
        var a = TestData.Uniform(seed, m * k);
        var b = TestData.Uniform(seed + 1, k * n);
        var c0 = TestData.Uniform(seed + 2, m * n);
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    // The same logical operands whatever the storage: stored transposed when asked to.
                    var aStored = transposeA ? Transposed(a, m, k) : a;
                    var bStored = transposeB ? Transposed(b, k, n) : b;
                    var actual = (float[])c0.Clone();
                    var expected = (float[])c0.Clone();
                    Gemm.Multiply(aStored, bStored, actual, m, k, n, transposeA, transposeB, accumulate);
                    Gemm.MultiplyReference(aStored, bStored, expected, m, k, n, transposeA, transposeB, accumulate);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            // Scale of the exact sum: Σ|a_ip·b_pj| (+ |c0| when accumulating).
                            double scale = accumulate ? Math.Abs(c0[i * n + j]) : 0;
                            for (int p = 0; p < k; p++) scale += Math.Abs((double)a[i * k + p] * b[p * n + j]);
                            double error = Math.Abs((double)actual[i * n + j] - expected[i * n + j]);
                            if (error > 1e-5 * (1 + scale))
                                Assert.Fail($"m={m} k={k} n={n} transposeA={transposeA} transposeB={transposeB} accumulate={accumulate}: " +
                                    $"C[{i},{j}] = {actual[i * n + j]:R}, reference {expected[i * n + j]:R} (scale {scale:G4}).");
                        }
                }
    }

    [Fact]
    public void ReferenceComputesASmallProductExactly()
    {
        // [[1, 2, 3], [4, 5, 6]] · [[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]]
        float[] a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12];
        var c = new float[4];
        Gemm.MultiplyReference(a, b, c, 2, 3, 2);
        Assert.Equal([58f, 64f, 139f, 154f], c);
        Gemm.Multiply(a, b, c, 2, 3, 2);
        Assert.Equal([58f, 64f, 139f, 154f], c);
        Gemm.Multiply(a, b, c, 2, 3, 2, accumulate: true);
        Assert.Equal([116f, 128f, 278f, 308f], c);
        // Aᵀ stored as (3, 2) and Bᵀ stored as (2, 3) give the same product.
        Gemm.Multiply(Transposed(a, 2, 3), Transposed(b, 3, 2), c, 2, 3, 2, transposeA: true, transposeB: true);
        Assert.Equal([58f, 64f, 139f, 154f], c);
    }

    [Fact]
    public void EmptyInnerDimensionClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply([], [], c, 2, 0, 3, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);
        Gemm.Multiply([], [], c, 2, 0, 3);
        Assert.All(c, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MultiplyLeavesElementsOfCBeyondMTimesNAlone()
    {
        var c = new float[] { 9, 9, 9, 9, 9, 42 };
        Gemm.Multiply([2], [3, 4], c, 1, 1, 2);
        Assert.Equal([6f, 8f, 9f, 9f, 9f, 42f], c);
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(1, 9)]
    [InlineData(70, 45)]   // crosses the 32-element blocks in both directions
    [InlineData(33, 1)]
    public void TransposeSwapsRowsAndColumns(int rows, int cols)
    {
        var source = new float[rows * cols];
        for (int i = 0; i < source.Length; i++) source[i] = i;
        var destination = new float[rows * cols];
        Gemm.Transpose(source, destination, rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.Equal(source[i * cols + j], destination[j * rows + i]);
    }

    [Fact]
    public void TooShortSpansThrowNamingTheOperand()
    {
        var ok6 = new float[6];
        var aError = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], ok6, ok6, 2, 3, 2));
        Assert.Equal("a", aError.ParamName);
        Assert.Contains("(2, 3) needs 6", aError.Message);
        var bError = Assert.Throws<ArgumentException>(() => Gemm.Multiply(ok6, new float[5], ok6, 2, 3, 2));
        Assert.Equal("b", bError.ParamName);
        var cError = Assert.Throws<ArgumentException>(() => Gemm.Multiply(ok6, ok6, new float[3], 2, 3, 2));
        Assert.Equal("c", cError.ParamName);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(ok6, ok6, ok6, -1, 3, 2));
    }

    /// <summary>The (rows, cols) matrix <paramref name="values"/> stored as its (cols, rows) transpose.</summary>
    internal static float[] Transposed(float[] values, int rows, int cols)
    {
        var result = new float[values.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[j * rows + i] = values[i * cols + j];
        return result;
    }
}
