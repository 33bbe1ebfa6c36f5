using System.Diagnostics;

namespace Dendrite.Bench;

/// <summary>
/// Another tenant of a shared host, imitated: a child process pinned to the last core that busy-loops for a random
/// 1–10 ms, sleeps for a random 1–10 ms, and so on (on average it holds half of one core, at random moments). The
/// disturbance section runs the same work with and without it.
/// </summary>
internal sealed class CoreThief : IDisposable
{
    private readonly Process _process;

    private CoreThief(Process process) => _process = process;

    /// <summary>Starts the thief and returns once it has pinned itself and begun.</summary>
    public static CoreThief Start()
    {
        var process = ChildProcess.Start(new Dictionary<string, string>(), "core-thief");
        string? line = process.StandardOutput.ReadLine(); // "BENCH pinned N" once it runs
        if (line is null || !line.StartsWith("BENCH pinned", StringComparison.Ordinal))
            throw new InvalidOperationException($"the core thief did not start (it said: {line ?? "nothing"}).");
        return new CoreThief(process);
    }

    public void Dispose()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { } // already gone
        _process.WaitForExit();
        _process.Dispose();
    }

    /// <summary>In the child: pin to the last core, then steal it on and off until killed.</summary>
    public static void ChildSteal()
    {
        int core = Environment.ProcessorCount - 1;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            using (var self = Process.GetCurrentProcess()) self.ProcessorAffinity = (nint)(1L << core);
        ChildProcess.Report("pinned", $"{core}");
        var rng = new Random(20261203);
        long ticksPerMs = Stopwatch.Frequency / 1000;
        while (true)
        {
            long until = Stopwatch.GetTimestamp() + ticksPerMs * rng.Next(1, 11);
            while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(50);
            Thread.Sleep(rng.Next(1, 11));
        }
    }
}
