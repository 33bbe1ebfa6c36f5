using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Bench;

/// <summary>
/// The machine's single-precision FMA peak, measured: every core runs a loop of independent fused multiply-adds on
/// registers only (12 accumulators, more than FMA latency × FMA ports, so the loop is throughput-bound), no memory.
/// </summary>
internal static class Peak
{
    private const int Accumulators = 12;

    public sealed record Result(string Kernel, double GFlops, bool AllCores = true);

    /// <summary>
    /// The all-core kernels, then one single-thread run of the first. When all cores together reach clearly less than
    /// cores × one thread, something else is using a core and every number of this run is suspect.
    /// </summary>
    public static List<Result> Measure(bool quick)
    {
        var results = MeasureAllCores(quick);
        int threads = Environment.ProcessorCount;
        if (threads > 1)
        {
            var one = Fma.IsSupported ? Run(1, quick ? 3 : 7, 16, Loop256)
                : Vector128.IsHardwareAccelerated ? Run(1, quick ? 3 : 7, 8, Loop128)
                : Run(1, quick ? 3 : 7, 2, LoopScalar);
            string kernel = Fma.IsSupported ? "Vector256 FMA" : Vector128.IsHardwareAccelerated ? "Vector128 multiply-add" : "scalar FMA";
            results.Add(new($"{kernel}, {Accumulators} accumulators, 1 thread (for comparison)", one, AllCores: false));
        }
        return results;
    }

    private static List<Result> MeasureAllCores(bool quick)
    {
        int threads = Environment.ProcessorCount;
        int reps = quick ? 3 : 7;
        var results = new List<Result>();
        if (Fma.IsSupported)
            results.Add(new($"Vector256 FMA, {Accumulators} accumulators, {threads} threads", Run(threads, reps, 16, Loop256)));
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            results.Add(new($"Vector512 FMA, {Accumulators} accumulators, {threads} threads", Run(threads, reps, 32, Loop512)));
        // The Vector128 path (runtime with AVX2 off, or ARM64): its kernel's own instruction, MultiplyAddEstimate,
        // fused where the hardware fuses, else a multiply and an add; a software scalar FMA would understate the peak.
        if (results.Count == 0 && Vector128.IsHardwareAccelerated)
            results.Add(new($"Vector128 multiply-add, {Accumulators} accumulators, {threads} threads", Run(threads, reps, 8, Loop128)));
        if (results.Count == 0)
            results.Add(new($"scalar MathF.FusedMultiplyAdd, {Accumulators} accumulators, {threads} threads", Run(threads, reps, 2, LoopScalar)));
        return results;
    }

    private static long s_sampleIterations;

    /// <summary>
    /// One short (~30 ms) all-core run of the widest FMA loop this process accelerates: the peak as it is right now.
    /// The SGEMM section takes one between its timed bursts, so that on a shared host each shape is set against the
    /// peak of the same moments, not of the start of the run.
    /// </summary>
    public static double Sample()
    {
        (int flopsPerFma, Func<long, float> loop) = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? (32, Loop512)
            : Fma.IsSupported ? (16, Loop256)
            : Vector128.IsHardwareAccelerated ? (8, (Func<long, float>)Loop128) : (2, LoopScalar);
        if (s_sampleIterations == 0)
        {
            long iterations = 1 << 14;
            while (true)
            {
                double t = Timing.Time(() => loop(iterations));
                if (t > 0.005) { s_sampleIterations = Math.Max(1, (long)(iterations * 0.03 / t)); break; }
                iterations *= 4;
            }
        }
        return RunFixed(Environment.ProcessorCount, 1, flopsPerFma, loop, s_sampleIterations);
    }

    /// <summary>Best GFLOP/s over <paramref name="reps"/> runs of <paramref name="loop"/> on all threads at once.</summary>
    private static double Run(int threads, int reps, int flopsPerFma, Func<long, float> loop)
    {
        loop(1000); // compile
        // Size the loop to ~0.15 s on one thread.
        long iterations = 1 << 16;
        while (true)
        {
            double t = Timing.Time(() => loop(iterations));
            if (t > 0.02) { iterations = (long)(iterations * 0.15 / t); break; }
            iterations *= 4;
        }
        return RunFixed(threads, reps, flopsPerFma, loop, iterations);
    }

    private static double RunFixed(int threads, int reps, int flopsPerFma, Func<long, float> loop, long iterations)
    {
        double best = 0;
        float sink = 0;
        for (int r = 0; r < reps; r++)
        {
            using var start = new Barrier(threads + 1);
            var sums = new float[threads];
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                int id = t;
                workers[t] = new Thread(() => { start.SignalAndWait(); sums[id] = loop(iterations); }) { IsBackground = true };
                workers[t].Start();
            }
            start.SignalAndWait();
            long t0 = Stopwatch.GetTimestamp();
            foreach (var w in workers) w.Join();
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            sink += sums.Sum();
            double flops = (double)threads * iterations * Accumulators * flopsPerFma;
            best = Math.Max(best, flops / seconds / 1e9);
        }
        if (float.IsNaN(sink)) Console.Error.WriteLine("(peak loop produced NaN)"); // keeps the results observable
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        // acc = acc·m + c converges to c / (1 − m) = 1: no overflow, no denormals.
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(0.001f);
        Vector256<float> a0 = Vector256.Create(0.1f), a1 = Vector256.Create(0.2f), a2 = Vector256.Create(0.3f),
            a3 = Vector256.Create(0.4f), a4 = Vector256.Create(0.5f), a5 = Vector256.Create(0.6f),
            a6 = Vector256.Create(0.7f), a7 = Vector256.Create(0.8f), a8 = Vector256.Create(0.9f),
            a9 = Vector256.Create(1.1f), a10 = Vector256.Create(1.2f), a11 = Vector256.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(0.001f);
        Vector512<float> a0 = Vector512.Create(0.1f), a1 = Vector512.Create(0.2f), a2 = Vector512.Create(0.3f),
            a3 = Vector512.Create(0.4f), a4 = Vector512.Create(0.5f), a5 = Vector512.Create(0.6f),
            a6 = Vector512.Create(0.7f), a7 = Vector512.Create(0.8f), a8 = Vector512.Create(0.9f),
            a9 = Vector512.Create(1.1f), a10 = Vector512.Create(1.2f), a11 = Vector512.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop128(long iterations)
    {
        var m = Vector128.Create(0.999f);
        var c = Vector128.Create(0.001f);
        Vector128<float> a0 = Vector128.Create(0.1f), a1 = Vector128.Create(0.2f), a2 = Vector128.Create(0.3f),
            a3 = Vector128.Create(0.4f), a4 = Vector128.Create(0.5f), a5 = Vector128.Create(0.6f),
            a6 = Vector128.Create(0.7f), a7 = Vector128.Create(0.8f), a8 = Vector128.Create(0.9f),
            a9 = Vector128.Create(1.1f), a10 = Vector128.Create(1.2f), a11 = Vector128.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.MultiplyAddEstimate(a0, m, c); a1 = Vector128.MultiplyAddEstimate(a1, m, c); a2 = Vector128.MultiplyAddEstimate(a2, m, c);
            a3 = Vector128.MultiplyAddEstimate(a3, m, c); a4 = Vector128.MultiplyAddEstimate(a4, m, c); a5 = Vector128.MultiplyAddEstimate(a5, m, c);
            a6 = Vector128.MultiplyAddEstimate(a6, m, c); a7 = Vector128.MultiplyAddEstimate(a7, m, c); a8 = Vector128.MultiplyAddEstimate(a8, m, c);
            a9 = Vector128.MultiplyAddEstimate(a9, m, c); a10 = Vector128.MultiplyAddEstimate(a10, m, c); a11 = Vector128.MultiplyAddEstimate(a11, m, c);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector128.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float LoopScalar(long iterations)
    {
        float a0 = 0.1f, a1 = 0.2f, a2 = 0.3f, a3 = 0.4f, a4 = 0.5f, a5 = 0.6f, a6 = 0.7f, a7 = 0.8f, a8 = 0.9f, a9 = 1.1f, a10 = 1.2f, a11 = 1.3f;
        for (long i = 0; i < iterations; i++)
        {
            a0 = MathF.FusedMultiplyAdd(a0, 0.999f, 0.001f); a1 = MathF.FusedMultiplyAdd(a1, 0.999f, 0.001f);
            a2 = MathF.FusedMultiplyAdd(a2, 0.999f, 0.001f); a3 = MathF.FusedMultiplyAdd(a3, 0.999f, 0.001f);
            a4 = MathF.FusedMultiplyAdd(a4, 0.999f, 0.001f); a5 = MathF.FusedMultiplyAdd(a5, 0.999f, 0.001f);
            a6 = MathF.FusedMultiplyAdd(a6, 0.999f, 0.001f); a7 = MathF.FusedMultiplyAdd(a7, 0.999f, 0.001f);
            a8 = MathF.FusedMultiplyAdd(a8, 0.999f, 0.001f); a9 = MathF.FusedMultiplyAdd(a9, 0.999f, 0.001f);
            a10 = MathF.FusedMultiplyAdd(a10, 0.999f, 0.001f); a11 = MathF.FusedMultiplyAdd(a11, 0.999f, 0.001f);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}
