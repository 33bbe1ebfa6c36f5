using System.Diagnostics;
using Dendrite;
using Dendrite.Datasets;

namespace DigitServer.Tests;

/// <summary>The tests that share one running DigitServer; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DigitServerCollection : ICollectionFixture<DigitServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "DigitServer";
}

/// <summary>
/// One DigitServer for the whole collection, started as a user first starts it: with no <c>--model</c> and an empty
/// Dendrite home (a temporary <c>DENDRITE_HOME</c> holding only a copy of the MNIST cache), so it trains its default
/// model, saves it under <c>models/digits.keras</c> and then listens on a free loopback port. Also holds MNIST's test
/// digits for the API tests.
/// </summary>
public sealed class DigitServerFixture : IAsyncLifetime
{
    /// <summary>How long the first start may take: training two epochs on two busy cores took about a minute.</summary>
    internal static readonly TimeSpan TrainingStartTimeout = TimeSpan.FromMinutes(4);

    private ServerProcess? _server;

    /// <summary>The temporary Dendrite home the server was started with.</summary>
    internal string Home { get; } = Path.Combine(Path.GetTempPath(), $"digitserver-tests-{System.Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>The server's address, ending in '/'.</summary>
    internal Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client for <see cref="BaseAddress"/>.</summary>
    internal HttpClient Client { get; private set; } = null!;

    /// <summary>What the server printed while training and starting.</summary>
    internal string StartOutput => _server?.Output ?? "";

    /// <summary>Seconds from starting the process to its listening line (training included).</summary>
    internal double StartSeconds { get; private set; }

    /// <summary>MNIST's 10,000 test images, (10000, 28, 28) bytes.</summary>
    internal NDArray<byte> TestImages { get; private set; } = null!;

    /// <summary>MNIST's test labels.</summary>
    internal NDArray<byte> TestLabels { get; private set; } = null!;

    /// <summary>The environment that points a server at <see cref="Home"/>.</summary>
    internal Dictionary<string, string> ServerEnvironment => new() { ["DENDRITE_HOME"] = Home };

    public async Task InitializeAsync()
    {
        // Loads MNIST into the usual cache (fetching it when missing), then gives the server a copy of that cache.
        var (_, (testImages, testLabels)) = Mnist.LoadData();
        (TestImages, TestLabels) = (testImages, testLabels);
        CopyMnistCache(Path.Combine(Home, "datasets", "mnist"));

        var clock = Stopwatch.StartNew();
        _server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], ServerEnvironment);
        BaseAddress = await _server.WaitUntilListeningAsync(TrainingStartTimeout);
        StartSeconds = clock.Elapsed.TotalSeconds;
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The i-th MNIST test image as 784 values in 0..1.</summary>
    internal float[] TestPixels(int i) => [.. TestImages.AsSpan().Slice(i * 784, 784).ToArray().Select(b => b / 255f)];

    /// <summary>The i-th MNIST test label.</summary>
    internal int TestLabel(int i) => TestLabels.AsSpan()[i];

    private static void CopyMnistCache(string destination)
    {
        string home = Environment.GetEnvironmentVariable("DENDRITE_HOME") is { Length: > 0 } h ? h
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dendrite");
        string source = Path.Combine(home, "datasets", "mnist");
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source).Where(f => !Path.GetFileName(f).StartsWith('.')))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
    }

    public Task DisposeAsync()
    {
        Client?.Dispose();
        _server?.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // a temporary folder left behind is harmless
        }
        return Task.CompletedTask;
    }
}
