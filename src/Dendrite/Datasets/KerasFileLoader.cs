using System.Security.Cryptography;
using System.Text;

namespace Dendrite.Datasets;

/// <summary>
/// One file a <c>keras.datasets</c> loader fetches with <c>get_file</c>: its name in the cache folder, Keras' URL and
/// the hash Keras checks it against (SHA-256 when 64 hex digits, MD5 when 32, as <c>get_file</c>'s
/// <c>hash_algorithm="auto"</c> decides).
/// </summary>
internal sealed record KerasFile(string Name, string Url, string Hash)
{
    /// <summary>The folder Keras downloads its small datasets from.</summary>
    internal const string KerasOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    /// <summary><c>sha256</c> or <c>md5</c>, chosen by the hash's length as Keras does.</summary>
    internal string Algorithm => Hash.Length == 64 ? "sha256" : "md5";

    /// <summary>The lower-case hex digest of <paramref name="bytes"/> in <see cref="Algorithm"/>.</summary>
    internal string Digest(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexStringLower(Hash.Length == 64 ? SHA256.HashData(bytes) : MD5.HashData(bytes));

    /// <summary>Null when <paramref name="bytes"/> match <see cref="Hash"/>, else the mismatch described.</summary>
    internal string? Mismatch(ReadOnlySpan<byte> bytes)
    {
        string actual = Digest(bytes);
        return string.Equals(actual, Hash, StringComparison.OrdinalIgnoreCase) ? null
            : $"{Algorithm} mismatch: expected {Hash}, got {actual}";
    }
}

/// <summary>
/// Fetches a <see cref="KerasFile"/> as Keras' <c>get_file</c> does: the cached copy when its hash matches, else a
/// download (checked, then written to the cache under a temporary name and renamed). When no source has a valid copy,
/// the <see cref="DatasetException"/> lists every source tried with its reason and says where to put the file by hand.
/// </summary>
internal static class KerasFileLoader
{
    /// <param name="displayName">The dataset, for messages (<c>IMDB</c>).</param>
    /// <param name="cacheSubdirectory">The folder under <c>datasets/</c> in the Dendrite home (<c>imdb</c>), for messages.</param>
    /// <param name="file">The file and its hash.</param>
    /// <param name="cacheDirectory">Where the file is cached.</param>
    /// <param name="urls">Where to download it from, in order (Keras' URL by default; tests pass loopback ones).</param>
    /// <param name="log">Where <c>Downloading data from …</c> and warnings go; standard output when null.</param>
    /// <param name="downloadTimeout">Bound for one download.</param>
    /// <returns>The verified bytes and the path they are cached at (or were read from).</returns>
    internal static (byte[] Bytes, string Path) Load(string displayName, string cacheSubdirectory, KerasFile file, string cacheDirectory,
        IReadOnlyList<string>? urls = null, TextWriter? log = null, TimeSpan? downloadTimeout = null)
    {
        var context = new LoadContext(log ?? Console.Out, downloadTimeout ?? LoadContext.DefaultDownloadTimeout);
        string cached = Path.Combine(cacheDirectory, file.Name);
        var failures = new List<(string Source, string Reason)>();

        if (File.Exists(cached))
        {
            try
            {
                var info = new FileInfo(cached);
                if (info.Length > Downloader.MaxBytes)
                    throw new DatasetException($"it has {info.Length} bytes, more than the {Downloader.MaxBytes} accepted");
                byte[] bytes = File.ReadAllBytes(cached);
                if (file.Mismatch(bytes) is not { } mismatch)
                    return (bytes, cached);
                context.Log.WriteLine($"A local file was found, but it seems to be incomplete or outdated because the {file.Algorithm} file hash does not match the original value of {file.Hash} so we will re-download the data.");
                failures.Add(($"cache file {cached}", mismatch));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add(($"cache file {cached}", e.Message));
            }
        }
        else
        {
            failures.Add(($"cache file {cached}", "the file does not exist"));
        }

        foreach (string url in urls ?? [file.Url])
        {
            byte[] bytes;
            try
            {
                bytes = Downloader.Download(url, context);
            }
            catch (Exception e) when (e is SourceUnavailableException or DatasetException)
            {
                context.Log.WriteLine($"  failed: {e.Message}");
                failures.Add((url, e.Message));
                continue;
            }
            if (file.Mismatch(bytes) is { } mismatch)
            {
                context.Log.WriteLine($"  failed: {mismatch}");
                failures.Add((url, mismatch));
                continue;
            }
            Store(cacheDirectory, file.Name, bytes, context);
            return (bytes, cached);
        }
        throw new DatasetException(AllSourcesFailed(displayName, cacheSubdirectory, file, cacheDirectory, failures));
    }

    /// <summary>Writes the file through <see cref="Saving.AtomicFile"/>; a cache that cannot be written is reported and the data used anyway.</summary>
    private static void Store(string directory, string name, byte[] bytes, LoadContext context)
    {
        try
        {
            Directory.CreateDirectory(directory);
            Saving.AtomicFile.Write(Path.Combine(directory, name), stream => stream.Write(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Log.WriteLine($"Warning: could not write {name} to the cache directory {directory} ({e.Message}); using it without caching.");
        }
    }

    private static string AllSourcesFailed(string displayName, string cacheSubdirectory, KerasFile file, string cacheDirectory,
        List<(string Source, string Reason)> failures)
    {
        var text = new StringBuilder();
        text.Append($"Could not load {displayName}: no source provided a valid {file.Name}. Sources tried, in order:");
        for (int i = 0; i < failures.Count; i++)
            text.Append($"\n  {i + 1}. {failures[i].Source}\n     {failures[i].Reason}");
        text.Append($"\nTo place the file by hand, download {file.Name} ({file.Algorithm} {file.Hash}) from {file.Url} into ")
            .Append(cacheDirectory)
            .Append($". That folder is the path argument when one is given, else ${DatasetPaths.HomeVariable}/datasets/{cacheSubdirectory} ")
            .Append($"when the {DatasetPaths.HomeVariable} environment variable is set, else ~/.dendrite/datasets/{cacheSubdirectory}.");
        return text.ToString();
    }
}

/// <summary>Where a loader takes one file from: the file (name, URL, hash), the URLs to try and where to log.</summary>
/// <param name="File">The file Keras fetches.</param>
/// <param name="Urls">Download URLs in order; null means Keras' own (<see cref="KerasFile.Url"/>).</param>
/// <param name="Log">Where progress goes; standard output when null.</param>
internal sealed record KerasFileSource(KerasFile File, IReadOnlyList<string>? Urls = null, TextWriter? Log = null)
{
    /// <summary>Loads the file through <see cref="KerasFileLoader.Load"/> into the cache folder for <paramref name="path"/>.</summary>
    internal (byte[] Bytes, string Path) Load(string displayName, string cacheSubdirectory, string? path) =>
        KerasFileLoader.Load(displayName, cacheSubdirectory, File, DatasetPaths.CacheDirectory(path, cacheSubdirectory), Urls, Log);
}
