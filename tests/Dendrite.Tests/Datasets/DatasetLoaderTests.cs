using System.Security.Cryptography;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>Source order, cache hits, cache repair and the all-sources-failed message, on a tiny dataset.</summary>
public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TinyDataset _tiny = new();
    private readonly TempDir _temp = new();
    private readonly StringWriter _log = new();

    public void Dispose() => _temp.Dispose();

    private string Cache => _temp.Sub("cache");

    private ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) Load(params DatasetSource[] sources) =>
        DatasetLoader.Load(_tiny.Spec, Cache, sources, _log);

    private void AssertTinyData(((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) data)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = data;
        Assert.Equal(new Shape(3, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(3), yTrain.Shape);
        Assert.Equal(new Shape(2, 28, 28), xTest.Shape);
        Assert.Equal(new Shape(2), yTest.Shape);
        Assert.Equal(_tiny.Payloads["train-images-idx3-ubyte"], xTrain.ToArray());
        Assert.Equal(_tiny.Payloads["train-labels-idx1-ubyte"], yTrain.ToArray());
        Assert.Equal(_tiny.Payloads["t10k-images-idx3-ubyte"], xTest.ToArray());
        Assert.Equal(_tiny.Payloads["t10k-labels-idx1-ubyte"], yTest.ToArray());
    }

    /// <summary>The cache holds exactly the four raw files with the right bytes (no temporary files left over).</summary>
    private void AssertCacheComplete()
    {
        Assert.Equal(_tiny.Names.Order(StringComparer.Ordinal), TempDir.Entries(Cache));
        foreach (string name in _tiny.Names)
            Assert.Equal(_tiny.Raw(name), File.ReadAllBytes(Path.Combine(Cache, name)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CacheHitLoadsSilentlyAndWritesNothing(bool gzipped)
    {
        _tiny.WriteTo(Cache, gzipped);
        string[] before = TempDir.Entries(Cache);
        AssertTinyData(Load(new DirectorySource(_temp.Sub("never-read"), "other")));
        Assert.Equal("", _log.ToString());
        Assert.Equal(before, TempDir.Entries(Cache));
    }

    [Fact]
    public void RawAndGzipFilesMayBeMixed()
    {
        Directory.CreateDirectory(Cache);
        File.WriteAllBytes(Path.Combine(Cache, "train-images-idx3-ubyte.gz"), TinyDataset.Gzip(_tiny.Raw("train-images-idx3-ubyte")));
        File.WriteAllBytes(Path.Combine(Cache, "train-labels-idx1-ubyte"), _tiny.Raw("train-labels-idx1-ubyte"));
        File.WriteAllBytes(Path.Combine(Cache, "t10k-images-idx3-ubyte"), _tiny.Raw("t10k-images-idx3-ubyte"));
        File.WriteAllBytes(Path.Combine(Cache, "t10k-labels-idx1-ubyte.gz"), TinyDataset.Gzip(_tiny.Raw("t10k-labels-idx1-ubyte")));
        AssertTinyData(Load());
        Assert.Equal("", _log.ToString());
    }

    [Fact]
    public void FilesFromAFallbackAreVerifiedThenCachedRawViaTempAndRename()
    {
        string source = _temp.Sub("source");
        _tiny.WriteTo(source, gzipped: true);
        AssertTinyData(Load(new DirectorySource(source, "test folder")));
        AssertCacheComplete();

        // second load: served by the cache even with the fallback gone
        Directory.Delete(source, recursive: true);
        var log = new StringWriter();
        var again = DatasetLoader.Load(_tiny.Spec, Cache, [new DirectorySource(source, "test folder")], log);
        AssertTinyData(again);
        Assert.Equal("", log.ToString());
    }

    [Fact]
    public void BadCachedFileIsReportedSkippedAndReplaced()
    {
        _tiny.WriteTo(Cache, gzipped: false);
        string bad = Path.Combine(Cache, "train-labels-idx1-ubyte");
        byte[] corrupt = _tiny.Raw("train-labels-idx1-ubyte");
        corrupt[^1] = (byte)((corrupt[^1] + 1) % 10);
        File.WriteAllBytes(bad, corrupt);
        string source = _temp.Sub("source");
        _tiny.WriteTo(source, gzipped: false);

        AssertTinyData(Load(new DirectorySource(source, "test folder")));

        string log = _log.ToString();
        Assert.Contains("A local file was found, but it is unusable, so it is skipped: " + bad + ": checksum mismatch", log);
        AssertCacheComplete(); // repaired in place, nothing else left behind
    }

    [Fact]
    public void ABadRawFileBesideAGoodGzipIsRepairedFromIt()
    {
        _tiny.WriteTo(Cache, gzipped: true);
        string bad = Path.Combine(Cache, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(bad, _tiny.Raw("t10k-images-idx3-ubyte")[..500]);

        AssertTinyData(Load());
        Assert.Contains($"A local file was found, but it is unusable, so it is skipped: {bad}: file truncated", _log.ToString());
        Assert.Equal(_tiny.Raw("t10k-images-idx3-ubyte"), File.ReadAllBytes(bad));

        var quiet = new StringWriter(); // repaired: the next load reports nothing
        AssertTinyData(DatasetLoader.Load(_tiny.Spec, Cache, [], quiet));
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void FailingSourcesLeaveNoFileInTheCache()
    {
        string corrupt = _temp.Sub("corrupt");
        Directory.CreateDirectory(corrupt);
        foreach (string name in _tiny.Names)
        {
            byte[] raw = _tiny.Raw(name);
            raw[^1] ^= 1;
            File.WriteAllBytes(Path.Combine(corrupt, name), raw);
        }
        Assert.Throws<DatasetException>(() => Load(new DirectorySource(corrupt, "corrupt folder")));
        Assert.Empty(TempDir.Entries(Cache));
    }

    [Fact]
    public void WhenEverySourceFailsTheMessageListsEachSourceAndHowToPlaceTheFiles()
    {
        string corrupt = _temp.Sub("corrupt");
        Directory.CreateDirectory(corrupt);
        byte[] truncated = _tiny.Raw("train-images-idx3-ubyte")[..100];
        File.WriteAllBytes(Path.Combine(corrupt, "train-images-idx3-ubyte"), truncated);
        string missing = _temp.Sub("missing");
        Directory.CreateDirectory(Cache);

        var e = Assert.Throws<DatasetException>(() => Load(new DirectorySource(corrupt, "corrupt folder"), new DirectorySource(missing, "missing folder")));

        string m = e.Message;
        Assert.StartsWith("Could not load Tiny: no source provided a valid train-images-idx3-ubyte. Sources tried, in order:", m);
        Assert.Contains($"1. cache directory {Cache}\n     neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz is there", m);
        Assert.Contains($"2. corrupt folder {corrupt}\n     {Path.Combine(corrupt, "train-images-idx3-ubyte")}: file truncated: header says 3 images = 2368 bytes, file has 100", m);
        Assert.Contains($"3. missing folder {missing}\n     the directory does not exist", m);
        Assert.Contains("put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw IDX, or gzip-compressed with the suffix .gz) into " + Cache, m);
        Assert.Contains("$DENDRITE_HOME/datasets/tiny when the DENDRITE_HOME environment variable is set, else ~/.dendrite/datasets/tiny", m);
    }

    [Fact]
    public void AnUnwritableCacheIsReportedAndTheDataStillReturned()
    {
        File.WriteAllText(_temp.Sub("not-a-folder"), "a file where the cache folder would go");
        string cache = Path.Combine(_temp.Sub("not-a-folder"), "cache");
        string source = _temp.Sub("source");
        _tiny.WriteTo(source, gzipped: false);

        var data = DatasetLoader.Load(_tiny.Spec, cache, [new DirectorySource(source, "test folder")], _log);

        AssertTinyData(data);
        Assert.Contains($"Warning: could not write train-images-idx3-ubyte to the cache directory {cache}", _log.ToString());
    }

    [Fact]
    public void CacheWriteReplacesAnExistingFileAtomicallyWithoutLeftovers()
    {
        Directory.CreateDirectory(Cache);
        string target = Path.Combine(Cache, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(target, [1, 2, 3]);
        var spec = _tiny.Spec.TestLabels;

        DatasetLoader.StoreInCache(Cache, spec, _tiny.Payloads[spec.Name], new LoadContext(_log, TimeSpan.FromSeconds(1)));

        Assert.Equal(_tiny.Raw(spec.Name), File.ReadAllBytes(target));
        Assert.Equal(["t10k-labels-idx1-ubyte"], TempDir.Entries(Cache));
        Assert.Equal(spec.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(target))));
    }

    [Fact]
    public void PartialFilesOfKilledLoadsNeverPassAsDataAndDeadWritersTemporariesAreSwept()
    {
        // a load killed while writing the cache left a partial temporary file of every file (its process is gone),
        // a live load is writing one right now (this process), and a download copied in by hand stopped half-way
        Directory.CreateDirectory(Cache);
        int dead = Reliability.CrashSafeTemporaryFileTests.DeadPid();
        foreach (string name in _tiny.Names)
        {
            byte[] raw = _tiny.Raw(name);
            File.WriteAllBytes(Path.Combine(Cache, $".{name}.{dead}.{Guid.NewGuid():N}.tmp"), raw[..(raw.Length / 2)]);
        }
        string live = $".train-images-idx3-ubyte.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(Path.Combine(Cache, live), [1, 2, 3]);
        byte[] gz = TinyDataset.Gzip(_tiny.Raw("t10k-labels-idx1-ubyte"));
        string truncatedGz = Path.Combine(Cache, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(truncatedGz, gz[..(gz.Length / 2)]);

        // nothing of that passes as data: with no other source the load fails, and names the file it lacks
        var e = Assert.Throws<DatasetException>(() => Load());
        Assert.Contains("no source provided a valid train-images-idx3-ubyte", e.Message);

        string source = _temp.Sub("source");
        _tiny.WriteTo(source, gzipped: true);
        AssertTinyData(Load(new DirectorySource(source, "test folder")));
        Assert.Contains($"A local file was found, but it is unusable, so it is skipped: {truncatedGz}", _log.ToString());
        // the four complete files are cached; the dead writers' temporaries are gone, the live writer's is kept
        // (and the truncated .gz stays, shadowed by the raw file, which is read first)
        Assert.Equal(_tiny.Names.Append(live).Append("t10k-labels-idx1-ubyte.gz").Order(StringComparer.Ordinal), TempDir.Entries(Cache));
        foreach (string name in _tiny.Names)
            Assert.Equal(_tiny.Raw(name), File.ReadAllBytes(Path.Combine(Cache, name)));
    }

    [Fact]
    public void CacheDirectoryFollowsPathThenDendriteHomeThenUserHome()
    {
        string p = Path.GetFullPath("/data/x");
        Assert.Equal(p, DatasetPaths.CacheDirectory(p, "mnist", "/dh", "/home/u"));
        Assert.Equal(Path.GetFullPath("/dh/datasets/mnist"), DatasetPaths.CacheDirectory(null, "mnist", "/dh", "/home/u"));
        Assert.Equal(Path.GetFullPath("/home/u/.dendrite/datasets/fashion-mnist"), DatasetPaths.CacheDirectory(null, "fashion-mnist", null, "/home/u"));
        Assert.Equal(Path.GetFullPath("/home/u/.dendrite/datasets/mnist"), DatasetPaths.CacheDirectory("", "mnist", "", "/home/u"));
    }
}
