using System.Diagnostics;
using System.Text;

namespace Dendrite.Package.Tests;

/// <summary>Runs the <c>dotnet</c> command as a user would in a shell, without the test host's MSBuild settings.</summary>
internal static class DotnetCli
{
    public sealed record Result(int ExitCode, string Output)
    {
        public Result ShouldSucceed(string what)
        {
            Assert.True(ExitCode == 0, $"{what} failed with exit code {ExitCode}:\n{Output}");
            return this;
        }
    }

    public static Result Run(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunProgram("dotnet", workingDirectory, timeout, arguments);

    /// <summary>Runs <paramref name="program"/> (a path or a command on the PATH) with the same clean environment.</summary>
    public static Result RunProgram(string program, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host runs inside `dotnet test`, whose MSBuild variables would point a child build at the
        // wrong SDK pieces; a user's shell has none of them.
        foreach (var key in start.Environment.Keys.ToArray())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.Equals("ArtifactsPath", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{program} {string.Join(' ', arguments)}` did not finish within {timeout}:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, output.ToString());
    }
}

/// <summary>The installed <c>dendrite</c> command, run with a short time limit.</summary>
internal static class ToolProcess
{
    public static DotnetCli.Result Run(string tool, string workingDirectory, params string[] arguments) =>
        DotnetCli.RunProgram(tool, workingDirectory, TimeSpan.FromMinutes(2), arguments);
}
