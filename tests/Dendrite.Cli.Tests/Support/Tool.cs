using System.Diagnostics;
using System.Reflection;

namespace Dendrite.Cli.Tests.Support;

/// <summary>What one run of the tool left: its exit code and everything it wrote.</summary>
internal sealed record CliResult(int ExitCode, string StdOut, string StdErr, string CommandLine)
{
    /// <summary>For assertion messages: the command and both streams.</summary>
    public override string ToString() => $"dendrite {CommandLine}\nexit code {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the built tool as a user runs it: <c>dotnet exec Dendrite.Cli.dll …</c> in a process of its own, with the
/// given environment, and captures the exit code, standard output and standard error.
/// </summary>
internal static class Tool
{
    /// <summary>The tool's dll, as the build recorded it (see RecordDendriteCliPath in the test project).</summary>
    public static string DllPath { get; } = FindDll();

    public static CliResult Run(params string[] args) => Run(args, environment: null);

    /// <param name="args">The command line after <c>dendrite</c>.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    /// <param name="workingDirectory">The current folder of the process; the test's temporary folder by default.</param>
    /// <param name="timeout">How long the run may take before the test fails.</param>
    public static CliResult Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(DllPath);
        foreach (string a in args) start.ArgumentList.Add(a);
        // The thread count the tests see is the tool's default unless a test sets it.
        start.Environment.Remove("DENDRITE_NUM_THREADS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(3);
        string commandLine = string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new Xunit.Sdk.XunitException($"dendrite {commandLine} did not finish within {limit.TotalSeconds} s.\n--- stdout ---\n{stdout.Result}\n--- stderr ---\n{stderr.Result}");
        }
        process.WaitForExit(); // the output pipes are drained
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result, commandLine);
    }

    private static string FindDll()
    {
        string? path = typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "DendriteCliDll")?.Value;
        if (string.IsNullOrEmpty(path))
            throw new Xunit.Sdk.XunitException("The test assembly does not record where Dendrite.Cli.dll is built (the RecordDendriteCliPath target of tests/Dendrite.Cli.Tests did not run). Rebuild tests/Dendrite.Cli.Tests.");
        if (!File.Exists(path))
            throw new Xunit.Sdk.XunitException($"The tool is not built: {path} is missing. Build tests/Dendrite.Cli.Tests (it builds src/Dendrite.Cli), or the solution.");
        return path;
    }
}
