using System.Diagnostics;
using System.Globalization;

namespace DigitServer.Load;

/// <summary>The figures of a load run, as text.</summary>
internal static class Report
{
    internal static string Format(LoadOptions options, Uri server, int digits, LoadResult result, double serverCpuSeconds, double clientCpuSeconds)
    {
        var text = new System.Text.StringBuilder();
        void Line(string s) => text.AppendLine(s);
        int sent = options.Clients * options.RequestsPerClient;
        int answered = result.LatencyTicks.Length;
        double seconds = result.Wall.TotalSeconds;
        Line($"DigitServer load: {options.Clients} clients × {options.RequestsPerClient} requests = {sent} POST /predict " +
             $"(JSON pixels of {digits} MNIST test digits) to {server}, after {options.Warmup} warm-up requests");
        Line($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Line($"wall time:   {seconds:F2} s");
        Line($"throughput:  {answered / seconds:F0} requests/s");
        if (answered > 0)
        {
            var sorted = result.LatencyTicks.Order().ToArray();
            string Ms(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("F2", CultureInfo.InvariantCulture);
            long Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
            Line($"latency ms:  p50 {Ms(Percentile(50))}, p90 {Ms(Percentile(90))}, p99 {Ms(Percentile(99))}, max {Ms(sorted[^1])} " +
                 $"(mean {Ms((long)sorted.Average())})");
        }
        Line($"errors:      {result.Errors}");
        foreach (string sample in result.ErrorSamples) Line($"  e.g. {sample}");
        Line($"accuracy:    {(answered == 0 ? 0 : (double)result.Correct / answered):F4} ({result.Correct} of {answered} answers were the label)");
        string serverCpu = double.IsNaN(serverCpuSeconds) ? "not measured (a server started elsewhere)" : $"{serverCpuSeconds / seconds:F2} cores ({serverCpuSeconds * 1e6 / Math.Max(answered, 1):F0} µs CPU per request)";
        Line($"CPU:         server {serverCpu}; load client {clientCpuSeconds / seconds:F2} cores");
        return text.ToString();
    }
}
