using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dendrite.Distributed.Tests;

/// <summary>What one run of the MPI child printed, how it ended, and when.</summary>
/// <param name="ExitCode">mpirun's exit code (or the child's, for a run without mpirun).</param>
/// <param name="Lines">Every line of standard output and standard error, with the time it arrived since the start.</param>
/// <param name="Elapsed">From the start to the exit.</param>
internal sealed record MpiRunResult(int ExitCode, IReadOnlyList<(TimeSpan At, string Text)> Lines, TimeSpan Elapsed)
{
    /// <summary>Everything printed, for failure messages.</summary>
    public string Output => string.Join('\n', Lines.Select(l => l.Text));

    /// <summary>The "R&lt;rank&gt; key=value" lines the ranks printed, as (rank, text after the rank).</summary>
    public IEnumerable<(int Rank, string Text)> RankLines =>
        Lines.Select(l => RankLine().Match(l.Text)).Where(m => m.Success)
             .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value));

    /// <summary>The value of <paramref name="key"/> printed by each rank, indexed by rank; fails unless every rank printed it once.</summary>
    public string[] ValuesByRank(string key, int size)
    {
        string[] values = new string[size];
        foreach ((int rank, string text) in RankLines)
        {
            foreach (string pair in text.Split(' '))
            {
                if (!pair.StartsWith(key + "=", StringComparison.Ordinal))
                    continue;
                Assert.True(rank < size, $"rank {rank} printed {key} in a job of {size} ranks:\n{Output}");
                Assert.True(values[rank] is null, $"rank {rank} printed {key} twice:\n{Output}");
                values[rank] = pair[(key.Length + 1)..];
            }
        }
        for (int rank = 0; rank < size; rank++)
            Assert.True(values[rank] is not null, $"rank {rank} did not print {key}:\n{Output}");
        return values;
    }

    private static Regex RankLine() => new(@"^R(\d+) (.*)$");
}

/// <summary>
/// Starts tests/Dendrite.MpiChild under Open MPI's mpirun; the one place the tests' mpirun command line is written.
/// </summary>
internal static class MpiRun
{
    /// <summary>How to install what the tests need.</summary>
    public const string InstallHint = "install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3)";

    /// <summary>
    /// mpirun's options: run as root (CI does), more ranks than cores (this machine has 2), no core binding (ranks
    /// share cores with the test host), and only the shared-memory and self transports (a local job, no network
    /// probing or warnings about InfiniBand). Open MPI's default orte_abort_on_non_zero_status=1 is stated so the
    /// fault tests do not depend on a site's configuration: a rank that exits non-zero ends the job.
    /// </summary>
    public static readonly string[] Options =
        ["--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "--mca", "btl", "self,vader", "--mca", "orte_abort_on_non_zero_status", "1"];

    /// <summary>Runs <c>mpirun [options] -np <paramref name="ranks"/> dotnet Dendrite.MpiChild.dll <paramref name="scenario"/></c>.</summary>
    public static MpiRunResult Run(int ranks, string scenario, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(MpirunPath(), [.. Options, "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", ChildPath(), scenario], timeout, environment);

    /// <summary>Runs the child alone, without mpirun (Open MPI's singleton mode).</summary>
    public static MpiRunResult RunSingleton(string scenario, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Start("dotnet", [ChildPath(), scenario], timeout, environment);

    /// <summary>The mpirun on the PATH; fails the test with the install command when there is none.</summary>
    public static string MpirunPath()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "mpirun");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new Xunit.Sdk.XunitException($"mpirun was not found on PATH; {InstallHint}.");
    }

    /// <summary>The MPI child's dll, built beside the test assembly (bin/Dendrite.MpiChild/&lt;config&gt;/).</summary>
    public static string ChildPath() =>
        Dendrite.TestSupport.SiblingBuild.Dll("Dendrite.MpiChild", "The MPI child", "tests/Dendrite.MpiChild", "tests/Dendrite.Distributed.Tests");

    private static MpiRunResult Start(string program, string[] arguments, TimeSpan? timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        // mpirun gives the ranks a pseudo-terminal; with a real TERM .NET would write terminal set-up sequences into it.
        info.Environment["TERM"] = "dumb";
        // A test host that itself runs under mpirun must not make the child look launched.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("OMPI_", StringComparison.Ordinal) || k.StartsWith("PMIX_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var lines = new ConcurrentQueue<(TimeSpan, string)>();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue((clock.Elapsed, e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue((clock.Elapsed, e.Data)); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(30);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', arguments)} did not end within {limit.TotalSeconds:F0} s:\n" +
                                               string.Join('\n', lines.Select(l => l.Item2)));
        }
        TimeSpan elapsed = clock.Elapsed;
        process.WaitForExit();   // drains the output
        return new MpiRunResult(process.ExitCode, [.. lines], elapsed);
    }
}
