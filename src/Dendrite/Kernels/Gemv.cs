using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Matrix products with very few rows (one-sample inference): each row of C is accumulated straight from the rows
/// of B, in strips of 128 columns (8 zmm accumulators) or 64 (8 ymm), without packing (packing a 1-row A to a full
/// kernel panel would waste most of the arithmetic). With threads, each core always takes the same columns, so its
/// part of B stays in its own L2 cache from one call to the next.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>Rows up to which this path beats the packed kernels.</summary>
    public const int MaxRows = 2;

    [ThreadStatic] private static float[]? s_row; // A's row when it is too long for the stack

    /// <summary>Columns per thread slice: a whole number of the widest strip.</summary>
    public const int SliceColumns = 128;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    public static void Compute(in GemmProblem g, int c0, int c1)
    {
        Span<float> aRow = g.K <= 4096 ? stackalloc float[g.K] : (s_row is { } row && row.Length >= g.K ? row : s_row = new float[g.K]).AsSpan(0, g.K);
        for (int i = 0; i < g.M; i++)
        {
            // A's row, scaled, contiguous: the inner loops then only stream B.
            for (int p = 0; p < g.K; p++) aRow[p] = g.Alpha * (g.TransposeA ? g.A[(nint)p * g.LdA + i] : g.A[(nint)i * g.LdA + p]);
            float* cRow = g.C + (nint)i * g.LdC;
            fixed (float* a = aRow)
            {
                if (g.TransposeB) RowTransposedB(g, a, cRow, c0, c1);
                else RowPlainB(g, a, cRow, c0, c1);
            }
            Epilogue(g, cRow, c0, c1);
        }
    }

    private static void RowPlainB(in GemmProblem g, float* a, float* cRow, int c0, int c1)
    {
        int j = c0;
        // The same kernel family as the packed products: a forced narrower path (tests) is honoured here too.
        var path = Gemm.ActivePath;
        bool avx512 = path == GemmPath.Avx512;
        if (avx512)
            for (; j + 128 <= c1; j += 128) Strip512(a, g.B + j, g.LdB, g.K, cRow + j, g.AccumulateC);
        if (path is GemmPath.Avx512 or GemmPath.Avx2)
            for (; j + 64 <= c1; j += 64) Strip256(a, g.B + j, g.LdB, g.K, cRow + j, g.AccumulateC);
        if (avx512)
            for (; j < c1; j += 16) Narrow16(a, g.B, g.LdB, g.N, g.K, cRow, j, Math.Min(16, c1 - j), g.AccumulateC);
        for (; j < c1; j++)
        {
            float sum = g.AccumulateC ? cRow[j] : 0f;
            float* b = g.B + j;
            for (int p = 0; p < g.K; p++) sum = MathF.FusedMultiplyAdd(a[p], b[(nint)p * g.LdB], sum);
            cRow[j] = sum;
        }
    }

    private static void RowTransposedB(in GemmProblem g, float* a, float* cRow, int c0, int c1)
    {
        // op(B) column j is storage row j: each output is one dot product with A's row.
        var aRow = new ReadOnlySpan<float>(a, g.K);
        for (int j = c0; j < c1; j++)
        {
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(g.B + (nint)j * g.LdB, g.K));
            cRow[j] = g.AccumulateC ? cRow[j] + dot : dot;
        }
    }

    /// <summary>128 columns of one output row in 8 zmm accumulators; each k step reads 512 contiguous bytes of B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void Strip512(float* a, float* b, nint ldb, int k, float* c, bool accumulate)
    {
        Vector512<float> s0, s1, s2, s3, s4, s5, s6, s7;
        if (accumulate)
        {
            s0 = Vector512.Load(c); s1 = Vector512.Load(c + 16); s2 = Vector512.Load(c + 32); s3 = Vector512.Load(c + 48);
            s4 = Vector512.Load(c + 64); s5 = Vector512.Load(c + 80); s6 = Vector512.Load(c + 96); s7 = Vector512.Load(c + 112);
        }
        else s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = Vector512<float>.Zero;
        for (int p = 0; p < k; p++, b += ldb)
        {
            var av = Vector512.Create(a[p]);
            s0 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b), s0);
            s1 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 16), s1);
            s2 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 32), s2);
            s3 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 48), s3);
            s4 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 64), s4);
            s5 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 80), s5);
            s6 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 96), s6);
            s7 = Avx512F.FusedMultiplyAdd(av, Vector512.Load(b + 112), s7);
        }
        s0.Store(c); s1.Store(c + 16); s2.Store(c + 32); s3.Store(c + 48);
        s4.Store(c + 64); s5.Store(c + 80); s6.Store(c + 96); s7.Store(c + 112);
    }

    /// <summary>
    /// Up to 16 columns [j0, j0 + width) of one output row in one zmm register. Each k step loads 16 floats from
    /// B's row even when fewer columns remain: the extra lanes read the start of the next row (never past the end of
    /// B: the last rows are added one column at a time) and are discarded. Two accumulators alternate over k to
    /// halve the dependency chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void Narrow16(float* a, float* b, nint ldb, int n, int k, float* cRow, int j0, int width, bool accumulate)
    {
        var even = Vector512<float>.Zero;
        var odd = Vector512<float>.Zero;
        // Rows whose 16-float load stays inside B, which ends after its last row's n columns: (p·ldb + j0 + 16) ≤
        // (k − 1)·ldb + n (k·ldb when the rows are contiguous; less when B is a block of a wider matrix).
        long total = (long)(k - 1) * ldb + n;
        long room = total - j0 - 16;
        int safe = room < 0 ? 0 : (int)Math.Min(k, room / ldb + 1);
        int p = 0;
        for (; p + 1 < safe; p += 2)
        {
            even = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(b + (nint)p * ldb + j0), even);
            odd = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p + 1]), Vector512.Load(b + (nint)(p + 1) * ldb + j0), odd);
        }
        if (p < safe) { even = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(b + (nint)p * ldb + j0), even); p++; }
        var sum = even + odd;
        for (int j = 0; j < width; j++)
        {
            float v = sum.GetElement(j);
            for (int q = p; q < k; q++) v = MathF.FusedMultiplyAdd(a[q], b[(nint)q * ldb + j0 + j], v);
            cRow[j0 + j] = accumulate ? cRow[j0 + j] + v : v;
        }
    }

    /// <summary>64 columns of one output row in 8 ymm accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void Strip256(float* a, float* b, nint ldb, int k, float* c, bool accumulate)
    {
        Vector256<float> s0, s1, s2, s3, s4, s5, s6, s7;
        if (accumulate)
        {
            s0 = Vector256.Load(c); s1 = Vector256.Load(c + 8); s2 = Vector256.Load(c + 16); s3 = Vector256.Load(c + 24);
            s4 = Vector256.Load(c + 32); s5 = Vector256.Load(c + 40); s6 = Vector256.Load(c + 48); s7 = Vector256.Load(c + 56);
        }
        else s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = Vector256<float>.Zero;
        for (int p = 0; p < k; p++, b += ldb)
        {
            var av = Vector256.Create(a[p]);
            s0 = Fma.MultiplyAdd(av, Vector256.Load(b), s0);
            s1 = Fma.MultiplyAdd(av, Vector256.Load(b + 8), s1);
            s2 = Fma.MultiplyAdd(av, Vector256.Load(b + 16), s2);
            s3 = Fma.MultiplyAdd(av, Vector256.Load(b + 24), s3);
            s4 = Fma.MultiplyAdd(av, Vector256.Load(b + 32), s4);
            s5 = Fma.MultiplyAdd(av, Vector256.Load(b + 40), s5);
            s6 = Fma.MultiplyAdd(av, Vector256.Load(b + 48), s6);
            s7 = Fma.MultiplyAdd(av, Vector256.Load(b + 56), s7);
        }
        s0.Store(c); s1.Store(c + 8); s2.Store(c + 16); s3.Store(c + 24);
        s4.Store(c + 32); s5.Store(c + 40); s6.Store(c + 48); s7.Store(c + 56);
    }

    private static void Epilogue(in GemmProblem g, float* cRow, int c0, int c1)
    {
        if (g.Bias == null && !g.Relu) return;
        for (int j = c0; j < c1; j++)
        {
            float v = cRow[j];
            if (g.Bias != null) v += g.Bias[j];
            if (g.Relu) v = MathF.Max(v, 0f);
            cRow[j] = v;
        }
    }
}
