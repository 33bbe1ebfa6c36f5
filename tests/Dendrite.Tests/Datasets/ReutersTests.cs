using System.Text;
using System.Text.Json;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// <see cref="Reuters"/> on a small <c>reuters.npz</c> in Keras' layout, against Keras' <c>reuters.load_data</c> code
/// run with NumPy 1.24.2 on the same arrays.
/// </summary>
[Collection(LoopbackCollection.Name)]
public sealed class ReutersTests : IDisposable
{
    private static readonly int[][] X = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10], [11, 12], [13], [14, 15, 16], [2, 4, 6, 8, 10, 12], [1], [3, 3]];
    private static readonly long[] Y = [0, 45, 3, 4, 3, 19, 1, 20, 3, 11];

    private const string KerasOutputs = """
        {"defaults": [[[1, 6, 6], [1, 10, 11, 12, 13], [1, 17, 18, 2], [1, 7, 8], [1, 4, 5, 6], [1, 5, 7, 9, 11, 13, 15], [1, 14, 15], [1, 4]], [11, 4, 1, 45, 0, 20, 3, 3], [[1, 9], [1, 16]], [3, 19]],
         "split035_numWords10": [[[1, 6, 6], [1, 2, 2, 2, 2], [1, 2, 2, 2], [1, 7, 8], [1, 4, 5, 6], [1, 5, 7, 9, 2, 2, 2]], [11, 4, 1, 45, 0, 20], [[1, 2, 2], [1, 4], [1, 9], [1, 2]], [3, 3, 3, 19]],
         "maxlen4_skipTop5": [[[2, 6, 6], [2, 7, 8], [2, 14, 15], [2, 2]], [11, 45, 3, 3], [[2, 9], [2, 2]], [3, 19]],
         "split0": [[[1, 6, 6], [1, 10, 11, 12, 13], [1, 17, 18, 2], [1, 7, 8], [1, 4, 5, 6], [1, 5, 7, 9, 11, 13, 15], [1, 14, 15], [1, 4], [1, 9], [1, 16]], [11, 4, 1, 45, 0, 20, 3, 3, 3, 19], [], []],
         "split1": [[], [], [[1, 6, 6], [1, 10, 11, 12, 13], [1, 17, 18, 2], [1, 7, 8], [1, 4, 5, 6], [1, 5, 7, 9, 11, 13, 15], [1, 14, 15], [1, 4], [1, 9], [1, 16]], [11, 4, 1, 45, 0, 20, 3, 3, 3, 19]]}
        """;

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private KerasFileSource WriteReuters(byte[]? npz = null) =>
        KerasDatasetFiles.Cached(_temp, "reuters.npz", npz ?? KerasDatasetFiles.ReutersNpz(X, Y));

    [Theory]
    [InlineData("defaults")]
    [InlineData("split035_numWords10")]
    [InlineData("maxlen4_skipTop5")]
    [InlineData("split0")]
    [InlineData("split1")]
    public void MatchesKerasLoadData(string name)
    {
        var source = WriteReuters();
        var ((xTrain, yTrain), (xTest, yTest)) = name switch
        {
            "defaults" => Reuters.LoadData(source, _temp.Path),
            "split035_numWords10" => Reuters.LoadData(source, _temp.Path, testSplit: 0.35, numWords: 10),
            "maxlen4_skipTop5" => Reuters.LoadData(source, _temp.Path, maxlen: 4, skipTop: 5),
            "split0" => Reuters.LoadData(source, _temp.Path, testSplit: 0),
            "split1" => Reuters.LoadData(source, _temp.Path, testSplit: 1),
            _ => throw new ArgumentException(name),
        };
        var expected = JsonDocument.Parse(KerasOutputs).RootElement.GetProperty(name);
        Assert.Equal(ImdbTests.Sequences(expected[0]), xTrain);
        Assert.Equal(ImdbTests.Labels(expected[1]), yTrain.ToArray());
        Assert.Equal(ImdbTests.Sequences(expected[2]), xTest);
        Assert.Equal(ImdbTests.Labels(expected[3]), yTest.ToArray());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void TestSplitOutsideZeroToOneIsRefused(double split)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Reuters.LoadData(WriteReuters(), _temp.Path, testSplit: split));
        Assert.Equal("testSplit", e.ParamName);
    }

    /// <summary>A maxlen that keeps nothing: Keras' max() fails when the vocabulary size must come from the data, and returns empty sets otherwise.</summary>
    [Fact]
    public void MaxlenThatKeepsNothing()
    {
        var e = Assert.Throws<ArgumentException>(() => Reuters.LoadData(WriteReuters(), _temp.Path, maxlen: 1));
        Assert.Contains("no sequence was kept", e.Message);
        var ((xTrain, yTrain), (xTest, _)) = Reuters.LoadData(WriteReuters(), _temp.Path, maxlen: 1, numWords: 100);
        Assert.Empty(xTrain);
        Assert.Empty(xTest);
        Assert.Equal([0], yTrain.Shape.ToArray());
    }

    [Fact]
    public void LabelNamesAreKeras46Topics()
    {
        var names = Reuters.GetLabelNames();
        Assert.Equal(46, names.Count);
        Assert.Equal(46, names.Distinct().Count());
        Assert.Equal(["cocoa", "grain", "veg-oil", "earn", "acq"], names.Take(5));
        Assert.Equal("earn", names[3]);
        Assert.Equal("money-fx", names[19]);
        Assert.Equal("lead", names[45]);
    }

    [Fact]
    public void WordIndexAndMissingData()
    {
        var source = KerasDatasetFiles.Cached(_temp, "reuters_word_index.json", Encoding.UTF8.GetBytes("""{"the": 1, "of": 2}"""));
        Assert.Equal(2, Reuters.GetWordIndex(source, _temp.Path)["of"]);

        var e = Assert.Throws<DatasetException>(() => Reuters.LoadData(KerasDatasetFiles.Offline(Reuters.DataFile), _temp.Sub("empty")));
        Assert.Contains("Could not load Reuters: no source provided a valid reuters.npz", e.Message);
        Assert.Contains("sha256 d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916", e.Message);
        Assert.Contains("datasets/reuters", e.Message);
    }

    [Fact]
    public void TwoDimensionalLabelsAreReported()
    {
        byte[] npz = Npy.Zip([("x", NumPyPickleWriter.ObjectArrayNpy(X)), ("y", Npy.Array(new byte[80], "(5, 2)", descr: "<i8"))]);
        var e = Assert.Throws<DatasetException>(() => Reuters.LoadData(WriteReuters(npz), _temp.Path));
        Assert.Equal($"{Path.Combine(_temp.Path, "reuters.npz")}: 'y' should be 1-D, found shape (5, 2)", e.Message);
    }
}
