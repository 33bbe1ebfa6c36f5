using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Single-precision matrix products over row-major spans: <c>C = op(A)·op(B)</c> or <c>C += op(A)·op(B)</c>,
/// where <c>op</c> optionally transposes. Dimensions: op(A) is (m, k), op(B) is (k, n), C is (m, n).
/// </summary>
/// <remarks>
/// This is a register-tiled kernel (6 rows × 16 columns of C held in eight 256-bit accumulators, A broadcast,
/// B streamed) without panel packing; transposed operands are first copied into scratch in plain layout.
/// It is good enough for the MNIST workflow; the packed, cache-blocked GEMM is a later step.
/// Work is split across threads by fixed column blocks of C, so every element of C is computed by one thread
/// in one order: results are bit-identical run to run whatever the thread timing.
/// </remarks>
public static class Gemm
{
    private const int TileRows = 6;
    private const int TileCols = 16;

    /// <summary>Largest number of threads a product is split across; 1 keeps everything on the caller's thread.</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    [ThreadStatic] private static float[]? s_scratchA;
    [ThreadStatic] private static float[]? s_scratchB;

    /// <summary>
    /// Computes <c>C = op(A)·op(B)</c> (or adds it to C when <paramref name="accumulate"/> is true).
    /// A is stored as (m, k), or as (k, m) when <paramref name="transposeA"/>; B as (k, n), or (n, k) when <paramref name="transposeB"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"matrix dimensions must be >= 0, got m={m}, k={k}, n={n}.");
        if (a.Length < m * k) throw new ArgumentException($"A holds {a.Length} elements, ({m}, {k}) needs {m * k}.", nameof(a));
        if (b.Length < k * n) throw new ArgumentException($"B holds {b.Length} elements, ({k}, {n}) needs {k * n}.", nameof(b));
        if (c.Length < m * n) throw new ArgumentException($"C holds {c.Length} elements, ({m}, {n}) needs {m * n}.", nameof(c));
        if (m == 0 || n == 0) return;
        if (!accumulate) c[..(m * n)].Clear();
        if (k == 0) return;

        if (transposeA)
        {
            var scratch = Rent(ref s_scratchA, m * k);
            Transpose(a, scratch, k, m);
            a = scratch.AsSpan(0, m * k);
        }
        if (transposeB)
        {
            var scratch = Rent(ref s_scratchB, k * n);
            Transpose(b, scratch, n, k);
            b = scratch.AsSpan(0, k * n);
        }
        MultiplyPlain(a, b, c, m, k, n);
    }

    private static float[] Rent(ref float[]? slot, int size)
    {
        if (slot is null || slot.Length < size) slot = new float[size];
        return slot;
    }

    /// <summary>Writes the transpose of the (rows, cols) matrix <paramref name="source"/> into <paramref name="destination"/> as (cols, rows).</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        const int Block = 32; // blocks keep both the read and the write side in cache
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int j1 = Math.Min(cols, j0 + Block);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        destination[j * rows + i] = source[i * cols + j];
            }
        }
    }

    private static unsafe void MultiplyPlain(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        int columnBlocks = (n + TileCols - 1) / TileCols;
        long work = (long)m * k * n;
        int threads = Math.Min(MaxThreads, columnBlocks);
        // Below ~2 MFLOP a second thread costs more to wake than it saves.
        if (work < 1_000_000) threads = 1;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (threads <= 1)
            {
                MultiplyColumns(pa, pb, pc, m, k, n, 0, n);
                return;
            }
            var args = (A: (nint)pa, B: (nint)pb, C: (nint)pc);
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                // Fixed partition: thread t always owns the same column blocks.
                int first = (int)((long)columnBlocks * t / threads) * TileCols;
                int last = Math.Min(n, (int)((long)columnBlocks * (t + 1) / threads) * TileCols);
                MultiplyColumns((float*)args.A, (float*)args.B, (float*)args.C, m, k, n, first, last);
            });
        }
    }

    private static unsafe void MultiplyColumns(float* a, float* b, float* c, int m, int k, int n, int col0, int col1)
    {
        // k is split so that a 16-column strip of B (kc × 64 bytes) stays in L1 while all row tiles use it.
        const int KBlock = 256;
        for (int k0 = 0; k0 < k; k0 += KBlock)
        {
            int kc = Math.Min(KBlock, k - k0);
            int j = col0;
            if (Fma.IsSupported && Avx.IsSupported)
            {
                for (; j + TileCols <= col1; j += TileCols)
                {
                    int i = 0;
                    for (; i + TileRows <= m; i += TileRows) Tile6x16(a + i * k + k0, b + k0 * n + j, c + i * n + j, k, n, kc);
                    for (; i < m; i++) Tile1x16(a + i * k + k0, b + k0 * n + j, c + i * n + j, n, kc);
                }
            }
            // Columns left over (or no AVX2/FMA): a plain loop, vectorised over j by the span helpers.
            if (j < col1)
            {
                int width = col1 - j;
                for (int i = 0; i < m; i++)
                {
                    var cRow = new Span<float>(c + i * n + j, width);
                    float* aRow = a + i * k + k0;
                    for (int p = 0; p < kc; p++)
                    {
                        var bRow = new ReadOnlySpan<float>(b + (k0 + p) * n + j, width);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bRow, aRow[p], cRow, cRow);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile6x16(float* a, float* b, float* c, int lda, int ldb, int kc)
    {
        var c00 = Avx.LoadVector256(c); var c01 = Avx.LoadVector256(c + 8);
        var c10 = Avx.LoadVector256(c + ldb); var c11 = Avx.LoadVector256(c + ldb + 8);
        var c20 = Avx.LoadVector256(c + 2 * ldb); var c21 = Avx.LoadVector256(c + 2 * ldb + 8);
        var c30 = Avx.LoadVector256(c + 3 * ldb); var c31 = Avx.LoadVector256(c + 3 * ldb + 8);
        var c40 = Avx.LoadVector256(c + 4 * ldb); var c41 = Avx.LoadVector256(c + 4 * ldb + 8);
        var c50 = Avx.LoadVector256(c + 5 * ldb); var c51 = Avx.LoadVector256(c + 5 * ldb + 8);
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b + p * ldb);
            var b1 = Avx.LoadVector256(b + p * ldb + 8);
            var a0 = Vector256.Create(a[p]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[lda + p]);
            c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2 * lda + p]);
            c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3 * lda + p]);
            c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4 * lda + p]);
            c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5 * lda + p]);
            c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
        }
        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldb, c10); Avx.Store(c + ldb + 8, c11);
        Avx.Store(c + 2 * ldb, c20); Avx.Store(c + 2 * ldb + 8, c21);
        Avx.Store(c + 3 * ldb, c30); Avx.Store(c + 3 * ldb + 8, c31);
        Avx.Store(c + 4 * ldb, c40); Avx.Store(c + 4 * ldb + 8, c41);
        Avx.Store(c + 5 * ldb, c50); Avx.Store(c + 5 * ldb + 8, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile1x16(float* a, float* b, float* c, int ldb, int kc)
    {
        var c0 = Avx.LoadVector256(c); var c1 = Avx.LoadVector256(c + 8);
        for (int p = 0; p < kc; p++)
        {
            var ap = Vector256.Create(a[p]);
            c0 = Fma.MultiplyAdd(ap, Avx.LoadVector256(b + p * ldb), c0);
            c1 = Fma.MultiplyAdd(ap, Avx.LoadVector256(b + p * ldb + 8), c1);
        }
        Avx.Store(c, c0); Avx.Store(c + 8, c1);
    }

    /// <summary>
    /// The float64 reference: the same contract as <see cref="Multiply"/> computed by three plain loops with
    /// double accumulation. Tests check the fast kernel against it.
    /// </summary>
    public static void MultiplyReference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c[i * n + j] : 0.0;
                for (int p = 0; p < k; p++)
                {
                    double av = transposeA ? a[p * m + i] : a[i * k + p];
                    double bv = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                c[i * n + j] = (float)sum;
            }
    }
}
