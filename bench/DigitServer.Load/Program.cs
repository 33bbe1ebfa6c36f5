// A bounded load on DigitServer's POST /predict: N concurrent clients × M requests of JSON pixels of real MNIST test
// digits, reporting requests/s, latency percentiles, errors and the accuracy of the answers.
using System.Diagnostics;
using System.Text.Json;
using Dendrite.Datasets;
using DigitServer.Load;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

var (_, (testImages, testLabels)) = Mnist.LoadData();
var bodies = DigitBodies(testImages.AsSpan(), testLabels.AsSpan(), options.Digits);

ServerLauncher? launched = null;
Uri server;
if (options.Url is not null)
    server = options.Url;
else
{
    Console.Error.WriteLine("Starting DigitServer (the first start without a model trains one, about a minute on two cores)...");
    (launched, server) = await ServerLauncher.StartAsync(options.ModelPath, TimeSpan.FromMinutes(10));
}

try
{
    // every client keeps one connection; enough pool threads from the start, so ramp-up does not show as latency
    ThreadPool.GetMinThreads(out int workers, out int io);
    ThreadPool.SetMinThreads(Math.Max(workers, options.Clients + 4), Math.Max(io, options.Clients + 4));
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    if (options.Warmup > 0)
    {
        var warm = await LoadRun.RunAsync(http, bodies, Math.Min(options.Clients, options.Warmup), Math.Max(1, options.Warmup / options.Clients));
        if (warm.Errors > 0)
            Console.Error.WriteLine($"warm-up: {warm.Errors} errors, e.g. {warm.ErrorSamples.FirstOrDefault()}");
    }

    double serverCpuBefore = launched is null ? double.NaN : ProcessCpu.Seconds(launched.ProcessId);
    var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    Console.Error.WriteLine($"Sending {options.Clients} × {options.RequestsPerClient} requests to {server}...");
    var result = await LoadRun.RunAsync(http, bodies, options.Clients, options.RequestsPerClient);
    double serverCpu = launched is null ? double.NaN : ProcessCpu.Seconds(launched.ProcessId) - serverCpuBefore;
    double clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalSeconds;

    Console.Write(Report.Format(options, server, bodies.Length, result, serverCpu, clientCpu));
    return result.Errors == 0 ? 0 : 1;
}
finally
{
    launched?.Dispose();
}

// The first `count` test digits as request bodies, serialised once so the clients spend no time on JSON.
static DigitRequest[] DigitBodies(ReadOnlySpan<byte> images, ReadOnlySpan<byte> labels, int count)
{
    var bodies = new DigitRequest[count];
    for (int i = 0; i < count; i++)
    {
        var pixels = images.Slice(i * 784, 784).ToArray().Select(b => MathF.Round(b / 255f, 4)).ToArray();
        bodies[i] = new DigitRequest(JsonSerializer.SerializeToUtf8Bytes(new { pixels }), labels[i]);
    }
    return bodies;
}
