using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace DigitServer.Load;

/// <summary>One request body: the JSON pixels of an MNIST test digit, serialised once, and its label.</summary>
internal sealed record DigitRequest(byte[] Json, int Label);

/// <summary>What a load run measured.</summary>
/// <param name="LatencyTicks">Every answered request's time from sending to the last byte of the answer, in <see cref="Stopwatch"/> ticks.</param>
/// <param name="Errors">Requests that failed or were not answered 200 with a digit.</param>
/// <param name="Correct">Answers whose digit was the label.</param>
/// <param name="Wall">From the first client's start to the last client's end.</param>
/// <param name="ErrorSamples">The first few error messages.</param>
internal sealed record LoadResult(long[] LatencyTicks, int Errors, int Correct, TimeSpan Wall, IReadOnlyList<string> ErrorSamples);

/// <summary>
/// A closed-loop load: every client sends its requests one after another, each as soon as the previous answer has
/// arrived, all clients at once over their own connections. Client i sends the digits from i × requests on, cycling.
/// </summary>
internal static class LoadRun
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    internal static async Task<LoadResult> RunAsync(HttpClient http, DigitRequest[] bodies, int clients, int requestsPerClient)
    {
        var latencies = new long[clients][];
        var errors = new int[clients];
        var correct = new int[clients];
        var samples = new ConcurrentQueue<string>();
        using var go = new ManualResetEventSlim(false);
        long started = 0, ended = 0;

        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var times = new long[requestsPerClient];
            int answered = 0;
            go.Wait();
            for (int k = 0; k < requestsPerClient; k++)
            {
                var body = bodies[(int)(((long)client * requestsPerClient + k) % bodies.Length)];
                long start = Stopwatch.GetTimestamp();
                var (digit, error) = await PredictAsync(http, body.Json);
                long took = Stopwatch.GetTimestamp() - start;
                if (error is not null)
                {
                    errors[client]++;
                    if (samples.Count < 5) samples.Enqueue(error);
                    continue;
                }
                times[answered++] = took;
                if (digit == body.Label) correct[client]++;
            }
            latencies[client] = times[..answered];
        })).ToArray();

        started = Stopwatch.GetTimestamp();
        go.Set();
        await Task.WhenAll(tasks);
        ended = Stopwatch.GetTimestamp();
        return new LoadResult([.. latencies.SelectMany(t => t)], errors.Sum(), correct.Sum(),
            Stopwatch.GetElapsedTime(started, ended), [.. samples]);
    }

    /// <summary>The digit the server answered, or an error saying what went wrong.</summary>
    internal static async Task<(int Digit, string? Error)> PredictAsync(HttpClient http, byte[] json)
    {
        try
        {
            var content = new ByteArrayContent(json);
            content.Headers.ContentType = Json;
            using var response = await http.PostAsync("predict", content);
            byte[] answer = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
                return (-1, $"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.TryGetProperty("digit", out var digit) && digit.TryGetInt32(out int value)
                ? (value, null) : (-1, $"an answer without a digit: {System.Text.Encoding.UTF8.GetString(answer)}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
        {
            return (-1, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
