using Dendrite.Datasets;
using Xunit.Abstractions;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// Fashion-MNIST from Debian's package dataset-fashion-mnist. Tests needing it return early, saying so, when
/// /usr/share/datasets/fashion-mnist is absent (.ci/prepare-mnist installs it when run as root).
/// </summary>
/// <remarks>Binds loopback ports: runs apart from the other port-binding tests, so a port probed as free stays free.</remarks>
[Collection(LoopbackCollection.Name)]
public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void RequireDebian()
    {
        if (!Directory.Exists(FashionMnist.DebianDirectory))
            throw new Xunit.Sdk.XunitException($"{FashionMnist.DebianDirectory} is absent: apt-get install dataset-fashion-mnist (.ci/run does).");
    }

    private static long Sum(NDArray<byte> array)
    {
        long sum = 0;
        foreach (byte b in array.AsSpan()) sum += b;
        return sum;
    }

    private static void AssertIsFashionMnist(((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) data)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = data;
        Assert.Equal(new Shape(60000, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(60000), yTrain.Shape);
        Assert.Equal(new Shape(10000, 28, 28), xTest.Shape);
        Assert.Equal(new Shape(10000), yTest.Shape);
        Assert.Equal([9, 0, 0], yTrain.AsSpan()[..3].ToArray());
        Assert.Equal([3, 0, 5], yTrain.AsSpan()[^3..].ToArray());
        Assert.Equal([9, 2, 1], yTest.AsSpan()[..3].ToArray());
        Assert.Equal([8, 1, 5], yTest.AsSpan()[^3..].ToArray());
        Assert.Equal(3431114169L, Sum(xTrain));
        Assert.Equal(573469082L, Sum(xTest));
    }

    [Fact]
    public void ClassNamesFollowTheKerasDocstring()
    {
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], FashionMnist.ClassNames);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)FashionMnist.ClassNames)[0] = "x");
    }

    [Fact]
    public void LoadsTheDebianFolderDirectly()
    {
        RequireDebian();
        var log = new StringWriter();
        AssertIsFashionMnist(FashionMnist.LoadData(FashionMnist.DebianDirectory, [], log));
        Assert.Equal("", log.ToString());
    }

    [Fact]
    public void TheDebianSourceFillsAnEmptyCacheAfterTheMirrorsFail()
    {
        RequireDebian();
        using var server = new LoopbackServer(); // serves nothing: every file is a 404
        string cache = _temp.Sub("home/datasets/fashion-mnist");
        var log = new StringWriter();

        AssertIsFashionMnist(FashionMnist.LoadData(cache, FashionMnist.DefaultSources([server.BaseUrl]), log));

        Assert.Contains($"Downloading data from {server.BaseUrl}train-images-idx3-ubyte.gz", log.ToString());
        Assert.Equal(["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"], TempDir.Entries(cache));
        var again = new StringWriter();
        AssertIsFashionMnist(FashionMnist.LoadData(cache, [], again));
        Assert.Equal("", again.ToString());
    }

    [Fact]
    public void MnistFilesAreNotMistakenForFashionMnist()
    {
        string shared = RepoPaths.RequireSharedMnist();
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadData(shared, []));
        Assert.Contains("checksum mismatch: expected sha256 c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void TheDefaultSourcesAreTheWebMirrorsThenDebian()
    {
        var sources = FashionMnist.DefaultSources();
        try
        {
            Assert.Equal(["https://storage.googleapis.com/tensorflow/tf-keras-datasets/", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
                sources.Take(2).Select(s => Assert.IsType<HttpIdxSource>(s).BaseUrl));
            Assert.Equal(FashionMnist.DebianDirectory, Assert.IsType<DirectorySource>(sources[^1]).Directory);
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
        }
    }
}
