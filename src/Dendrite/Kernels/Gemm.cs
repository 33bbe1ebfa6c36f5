using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Dendrite.Kernels;

/// <summary>The activation a matrix product can apply to its result before storing it (the GEMM epilogue).</summary>
public enum GemmActivation
{
    /// <summary>Store the result as is.</summary>
    None,

    /// <summary>Store max(result, 0).</summary>
    Relu,
}

/// <summary>Which micro-kernel the matrix products use; <see cref="Auto"/> picks the widest the hardware accelerates.</summary>
internal enum GemmPath
{
    Auto,
    Avx512,
    Avx2,
    Portable,
}

/// <summary>
/// Single-precision matrix products over row-major spans (SGEMM):
/// <c>C = act(alpha·op(A)·op(B) + beta·C + bias)</c>, where op optionally transposes; op(A) is (m, k), op(B) is
/// (k, n), C is (m, n), bias has n elements (one per column). A transposed operand is stored transposed —
/// (k, m) for A, (n, k) for B — and is never materialised: packing reads it in place.
/// </summary>
/// <remarks>
/// Kernels: AVX-512 8×32 (8×16 when n ≤ 16) when <c>Vector512</c> is hardware-accelerated, AVX2+FMA 6×16, otherwise a portable
/// <c>Vector128</c> 4×8 (SSE, ARM64). Blocking constants belong to each kernel (<see cref="IGemmKernel"/>); one- and two-row
/// products take the unpacked <see cref="Gemv"/> path. A product is cut into tiles of whole kernel panels (columns
/// when there are enough, else rows), up to eight per thread, which the <see cref="MaxThreads"/> threads take as they
/// come free (<see cref="WorkerPool"/>). Every element of C is computed by one tile in one order: results are
/// bit-identical run to run and independent of the thread count and of timing.
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>Products smaller than this many multiply-adds run on the calling thread alone.</summary>
    private const long ParallelThreshold = 200_000;

    [ThreadStatic] private static GemmJob? s_job;
    private static long s_productCount;

    /// <summary>
    /// Tiles per thread when a product is split: enough that a thread whose core is taken for a moment by another
    /// process leaves most of its share to the others (each takes the next tile when it is free), few enough that a
    /// tile's loop overhead stays small. Operands packed once per thread are reused by its later tiles.
    /// </summary>
    private const int TilesPerThread = 8;

    /// <summary>The least work (multiply-adds) worth a tile of its own.</summary>
    private const long MinTileWork = 100_000;

    /// <summary>How many threads (the caller included) a product may use; defaults to the number of cores.</summary>
    public static int MaxThreads
    {
        get => WorkerPool.MaxThreads;
        set => WorkerPool.MaxThreads = value;
    }

    /// <summary>Forces a narrower kernel (tests use it to check every path the machine can run).</summary>
    internal static GemmPath ForcedPath { get; set; } = GemmPath.Auto;

    /// <summary>The kernel products use now.</summary>
    internal static GemmPath ActivePath => ForcedPath != GemmPath.Auto ? ForcedPath : Simd.ActivePath switch
    {
        SimdPath.Avx512 => GemmPath.Avx512,
        SimdPath.Avx2 => GemmPath.Avx2,
        _ => GemmPath.Portable,
    };

    /// <summary>
    /// The instruction set of the micro-kernel that matrix products (Dense, Conv2D) use on this machine:
    /// <c>"AVX-512"</c>, <c>"AVX2+FMA"</c> or <c>"Vector128"</c> (SSE on x64, NEON on ARM64), the widest the hardware
    /// accelerates (<see cref="Simd.ActivePath"/>, named by <see cref="Simd.Name"/>). Read-only; <c>dendrite info</c> prints it.
    /// </summary>
    public static string ActiveKernel => Simd.Name(ActivePath switch
    {
        GemmPath.Avx512 => SimdPath.Avx512,
        GemmPath.Avx2 => SimdPath.Avx2,
        _ => SimdPath.Vector128,
    });

    /// <summary>Whether this machine can run <paramref name="path"/>.</summary>
    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Simd.IsSupported(SimdPath.Avx512),
        GemmPath.Avx2 => Simd.IsSupported(SimdPath.Avx2),
        _ => true,
    };

    /// <summary>
    /// <c>C = op(A)·op(B)</c>, or <c>C += op(A)·op(B)</c> when <paramref name="accumulate"/>.
    /// A is stored (m, k), or (k, m) when <paramref name="transposeA"/>; B is stored (k, n), or (n, k) when <paramref name="transposeB"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA = false, bool transposeB = false, bool accumulate = false) =>
        Multiply(a, b, c, m, k, n, transposeA, transposeB, 1f, accumulate ? 1f : 0f);

    /// <summary>
    /// The full contract: <c>C = act(alpha·op(A)·op(B) + beta·C + bias)</c>. With <paramref name="beta"/> = 0, C is
    /// only written (its old contents, even NaN, are ignored). <paramref name="bias"/> is empty or holds n values.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA, bool transposeB, float alpha, float beta, ReadOnlySpan<float> bias = default,
        GemmActivation activation = GemmActivation.None)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"matrix dimensions must be >= 0, got m={m}, k={k}, n={n}.");
        if ((long)a.Length < (long)m * k) throw new ArgumentException($"A holds {a.Length} elements, {(transposeA ? $"({k}, {m})" : $"({m}, {k})")} needs {(long)m * k}.", nameof(a));
        if ((long)b.Length < (long)k * n) throw new ArgumentException($"B holds {b.Length} elements, {(transposeB ? $"({n}, {k})" : $"({k}, {n})")} needs {(long)k * n}.", nameof(b));
        if ((long)c.Length < (long)m * n) throw new ArgumentException($"C holds {c.Length} elements, ({m}, {n}) needs {(long)m * n}.", nameof(c));
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"bias must hold n = {n} values, got {bias.Length}.", nameof(bias));
        Run(a, transposeA ? m : k, b, transposeB ? k : n, c, n, m, k, n, transposeA, transposeB, alpha, beta, bias, activation);
    }

    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·C</c> on matrices that are blocks of wider row-major ones (BLAS' leading
    /// dimensions): stored row r of A starts at <c>a[r·lda]</c>, of B at <c>b[r·ldb]</c>, of C at <c>c[r·ldc]</c>.
    /// Attention multiplies one head of a (time, heads·dim) tensor this way, in place, without gathering it first.
    /// </summary>
    /// <param name="a">A, stored (m, k) rows of stride <paramref name="lda"/>, or (k, m) when <paramref name="transposeA"/>.</param>
    /// <param name="lda">Floats between A's stored rows; at least the stored row length.</param>
    /// <param name="b">B, stored (k, n) rows of stride <paramref name="ldb"/>, or (n, k) when <paramref name="transposeB"/>.</param>
    /// <param name="ldb">Floats between B's stored rows; at least the stored row length.</param>
    /// <param name="c">C, (m, n) rows of stride <paramref name="ldc"/>; only its m·n elements are touched.</param>
    /// <param name="ldc">Floats between C's rows; at least n.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="transposeA">Whether A is stored transposed.</param>
    /// <param name="transposeB">Whether B is stored transposed.</param>
    /// <param name="alpha">The product's factor.</param>
    /// <param name="beta">C's old values' factor; 0 ignores them.</param>
    public static void MultiplyStrided(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        int m, int k, int n, bool transposeA = false, bool transposeB = false, float alpha = 1f, float beta = 0f)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"matrix dimensions must be >= 0, got m={m}, k={k}, n={n}.");
        var (aRows, aCols) = transposeA ? (k, m) : (m, k);
        var (bRows, bCols) = transposeB ? (n, k) : (k, n);
        CheckStrided(a.Length, lda, aRows, aCols, "A", nameof(a));
        CheckStrided(b.Length, ldb, bRows, bCols, "B", nameof(b));
        CheckStrided(c.Length, ldc, m, n, "C", nameof(c));
        Run(a, lda, b, ldb, c, ldc, m, k, n, transposeA, transposeB, alpha, beta, default, GemmActivation.None);
    }

    private static void CheckStrided(int length, int ld, int rows, int cols, string what, string parameter)
    {
        if (ld < Math.Max(1, cols)) throw new ArgumentException($"{what}'s row stride {ld} is shorter than its stored rows of {cols}.", parameter);
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed) throw new ArgumentException($"{what} holds {length} elements; ({rows}, {cols}) with row stride {ld} needs {needed}.", parameter);
    }

    private static void Run(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int k, int n,
        bool transposeA, bool transposeB, float alpha, float beta, ReadOnlySpan<float> bias, GemmActivation activation)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            // No product to add: C = act(beta·C + bias).
            for (int r = 0; r < m; r++)
            {
                var row = c.Slice(r * ldc, n);
                if (beta == 0f) row.Clear(); else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
                ApplyEpilogue(row, n, bias, activation);
            }
            return;
        }
        if (beta != 0f && beta != 1f)
            for (int r = 0; r < m; r++) TensorPrimitives.Multiply(c.Slice(r * ldc, n), beta, c.Slice(r * ldc, n));

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var problem = new GemmProblem
            {
                A = pa, B = pb, C = pc, Bias = bias.IsEmpty ? null : pbias,
                M = m, K = k, N = n, LdA = lda, LdB = ldb, LdC = ldc,
                TransposeA = transposeA, TransposeB = transposeB,
                AccumulateC = beta != 0f, Relu = activation == GemmActivation.Relu, Alpha = alpha,
                ProductId = Interlocked.Increment(ref s_productCount),
            };
            var job = s_job ??= new GemmJob();
            job.Prepare(problem, ActivePath, MaxThreads);
            try
            {
                WorkerPool.Run(job, job.Parts);
            }
            finally
            {
                job.Problem = default; // drop the pointers: they are only valid inside this fixed block
            }
        }
    }

    private static void ApplyEpilogue(Span<float> c, int n, ReadOnlySpan<float> bias, GemmActivation activation)
    {
        if (!bias.IsEmpty)
            for (int row = 0; row < c.Length; row += n) TensorPrimitives.Add(c.Slice(row, n), bias, c.Slice(row, n));
        if (activation == GemmActivation.Relu) TensorPrimitives.Max(c, 0f, c);
    }

    /// <summary>Writes the transpose of the (rows, cols) matrix <paramref name="source"/> into <paramref name="destination"/> as (cols, rows).</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"Transpose needs non-negative dimensions, got ({rows}, {cols}).");
        long size = (long)rows * cols;
        if (source.Length < size || destination.Length < size)
            throw new ArgumentException($"Transpose of ({rows}, {cols}) needs {size} elements on both sides, got {source.Length} and {destination.Length}.");
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

    /// <summary>
    /// The float64 reference: <c>C = act(alpha·op(A)·op(B) + beta·C + bias)</c> by three plain loops accumulating
    /// in double. Tests check every fast path against it.
    /// </summary>
    public static void MultiplyReference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA = false, bool transposeB = false, bool accumulate = false) =>
        MultiplyReference(a, b, c, m, k, n, transposeA, transposeB, 1f, accumulate ? 1f : 0f);

    /// <summary>The float64 reference of the full contract.</summary>
    public static void MultiplyReference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA, bool transposeB, float alpha, float beta, ReadOnlySpan<float> bias = default,
        GemmActivation activation = GemmActivation.None)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0.0;
                for (int p = 0; p < k; p++)
                {
                    double av = transposeA ? a[p * m + i] : a[i * k + p];
                    double bv = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                double value = alpha * sum + (beta == 0f ? 0.0 : beta * (double)c[i * n + j]);
                if (!bias.IsEmpty) value += bias[j];
                if (activation == GemmActivation.Relu) value = Math.Max(value, 0.0);
                c[i * n + j] = (float)value;
            }
    }

    /// <summary>Splits one product into fixed slices and runs each with the chosen kernel.</summary>
    private sealed class GemmJob : IParallelJob
    {
        public GemmProblem Problem;
        private GemmPath _path;
        private bool _splitColumns;
        private bool _narrow; // n fits one 16-column panel: the narrow AVX-512 kernel wastes fewer lanes
        private int _unitsPerPart; // columns or rows per slice, a whole number of kernel panels
        public int Parts { get; private set; }

        public void Prepare(in GemmProblem problem, GemmPath path, int maxThreads)
        {
            Problem = problem;
            _path = path;
            _narrow = path == GemmPath.Avx512 && problem.N <= Avx512Kernel8x16.NR;
            var (mr, nr) = path switch
            {
                GemmPath.Avx512 when _narrow => (Avx512Kernel8x16.MR, Avx512Kernel8x16.NR),
                GemmPath.Avx512 => (Avx512Kernel8x32.MR, Avx512Kernel8x32.NR),
                GemmPath.Avx2 => (Avx2Kernel6x16.MR, Avx2Kernel6x16.NR),
                _ => (PortableKernel4x8.MR, PortableKernel4x8.NR),
            };
            if (problem.M <= Gemv.MaxRows) nr = Gemv.SliceColumns;
            long work = (long)problem.M * problem.K * problem.N;
            int threads = work < ParallelThreshold ? 1 : maxThreads;
            int columnPanels = (problem.N + nr - 1) / nr;
            int rowPanels = (problem.M + mr - 1) / mr;
            // Split the columns (each tile reads all of A, its own part of B) unless A must be packed and is tall:
            // then split the rows, so that each tile packs only its own part of A (a weight gradient Xᵀ·dY).
            bool packsA = (problem.TransposeA || problem.Alpha != 1f);
            _splitColumns = problem.M <= Gemv.MaxRows
                || (!(packsA && rowPanels >= 4 * threads) && (columnPanels >= 2 * threads || columnPanels >= rowPanels));
            int panels = _splitColumns ? columnPanels : rowPanels;
            // Tiles are whole kernel panels, taken by whichever thread is free. Every element of C is summed by one
            // tile over the same k blocks in the same order whatever the tiling, so the result does not depend on
            // the tile count, the thread count or which thread ran which tile.
            long tiles = threads == 1 ? 1 : Math.Min(Math.Min(panels, (long)TilesPerThread * threads), Math.Max(threads, work / MinTileWork));
            Parts = (int)Math.Max(1, tiles);
            int panelsPerPart = (panels + Parts - 1) / Parts;
            _unitsPerPart = panelsPerPart * (_splitColumns ? nr : mr);
            Parts = (panels + panelsPerPart - 1) / panelsPerPart;
        }

        public void Execute(int part, int parts)
        {
            var g = Problem; // a copy: the caller clears Problem when the product ends
            int r0 = 0, r1 = g.M, c0 = 0, c1 = g.N;
            if (_splitColumns) { c0 = part * _unitsPerPart; c1 = Math.Min(g.N, c0 + _unitsPerPart); }
            else { r0 = part * _unitsPerPart; r1 = Math.Min(g.M, r0 + _unitsPerPart); }
            if (g.M <= Gemv.MaxRows) { Gemv.Compute(g, c0, c1); return; }
            switch (_path)
            {
                case GemmPath.Avx512 when _narrow: GemmDriver<Avx512Kernel8x16>.Compute(g, r0, r1, c0, c1); break;
                case GemmPath.Avx512: GemmDriver<Avx512Kernel8x32>.Compute(g, r0, r1, c0, c1); break;
                case GemmPath.Avx2: GemmDriver<Avx2Kernel6x16>.Compute(g, r0, r1, c0, c1); break;
                default: GemmDriver<PortableKernel4x8>.Compute(g, r0, r1, c0, c1); break;
            }
        }
    }
}
