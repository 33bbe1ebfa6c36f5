using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace DigitServer.Tests;

/// <summary>
/// A DigitServer started as its own process (<c>dotnet DigitServer.dll …</c>), as a user starts it: its output is
/// collected, and the address it prints once listening is the one the tests use. Disposing kills it.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    /// <summary>Everything the server printed so far, standard output and error interleaved.</summary>
    internal string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The process, for its exit code.</summary>
    internal Process Process => _process;

    /// <summary>Starts the server with <paramref name="arguments"/> and <paramref name="environment"/> added to this process's environment.</summary>
    internal static ServerProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll());
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var server = new ServerProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        server._process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        server._process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("exited"));
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        var match = ListeningLine().Match(line);
        if (match.Success) _listening.TrySetResult(match.Groups[1].Value);
    }

    /// <summary>The address the server printed (<c>DigitServer listening on http://127.0.0.1:PORT</c>); fails with its output if it exits or takes longer than <paramref name="timeout"/>.</summary>
    internal async Task<Uri> WaitUntilListeningAsync(TimeSpan timeout)
    {
        try
        {
            string address = await _listening.Task.WaitAsync(timeout);
            return new Uri(address.EndsWith('/') ? address : address + "/");
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            string state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"did not print its address within {timeout.TotalSeconds:F0} s";
            throw new Xunit.Sdk.XunitException($"DigitServer {state}. Its output:\n{Output}");
        }
    }

    /// <summary>Waits for the process to end by itself (for start-up failures); its exit code.</summary>
    internal async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
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

    /// <summary>The server's dll, built beside the test assembly (bin/DigitServer/&lt;config&gt;/).</summary>
    internal static string ServerDll() =>
        Dendrite.TestSupport.SiblingBuild.Dll("DigitServer", "The server", "samples/DigitServer", "tests/DigitServer.Tests");

    [GeneratedRegex(@"^DigitServer listening on (\S+)")]
    private static partial Regex ListeningLine();
}
