using System.Diagnostics;

namespace Dendrite.Bench;

/// <summary>Repetition, warm-up and medians.</summary>
internal static class Timing
{
    /// <summary>Seconds <paramref name="action"/> takes.</summary>
    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmup"/> times untimed (at least until <paramref name="warmupSeconds"/>
    /// have passed), then times single calls until both <paramref name="minReps"/> calls and <paramref name="budgetSeconds"/>
    /// of timed work are reached, or <paramref name="maxReps"/> calls. Returns every timed call's seconds.
    /// </summary>
    public static List<double> Repeat(Action action, int warmup, double warmupSeconds, int minReps, int maxReps, double budgetSeconds)
    {
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmStart).TotalSeconds < warmupSeconds; i++) action();
        var times = new List<double>();
        double total = 0;
        while (times.Count < maxReps && (times.Count < minReps || total < budgetSeconds))
        {
            double t = Time(action);
            times.Add(t);
            total += t;
        }
        return times;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) by nearest rank.</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int index = Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index];
    }
}
