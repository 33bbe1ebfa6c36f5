namespace Dendrite.Tests.Utilities;

/// <summary><c>Utils.SplitDataset</c> against <c>keras.utils.split_dataset</c> on a pair of arrays.</summary>
public class SplitDatasetTests
{
    /// <summary>n samples of shape (features,) whose every value is 100·sample + feature; targets 10·sample.</summary>
    internal static (NDArray<float> X, NDArray<int> Y) Numbered(int n, int features = 3) =>
        (new NDArray<float>([.. Enumerable.Range(0, n * features).Select(i => (float)(100 * (i / features) + i % features))], n, features),
         new NDArray<int>([.. Enumerable.Range(0, n).Select(i => 10 * i)], n));

    /// <summary>The sample numbers of a split, read back from x, checked against y (rows stay paired).</summary>
    private static int[] Samples(NDArray<float> x, NDArray<int> y, int features = 3)
    {
        var values = x.ToArray();
        var targets = y.ToArray();
        var samples = new int[x.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (int)values[i * features] / 100;
            for (int f = 0; f < features; f++) Assert.Equal(100 * samples[i] + f, values[i * features + f]);
            Assert.Equal(10 * samples[i], targets[i]);
        }
        return samples;
    }

    [Fact]
    public void AFractionPutsTheFirstSamplesLeftAndTheRestRight()
    {
        var (x, y) = Numbered(10);
        var ((xLeft, yLeft), (xRight, yRight)) = Utils.SplitDataset(x, y, 0.8);
        Assert.Equal(new Shape(8, 3), xLeft.Shape);
        Assert.Equal(new Shape(8), yLeft.Shape);
        Assert.Equal(new Shape(2, 3), xRight.Shape);
        Assert.Equal(new Shape(2), yRight.Shape);
        Assert.Equal(Enumerable.Range(0, 8), Samples(xLeft, yLeft));
        Assert.Equal([8, 9], Samples(xRight, yRight));
    }

    [Theory]
    [InlineData(10, 0.7, 7)]
    [InlineData(5, 0.5, 2)]   // round(2.5) = 2: Python rounds half to even
    [InlineData(7, 0.5, 4)]   // round(3.5) = 4
    [InlineData(3, 0.5, 2)]   // round(1.5) = 2
    [InlineData(1000, 0.8, 800)]
    public void TheLeftSizeIsTheFractionRoundedAsPythonRounds(int n, double fraction, int expectedLeft)
    {
        var (x, y) = Numbered(n, 1);
        var ((xLeft, yLeft), (xRight, _)) = Utils.SplitDataset(x, y, fraction);
        Assert.Equal(expectedLeft, xLeft.Length);
        Assert.Equal(expectedLeft, yLeft.Length);
        Assert.Equal(n - expectedLeft, xRight.Length);
    }

    [Fact]
    public void AnIntegerIsACountOfSamples()
    {
        var (x, y) = Numbered(10);
        var ((xLeft, yLeft), (xRight, yRight)) = Utils.SplitDataset(x, y, 3);
        Assert.Equal([0, 1, 2], Samples(xLeft, yLeft));
        Assert.Equal(Enumerable.Range(3, 7), Samples(xRight, yRight));
    }

    [Fact]
    public void ShufflingKeepsSamplesAndTargetsPairedAndIsReproducibleWithASeed()
    {
        var (x, y) = Numbered(50);
        var original = x.ToArray();
        var ((xLeft, yLeft), (xRight, yRight)) = Utils.SplitDataset(x, y, 0.6, shuffle: true, seed: 7);
        var left = Samples(xLeft, yLeft);
        var right = Samples(xRight, yRight);
        Assert.Equal(30, left.Length);
        Assert.Equal(Enumerable.Range(0, 50), left.Concat(right).Order()); // every sample exactly once
        Assert.NotEqual(Enumerable.Range(0, 30), left);
        Assert.Equal(original, x.ToArray()); // the input is untouched

        var ((again, againY), _) = Utils.SplitDataset(x, y, 0.6, shuffle: true, seed: 7);
        Assert.Equal(left, Samples(again, againY));
        var ((other, otherY), _) = Utils.SplitDataset(x, y, 0.6, shuffle: true, seed: 8);
        Assert.NotEqual(left, Samples(other, otherY));
    }

    [Fact]
    public void ThePartsAreCopiesWithTheElementTypesOfTheInputs()
    {
        var x = new NDArray<byte>([.. Enumerable.Range(0, 6 * 2 * 2 * 1).Select(i => (byte)i)], 6, 2, 2, 1);
        var y = new NDArray<long>([5, 4, 3, 2, 1, 0], 6);
        var ((xLeft, yLeft), (xRight, yRight)) = Utils.SplitDataset(x, y, 2);
        Assert.Equal(new Shape(2, 2, 2, 1), xLeft.Shape);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7 }, xLeft.ToArray());
        Assert.Equal(new long[] { 5, 4 }, yLeft.ToArray());
        Assert.Equal(new Shape(4, 2, 2, 1), xRight.Shape);
        Assert.Equal(new long[] { 3, 2, 1, 0 }, yRight.ToArray());
        xLeft[0, 0, 0, 0] = 99;
        Assert.Equal(0, x[0, 0, 0, 0]);

        // Through the untyped overload the parts are still the same NDArray<T> underneath.
        var ((untypedX, untypedY), _) = Utils.SplitDataset((NDArray)x, (NDArray)y, 0.5);
        Assert.IsType<NDArray<byte>>(untypedX);
        Assert.IsType<NDArray<long>>(untypedY);
        Assert.Equal("uint8", untypedX.DType);
    }

    [Fact]
    public void ViewsAndOneDimensionalArraysSplitToo()
    {
        var (x, y) = Numbered(12);
        var ((xLeft, yLeft), (xRight, yRight)) = Utils.SplitDataset(x[2..], y[2..], 0.5);
        Assert.Equal([2, 3, 4, 5, 6], Samples(xLeft, yLeft));
        Assert.Equal([7, 8, 9, 10, 11], Samples(xRight, yRight));
        var flat = new NDArray<double>([0.5, 1.5, 2.5, 3.5], 4);
        var ((l, _), (r, _)) = Utils.SplitDataset(flat, flat, 1);
        Assert.Equal(new Shape(1), l.Shape);
        Assert.Equal([0.5], l.ToArray());
        Assert.Equal([1.5, 2.5, 3.5], r.ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AFractionOutsideZeroToOneIsRefused(double fraction)
    {
        var (x, y) = Numbered(10);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SplitDataset(x, y, fraction));
        Assert.Equal("leftSize", e.ParamName);
        Assert.Contains("leftSize should be either a positive integer smaller than 10, or a fraction strictly between 0 and 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(10)]
    [InlineData(11)]
    public void ACountOutsideOneToNMinusOneIsRefused(int count)
    {
        var (x, y) = Numbered(10);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SplitDataset(x, y, count));
        Assert.Contains($"Received: leftSize={count}.", e.Message);
    }

    [Theory]
    [InlineData(0.04, 0)]
    [InlineData(0.96, 10)]
    public void AFractionThatRoundsToAnEmptySplitIsRefused(double fraction, int left)
    {
        var (x, y) = Numbered(10);
        var e = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x, y, fraction));
        Assert.Contains($"puts {left} on the left and {10 - left} on the right; both splits must be non-empty", e.Message);
    }

    [Fact]
    public void BadArraysAreRefusedClearly()
    {
        var (x, y) = Numbered(10);
        Assert.Throws<ArgumentNullException>(() => Utils.SplitDataset(null!, y, 0.5));
        Assert.Throws<ArgumentNullException>(() => Utils.SplitDataset(x, null!, 0.5));
        var e = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x, y[..9], 0.5));
        Assert.Equal("x and y must have the same number of samples: x has 10 (shape (10, 3)), y has 9 (shape (9,)).", e.Message.Split(" (Parameter")[0]);
        e = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x[..0], y[..0], 0.5));
        Assert.Contains("empty dataset", e.Message);
        var scalar = new NDArray<float>([1f], 0, new Shape(), null);
        e = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(scalar, y, 0.5));
        Assert.Contains("x needs a sample axis; got shape ()", e.Message);
    }
}

/// <summary>Shuffling without a seed draws from the global generator, so these run alone.</summary>
[Collection(GlobalStateCollection.Name)]
public class SplitDatasetGlobalSeedTests
{
    [Fact]
    public void WithoutASeedTheShuffleFollowsSetRandomSeed()
    {
        var (x, y) = SplitDatasetTests.Numbered(40);
        Utils.SetRandomSeed(3);
        var ((first, _), _) = Utils.SplitDataset(x, y, 0.5, shuffle: true);
        Utils.SetRandomSeed(3);
        var ((second, _), _) = Utils.SplitDataset(x, y, 0.5, shuffle: true);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.NotEqual(x[..20].ToArray(), first.ToArray());
    }
}
