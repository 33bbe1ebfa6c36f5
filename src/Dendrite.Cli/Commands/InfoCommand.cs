using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Dendrite.Cli.Hosting;
using Dendrite.Kernels;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite info</c>: versions, platform, the SIMD kernel the matrix products use and the thread count
/// (<see cref="Config.Threads"/>, from <c>DENDRITE_NUM_THREADS</c> when it is valid) — what a bug report needs.
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show Dendrite's version, .NET, OS and architecture, the SIMD kernel in use and the thread count.");
        command.SetAction(_ =>
        {
            var rows = new (string, string)[]
            {
                ("Dendrite", VersionOf(typeof(Model).Assembly)),
                ("dendrite CLI", VersionOf(typeof(InfoCommand).Assembly)),
                (".NET", RuntimeInformation.FrameworkDescription),
                ("OS", RuntimeInformation.OSDescription),
                ("Architecture", RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()),
                ("SIMD kernel", Gemm.ActiveKernel),
                ("Threads", ThreadsLine()),
            };
            int width = rows.Max(r => r.Item1.Length);
            foreach (var (name, value) in rows) Console.Out.WriteLine($"{name.PadRight(width)}  {value}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The thread count and where it came from; an invalid DENDRITE_NUM_THREADS is named (the core also warns on standard error).</summary>
    private static string ThreadsLine()
    {
        int threads = Config.Threads;
        string? value = Environment.GetEnvironmentVariable(Config.ThreadsVariable);
        string source = string.IsNullOrWhiteSpace(value)
            ? $"{Config.ThreadsVariable} not set; the processor count"
            : int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int asked) && asked >= 1
                ? $"from {Config.ThreadsVariable}={value.Trim()}"
                : $"{Config.ThreadsVariable}='{value}' is invalid (expected a whole number >= 1) and ignored; the processor count";
        return $"{threads} ({source})";
    }
}
