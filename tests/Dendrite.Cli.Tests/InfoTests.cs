using Dendrite.Cli.Tests.Support;
using Dendrite.Kernels;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite info</c>: versions, platform, the SIMD kernel and the thread count with DENDRITE_NUM_THREADS.</summary>
public class InfoTests
{
    private static string Field(CliResult run, string name) =>
        run.StdOut.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))?[name.Length..].Trim()
        ?? throw new Xunit.Sdk.XunitException($"No '{name}' line in the output:\n{run}");

    [Fact]
    public void InfoReportsVersionsPlatformAndKernel()
    {
        var run = Tool.Run("info");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", Field(run, "Dendrite"));
        Assert.Contains(Environment.Version.ToString(), Field(run, ".NET"));
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), Field(run, "Architecture"));
        // The same machine: the tool reports the kernel this process would use.
        Assert.Equal(Gemm.ActiveKernel, Field(run, "SIMD kernel"));
        Assert.Contains(Field(run, "SIMD kernel"), new[] { "AVX-512", "AVX2+FMA", "Vector128" });
        Assert.Equal($"{Environment.ProcessorCount} (DENDRITE_NUM_THREADS not set; the processor count)", Field(run, "Threads"));
        Assert.Equal("", run.StdErr);
    }

    [Fact]
    public void DendriteNumThreadsSetsTheThreadCount()
    {
        var run = Tool.Run(["info"], new Dictionary<string, string?> { ["DENDRITE_NUM_THREADS"] = "3" });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("3 (from DENDRITE_NUM_THREADS=3)", Field(run, "Threads"));
    }

    [Fact]
    public void AnInvalidDendriteNumThreadsIsReportedAndIgnored()
    {
        var run = Tool.Run(["info"], new Dictionary<string, string?> { ["DENDRITE_NUM_THREADS"] = "lots" });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"{Environment.ProcessorCount} (DENDRITE_NUM_THREADS='lots' is invalid", Field(run, "Threads"));
        // The library's own warning, once, on standard error.
        Assert.Contains("ignoring DENDRITE_NUM_THREADS='lots'", run.StdErr);
    }
}
