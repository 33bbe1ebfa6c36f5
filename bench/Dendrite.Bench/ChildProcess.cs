using System.Diagnostics;
using System.Globalization;

namespace Dendrite.Bench;

/// <summary>
/// The training sections run each framework in a child process of its own (this program again, with
/// <c>--child NAME</c>), so that its peak resident set (VmHWM) is its own. The child prints its measurements as
/// "BENCH key value" lines on stdout (a key may repeat: every value is kept, in order); anything else it prints is
/// passed on to stderr.
/// </summary>
internal static class ChildProcess
{
    private const string Prefix = "BENCH ";

    /// <summary>Starts child <paramref name="child"/> with <paramref name="args"/>, waits for it and collects its report.</summary>
    public static ChildResult Run(string child, params string[] args) => RunWithEnvironment(new Dictionary<string, string>(), child, args);

    /// <summary>
    /// As <see cref="Run"/>, with <paramref name="environment"/> added to the child's environment (the SIMD path
    /// children turn instruction sets off this way; a child's own children inherit it).
    /// </summary>
    public static ChildResult RunWithEnvironment(IReadOnlyDictionary<string, string> environment, string child, params string[] args)
    {
        var result = new ChildResult();
        using var process = Start(environment, child, args);
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal)) { Console.Error.WriteLine($"    [{child}] {line}"); continue; }
            var parts = line[Prefix.Length..].Split(' ', 2);
            result.Add(parts[0], parts.Length > 1 ? parts[1] : "");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            result.Error = $"the child process `{child}` exited with code {process.ExitCode}" + (result.Text("error") is { } e ? $": {e}" : ".");
        return result;
    }

    /// <summary>Starts child <paramref name="child"/> (this program again) with its stdout redirected, and returns it running.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, string child, params string[] args)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        // Re-invoke this program: through its apphost, or through 'dotnet Dendrite.Bench.dll'.
        string host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        psi.FileName = host;
        psi.ArgumentList.Add("--child");
        psi.ArgumentList.Add(child);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {host}");
    }

    /// <summary>In the child: one "BENCH key value" line, formatted in the invariant culture.</summary>
    public static void Report(string key, FormattableString value)
    {
        Console.Out.WriteLine(Prefix + key + " " + value.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
    }

    /// <summary>In the child, after loading the data: the resident set once the garbage is collected.</summary>
    public static void SettleAndReportRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Report("rss_after_load_bytes", $"{ProcessMemory.ResidentBytes()}");
    }

    /// <summary>Runs in the child process (<c>--child NAME</c>); returns its exit code.</summary>
    public static int RunAsChild(Options options)
    {
        try
        {
            switch (options.Child)
            {
                case "train-dendrite": TrainBench.ChildDendrite(options); break;
                case "train-torch": TrainBench.ChildTorch(options); break;
                case "core-thief": CoreThief.ChildSteal(); return 0; // runs until the parent kills it
                case "conv-dendrite": ConvBench.ChildDendrite(options); break;
                case "conv-torch": ConvBench.ChildTorch(options); break;
                case var c when c is not null && c.StartsWith("rnn-dendrite-", StringComparison.Ordinal): RecurrentBench.ChildDendrite(options, c["rnn-dendrite-".Length..]); break;
                case var c when c is not null && c.StartsWith("rnn-torch-", StringComparison.Ordinal): RecurrentBench.ChildTorch(options, c["rnn-torch-".Length..]); break;
                default: throw new ArgumentException($"unknown child '{options.Child}'.");
            }
            Report("vmhwm_bytes", $"{ProcessMemory.PeakResidentBytes()}");
            return 0;
        }
        catch (Exception ex)
        {
            Report("error", $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            Console.Error.WriteLine(ex);
            return 1;
        }
    }
}

/// <summary>What a child process reported: every value of every key, in order, and why it failed if it did.</summary>
internal sealed class ChildResult
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public string? Error { get; set; }

    public static ChildResult Failed(string why) => new() { Error = why };

    public void Add(string key, string value)
    {
        if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
        list.Add(value);
    }

    /// <summary>The last value reported for <paramref name="key"/>, or null.</summary>
    public string? Text(string key) => _values.TryGetValue(key, out var list) ? list[^1] : null;

    /// <summary>Every value reported for <paramref name="key"/>, in order (empty when none).</summary>
    public IReadOnlyList<string> Texts(string key) => _values.TryGetValue(key, out var list) ? list : [];

    /// <summary>The last value of <paramref name="key"/> as a number, or NaN.</summary>
    public double Number(string key) => Parse(Text(key));

    /// <summary>Every value of <paramref name="key"/> as numbers, in the order reported (empty when none).</summary>
    public IReadOnlyList<double> Numbers(string key) =>
        _values.TryGetValue(key, out var list) ? list.Select(Parse).ToList() : [];

    private static double Parse(string? s) =>
        s is not null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
}
