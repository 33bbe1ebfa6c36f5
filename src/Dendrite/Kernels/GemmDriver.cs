using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

/// <summary>
/// The blocked, packed matrix product around a micro-kernel (the BLIS loop nest), for one slice of C.
/// </summary>
/// <remarks>
/// Loop nest, outermost first: k in equal blocks of at most <see cref="IGemmKernel.KC"/>; rows of C in blocks of <see cref="IGemmKernel.MC"/>;
/// columns in NR-wide panels of B; rows in MR-row panels, each one kernel call. KC, MC and whether everything is
/// packed belong to each kernel (<see cref="IGemmKernel"/>; the reasoning is beside the constants in the generator).
/// When both panels of a whole tile are packed the kernel's <see cref="IGemmKernel.RunPacked"/> runs it.
/// A transposed A (or one scaled by alpha) is always packed, alpha folded in; on the AVX-512 path a plain row-major A
/// is read in place, only its last partial row panel packed. A row-major B is read in place
/// (its rows are contiguous; hardware prefetch streams them); a transposed B, and the last partial column panel,
/// are packed. Edge tiles go through a small zero-padded tile so the kernel never reads or writes out of bounds.
/// </remarks>
internal static unsafe class GemmDriver<TKernel> where TKernel : IGemmKernel
{
    [ThreadStatic] private static PinnedBuffer? s_packA;
    [ThreadStatic] private static PinnedBuffer? s_packB;

    /// <summary>Columns of C per outer block: bounds the packed-B buffer (NC × kc floats) for any width of C.</summary>
    public const int NC = 4096;

    /// <summary>Computes rows [r0, r1) × columns [c0, c1) of C. c0 is a multiple of NR.</summary>
    /// <remarks>
    /// Column blocks of <see cref="NC"/> are independent (each C element still sums its k blocks in the same order),
    /// so the blocking changes no result.
    /// </remarks>
    public static void Compute(in GemmProblem g, int r0, int r1, int c0, int c1)
    {
        for (int nc0 = c0; nc0 < c1; nc0 += NC) ComputeColumnBlock(g, r0, r1, nc0, Math.Min(c1, nc0 + NC));
    }

    /// <summary>
    /// The most floats (4 MiB) a thread keeps of one operand packed for the whole product, so that the next tile of
    /// the same product over the same rows (or columns) skips packing them again: with many small tiles, a column
    /// tile would otherwise pack all of A again, a row tile all of B.
    /// </summary>
    private const long PackCacheFloats = 1 << 20;

    // What this thread's packing buffers hold: the product (Gemm's product id, never reused) and the rows of A, or
    // the columns of B, they were packed for. Id 0 means nothing.
    [ThreadStatic] private static long s_packedAProduct, s_packedBProduct;
    [ThreadStatic] private static int s_packedAFirst, s_packedALast, s_packedBFirst, s_packedBLast;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void ComputeColumnBlock(in GemmProblem g, int r0, int r1, int c0, int c1)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        if (r0 >= r1 || c0 >= c1) return;
        int mcMax = Math.Min(TKernel.MC, RoundUp(r1 - r0, mr));
        // k blocks of equal size (784 → 2 × 392, not 512 + 272): a thin last block would pay a full C load/store.
        int kBlock = (g.K + (g.K + TKernel.KC - 1) / TKernel.KC - 1) / ((g.K + TKernel.KC - 1) / TKernel.KC);
        int panels = (c1 - c0 + nr - 1) / nr;

        // B is read in place (its rows are contiguous and hardware prefetch streams them) unless it is transposed,
        // its rows sit 4 KiB or more apart, where every k step would cost a TLB miss, or C is tall: with 1024 rows or
        // more each packed panel serves 128+ row panels, and a packed panel's contiguous rows beat in-place rows whose
        // power-of-two stride (128 or 512 floats) lands them in a few L1 sets. Measured on the benchmark shapes
        // (alternating runs in one process): (4096, 128, 128) 142 → 162 GFLOP/s, attention's (4096, 128, 384) 170 → 213,
        // the convnet's (15488, 288, 64) 142 → 173, (1024, 784, 512) 163 → 197; (128, 784, 512) is below the threshold.
        // Packing copies values only, so results are bit-identical either way.
        bool packAllB = TKernel.PackAll || g.TransposeB || g.LdB >= 1024 || g.M >= 1024;
        // A row-major A is read in place too: its rows are contiguous in k, and the kernel broadcasts from MR of them.
        // Packing it would cost a strided copy of all of A per thread, which small and thin products never earn back.
        // On the paths that pack everything, a narrow product (fewer than 4 column panels, e.g. a 10-class output
        // layer) still reads A in place: each packed A value would serve fewer than 4 kernel calls, and the gather
        // that packs it costs as much as the FMAs it feeds there (measured: (128, 512, 10) fell from 22 to 9 GFLOP/s).
        bool inPlaceA = !g.TransposeA && g.Alpha == 1f && (!TKernel.PackAll || panels < 4);

        // Keep the whole packed A of rows [r0, r1) (block (ic, pc) at pc·rows + (ic − r0)·kc), or the whole packed B
        // of columns [c0, c1) (k block pc at pc·width), when it is small enough: the next tile of this product on
        // this thread then finds it packed. Otherwise one block at a time, packed again where needed.
        int rowsRounded = RoundUp(r1 - r0, mr), widthRounded = panels * nr;
        bool cacheA = !inPlaceA && g.ProductId != 0 && (long)rowsRounded * g.K <= PackCacheFloats;
        bool cacheB = packAllB && g.ProductId != 0 && (long)widthRounded * g.K <= PackCacheFloats;
        bool aPacked = cacheA && s_packedAProduct == g.ProductId && s_packedAFirst == r0 && s_packedALast == r1;
        bool bPacked = cacheB && s_packedBProduct == g.ProductId && s_packedBFirst == c0 && s_packedBLast == c1;
        float* packA = (s_packA ??= new PinnedBuffer()).Get(cacheA ? rowsRounded * g.K : mcMax * kBlock);
        float* packB = (s_packB ??= new PinnedBuffer()).Get(cacheB ? widthRounded * g.K : widthRounded * kBlock); // ≤ NC·KC floats when not cached
        if (cacheA && !aPacked) s_packedAProduct = 0; // being overwritten: valid again only once fully packed
        if (cacheB && !bPacked) s_packedBProduct = 0;
        float* tile = stackalloc float[mr * nr];
        for (int pc = 0; pc < g.K; pc += kBlock)
        {
            int kc = Math.Min(kBlock, g.K - pc);
            bool first = pc == 0, last = pc + kc == g.K;
            bool loadC = !first || g.AccumulateC;
            // B panels of this k block that cannot be read in place.
            float* packBBlock = cacheB ? packB + (nint)pc * widthRounded : packB;
            if (!bPacked)
                for (int q = 0; q < panels; q++)
                {
                    int jc = c0 + q * nr;
                    int width = Math.Min(nr, c1 - jc);
                    if (packAllB || width < nr) PackB(g, pc, kc, jc, width, packBBlock + q * nr * kc);
                }
            for (int ic = r0; ic < r1; ic += TKernel.MC)
            {
                int mc = Math.Min(TKernel.MC, r1 - ic);
                int partialRows = mc % mr;
                float* packABlock = cacheA ? packA + (nint)pc * rowsRounded + (nint)(ic - r0) * kc : packA;
                if (!inPlaceA) { if (!aPacked) PackA(g, ic, mc, pc, kc, packABlock); }
                else if (partialRows > 0) PackA(g, ic + mc - partialRows, partialRows, pc, kc, packABlock); // only the last, partial panel
                for (int q = 0; q < panels; q++)
                {
                    int jc = c0 + q * nr;
                    int width = Math.Min(nr, c1 - jc);
                    bool packed = packAllB || width < nr;
                    float* b = packed ? packBBlock + q * nr * kc : g.B + (nint)pc * g.LdB + jc;
                    nint ldb = packed ? nr : g.LdB;
                    float* bias = last && g.Bias != null ? g.Bias + jc : null;
                    bool relu = last && g.Relu;
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        float* c = g.C + (nint)(ic + ir) * g.LdC + jc;
                        float* a;
                        nint lda, aStep;
                        if (inPlaceA && rows == mr) { a = g.A + (nint)(ic + ir) * g.LdA + pc; lda = g.LdA; aStep = 1; }
                        else { a = inPlaceA ? packABlock : packABlock + ir * kc; lda = 1; aStep = mr; }
                        if (rows == mr && width == nr)
                        {
                            if (packed && aStep == mr) TKernel.RunPacked(a, b, c, g.LdC, kc, loadC, bias, relu);
                            else TKernel.Run(a, lda, aStep, b, ldb, c, g.LdC, kc, loadC, bias, relu);
                        }
                        else EdgeTile(a, lda, aStep, b, ldb, c, g.LdC, kc, loadC, bias, relu, rows, width, tile);
                    }
                }
            }
        }
        if (cacheA) (s_packedAProduct, s_packedAFirst, s_packedALast) = (g.ProductId, r0, r1);
        if (cacheB) (s_packedBProduct, s_packedBFirst, s_packedBLast) = (g.ProductId, c0, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void EdgeTile(float* a, nint lda, nint aStep, float* b, nint ldb, float* c, nint ldc, int kc, bool loadC, float* bias, bool relu,
        int rows, int width, float* tile)
    {
        int nr = TKernel.NR, mr = TKernel.MR;
        new Span<float>(tile, mr * nr).Clear();
        if (loadC)
            for (int r = 0; r < rows; r++) new ReadOnlySpan<float>(c + r * ldc, width).CopyTo(new Span<float>(tile + r * nr, width));
        TKernel.Run(a, lda, aStep, b, ldb, tile, nr, kc, loadC: true, null, false);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < width; j++)
            {
                float v = tile[r * nr + j];
                if (bias != null) v += bias[j];
                if (relu) v = MathF.Max(v, 0f); // NaN stays NaN, as in the kernels' Vector.Max
                c[r * ldc + j] = v;
            }
    }

    /// <summary>Packs rows [i0, i0+mc) × k [p0, p0+kc) of alpha·op(A) into MR-row panels: panel q holds, for each k, MR row values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void PackA(in GemmProblem g, int i0, int mc, int p0, int kc, float* dst)
    {
        int mr = TKernel.MR;
        float alpha = g.Alpha;
        for (int q = 0; q < mc; q += mr)
        {
            int rows = Math.Min(mr, mc - q);
            float* panel = dst + q * kc;
            if (g.TransposeA)
            {
                // A is stored (k, m): for each k the MR row values are contiguous.
                for (int p = 0; p < kc; p++)
                {
                    float* src = g.A + (nint)(p0 + p) * g.LdA + i0 + q;
                    float* d = panel + p * mr;
                    if (rows == mr && alpha == 1f)
                    {
                        // A whole panel row: one or two vector moves (a memcpy call per 32 bytes would dominate).
                        if (mr == 8) { Vector256.Store(Vector256.Load(src), d); continue; }
                        if (mr == 4) { Vector128.Store(Vector128.Load(src), d); continue; }
                        Buffer.MemoryCopy(src, d, mr * sizeof(float), mr * sizeof(float));
                        continue;
                    }
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r] * alpha;
                    for (; r < mr; r++) d[r] = 0f;
                }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = g.A + (nint)(i0 + q + r) * g.LdA + p0;
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = src[p] * alpha;
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = 0f;
            }
        }
    }

    /// <summary>Packs k [p0, p0+kc) × columns [j0, j0+width) of op(B) into one kc×NR panel, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void PackB(in GemmProblem g, int p0, int kc, int j0, int width, float* dst)
    {
        int nr = TKernel.NR;
        if (g.TransposeB)
        {
            // B is stored (n, k): column j of op(B) is row j of storage, contiguous in k.
            for (int j = 0; j < width; j++)
            {
                float* src = g.B + (nint)(j0 + j) * g.LdB + p0;
                for (int p = 0; p < kc; p++) dst[p * nr + j] = src[p];
            }
            if (width < nr)
                for (int p = 0; p < kc; p++) new Span<float>(dst + p * nr + width, nr - width).Clear();
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = g.B + (nint)(p0 + p) * g.LdB + j0;
                new ReadOnlySpan<float>(src, width).CopyTo(new Span<float>(dst + p * nr, width));
                if (width < nr) new Span<float>(dst + p * nr + width, nr - width).Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>One matrix product's operands and options, shared read-only by the threads computing it.</summary>
internal unsafe struct GemmProblem
{
    public float* A, B, C, Bias;
    public int M, K, N;

    /// <summary>
    /// The distance in floats between consecutive stored rows of A, B and C (BLAS' lda, ldb, ldc): at least the
    /// stored row length, more when a matrix is a block of a wider one (one head of a (time, heads·dim) tensor).
    /// </summary>
    public nint LdA, LdB, LdC;
    public bool TransposeA, TransposeB, AccumulateC, Relu;
    public float Alpha;

    /// <summary>Unique per product call (0: none), so a thread can tell its packed operands are this product's.</summary>
    public long ProductId;
}

/// <summary>A 64-byte-aligned float buffer on the pinned heap that only grows; one per thread for packing.</summary>
internal sealed unsafe class PinnedBuffer
{
    private float[] _array = [];
    private float* _aligned;

    public float* Get(int floats)
    {
        if (floats < 0) throw new ArgumentOutOfRangeException(nameof(floats), $"a packing buffer of {floats} floats was requested.");
        if (_array.Length < floats + 16)
        {
            _array = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref _array[0]);
            _aligned = (float*)((address + 63) & ~(nint)63);
        }
        return _aligned;
    }
}
