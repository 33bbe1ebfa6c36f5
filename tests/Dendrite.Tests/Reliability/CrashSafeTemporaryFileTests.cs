using System.Diagnostics;
using Dendrite.Layers;
using Dendrite.Saving;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// The sweep before every atomic write: temporary files of the same target whose writer is gone are deleted; those
/// of this process, of live processes, of other targets, recent ones of the old naming and locked ones are kept.
/// </summary>
public sealed class CrashSafeTemporaryFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dendrite-sweep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The id of a process that has just exited (so no process runs under it, barring immediate reuse).</summary>
    internal static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private static string Random() => Guid.NewGuid().ToString("N");

    private string Touch(string name, DateTime? lastWriteUtc = null)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, new byte[100]); // a partial write
        if (lastWriteUtc is { } t) File.SetLastWriteTimeUtc(path, t);
        return name;
    }

    private static Model SmallModel()
    {
        var inputs = new Input([4]);
        return new Model(inputs, new Dense(2).Call(inputs));
    }

    private string[] Entries() => [.. Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void TemporariesOfGoneWritersAreDeletedAndAllOthersKept()
    {
        int dead = DeadPid();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            Thread.Sleep(50);
            string deadWriter = Touch($".m.keras.{dead}.{Random()}.tmp");
            string ownWriter = Touch($".m.keras.{Environment.ProcessId}.{Random()}.tmp");
            string liveWriter = Touch($".m.keras.{sleeper.Id}.{Random()}.tmp");
            // written an hour before the process now holding that id started: the id was reused
            string reusedPid = Touch($".m.keras.{sleeper.Id}.{Random()}.tmp", DateTime.UtcNow.AddHours(-1));
            string oldLegacy = Touch($".m.keras.{Random()}.tmp", DateTime.UtcNow.AddHours(-2));
            string recentLegacy = Touch($".m.keras.{Random()}.tmp", DateTime.UtcNow.AddMinutes(-10));
            string otherTarget = Touch($".other.keras.{dead}.{Random()}.tmp");
            string longerTarget = Touch($".m.keras.5.{dead}.{Random()}.tmp"); // a temporary of "m.keras.5"
            string notOurs = Touch(".m.keras.backup.tmp");

            SmallModel().Save(Path.Combine(_folder, "m.keras"));

            Assert.Equal(
                new[] { "m.keras", ownWriter, liveWriter, recentLegacy, otherTarget, longerTarget, notOurs }.Order(StringComparer.Ordinal),
                Entries());
            Assert.DoesNotContain(deadWriter, Entries());
            Assert.DoesNotContain(reusedPid, Entries());
            Assert.DoesNotContain(oldLegacy, Entries());
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void ATemporaryStillLockedByItsWriterIsKeptWhateverItsPidSays()
    {
        Assert.False(OperatingSystem.IsWindows(), "the lock check is the Unix path; Windows refuses to delete an open file by itself");
        string locked = Touch($".m.weights.h5.{DeadPid()}.{Random()}.tmp");
        string path = Path.Combine(_folder, "m.weights.h5");
        var model = SmallModel();
        using (new FileStream(Path.Combine(_folder, locked), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            model.SaveWeights(path);
            Assert.Equal(new[] { locked, "m.weights.h5" }.Order(StringComparer.Ordinal), Entries());
        }
        model.SaveWeights(path); // released: now it is swept
        Assert.Equal(["m.weights.h5"], Entries());
    }

    [Fact]
    public void ThisProcessIsNeverGoneAnExitedOneIs()
    {
        Assert.False(AtomicFile.WriterIsGone(Environment.ProcessId, DateTime.UtcNow.AddDays(-1))); // this process: never
        Assert.True(AtomicFile.WriterIsGone(DeadPid(), DateTime.UtcNow));
        Assert.True(AtomicFile.WriterIsGone(0, DateTime.UtcNow)); // no process has id 0 (or less)
    }
}
