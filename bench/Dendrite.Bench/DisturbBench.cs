using System.Globalization;
using Dendrite.Kernels;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// The shared-host benchmark: the same work with and without a <see cref="CoreThief"/> taking one core at random
/// moments, for Dendrite and TorchSharp, each library using all cores. The slowdown (disturbed ÷ undisturbed − 1) says
/// how much a library's threads wait for a partner that lost its core.
/// </summary>
internal static class DisturbBench
{
    private sealed record Product(int M, int K, int N, bool TransposeA, int Count);

    // One round: the north-star step's products (the Dense(512) forward and its weight gradient, the thin
    // Dense(10) forward) and a square one, ~5.5 GFLOP in all.
    private static readonly Product[] Round =
    [
        new(128, 784, 512, false, 20),
        new(784, 128, 512, true, 20),
        new(128, 512, 10, false, 50),
        new(512, 512, 512, false, 5),
    ];

    public static string Run(Options options, string? torchError)
    {
        int reps = options.Quick ? 2 : 5;
        var gemm = new Dictionary<string, List<double>> { ["d0"] = [], ["d1"] = [], ["t0"] = [], ["t1"] = [] };
        var rng = new Random(42);
        var data = Round.Select(p => (p, A: GemmBench.RandomMatrix(rng, p.M * p.K), B: GemmBench.RandomMatrix(rng, p.K * p.N), C: new float[p.M * p.N])).ToArray();
        using var scope = torch.NewDisposeScope();
        var tdata = torchError is null
            ? data.Select(d => (d.p, A: d.p.TransposeA ? torch.tensor(d.A, [d.p.K, d.p.M]).t() : torch.tensor(d.A, [d.p.M, d.p.K]), B: torch.tensor(d.B, [d.p.K, d.p.N]))).ToArray()
            : null;
        void DendriteRound()
        {
            foreach (var (p, a, b, c) in data)
                for (int i = 0; i < p.Count; i++) Gemm.Multiply(a, b, c, p.M, p.K, p.N, transposeA: p.TransposeA);
        }
        void TorchRound()
        {
            foreach (var (p, a, b) in tdata!)
                for (int i = 0; i < p.Count; i++) { using var r = torch.matmul(a, b); }
        }
        double budget = options.Quick ? 0.6 : 1.5;
        List<double> Rounds(Action round)
        {
            round(); // warm
            return Timing.Repeat(round, warmup: 1, warmupSeconds: 0.1, minReps: 5, maxReps: 1000, budgetSeconds: budget);
        }
        Console.Error.WriteLine($"  SGEMM rounds, {reps} × (undisturbed, disturbed) …");
        for (int rep = 0; rep < reps; rep++)
        {
            gemm["d0"].AddRange(Rounds(DendriteRound));
            if (tdata is not null) { Thread.Sleep(50); gemm["t0"].AddRange(Rounds(TorchRound)); Thread.Sleep(50); }
            using (CoreThief.Start())
            {
                gemm["d1"].AddRange(Rounds(DendriteRound));
                if (tdata is not null) { Thread.Sleep(50); gemm["t1"].AddRange(Rounds(TorchRound)); Thread.Sleep(50); }
            }
        }

        // The north-star training, one epoch per child process, alternating undisturbed and disturbed runs.
        int trainReps = options.Quick ? 1 : 3;
        var train = new Dictionary<string, List<double>> { ["d0"] = [], ["d1"] = [], ["t0"] = [], ["t1"] = [] };
        var errors = new List<string>();
        void Child(string child, string key, bool disturbed)
        {
            using var thief = disturbed ? CoreThief.Start() : null;
            var r = ChildProcess.Run(child, "--runs", "1", "--epochs", "1");
            if (r.Error is not null) errors.Add(r.Error);
            train[key].AddRange(r.Numbers("run_seconds"));
        }
        Console.Error.WriteLine($"  training, {trainReps} × (undisturbed, disturbed), one epoch per child process …");
        for (int rep = 0; rep < trainReps; rep++)
        {
            Child("train-dendrite", "d0", false);
            Child("train-dendrite", "d1", true);
            if (torchError is null)
            {
                Child("train-torch", "t0", false);
                Child("train-torch", "t1", true);
            }
        }

        var table = new MarkdownTable("work", "library", "undisturbed (ms)", "with the core thief (ms)", "slowdown");
        var slowdowns = new List<(string Work, double D, double T)>();
        void Rows(string work, Dictionary<string, List<double>> times, double scale)
        {
            double d0 = Timing.Median(times["d0"]) * scale, d1 = Timing.Median(times["d1"]) * scale;
            double t0 = Timing.Median(times["t0"]) * scale, t1 = Timing.Median(times["t1"]) * scale;
            table.Add(work, "Dendrite", Fmt.F(d0, 1), Fmt.F(d1, 1), Slowdown(d0, d1));
            table.Add(work, "TorchSharp", Fmt.F(t0, 1), Fmt.F(t1, 1), Slowdown(t0, t1));
            slowdowns.Add((work, d1 / d0 - 1, t1 / t0 - 1));
        }
        Rows("SGEMM round (~5.5 GFLOP)", gemm, 1000);
        Rows("MNIST MLP, one training epoch", train, 1000);

        var sb = new System.Text.StringBuilder();
        sb.Append(table).Append('\n');
        foreach (var (work, d, t) in slowdowns)
            sb.Append(CultureInfo.InvariantCulture, $"{work}: Dendrite's slowdown is {Fmt.F(100 * d, 0)} %, TorchSharp's {Fmt.F(100 * t, 0)} % (Dendrite's ÷ TorchSharp's = {Fmt.F(d / t, 2)}; the issue's target is at most 0.5).\n\n");
        foreach (var e in errors) sb.Append(CultureInfo.InvariantCulture, $"**A training child failed:** {e}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"The core thief is a child process pinned to the last core that busy-loops for a random 1–10 ms, then sleeps for a random 1–10 ms, over and over (half of one core on average, at random moments). ")
          .Append(CultureInfo.InvariantCulture, $"SGEMM: medians over {reps} alternations of ≥ {budget:0.0} s of rounds each, undisturbed then disturbed; a round is ")
          .Append(string.Join(", ", Round.Select(p => $"{p.Count} × ({p.M}, {p.K}, {p.N}){(p.TransposeA ? "ᵀ" : "")}")))
          .Append(" (`Gemm.Multiply` against `torch.matmul`, as in the SGEMM section). ")
          .Append(CultureInfo.InvariantCulture, $"Training: the north-star model of the training section, one epoch in a child process, median of {trainReps} run(s) each way (the thief starts before the child and stops after it). ")
          .Append("On 2 cores, losing half of one core at best costs a quarter of the machine: a library that hands the free core the stalled thread's work slows down by about a third, one that splits work in fixed halves by up to half or more.\n");
        return sb.ToString();
    }

    private static string Slowdown(double clean, double disturbed) =>
        double.IsFinite(clean) && double.IsFinite(disturbed) && clean > 0 ? Fmt.F(100 * (disturbed / clean - 1), 0) + " %" : Fmt.NA;
}
