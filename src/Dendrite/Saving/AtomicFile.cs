using System.Diagnostics;
using System.IO.Enumeration;

namespace Dendrite.Saving;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder, is flushed to disk, and
/// is then renamed over the target. A crash or an exception part way leaves the previous file (or none) in place,
/// never a half-written one.
/// </summary>
/// <remarks>
/// <para>
/// The temporary file is named <c>.{name}.{pid}.{random}.tmp</c>, where <c>{pid}</c> is the writer's process id.
/// An exception removes it; a process that is killed mid-write cannot, so before each write the folder is swept for
/// temporary files of the same target that no live writer can own:
/// </para>
/// <list type="bullet">
/// <item>a <c>.{name}.{pid}.{random}.tmp</c> file is deleted when no process <c>{pid}</c> is running, or when the
/// process now running under that id started after the file was last written (the id was reused);</item>
/// <item>a <c>.{name}.{random}.tmp</c> file (the format of earlier versions, which named no process) is deleted
/// once it is more than an hour old;</item>
/// <item>on Linux and macOS a file still locked by its writer (every writer holds an exclusive lock on its
/// temporary file until the rename) is never deleted, whatever its name says, which also protects writers in another
/// PID namespace or on another machine sharing the folder; on Windows an open file cannot be deleted anyway.</item>
/// </list>
/// <para>
/// The process's own temporary files, and those of other targets, are never touched. A crash-looping trainer
/// therefore keeps at most one temporary file per target on disk. On a full disk the write fails with an
/// <see cref="IOException"/> that names the target and says the disk is full; the temporary file is removed and the
/// previous file is untouched.
/// </para>
/// </remarks>
internal static class AtomicFile
{
    /// <summary>How old a temporary file of the earlier, process-less naming must be before it is removed.</summary>
    internal static readonly TimeSpan LegacyTemporaryAge = TimeSpan.FromHours(1);

    /// <summary>
    /// How much later than a temporary file's last write its process may appear to have started and still count as
    /// its writer: Linux derives a process's start time from a boot time counted in whole seconds.
    /// </summary>
    private static readonly TimeSpan StartTimeSlack = TimeSpan.FromSeconds(2);

    private const string Suffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which receives a fresh, seekable stream.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">The file cannot be written; when the disk is full, the message says so and names the path.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{directory}' does not exist.");
        string name = Path.GetFileName(full);
        RemoveStaleTemporaries(directory, name);
        // Same folder, so the rename stays on one file system and is atomic.
        string temporary = Path.Combine(directory, TemporaryName(name, Environment.ProcessId));
        bool renamed = false;
        try
        {
            // FileShare.None also takes an exclusive advisory lock (flock) on Unix, which the sweep respects.
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
                // Unix renames an open file, so the lock is held until the file has its final name; Windows cannot.
                if (!OperatingSystem.IsWindows())
                {
                    File.Move(temporary, full, overwrite: true);
                    renamed = true;
                }
            }
            if (!renamed)
                File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e)
        {
            if (!renamed)
            {
                try { File.Delete(temporary); }
                catch (IOException) { } // best effort: the original exception matters
                catch (UnauthorizedAccessException) { }
            }
            if (FindDiskFull(e) is { } diskFull)
                throw new IOException(
                    $"Cannot write '{path}': the disk is full (no space left on the device holding '{directory}': {diskFull.Message}). " +
                    "The previous file at that path, if any, is unchanged, and the partial temporary file was removed.",
                    e) { HResult = diskFull.HResult };
            throw;
        }
    }

    /// <summary>The temporary name of a write of <paramref name="name"/> by process <paramref name="pid"/>.</summary>
    internal static string TemporaryName(string name, int pid) => $".{name}.{pid}.{Guid.NewGuid():N}{Suffix}";

    /// <summary>
    /// Deletes the temporary files of <paramref name="name"/> in <paramref name="directory"/> whose writer is gone (see
    /// the remarks of <see cref="AtomicFile"/>); anything that cannot be listed or deleted is left alone.
    /// </summary>
    internal static void RemoveStaleTemporaries(string directory, string name)
    {
        string prefix = "." + name + ".";
        List<(string Path, string Middle, DateTime LastWriteUtc)> candidates;
        try
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
            candidates = [.. new FileSystemEnumerable<(string, string, DateTime)>(directory,
                (ref FileSystemEntry entry) => (entry.ToFullPath(),
                    entry.FileName[prefix.Length..^Suffix.Length].ToString(),
                    entry.LastWriteTimeUtc.UtcDateTime),
                options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    !entry.IsDirectory
                    && entry.FileName.Length > prefix.Length + Suffix.Length
                    && entry.FileName.StartsWith(prefix, StringComparison.Ordinal)
                    && entry.FileName.EndsWith(Suffix, StringComparison.Ordinal),
            }];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var (candidate, middle, lastWrite) in candidates)
        {
            bool stale = ParseMiddle(middle) switch
            {
                (true, int pid) => WriterIsGone(pid, lastWrite),
                (false, _) => DateTime.UtcNow - lastWrite > LegacyTemporaryAge,
                _ => false, // not one of ours (another target's name, or a file someone else named so)
            };
            if (stale)
                TryDeleteUnlocked(candidate);
        }
    }

    /// <summary>
    /// (true, pid) for <c>{pid}.{32 hex digits}</c>, (false, 0) for the legacy <c>{32 hex digits}</c>, null otherwise.
    /// </summary>
    private static (bool HasPid, int Pid)? ParseMiddle(string middle)
    {
        int dot = middle.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
            return IsRandom(middle) ? (false, 0) : null;
        string pidText = middle[..dot];
        if (pidText.Length is 0 or > 10 || !pidText.All(char.IsAsciiDigit) || !IsRandom(middle[(dot + 1)..]))
            return null;
        return int.TryParse(pidText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
            ? (true, pid)
            : null;
    }

    private static bool IsRandom(string text) => text.Length == 32 && text.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// True when no running process can have written a file last modified at <paramref name="lastWriteUtc"/> under
    /// process id <paramref name="pid"/>: none runs under that id, or the one that does started later. False (keep
    /// the file) for this process and whenever the answer is uncertain.
    /// </summary>
    internal static bool WriterIsGone(int pid, DateTime lastWriteUtc)
    {
        if (pid == Environment.ProcessId)
            return false;
        if (pid <= 0)
            return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
                return true;
            return process.StartTime.ToUniversalTime() > lastWriteUtc + StartTimeSlack;
        }
        catch (ArgumentException)
        {
            return true; // no process with that id
        }
        catch (InvalidOperationException)
        {
            return true; // it exited while being looked at
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return false; // cannot tell
        }
    }

    /// <summary>
    /// Deletes <paramref name="path"/> unless a writer still holds it open: on Unix, only after taking its exclusive
    /// lock; on Windows, deleting a file open without delete sharing fails by itself.
    /// </summary>
    private static void TryDeleteUnlocked(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                File.Delete(path);
                return;
            }
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1);
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // locked by a live writer, already deleted by another sweep, or not ours to delete
        }
    }

    /// <summary>The exception in <paramref name="e"/>'s chain that reports a full disk or an exhausted quota, or null.</summary>
    internal static IOException? FindDiskFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException io && IsDiskFull(io.HResult))
                return io;
        }
        return null;
    }

    private static bool IsDiskFull(int hresult)
    {
        if (OperatingSystem.IsWindows())
        {
            // ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112) as HRESULTs
            return hresult is unchecked((int)0x80070027) or unchecked((int)0x80070070);
        }
        // .NET reports Unix errors with the raw errno as HResult: ENOSPC is 28 on Linux and macOS; EDQUOT 122 on Linux, 69 on macOS
        return hresult == 28 || (OperatingSystem.IsLinux() ? hresult == 122 : OperatingSystem.IsMacOS() && hresult == 69);
    }
}
