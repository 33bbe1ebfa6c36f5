using static Dendrite.Tests.Arrays.ArrayTestData;

namespace Dendrite.Tests.Arrays;

// Expected behaviour follows NumPy's indexing documentation (numpy.org/doc/stable/user/basics.indexing.html):
// basic slicing returns views, out-of-range slice bounds are clamped as for Python sequences, negative indices count
// from the end, and an out-of-range integer index raises "index 3 is out of bounds for axis 0 with size 3".
public class ViewAndIndexingTests
{
    [Fact]
    public void WritingThroughARowViewIsSeenByTheParent()
    {
        var x = Arange(6, 2, 3);
        var row = x[1];
        row[new[] { 0 }] = 100;
        Assert.Equal(100, x[1, 0]);
        Assert.Equal(new[] { 0, 1, 2, 100, 4, 5 }, x.ToArray());
    }

    [Fact]
    public void WritingThroughAReshapeIsSeenByTheParentAndViceVersa()
    {
        var x = Arange(6, 2, 3);
        var y = x.Reshape(3, 2);
        y[2, 1] = 42;
        Assert.Equal(42, x[1, 2]);
        x[0, 1] = -7;
        Assert.Equal(-7, y[0, 1]);
    }

    [Fact]
    public void WritingThroughARangeSliceIsSeenByTheParent()
    {
        var x = Arange(12, 4, 3);
        var middle = x[1..3];
        Assert.Equal(new Shape(2, 3), middle.Shape);
        middle[1, 2] = 99;
        Assert.Equal(99, x[2, 2]);
    }

    [Fact]
    public void ReshapeInfersOneMinusOneDimension()
    {
        var x = Arange(12);
        Assert.Equal(new Shape(3, 4), x.Reshape(-1, 4).Shape);
        Assert.Equal(new Shape(2, 3, 2), x.Reshape(2, -1, 2).Shape);
        Assert.Equal(new Shape(12), x.Reshape(3, 4).Reshape(-1).Shape);
        Assert.Equal(new[] { 4, 5, 6, 7 }, x.Reshape(-1, 4)[1].ToArray());
    }

    [Fact]
    public void ReshapeRejectsImpossibleShapes()
    {
        var x = Arange(12);
        var inferred = Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
        Assert.StartsWith("cannot reshape array of size 12 into shape (5, -1)", inferred.Message);
        var fixedShape = Assert.Throws<ArgumentException>(() => x.Reshape(5, 5));
        Assert.StartsWith("cannot reshape array of size 12 into shape (5, 5)", fixedShape.Message);
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
        Assert.Throws<ArgumentException>(() => x.Reshape(-2, -6));
    }

    [Theory]
    // (start, end) as C# ranges; expected as Python's a[start:end] on np.arange(10).
    [InlineData(0, 100, 0, 10)]   // a[:100]  -> all ten
    [InlineData(8, 20, 8, 2)]     // a[8:20]  -> [8 9]
    [InlineData(5, 2, 5, 0)]      // a[5:2]   -> []
    [InlineData(50, 60, 10, 0)]   // a[50:60] -> []
    public void RangeSlicesClampLikePython(int start, int end, int expectedFirst, int expectedLength)
    {
        var x = Arange(10);
        var slice = x[start..end];
        Assert.Equal(expectedLength, slice.Length);
        Assert.Equal(Enumerable.Range(expectedFirst, expectedLength).ToArray(), slice.ToArray());
    }

    [Fact]
    public void FromEndRangesClampToo()
    {
        var x = Arange(10);
        Assert.Equal(Enumerable.Range(0, 10).ToArray(), x[^100..].ToArray()); // a[-100:]
        Assert.Equal(new[] { 7, 8, 9 }, x[^3..].ToArray());                 // a[-3:]
        Assert.Equal(new[] { 0, 1 }, x[..^8].ToArray());                    // a[:-8]
    }

    [Fact]
    public void NegativeIndicesCountFromTheEnd()
    {
        var x = Arange(12, 3, 4);
        Assert.Equal(new[] { 8, 9, 10, 11 }, x[-1].ToArray());
        Assert.Equal(11, x[-1, -1]);
        Assert.Equal(4, x[-2, 0]);
        // NumPy's IndexError; in .NET an ArgumentOutOfRangeException (IndexOutOfRangeException is the runtime's own).
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => x[3]);
        Assert.StartsWith("index 3 is out of bounds for axis 0 with size 3.", error.Message);
        Assert.Equal("index", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => x[-4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => x[0, 4]);
    }

    [Fact]
    public void AsTypeTruncatesFloatsTowardZeroAndWrapsIntegers()
    {
        // np.array([2.7, -2.7, 0.5, -0.5]).astype(np.int32) -> [ 2 -2  0  0]
        var floats = new NDArray<double>([2.7, -2.7, 0.5, -0.5]);
        Assert.Equal(new[] { 2, -2, 0, 0 }, floats.AsType<int>().ToArray());
        // np.array([300, -1, 255]).astype(np.uint8) -> [ 44 255 255]
        var ints = new NDArray<int>([300, -1, 255]);
        Assert.Equal(new byte[] { 44, 255, 255 }, ints.AsType<byte>().ToArray());
    }

    [Fact]
    public void StridedViewsCopyInCOrder()
    {
        var view = EveryNth(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, 3, 3);
        Assert.False(view.IsContiguous);
        Assert.Equal(new[] { 0, 3, 6 }, view.ToArray());
        var column = new NDArray<int>(Enumerable.Range(0, 12).ToArray(), 0, new Shape(3, 2), [4, 2]);
        Assert.Equal(new[] { 0, 2, 4, 6, 8, 10 }, column.ToArray());
    }
}
