namespace Dendrite.Tests;

public class ToCategoricalTests
{
    [Fact]
    public void KerasDocstringExample()
    {
        var a = Utils.ToCategorical(new NDArray<int>([0, 1, 2, 3]), numClasses: 4);
        Assert.Equal(new Shape(4, 4), a.Shape);
        Assert.Equal("float32", a.DType);
        Assert.Equal([1f, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], a.ToArray());
    }

    [Fact]
    public void TheNumberOfClassesIsInferredFromTheLargestLabel()
    {
        var a = Utils.ToCategorical(new NDArray<byte>([2, 0], 2));
        Assert.Equal(new Shape(2, 3), a.Shape);
        Assert.Equal([0f, 0, 1, 1, 0, 0], a.ToArray());
    }

    [Fact]
    public void ATrailingAxisOfOneIsDroppedAndOtherAxesKept()
    {
        Assert.Equal(new Shape(3, 2), Utils.ToCategorical(new NDArray<long>([1, 0, 1], 3, 1)).Shape);
        var grid = Utils.ToCategorical(new NDArray<int>([0, 1, 2, 2, 1, 0], 2, 3), numClasses: 3);
        Assert.Equal(new Shape(2, 3, 3), grid.Shape);
        Assert.Equal(1f, grid[1, 0, 2]);
        // A single axis of length 1 is the sample axis, not a trailing label axis: (1,) gives (1, 5).
        Assert.Equal(new Shape(1, 5), Utils.ToCategorical(new NDArray<int>([3], 1), 5).Shape);
    }

    [Fact]
    public void FloatLabelsTruncateTowardZeroAsNumPysAstype()
    {
        var a = Utils.ToCategorical(new NDArray<float>([1.9f, 0.2f], 2), numClasses: 2);
        Assert.Equal([0f, 1, 1, 0], a.ToArray());
    }

    [Theory]
    [InlineData(-1f, "label -1 at index 1")]
    [InlineData(3f, "label 3 at index 1")]
    [InlineData(float.NaN, "NaN")]
    public void BadLabelsThrow(float label, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Utils.ToCategorical(new NDArray<float>([0, label], 2), numClasses: 3));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void BadClassCountsThrow()
    {
        Assert.Throws<ArgumentException>(() => Utils.ToCategorical(new NDArray<int>([0], 1), numClasses: 0));
        Assert.Throws<ArgumentException>(() => Utils.ToCategorical(new NDArray<int>([], 0)));
        Assert.Equal(new Shape(0, 4), Utils.ToCategorical(new NDArray<int>([], 0), numClasses: 4).Shape);
    }
}
