using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// <see cref="BostonHousing"/> on a 506 × 13 <c>boston_housing.npz</c> in Keras' layout whose values name their row
/// (feature k of sample i is i + k/100, the target of sample i is i), so the split and the order can be read back and
/// compared with NumPy's <c>RandomState(113)</c> shuffle (values printed by NumPy 1.24.2).
/// </summary>
[Collection(LoopbackCollection.Name)]
public sealed class BostonHousingTests : IDisposable
{
    private const int Samples = 506, Features = 13;
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] BostonNpz(int samples = Samples, int features = Features, string? yShape = null)
    {
        var x = new double[samples * features];
        for (int i = 0; i < samples; i++)
            for (int k = 0; k < features; k++)
                x[i * features + k] = i + k / 100.0;
        double[] y = [.. Enumerable.Range(0, samples).Select(i => (double)i)];
        return Npy.Zip(
        [
            ("x", KerasDatasetFiles.Float64Npy(x, $"({samples}, {features})")),
            ("y", KerasDatasetFiles.Float64Npy(y, yShape ?? $"({samples},)")),
        ]);
    }

    private KerasFileSource Write(byte[]? npz = null) => KerasDatasetFiles.Cached(_temp, "boston_housing.npz", npz ?? BostonNpz());

    [Fact]
    public void SplitsLikeKerasIn404And102ShuffledByNumPysSeed113()
    {
        var ((xTrain, yTrain), (xTest, yTest)) = BostonHousing.LoadData(Write(), _temp.Path);
        Assert.Equal([404, 13], xTrain.Shape.ToArray());
        Assert.Equal([404], yTrain.Shape.ToArray());
        Assert.Equal([102, 13], xTest.Shape.ToArray());
        Assert.Equal([102], yTest.Shape.ToArray());

        int[] order = [.. yTrain.ToArray().Concat(yTest.ToArray()).Select(v => (int)v)];
        Assert.Equal([22, 202, 368, 335, 461, 323, 382, 143, 146, 141, 402, 412, 172, 361, 126, 418, 370, 298, 201, 100], order[..20]);
        Assert.Equal([415, 112, 339, 160, 87, 494], order[404..410]); // the first test samples
        Assert.Equal([364, 74, 162, 220, 165], order[^5..]);
        Assert.Equal("da2ec053e691710b529a90f0d5297fe4922eec8194f5f9715445d25a59865650", NumPyRandomStateTests.Hash(order));

        // each feature row travels with its target
        for (int r = 0; r < 404; r++)
            for (int k = 0; k < 13; k++)
                Assert.Equal(order[r] + k / 100.0, xTrain[r, k]);
        Assert.Equal(415.12, xTest[0, 12]);
    }

    [Theory]
    [InlineData(0.3, 354)]   // int(506 * 0.7) = int(354.2)
    [InlineData(0.0, 506)]
    [InlineData(0.999, 0)]
    public void TestSplitIsTruncatedAsInPython(double split, int train)
    {
        var ((xTrain, _), (xTest, _)) = BostonHousing.LoadData(Write(), _temp.Path, testSplit: split);
        Assert.Equal(train, xTrain.Shape[0]);
        Assert.Equal(Samples - train, xTest.Shape[0]);
    }

    [Fact]
    public void AnotherSeedGivesNumPysOrderForIt()
    {
        var ((_, yTrain), _) = BostonHousing.LoadData(Write(), _temp.Path, seed: 7);
        int[] expected = new NumPyRandomState(7).Permutation(Samples)[..404];
        Assert.Equal(expected, yTrain.ToArray().Select(v => (int)v));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void TestSplitOutsideKerasRangeIsRefused(double split) =>
        Assert.Equal("testSplit", Assert.Throws<ArgumentOutOfRangeException>(() => BostonHousing.LoadData(Write(), _temp.Path, testSplit: split)).ParamName);

    [Fact]
    public void MalformedFilesAreReported()
    {
        string file = Path.Combine(_temp.Path, "boston_housing.npz");
        var e = Assert.Throws<DatasetException>(() => BostonHousing.LoadData(Write(BostonNpz(yShape: "(505,)")), _temp.Path));
        Assert.Contains($"{file} [y.npy]: array data too long", e.Message);

        byte[] npz = Npy.Zip([("x", KerasDatasetFiles.Float64Npy(new double[506], "(506,)")), ("y", KerasDatasetFiles.Float64Npy(new double[506], "(506,)"))]);
        e = Assert.Throws<DatasetException>(() => BostonHousing.LoadData(Write(npz), _temp.Path));
        Assert.Equal($"{file}: 'x' should be 2-D (samples, features), found shape (506,)", e.Message);

        npz = Npy.Zip([("x", KerasDatasetFiles.Int64Npy([1, 2])), ("y", KerasDatasetFiles.Int64Npy([1, 2]))]);
        e = Assert.Throws<DatasetException>(() => BostonHousing.LoadData(Write(npz), _temp.Path));
        Assert.Equal($"{file} [x.npy]: wrong dtype: expected a float array ('<f8' or '<f4'), found '<i8'", e.Message);
    }

    [Fact]
    public void TheRealHashIsKeras() =>
        Assert.Equal("f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5", BostonHousing.DataFile.Hash);
}
