using System.Globalization;

namespace DigitServer.Load;

/// <summary>The load test's settings, from the command line.</summary>
internal sealed record LoadOptions
{
    internal const string Usage = """
        DigitServer.Load: a bounded load of POST /predict (JSON pixels of MNIST test digits) against a DigitServer.

          dotnet run --project bench/DigitServer.Load -c Release -- [options]

          --clients N     concurrent clients, each sending its requests one after another (default 32)
          --requests N    requests per client (default 2000)
          --digits N      how many MNIST test digits the bodies cycle through (default 10000, at most 10000)
          --warmup N      untimed requests before the measurement, spread over the clients (default 500)
          --url URL       a running DigitServer to load, e.g. http://127.0.0.1:5000; without it the load test
                          starts one on a free loopback port and stops it at the end
          --model PATH    the --model of the server it starts (default: the server's default model)
        """;

    internal int Clients { get; init; } = 32;
    internal int RequestsPerClient { get; init; } = 2000;
    internal int Digits { get; init; } = 10000;
    internal int Warmup { get; init; } = 500;
    internal Uri? Url { get; init; }
    internal string? ModelPath { get; init; }

    /// <summary>The options of <paramref name="args"/>; <see cref="ArgumentException"/> names a bad one.</summary>
    internal static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Count(int min, int max)
            {
                string text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n
                    : throw new ArgumentException($"{name} must be a whole number from {min} to {max}; got '{text}'.");
            }
            options = name switch
            {
                "--clients" => options with { Clients = Count(1, 4096) },
                "--requests" => options with { RequestsPerClient = Count(1, 10_000_000) },
                "--digits" => options with { Digits = Count(1, 10000) },
                "--warmup" => options with { Warmup = Count(0, 1_000_000) },
                "--url" => options with { Url = Uri.TryCreate(Value(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
                    : throw new ArgumentException($"--url must be an absolute http(s) address such as http://127.0.0.1:5000; got '{args[i]}'.") },
                "--model" => options with { ModelPath = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        if (options.Url is not null && options.ModelPath is not null)
            throw new ArgumentException("--model is for the server the load test starts; with --url the running server already has its model.");
        return options;
    }
}
