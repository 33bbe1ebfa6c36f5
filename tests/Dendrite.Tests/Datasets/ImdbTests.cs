using System.Text;
using System.Text.Json;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// <see cref="Imdb"/> on a small <c>imdb.npz</c> in Keras' layout. The expected outputs come from Keras'
/// <c>imdb.load_data</c> code (keras/src/datasets/imdb.py) run with NumPy 1.24.2 on the same arrays, so the shuffle,
/// the start/offset, the length filter and the vocabulary cut are each checked against Keras itself.
/// </summary>
[Collection(LoopbackCollection.Name)]
public sealed class ImdbTests : IDisposable
{
    internal static readonly int[][] XTrain = [[5, 1, 9, 2], [3], [7, 7, 7, 7, 7, 7], [12, 4, 0, 8], [], [1, 2, 3, 4, 5], [10, 11]];
    internal static readonly long[] YTrain = [1, 0, 1, 0, 1, 1, 0];
    internal static readonly int[][] XTest = [[2, 2], [9, 8, 7], [4], [6, 5, 4, 3, 2, 1, 0], [11]];
    internal static readonly long[] YTest = [0, 1, 1, 0, 1];

    /// <summary>Keras' output per case: [x_train, y_train, x_test, y_test] (Python's json.dumps of the lists).</summary>
    private const string KerasOutputs = """
        {"defaults": [[[1, 6], [1, 2, 7, 3, 11], [1, 8, 4, 12, 5], [1, 13, 14], [1, 10, 10, 10, 10, 10, 10], [1], [1, 4, 5, 6, 7, 8]], [0, 0, 1, 0, 1, 1, 1], [[1, 7], [1, 9, 8, 7, 6, 5, 4, 3], [1, 14], [1, 12, 11, 10], [1, 5, 5]], [1, 0, 1, 1, 0]],
         "numWords10_skipTop4": [[[2, 6], [2, 2, 7, 2, 2], [2, 8, 4, 2, 5], [2, 2, 2], [2, 2, 2, 2, 2, 2, 2], [2], [2, 4, 5, 6, 7, 8]], [0, 0, 1, 0, 1, 1, 1], [[2, 7], [2, 9, 8, 7, 6, 5, 4, 2], [2, 2], [2, 2, 2, 2], [2, 5, 5]], [1, 0, 1, 1, 0]],
         "maxlen5": [[[1, 6], [1, 13, 2], [1]], [0, 0, 1], [[1, 7], [1, 2], [1, 12, 11, 10], [1, 5, 5]], [1, 1, 1, 0]],
         "noOov_numWords8": [[[1, 6], [1, 7, 3], [1, 4, 5], [1], [1], [1], [1, 4, 5, 6, 7]], [0, 0, 1, 0, 1, 1, 1], [[1, 7], [1, 7, 6, 5, 4, 3], [1], [1], [1, 5, 5]], [1, 0, 1, 1, 0]],
         "noStart_indexFrom0_seed7_numWords12": [[[7, 7, 7, 7, 7, 7], [1, 2, 3, 4, 5], [5, 1, 9, 2], [10, 11], [2, 4, 0, 8], [3], []], [1, 1, 1, 0, 0, 0, 1], [[6, 5, 4, 3, 2, 1, 0], [11], [4], [9, 8, 7], [2, 2]], [0, 1, 1, 1, 0]],
         "noStart_indexFrom5": [[[8], [17, 9, 5, 13], [10, 6, 14, 7], [15, 16], [12, 12, 12, 12, 12, 12], [], [6, 7, 8, 9, 10]], [0, 0, 1, 0, 1, 1, 1], [[9], [11, 10, 9, 8, 7, 6, 5], [16], [14, 13, 12], [7, 7]], [1, 0, 1, 1, 0]],
         "seed0_start9_oov4_indexFrom10": [[[9, 20, 21], [9, 17, 17, 17, 17, 17, 17], [9, 13], [9, 4, 14, 10, 18], [9, 15, 11, 19, 12], [9, 11, 12, 13, 14, 15], [9]], [0, 1, 0, 0, 1, 1, 1], [[9, 19, 18, 17], [9, 16, 15, 14, 13, 12, 11, 10], [9, 21], [9, 12, 12], [9, 14]], [1, 0, 1, 0, 1]]}
        """;

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private KerasFileSource WriteImdb(byte[]? npz = null, TextWriter? log = null) =>
        KerasDatasetFiles.Cached(_temp, "imdb.npz", npz ?? KerasDatasetFiles.ImdbNpz(XTrain, YTrain, XTest, YTest), log);

    private ((int[][], NDArray<long>), (int[][], NDArray<long>)) Load(string name, KerasFileSource source) => name switch
    {
        "defaults" => Imdb.LoadData(source, _temp.Path),
        "numWords10_skipTop4" => Imdb.LoadData(source, _temp.Path, numWords: 10, skipTop: 4),
        "maxlen5" => Imdb.LoadData(source, _temp.Path, maxlen: 5),
        "noOov_numWords8" => Imdb.LoadData(source, _temp.Path, oovChar: null, numWords: 8),
        "noStart_indexFrom0_seed7_numWords12" => Imdb.LoadData(source, _temp.Path, startChar: null, indexFrom: 0, seed: 7, numWords: 12),
        "noStart_indexFrom5" => Imdb.LoadData(source, _temp.Path, startChar: null, indexFrom: 5, numWords: 100),
        "seed0_start9_oov4_indexFrom10" => Imdb.LoadData(source, _temp.Path, seed: 0, startChar: 9, oovChar: 4, indexFrom: 10),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("defaults")]
    [InlineData("numWords10_skipTop4")]
    [InlineData("maxlen5")]
    [InlineData("noOov_numWords8")]
    [InlineData("noStart_indexFrom0_seed7_numWords12")]
    [InlineData("noStart_indexFrom5")]
    [InlineData("seed0_start9_oov4_indexFrom10")]
    public void MatchesKerasLoadData(string name)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = Load(name, WriteImdb());
        var expected = JsonDocument.Parse(KerasOutputs).RootElement.GetProperty(name);
        Assert.Equal(Sequences(expected[0]), xTrain);
        Assert.Equal(Labels(expected[1]), yTrain.ToArray());
        Assert.Equal(Sequences(expected[2]), xTest);
        Assert.Equal(Labels(expected[3]), yTest.ToArray());
        Assert.Equal([yTrain.Length], yTrain.Shape.ToArray());
    }

    /// <summary>Without numWords the largest index of training and test data together is itself cut to oovChar, as in Keras (15 here).</summary>
    [Fact]
    public void WithoutNumWordsTheLargestIndexBecomesOov()
    {
        var ((xTrain, _), (xTest, _)) = Imdb.LoadData(WriteImdb(), _temp.Path);
        Assert.DoesNotContain(15, xTrain.Concat(xTest).SelectMany(x => x));
        Assert.Contains(14, xTrain.Concat(xTest).SelectMany(x => x));
        Assert.Equal([1, 2, 7, 3, 11], xTrain[1]); // [12, 4, 0, 8] + 3 → 15 is out
    }

    /// <summary>maxlen=1 keeps nothing (every review has at least its start marker): Keras raises ValueError with this message.</summary>
    [Fact]
    public void MaxlenThatKeepsNothingRaisesAsKeras()
    {
        var e = Assert.Throws<ArgumentException>(() => Imdb.LoadData(WriteImdb(), _temp.Path, maxlen: 1));
        Assert.StartsWith("After filtering for sequences shorter than maxlen=1, no sequence was kept. Increase maxlen.", e.Message);
        Assert.Equal("maxlen", e.ParamName);
    }

    /// <summary>A review of exactly maxlen indices is dropped (Keras keeps len(x) &lt; maxlen), not truncated.</summary>
    [Fact]
    public void MaxlenDropsSequencesOfExactlyThatLength()
    {
        var ((xTrain, _), (xTest, _)) = Imdb.LoadData(WriteImdb(), _temp.Path, maxlen: 5);
        Assert.All(xTrain.Concat(xTest), x => Assert.True(x.Length < 5));
        Assert.Equal(3, xTrain.Length); // [5,1,9,2] and [12,4,0,8] (5 with the start marker) are gone
    }

    [Fact]
    public void MaxlenZeroOrNullKeepsEverything()
    {
        var source = WriteImdb();
        Assert.Equal(7, Imdb.LoadData(source, _temp.Path, maxlen: 0).Item1.Item1.Length);
        Assert.Equal(5, Imdb.LoadData(source, _temp.Path, maxlen: null).Item2.Item1.Length);
    }

    [Fact]
    public void NegativeSeedIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Imdb.LoadData(WriteImdb(), _temp.Path, seed: -1));
        Assert.Equal("seed", e.ParamName);
    }

    [Fact]
    public void AnIndexPushedOutOfIntRangeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Imdb.LoadData(WriteImdb(), _temp.Path, indexFrom: int.MaxValue - 5));
        Assert.Contains("out of the int range", e.Message);
    }

    [Fact]
    public void WordIndexIsReadWithItsMd5()
    {
        // Keras' file maps word → rank; a repeated key keeps the last value, as Python's json.load does.
        byte[] json = Encoding.UTF8.GetBytes("""{"the": 1, "and": 2, "a": 3, "film": 19, "the": 4, "caf\u00e9": 7}""");
        var source = KerasDatasetFiles.Cached(_temp, "imdb_word_index.json", json);
        Assert.Equal("md5", source.File.Algorithm);
        var index = Imdb.GetWordIndex(source, _temp.Path);
        Assert.Equal(5, index.Count);
        Assert.Equal(4, index["the"]);
        Assert.Equal(7, index["café"]);
        Assert.Equal(19, index["film"]);
    }

    [Theory]
    [InlineData("[1, 2]", "a word index should be a JSON object of word → index, found a Array")]
    [InlineData("{\"the\": \"1\"}", "the index of \"the\" is \"1\", not an int")]
    [InlineData("{\"the\": 1.5}", "the index of \"the\" is 1.5, not an int")]
    [InlineData("{\"the\": 1", "not valid JSON")]
    public void MalformedWordIndexIsADatasetException(string json, string message)
    {
        var source = KerasDatasetFiles.Cached(_temp, "imdb_word_index.json", Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<DatasetException>(() => Imdb.GetWordIndex(source, _temp.Path));
        Assert.Contains(Path.Combine(_temp.Path, "imdb_word_index.json"), e.Message);
        Assert.Contains(message, e.Message);
    }

    // ---- Corrupt files: each is a DatasetException naming the file, the entry and the problem. ----

    private DatasetException Corrupt(byte[] npz) =>
        Assert.Throws<DatasetException>(() => Imdb.LoadData(WriteImdb(npz), _temp.Path));

    private string File => Path.Combine(_temp.Path, "imdb.npz");

    [Fact]
    public void TruncatedZipIsReported()
    {
        byte[] good = KerasDatasetFiles.ImdbNpz(XTrain, YTrain, XTest, YTest);
        var e = Corrupt(good[..(good.Length - 30)]);
        Assert.StartsWith($"{File}: not a valid .npz (zip) archive", e.Message);
    }

    [Fact]
    public void SequencesOfTheWrongDtypeAreReported()
    {
        byte[] npz = Npy.Zip(
        [
            ("x_train", KerasDatasetFiles.Int64Npy([1, 2, 3])), ("y_train", KerasDatasetFiles.Int64Npy([1, 0, 1])),
            ("x_test", NumPyPickleWriter.ObjectArrayNpy(XTest)), ("y_test", KerasDatasetFiles.Int64Npy(YTest)),
        ]);
        Assert.Equal($"{File} [x_train.npy]: wrong dtype: expected an object array ('|O') of sequences, found '<i8'", Corrupt(npz).Message);
    }

    [Fact]
    public void LabelsOfTheWrongDtypeAreReported()
    {
        byte[] npz = Npy.Zip(
        [
            ("x_train", NumPyPickleWriter.ObjectArrayNpy(XTrain)), ("y_train", Npy.Array(new byte[7], "(7,)", descr: "<U1")),
            ("x_test", NumPyPickleWriter.ObjectArrayNpy(XTest)), ("y_test", KerasDatasetFiles.Int64Npy(YTest)),
        ]);
        Assert.Contains($"{File} [y_train.npy]: wrong dtype: expected an integer array", Corrupt(npz).Message);
    }

    [Fact]
    public void ABadPickleOpcodeIsReported()
    {
        byte[] npy = NumPyPickleWriter.ObjectArrayNpy(XTrain);
        int at = npy.AsSpan().IndexOf("numpy\nndarray"u8);
        "os\nsystem\n\n\n\n"u8.CopyTo(npy.AsSpan(at));
        byte[] npz = Npy.Zip(
        [
            ("x_train", npy), ("y_train", KerasDatasetFiles.Int64Npy(YTrain)),
            ("x_test", NumPyPickleWriter.ObjectArrayNpy(XTest)), ("y_test", KerasDatasetFiles.Int64Npy(YTest)),
        ]);
        var e = Corrupt(npz);
        Assert.StartsWith($"{File} [x_train.npy]: bad object-array pickle at byte 40 (opcode 0x63): refusing the global 'os.system'", e.Message);
    }

    [Fact]
    public void AMissingArrayIsReportedWithWhatTheArchiveHolds()
    {
        byte[] npz = Npy.Zip([("x_train", NumPyPickleWriter.ObjectArrayNpy(XTrain)), ("y_train", KerasDatasetFiles.Int64Npy(YTrain))]);
        Assert.Equal($"{File}: no array 'x_test' (x_test.npy) in the archive; it holds: x_train.npy, y_train.npy", Corrupt(npz).Message);
    }

    [Fact]
    public void SequencesAndLabelsMustPairUp()
    {
        byte[] npz = KerasDatasetFiles.ImdbNpz(XTrain, YTrain[..5], XTest, YTest);
        Assert.Equal($"{File}: 'x_train' holds 7 sequences but 'y_train' holds 5 labels", Corrupt(npz).Message);
    }

    [Fact]
    public void TruncatedLabelDataIsReported()
    {
        byte[] y = KerasDatasetFiles.Int64Npy(YTrain);
        byte[] npz = Npy.Zip(
        [
            ("x_train", NumPyPickleWriter.ObjectArrayNpy(XTrain)), ("y_train", y[..^3]),
            ("x_test", NumPyPickleWriter.ObjectArrayNpy(XTest)), ("y_test", KerasDatasetFiles.Int64Npy(YTest)),
        ]);
        Assert.Equal($"{File} [y_train.npy]: array data truncated: shape (7,) of '<i8' = 56 bytes, entry has 53", Corrupt(npz).Message);
    }

    // ---- Fetching: the hash check, the cache, the list of sources tried. ----

    /// <summary>A cached file whose SHA-256 is not Keras' is not used; with no reachable source the error lists each source and the fix.</summary>
    [Fact]
    public void HashMismatchIsReportedWithEverySourceTried()
    {
        var log = new StringWriter();
        byte[] npz = KerasDatasetFiles.ImdbNpz(XTrain, YTrain, XTest, YTest);
        System.IO.File.WriteAllBytes(File, npz);
        var source = KerasDatasetFiles.Offline(Imdb.DataFile, log); // the real hash: the test file does not match it
        var e = Assert.Throws<DatasetException>(() => Imdb.LoadData(source, _temp.Path));
        Assert.StartsWith("Could not load IMDB: no source provided a valid imdb.npz. Sources tried, in order:", e.Message);
        Assert.Contains($"1. cache file {File}", e.Message);
        Assert.Contains("sha256 mismatch: expected 69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f, got ", e.Message);
        Assert.Contains($"2. {source.Urls![0]}", e.Message);
        Assert.Contains("To place the file by hand, download imdb.npz (sha256 69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f) from https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz into " + _temp.Path, e.Message);
        Assert.Contains("$DENDRITE_HOME/datasets/imdb", e.Message);
        Assert.Contains("so we will re-download the data", log.ToString());
        Assert.Equal(npz, System.IO.File.ReadAllBytes(File)); // the bad copy is left alone
    }

    [Fact]
    public void AMissingFileWithNoSourceSaysSo()
    {
        var e = Assert.Throws<DatasetException>(() => Imdb.GetWordIndex(KerasDatasetFiles.Offline(Imdb.WordIndexFile), _temp.Path));
        Assert.Contains("no source provided a valid imdb_word_index.json", e.Message);
        Assert.Contains("the file does not exist", e.Message);
        Assert.Contains("md5 bfafd718b763782e994055a2d397834f", e.Message);
    }

    /// <summary>A download is checked, cached atomically (no temporary file left) and not requested again.</summary>
    [Fact]
    public void DownloadIsVerifiedCachedAndThenServedFromTheCache()
    {
        byte[] npz = KerasDatasetFiles.ImdbNpz(XTrain, YTrain, XTest, YTest);
        var file = KerasDatasetFiles.FileFor("imdb.npz", npz);
        using var server = new LoopbackServer();
        server.Add("wrong/imdb.npz", [.. npz[..^1], (byte)(npz[^1] ^ 1)]);
        server.Add("good/imdb.npz", npz);
        var log = new StringWriter();
        string cache = _temp.Sub("cache");
        var source = new KerasFileSource(file, [server.BaseUrl + "missing/imdb.npz", server.BaseUrl + "wrong/imdb.npz", server.BaseUrl + "good/imdb.npz"], log);

        var ((xTrain, _), _) = Imdb.LoadData(source, cache);
        Assert.Equal(7, xTrain.Length);
        Assert.Contains($"Downloading data from {server.BaseUrl}good/imdb.npz", log.ToString());
        Assert.Contains("failed: HTTP 404", log.ToString());
        Assert.Contains("failed: sha256 mismatch", log.ToString());
        Assert.Equal(["imdb.npz"], TempDir.Entries(cache));
        Assert.Equal(npz, System.IO.File.ReadAllBytes(Path.Combine(cache, "imdb.npz")));

        int requests = server.Requests.Count;
        var again = new StringWriter();
        Imdb.LoadData(source with { Log = again }, cache);
        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal("", again.ToString());
    }

    /// <summary>A cached copy that fails the hash is replaced by a good download, as Keras re-downloads.</summary>
    [Fact]
    public void ABadCachedCopyIsReplacedByADownload()
    {
        byte[] npz = KerasDatasetFiles.ImdbNpz(XTrain, YTrain, XTest, YTest);
        using var server = new LoopbackServer();
        server.Add("imdb.npz", npz);
        System.IO.File.WriteAllBytes(File, npz[..100]);
        var source = new KerasFileSource(KerasDatasetFiles.FileFor("imdb.npz", npz), [server.BaseUrl + "imdb.npz"], TextWriter.Null);
        Assert.Equal(5, Imdb.LoadData(source, _temp.Path).Item2.Item1.Length);
        Assert.Equal(npz, System.IO.File.ReadAllBytes(File));
    }

    /// <summary>The public entry point fetches Keras' file into $DENDRITE_HOME/datasets/imdb (here an empty folder and no network: the error says where).</summary>
    [Fact]
    public void TheDefaultCacheFolderIsUnderTheDendriteHome()
    {
        string expected = DatasetPaths.CacheDirectory(null, "imdb", _temp.Path, null);
        Assert.Equal(Path.Combine(_temp.Path, "datasets", "imdb"), expected);
    }

    internal static int[][] Sequences(JsonElement array) => [.. array.EnumerateArray().Select(x => x.EnumerateArray().Select(v => v.GetInt32()).ToArray())];

    internal static long[] Labels(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt64())];
}
