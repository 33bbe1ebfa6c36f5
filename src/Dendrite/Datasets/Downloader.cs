using System.Globalization;
using System.Net;

namespace Dendrite.Datasets;

/// <summary>What one load passes to its sources: where to print progress and how long a download may take.</summary>
/// <param name="Log">Where progress lines (<c>Downloading data from …</c>) and warnings go.</param>
/// <param name="DownloadTimeout">Upper bound for one whole download, connection and body included.</param>
internal sealed record LoadContext(TextWriter Log, TimeSpan DownloadTimeout)
{
    /// <summary>Default bound for one download: generous for ~12 MB on a slow link, finite on a stalled one.</summary>
    internal static readonly TimeSpan DefaultDownloadTimeout = TimeSpan.FromMinutes(5);
}

/// <summary>HTTP GET into memory with a short connect timeout, so an offline machine moves on at once.</summary>
internal static class Downloader
{
    /// <summary>How long to wait for a TCP connection before giving up on a host.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Largest body accepted; every file Dendrite downloads is far smaller.</summary>
    internal const long MaxBytes = 128L << 20;

    private static readonly Lazy<HttpClient> Client = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = ConnectTimeout,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // bounded per request below, body included
    });

    /// <summary>
    /// Prints <c>Downloading data from {url}</c> and returns the body. Failures raise
    /// <see cref="SourceUnavailableException"/> (with <c>Unreachable</c> set when no connection could be made or it
    /// timed out) or <see cref="DatasetException"/> when the body is cut short.
    /// </summary>
    internal static byte[] Download(string url, LoadContext context)
    {
        context.Log.WriteLine($"Downloading data from {url}");
        using var cts = new CancellationTokenSource(context.DownloadTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = Client.Value.Send(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (!response.IsSuccessStatusCode)
                throw new SourceUnavailableException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

            long? declared = response.Content.Headers.ContentLength;
            if (declared > MaxBytes)
                throw new SourceUnavailableException($"the server announces {declared} bytes, more than the {MaxBytes} accepted");

            using var body = response.Content.ReadAsStream(cts.Token);
            using var buffer = declared is long n ? new MemoryStream((int)n) : new MemoryStream();
            var chunk = new byte[1 << 16];
            int read;
            while ((read = body.Read(chunk)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                    throw new SourceUnavailableException($"the download exceeds the {MaxBytes} bytes accepted");
                buffer.Write(chunk, 0, read);
            }
            if (declared is long expected && buffer.Length != expected)
                throw new DatasetException($"{url}: download truncated: Content-Length says {expected} bytes, received {buffer.Length}");
            return buffer.ToArray();
        }
        catch (OperationCanceledException e) when (cts.IsCancellationRequested)
        {
            throw new SourceUnavailableException(
                $"download timed out after {context.DownloadTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s", e, unreachable: true);
        }
        catch (OperationCanceledException e)
        {
            // SocketsHttpHandler reports an expired ConnectTimeout as a cancellation wrapping a TimeoutException.
            throw new SourceUnavailableException($"no connection within {ConnectTimeout.TotalSeconds:0} s ({e.InnerException?.Message ?? e.Message})", e, unreachable: true);
        }
        catch (HttpRequestException e) when (e.StatusCode is null && e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            throw new SourceUnavailableException($"cannot connect ({e.Message})", e, unreachable: true);
        }
        catch (HttpRequestException e)
        {
            throw new SourceUnavailableException($"download failed ({e.Message})", e);
        }
        catch (IOException e) when (e is not DatasetException)
        {
            throw new DatasetException($"{url}: download interrupted ({e.Message})", e);
        }
    }
}
