using Dendrite.Kernels;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>SGEMM throughput: Dendrite's <see cref="Gemm.Multiply"/> against torch.matmul on the same float32 data.</summary>
internal static class GemmBench
{
    private sealed record Case(int M, int K, int N, bool TransposeA, string Why);

    private static readonly Case[] Cases =
    [
        new(128, 784, 512, false, "Dense(512) forward, batch 128"),
        new(784, 128, 512, true, "its weight gradient, Xᵀ·dY"),
        new(128, 512, 10, false, "Dense(10) forward"),
        new(512, 512, 512, false, "square"),
        new(2048, 2048, 2048, false, "large square"),
    ];

    public static string Run(Options options, double peak, string? torchError)
    {
        var table = new MarkdownTable("shape (M, K, N)", "Dendrite GFLOP/s", "% of peak", "TorchSharp GFLOP/s", "% of peak", "Dendrite/TorchSharp", "peak alongside (GFLOP/s)");
        var notes = new List<string>();
        double worstDiff = 0;
        foreach (var c in Cases)
        {
            Console.Error.WriteLine($"  gemm {c.M}×{c.K}×{c.N}{(c.TransposeA ? " (Aᵀ)" : "")} …");
            var rng = new Random(42);
            var a = RandomMatrix(rng, c.M * c.K); // (m, k), or (k, m) when transposed
            var b = RandomMatrix(rng, c.K * c.N);
            var cd = new float[c.M * c.N];
            double flops = 2.0 * c.M * c.K * c.N;
            bool big = flops > 5e9;

            // Dendrite, TorchSharp and the FMA peak in alternating short bursts: on a shared host the load of other
            // tenants drifts within seconds, and alternating puts the three numbers in the same moments.
            int rounds = options.Quick ? 3 : 8;
            double burst = options.Quick ? 0.1 : 0.2;
            var dTimes = new List<double>();
            var tTimes = new List<double>();
            var peaks = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                dTimes.AddRange(Timing.Repeat(() => Gemm.Multiply(a, b, cd, c.M, c.K, c.N, transposeA: c.TransposeA),
                    warmup: round == 0 ? (big ? 1 : 3) : 1, warmupSeconds: round == 0 ? 0.1 : 0,
                    minReps: big ? 1 : 3, maxReps: 1000, budgetSeconds: burst));
                if (torchError is null)
                {
                    Thread.Sleep(20); // let Dendrite's workers go idle
                    tTimes.AddRange(Torch(c, a, b, cd, big, round == 0, burst, out double diff));
                    worstDiff = Math.Max(worstDiff, diff);
                    Thread.Sleep(20); // and torch's OpenMP workers stop spinning
                }
                peaks.Add(Peak.Sample());
            }
            double dGflops = flops / Timing.Median(dTimes) / 1e9;
            double tGflops = torchError is null ? flops / Timing.Median(tTimes) / 1e9 : double.NaN;
            double shapePeak = Timing.Median(peaks);
            string shape = $"({c.M}, {c.K}, {c.N}){(c.TransposeA ? ", A transposed" : "")}";
            table.Add($"{shape} — {c.Why}", Fmt.F(dGflops, 1), Fmt.Pct(dGflops, shapePeak), Fmt.F(tGflops, 1), Fmt.Pct(tGflops, shapePeak), Fmt.Ratio(dGflops, tGflops), Fmt.F(shapePeak, 1));
        }
        if (torchError is null)
            notes.Add($"Check: on every shape the two results agree to a relative difference of at most {worstDiff:0.0E+0} (max |Δ| / max |C|).");
        notes.Add($"% of peak is against the \"peak alongside\": the median of the all-core FMA peak sampled between the shape's timed bursts (the run's peak at the start, {peak:F1} GFLOP/s, is in the Machine peak table). Each shape alternates {(options.Quick ? 3 : 8)} bursts of Dendrite, TorchSharp and a peak sample; the GFLOP/s are medians over all calls.");
        return table + "\n" + string.Concat(notes.Select(n => n + "\n"));
    }

    /// <summary>
    /// One burst of torch.matmul; on the first (<paramref name="first"/>) also the relative difference from Dendrite's
    /// result (0 on the others: neither input changes between bursts).
    /// </summary>
    private static List<double> Torch(Case c, float[] a, float[] b, float[] dendriteResult, bool big, bool first, double burst, out double relativeDiff)
    {
        using var scope = torch.NewDisposeScope();
        var at = c.TransposeA ? torch.tensor(a, [c.K, c.M]) : torch.tensor(a, [c.M, c.K]);
        var aOp = c.TransposeA ? at.t() : at; // a view: no copy, as in PyTorch
        var bt = torch.tensor(b, [c.K, c.N]);
        var times = Timing.Repeat(() => { using var r = torch.matmul(aOp, bt); },
            warmup: first ? (big ? 1 : 3) : 1, warmupSeconds: first ? 0.1 : 0,
            minReps: big ? 1 : 3, maxReps: 1000, budgetSeconds: burst);

        relativeDiff = 0;
        if (!first) return times;
        var result = torch.matmul(aOp, bt).data<float>().ToArray();
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < result.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(result[i] - dendriteResult[i]));
            maxAbs = Math.Max(maxAbs, Math.Abs(result[i]));
        }
        relativeDiff = maxAbs > 0 ? maxDiff / maxAbs : maxDiff;
        return times;
    }

    /// <summary>Uniform values in [-1, 1) from <paramref name="rng"/>.</summary>
    internal static float[] RandomMatrix(Random rng, int size)
    {
        var m = new float[size];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }
}
