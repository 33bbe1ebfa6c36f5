namespace Dendrite.Distributed.Tests;

/// <summary>
/// Data-parallel Fit over real MPI (tests/Dendrite.MpiChild's "train" scenario, generated data, an MLP, Adam, global
/// batch 128): ranks bit-identical after every epoch, equal to one process with the same global batch within 1e-5,
/// the same loss and accuracy logs, a dead rank ending the job, a resumed run continuing exactly.
/// </summary>
public sealed class DataParallelTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dendrite-mpi-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string> Settings(string folder, params (string Key, string Value)[] more)
    {
        string path = Path.Combine(_dir, folder);
        Directory.CreateDirectory(path);
        var settings = new Dictionary<string, string> { ["DENDRITE_MPI_OUT"] = path };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private static float[] Weights(string folder, int rank)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(folder, $"weights.rank{rank}.bin"));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static MpiRunResult Succeeded(MpiRunResult run)
    {
        Assert.True(run.ExitCode == 0, $"the job failed ({run.ExitCode}):\n{run.Output}");
        return run;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void RanksAreBitIdenticalAfterEveryEpochAndMatchOneProcess(int ranks)
    {
        var single = Settings("single");
        var singleRun = Succeeded(MpiRun.RunSingleton("train", TimeSpan.FromSeconds(60), single));
        var parallel = Settings($"np{ranks}");
        var run = Succeeded(MpiRun.Run(ranks, "train", TimeSpan.FromSeconds(90), parallel));

        for (int epoch = 0; epoch < 2; epoch++)
        {
            var hashes = run.ValuesByRank($"epoch{epoch}", ranks);
            Assert.True(hashes.Distinct().Count() == 1, $"epoch {epoch}: the ranks' weights differ: {string.Join(", ", hashes)}");
            foreach (var key in new[] { "loss", "accuracy" })
            {
                var values = run.ValuesByRank($"{key}{epoch}", ranks);
                Assert.True(values.Distinct().Count() == 1, $"epoch {epoch}: the ranks logged different {key}: {string.Join(", ", values)}");
                double expected = double.Parse(singleRun.ValuesByRank($"{key}{epoch}", 1)[0], System.Globalization.CultureInfo.InvariantCulture);
                double actual = double.Parse(values[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(expected - actual) <= 1e-5, $"epoch {epoch}: {key} {actual} over {ranks} ranks, {expected} in one process");
            }
        }
        var reference = Weights(single["DENDRITE_MPI_OUT"], 0);
        for (int rank = 0; rank < ranks; rank++)
        {
            var weights = Weights(parallel["DENDRITE_MPI_OUT"], rank);
            Assert.Equal(reference.Length, weights.Length);
            for (int i = 0; i < weights.Length; i++)
                Assert.True(Math.Abs(reference[i] - weights[i]) <= 1e-5, $"rank {rank}: weight {i} is {weights[i]}, one process {reference[i]}");
        }
    }

    [Fact]
    public void RanksOnOneMachineShareItsCoresUnlessDendriteNumThreadsSaysOtherwise()
    {
        var shared = MpiRun.Run(2, "info", TimeSpan.FromSeconds(30), new Dictionary<string, string>());
        Assert.Equal(0, shared.ExitCode);
        string expected = Math.Max(1, Environment.ProcessorCount / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(shared.ValuesByRank("threads", 2), t => Assert.Equal(expected, t));
        var told = MpiRun.Run(2, "info", TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["DENDRITE_NUM_THREADS"] = "3" });
        Assert.All(told.ValuesByRank("threads", 2), t => Assert.Equal("3", t));
    }

    [Fact]
    public void OverlapChangesNoBit()
    {
        var with = Settings("overlap");
        var without = Settings("no-overlap", ("OVERLAP", "0"));
        Succeeded(MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), with));
        Succeeded(MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), without));
        Assert.Equal(Weights(without["DENDRITE_MPI_OUT"], 0), Weights(with["DENDRITE_MPI_OUT"], 0));
    }

    [Fact]
    public void ARankThatDiesDuringFitEndsTheJobWithinTenSeconds()
    {
        var run = MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), Settings("die", ("EPOCHS", "3"), ("DIE_AT_EPOCH", "1")));
        Assert.NotEqual(0, run.ExitCode);
        var died = run.Lines.FirstOrDefault(l => l.Text.Contains("R1 dying=", StringComparison.Ordinal));
        Assert.True(died.Text is not null, $"rank 1 never reached its death:\n{run.Output}");
        TimeSpan detection = run.Elapsed - died.At;
        Assert.True(detection < TimeSpan.FromSeconds(10), $"the job took {detection.TotalSeconds:F1} s to end after rank 1 died:\n{run.Output}");
        // mpirun names the first process that failed as [[job,1],rank] with its exit code.
        Assert.Contains(run.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"Process name: \[\[\d+,\d+\],1\]"));
        Assert.Contains(run.Lines, l => l.Text.Contains("Exit code:    3", StringComparison.Ordinal));
    }

    [Fact]
    public void ResumingFromRankZerosCheckpointContinuesExactly()
    {
        var whole = Settings("whole", ("EPOCHS", "3"));
        Succeeded(MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), whole));

        var parts = Settings("parts", ("EPOCHS", "2"));
        Succeeded(MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), parts));
        Assert.True(File.Exists(Path.Combine(parts["DENDRITE_MPI_OUT"], "checkpoint.keras")), "rank 0 wrote no checkpoint");
        parts["EPOCHS"] = "3";
        parts["INITIAL_EPOCH"] = "2";
        var resumed = Succeeded(MpiRun.Run(2, "train", TimeSpan.FromSeconds(90), parts));
        Assert.DoesNotContain(resumed.RankLines, l => l.Text.StartsWith("epoch0=", StringComparison.Ordinal)); // only epoch 2 ran
        Assert.Equal(Weights(whole["DENDRITE_MPI_OUT"], 0), Weights(parts["DENDRITE_MPI_OUT"], 0));
        Assert.Equal(Weights(whole["DENDRITE_MPI_OUT"], 1), Weights(parts["DENDRITE_MPI_OUT"], 1));
    }
}
