using System.Text;

namespace Dendrite.Datasets;

/// <summary>Where datasets are cached: the Dendrite home is <c>$DENDRITE_HOME</c>, else <c>~/.dendrite</c>.</summary>
internal static class DatasetPaths
{
    /// <summary>The environment variable that moves the Dendrite home (like Keras' <c>KERAS_HOME</c>).</summary>
    internal const string HomeVariable = "DENDRITE_HOME";

    /// <summary>The cache folder for <paramref name="subdirectory"/>, from the process environment.</summary>
    internal static string CacheDirectory(string? path, string subdirectory) =>
        CacheDirectory(path, subdirectory,
            Environment.GetEnvironmentVariable(HomeVariable),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>
    /// <paramref name="path"/> when given; else <c>{dendriteHome}/datasets/{subdirectory}</c> when
    /// <paramref name="dendriteHome"/> is non-empty; else <c>{userHome}/.dendrite/datasets/{subdirectory}</c>
    /// (the temp folder stands in for a missing user home). Always an absolute path.
    /// </summary>
    internal static string CacheDirectory(string? path, string subdirectory, string? dendriteHome, string? userHome)
    {
        if (!string.IsNullOrEmpty(path))
            return Path.GetFullPath(path);
        string home = !string.IsNullOrEmpty(dendriteHome)
            ? dendriteHome
            : Path.Combine(string.IsNullOrEmpty(userHome) ? Path.GetTempPath() : userHome, ".dendrite");
        return Path.GetFullPath(Path.Combine(home, "datasets", subdirectory));
    }
}

/// <summary>
/// Resolves each file of a dataset from the cache directory first, then from the fallback sources in order; a file
/// that any fallback provides is verified, then written to the cache (temporary name, then rename).
/// </summary>
internal static class DatasetLoader
{
    /// <summary>
    /// Loads the four arrays of <paramref name="spec"/>. Takes ownership of <paramref name="fallbacks"/> and
    /// disposes them before returning. <paramref name="log"/> defaults to <see cref="Console.Out"/> (as Keras prints
    /// to stdout); nothing is written to it when every file comes from the cache.
    /// </summary>
    internal static ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) Load(
        DatasetSpec spec, string cacheDirectory, IReadOnlyList<DatasetSource> fallbacks, TextWriter? log = null, TimeSpan? downloadTimeout = null)
    {
        var context = new LoadContext(log ?? Console.Out, downloadTimeout ?? LoadContext.DefaultDownloadTimeout);
        try
        {
            using var cache = new DirectorySource(cacheDirectory, "cache directory");
            byte[] trainImages = Resolve(spec, spec.TrainImages, cache, fallbacks, context);
            byte[] trainLabels = Resolve(spec, spec.TrainLabels, cache, fallbacks, context);
            byte[] testImages = Resolve(spec, spec.TestImages, cache, fallbacks, context);
            byte[] testLabels = Resolve(spec, spec.TestLabels, cache, fallbacks, context);
            return ((new NDArray<byte>(trainImages, spec.TrainImages.Shape), new NDArray<byte>(trainLabels, spec.TrainLabels.Shape)),
                    (new NDArray<byte>(testImages, spec.TestImages.Shape), new NDArray<byte>(testLabels, spec.TestLabels.Shape)));
        }
        finally
        {
            foreach (var source in fallbacks)
                source.Dispose();
        }
    }

    private static byte[] Resolve(DatasetSpec spec, IdxFileSpec file, DirectorySource cache, IReadOnlyList<DatasetSource> fallbacks, LoadContext context)
    {
        var failures = new List<(string Source, string Reason)>();
        foreach (var source in (IEnumerable<DatasetSource>)[cache, .. fallbacks])
        {
            byte[] payload;
            try
            {
                payload = source.Fetch(file, context);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string reason = e is DatasetException or SourceUnavailableException or IOException
                    ? e.Message
                    : $"{e.GetType().Name}: {e.Message}";
                failures.Add((source.Describe(file), reason));
                continue;
            }
            // a file from elsewhere is cached; so is one the cache itself served after skipping a bad copy of it
            // (bad raw file, good .gz), which repairs the cache instead of reporting the bad file on every load
            if (!ReferenceEquals(source, cache) || cache.SkippedBadCopy)
                StoreInCache(cache.Directory, file, payload, context);
            return payload;
        }
        throw new DatasetException(AllSourcesFailed(spec, file, cache.Directory, failures));
    }

    /// <summary>
    /// Writes header and payload through <see cref="Saving.AtomicFile"/>: to a temporary name in the cache folder
    /// (<c>.{name}.{pid}.{random}.tmp</c>), flushed, then renamed over the final name, so an interrupted write never
    /// leaves a partial file under the name the loader reads, and the temporary files of writers that were killed
    /// are removed by the next write of the same file. A cache that cannot be written is reported and the data used anyway.
    /// </summary>
    internal static void StoreInCache(string directory, IdxFileSpec file, byte[] payload, LoadContext context)
    {
        try
        {
            Directory.CreateDirectory(directory);
            Saving.AtomicFile.Write(Path.Combine(directory, file.Name), stream =>
            {
                stream.Write(file.BuildHeader());
                stream.Write(payload);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Log.WriteLine($"Warning: could not write {file.Name} to the cache directory {directory} ({e.Message}); using it without caching.");
        }
    }

    private static string AllSourcesFailed(DatasetSpec spec, IdxFileSpec file, string cacheDirectory, List<(string Source, string Reason)> failures)
    {
        var text = new StringBuilder();
        text.Append($"Could not load {spec.DisplayName}: no source provided a valid {file.Name}. Sources tried, in order:");
        for (int i = 0; i < failures.Count; i++)
            text.Append($"\n  {i + 1}. {failures[i].Source}\n     {failures[i].Reason}");
        var names = spec.Files.Select(f => f.Name).ToList();
        text.Append($"\nTo place the files by hand, put {string.Join(", ", names[..^1])} and {names[^1]} ")
            .Append("(raw IDX, or gzip-compressed with the suffix .gz) into ")
            .Append(cacheDirectory)
            .Append($". That folder is the path argument of LoadData when one is given, else ${DatasetPaths.HomeVariable}/datasets/{spec.CacheSubdirectory} ")
            .Append($"when the {DatasetPaths.HomeVariable} environment variable is set, else ~/.dendrite/datasets/{spec.CacheSubdirectory}.");
        if (spec.ManualHint is not null)
            text.Append(' ').Append(spec.ManualHint);
        return text.ToString();
    }
}
