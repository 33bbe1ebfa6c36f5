using System.Diagnostics;
using System.Globalization;

namespace Dendrite.Bench;

/// <summary>What the epoch-by-epoch training sections share: running a child, and reading its epochs back.</summary>
internal static class EpochRuns
{
    /// <summary>Runs child <paramref name="child"/> for <paramref name="epochs"/> epochs and collects its report.</summary>
    public static ChildResult RunChild(string child, int epochs)
    {
        Console.Error.WriteLine($"  {child}: {epochs} epoch(s) in a child process …");
        return ChildProcess.Run(child, "--epochs", epochs.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The median epoch time without the first epoch (warm-up), or the only epoch when there is one.</summary>
    public static double SteadyEpoch(ChildResult r)
    {
        var e = r.Numbers("epoch_seconds");
        return Timing.Median(e.Count > 1 ? e.Skip(1) : e);
    }

    /// <summary>Every epoch's time, in order, for the table.</summary>
    public static string EpochList(ChildResult r) =>
        r.Numbers("epoch_seconds") is { Count: > 0 } e ? string.Join(", ", e.Select(x => Fmt.F(x, 2))) : Fmt.NA;

    /// <summary>A reported series (a log per epoch) as text.</summary>
    public static string Series(ChildResult r, string key) =>
        r.Numbers(key) is { Count: > 0 } v ? string.Join(", ", v.Select(x => Fmt.F(x, 4))) : Fmt.NA;
}

/// <summary>Reports every epoch's wall time and the named logs from inside one <c>Fit</c> (in a child process).</summary>
internal sealed class EpochTimer(params string[] logKeys) : Dendrite.Callbacks.Callback
{
    private long _start;

    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _start = Stopwatch.GetTimestamp();

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        ChildProcess.Report("epoch_seconds", $"{Stopwatch.GetElapsedTime(_start).TotalSeconds:R}");
        foreach (var key in logKeys) ChildProcess.Report(key, $"{logs[key]:R}");
    }
}
