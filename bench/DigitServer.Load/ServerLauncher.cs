using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DigitServer.Load;

/// <summary>
/// Starts samples/DigitServer (built beside this program) on a free loopback port and stops it when disposed. Its
/// output is passed through, prefixed, so that a first start that trains the model shows what it does.
/// </summary>
internal sealed partial class ServerLauncher : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerLauncher(Process process) => _process = process;

    /// <summary>The server's process id (its CPU time is in /proc/PID/stat).</summary>
    internal int ProcessId => _process.Id;

    internal static async Task<(ServerLauncher Server, Uri Address)> StartAsync(string? modelPath, TimeSpan timeout)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "..", "..", "DigitServer", Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/')), "DigitServer.dll");
        dll = Path.GetFullPath(dll);
        if (!File.Exists(dll))
            throw new FileNotFoundException($"The server is not built: {dll} is missing. Build samples/DigitServer (building bench/DigitServer.Load does it), or pass --url of a running server.", dll);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[dll, "--urls", "http://127.0.0.1:0", .. modelPath is null ? [] : (string[])["--model", modelPath]])
            start.ArgumentList.Add(argument);
        var launcher = new ServerLauncher(new Process { StartInfo = start, EnableRaisingEvents = true });
        launcher._process.OutputDataReceived += (_, e) => launcher.Relay(e.Data);
        launcher._process.ErrorDataReceived += (_, e) => launcher.Relay(e.Data);
        launcher._process.Exited += (_, _) => launcher._address.TrySetException(new InvalidOperationException($"DigitServer exited with code {launcher._process.ExitCode} before listening (its output is above)."));
        launcher._process.Start();
        launcher._process.BeginOutputReadLine();
        launcher._process.BeginErrorReadLine();
        try
        {
            return (launcher, await launcher._address.Task.WaitAsync(timeout));
        }
        catch
        {
            launcher.Dispose();
            throw;
        }
    }

    private void Relay(string? line)
    {
        if (line is null) return;
        Console.Error.WriteLine($"[server] {line}");
        var match = ListeningLine().Match(line);
        if (match.Success) _address.TrySetResult(new Uri(match.Groups[1].Value));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^DigitServer listening on (\S+)")]
    private static partial Regex ListeningLine();
}
