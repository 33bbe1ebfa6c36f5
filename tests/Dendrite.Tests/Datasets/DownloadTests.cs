using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>The web sources against a server on 127.0.0.1 serving good, missing, corrupt, truncated and cut-off files.</summary>
/// <remarks>Binds loopback ports: runs apart from the other port-binding tests, so a port probed as free stays free.</remarks>
[Collection(LoopbackCollection.Name)]
public sealed class DownloadTests : IDisposable
{
    private readonly TinyDataset _tiny = new();
    private readonly TempDir _temp = new();
    private readonly LoopbackServer _server = new();
    private readonly StringWriter _log = new();

    public DownloadTests()
    {
        foreach (string name in _tiny.Names)
        {
            byte[] gz = TinyDataset.Gzip(_tiny.Raw(name));
            _server.Add($"good/{name}.gz", gz);
            _server.Add($"truncated/{name}.gz", gz[..(gz.Length * 2 / 3)]);
            _server.Add($"cut/{name}.gz", gz, abort: true);
            byte[] corrupt = _tiny.Raw(name);
            corrupt[^1] = (byte)((corrupt[^1] + 1) % 10);
            _server.Add($"corrupt/{name}.gz", TinyDataset.Gzip(corrupt));
            _server.Add($"notgzip/{name}.gz", _tiny.Raw(name));
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private string Cache => _temp.Sub("cache");

    private string Url(string mirror) => _server.BaseUrl + mirror + "/";

    [Fact]
    public void DownloadSkipsBadMirrorsVerifiesAndCaches()
    {
        string[] mirrors = ["missing", "corrupt", "truncated", "notgzip", "cut", "good"];
        var ((xTrain, yTrain), (xTest, yTest)) = DatasetLoader.Load(_tiny.Spec, Cache, mirrors.Select(m => (DatasetSource)new HttpIdxSource(Url(m))).ToList(), _log);

        Assert.Equal(_tiny.Payloads["train-images-idx3-ubyte"], xTrain.ToArray());
        Assert.Equal(_tiny.Payloads["t10k-labels-idx1-ubyte"], yTest.ToArray());
        string log = _log.ToString();
        foreach (string m in mirrors)
            Assert.Contains($"Downloading data from {Url(m)}train-images-idx3-ubyte.gz", log);
        Assert.Contains("failed: HTTP 404", log);
        Assert.Contains("checksum mismatch", log);
        Assert.Contains($"{Url("cut")}train-images-idx3-ubyte.gz: download interrupted", log);

        // exactly the four raw files in the cache, with the right content, nothing temporary
        Assert.Equal(_tiny.Names.Order(StringComparer.Ordinal), TempDir.Entries(Cache));
        foreach (string name in _tiny.Names)
            Assert.Equal(_tiny.Raw(name), File.ReadAllBytes(Path.Combine(Cache, name)));

        // the next load is a silent cache hit: no request reaches the server
        int requests = _server.Requests.Count;
        var log2 = new StringWriter();
        DatasetLoader.Load(_tiny.Spec, Cache, [new HttpIdxSource(Url("good"))], log2);
        Assert.Equal("", log2.ToString());
        Assert.Equal(requests, _server.Requests.Count);
    }

    [Fact]
    public void BadDownloadsLeaveNothingInTheCacheAndEveryMirrorIsListed()
    {
        string[] mirrors = ["missing", "corrupt", "truncated", "cut"];
        var e = Assert.Throws<DatasetException>(() =>
            DatasetLoader.Load(_tiny.Spec, Cache, mirrors.Select(m => (DatasetSource)new HttpIdxSource(Url(m))).ToList(), _log));

        foreach (string m in mirrors)
            Assert.Contains($". {Url(m)}train-images-idx3-ubyte.gz\n", e.Message);
        Assert.Contains("HTTP 404 Not Found", e.Message);
        Assert.Contains($"checksum mismatch: expected sha256 {_tiny.Spec.TrainImages.Sha256}", e.Message);
        Assert.Contains("download interrupted", e.Message);
        Assert.Empty(TempDir.Entries(Cache));
    }

    [Fact]
    public void AnUnreachableMirrorIsTriedOnceThenSkipped()
    {
        string dead = $"http://127.0.0.1:{LoopbackServer.FreePort()}/";
        var started = DateTime.UtcNow;
        DatasetLoader.Load(_tiny.Spec, Cache, [new HttpIdxSource(dead), new HttpIdxSource(Url("good"))], _log);

        string log = _log.ToString();
        Assert.Contains($"Downloading data from {dead}train-images-idx3-ubyte.gz", log);
        Assert.DoesNotContain($"Downloading data from {dead}train-labels-idx1-ubyte.gz", log);
        Assert.Contains("cannot connect", log);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void KerasNpzIsDownloadedOnceAndEachArrayVerified()
    {
        _server.Add("mnist.npz", Npy.DatasetNpz(_tiny.Spec, name => _tiny.Payloads[name]));
        var data = DatasetLoader.Load(_tiny.Spec, Cache, [new NpzSource(_server.BaseUrl + "mnist.npz")], _log);

        Assert.Equal(_tiny.Payloads["train-images-idx3-ubyte"], data.Item1.TrainImages.ToArray());
        Assert.Equal(_tiny.Payloads["t10k-labels-idx1-ubyte"], data.Item2.TestLabels.ToArray());
        Assert.Single(_server.Requests, "/mnist.npz");
        Assert.Equal(_tiny.Names.Order(StringComparer.Ordinal), TempDir.Entries(Cache));
        foreach (string name in _tiny.Names)
            Assert.Equal(_tiny.Raw(name), File.ReadAllBytes(Path.Combine(Cache, name)));
    }

    [Fact]
    public void ABadNpzArrayFallsThroughToTheNextSource()
    {
        // y_train stored as int32: rejected, and the IDX mirror provides that one file
        byte[] npz = Npy.Zip(_tiny.Spec.Files.Select(f => (f.NpzKey, f.NpzKey == "y_train"
            ? Npy.Array(new byte[12], "(3,)", descr: "<i4")
            : Npy.Array(_tiny.Payloads[f.Name], f.IsImages ? $"({f.Count}, 28, 28)" : $"({f.Count},)"))));
        _server.Add("bad.npz", npz);

        var data = DatasetLoader.Load(_tiny.Spec, Cache, [new NpzSource(_server.BaseUrl + "bad.npz"), new HttpIdxSource(Url("good"))], _log);

        Assert.Equal(_tiny.Payloads["train-labels-idx1-ubyte"], data.Item1.TrainLabels.ToArray());
        string log = _log.ToString();
        Assert.Contains($"{_server.BaseUrl}bad.npz [y_train.npy]: wrong dtype: expected '|u1' (uint8), found '<i4'", log);
        Assert.Contains($"Downloading data from {Url("good")}train-labels-idx1-ubyte.gz", log);
        Assert.DoesNotContain($"Downloading data from {Url("good")}train-images-idx3-ubyte.gz", log);
    }

    [Fact]
    public void ANonZipNpzIsReportedOnceAndNotDownloadedAgain()
    {
        _server.Add("junk.npz", [1, 2, 3, 4, 5, 6, 7, 8]);
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(_tiny.Spec, Cache, [new NpzSource(_server.BaseUrl + "junk.npz")], _log));
        Assert.Contains("not a valid .npz (zip) archive", e.Message);
        Assert.Single(_server.Requests, "/junk.npz");
    }
}
