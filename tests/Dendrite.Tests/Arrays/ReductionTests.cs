using static Dendrite.Tests.Arrays.ArrayTestData;

namespace Dendrite.Tests.Arrays;

// Expected values follow NumPy's reference docs: numpy.sum, numpy.mean, numpy.amax/amin ("NaN values are propagated,
// that is if at least one item is NaN, the corresponding max value will be NaN as well") and numpy.argmax
// ("In case of multiple occurrences of the maximum values, the indices corresponding to the first occurrence are
// returned"), whose examples use a = np.arange(6).reshape(2,3) + 10 and b = np.arange(6); b[1] = 5.
public class ReductionTests
{
    [Fact]
    public void WholeArrayReductions()
    {
        var a = Arange(6, 2, 3) + 1; // [[1 2 3] [4 5 6]]
        Assert.Equal(21, a.Sum());
        Assert.Equal(3.5, a.Mean());
        Assert.Equal(6, a.Max());
        Assert.Equal(1, a.Min());
        Assert.Equal(5, a.ArgMax());
    }

    [Fact]
    public void AxisReductionsRemoveTheAxis()
    {
        var a = Arange(6, 2, 3) + 1; // [[1 2 3] [4 5 6]]
        Assert.Equal(new Shape(3), a.Sum(0).Shape);
        Assert.Equal(new[] { 5, 7, 9 }, a.Sum(0).ToArray());
        Assert.Equal(new[] { 6, 15 }, a.Sum(1).ToArray());
        Assert.Equal(new[] { 6, 15 }, a.Sum(-1).ToArray());
        Assert.Equal(new[] { 2.5, 3.5, 4.5 }, a.Mean(0).ToArray());
        Assert.Equal(new[] { 2.0, 5.0 }, a.Mean(-1).ToArray());
        Assert.Equal(new[] { 4, 5, 6 }, a.Max(0).ToArray());
        Assert.Equal(new[] { 3, 6 }, a.Max(1).ToArray());
        Assert.Equal(new[] { 1, 2, 3 }, a.Min(0).ToArray());
        Assert.Equal(new[] { 1, 4 }, a.Min(-1).ToArray());
    }

    [Fact]
    public void MiddleAxisOfAThreeDimensionalArray()
    {
        // np.arange(24).reshape(2,3,4).sum(axis=1) -> [[12 15 18 21] [48 51 54 57]]
        var a = Arange(24, 2, 3, 4);
        var sum = a.Sum(1);
        Assert.Equal(new Shape(2, 4), sum.Shape);
        Assert.Equal(new[] { 12, 15, 18, 21, 48, 51, 54, 57 }, sum.ToArray());
        Assert.Equal(new[] { 8, 9, 10, 11, 20, 21, 22, 23 }, a.Max(1).ToArray());
        Assert.Equal(new[] { 2, 2, 2, 2, 2, 2, 2, 2 }, a.ArgMax(1).ToArray());
        Assert.Equal(new[] { 3, 3, 3, 3, 3, 3 }, a.ArgMax(-1).ToArray());
        Assert.Equal(new Shape(3, 4), a.Mean(0).Shape);
        Assert.Equal(6.0, a.Mean(0).ToArray()[0]);
    }

    [Fact]
    public void ArgMaxExamplesFromTheNumPyDocs()
    {
        var a = Arange(6, 2, 3) + 10;
        Assert.Equal(5, a.ArgMax());
        Assert.Equal(new[] { 1, 1, 1 }, a.ArgMax(0).ToArray());
        Assert.Equal(new[] { 2, 2 }, a.ArgMax(1).ToArray());
        Assert.Equal(new Shape(2), a.ArgMax(1).Shape);

        var b = Arange(6);
        b[new[] { 1 }] = 5; // [0 5 2 3 4 5]
        Assert.Equal(1, b.ArgMax()); // only the first occurrence is returned
    }

    [Fact]
    public void ArgMaxTiesPickTheFirstAlongAnAxis()
    {
        var m = new NDArray<int>([1, 5, 5, 7, 7, 0], 2, 3);
        Assert.Equal(new[] { 1, 0 }, m.ArgMax(1).ToArray());
        Assert.Equal(new[] { 1, 1, 0 }, m.ArgMax(0).ToArray());
    }

    [Fact]
    public void NaNPropagatesThroughMaxAndMinAndArgMaxFindsTheFirstNaN()
    {
        // b = np.arange(5, dtype=float); b[2] = np.nan; np.amax(b) -> nan; np.argmax([1, nan, 3, nan]) -> 1
        var b = new NDArray<double>([0.0, 1.0, double.NaN, 3.0, 4.0]);
        Assert.True(double.IsNaN(b.Max()));
        Assert.True(double.IsNaN(b.Min()));
        Assert.Equal(1, new NDArray<float>([1f, float.NaN, 3f, float.NaN]).ArgMax());
        Assert.Equal(0, new NDArray<float>([float.NaN, 9f]).ArgMax());

        var m = new NDArray<double>([1.0, double.NaN, 3.0, 4.0, 5.0, 6.0], 2, 3);
        var max0 = m.Max(0).ToArray();
        Assert.Equal(4.0, max0[0]);
        Assert.True(double.IsNaN(max0[1]));
        Assert.Equal(6.0, max0[2]);
        Assert.True(double.IsNaN(m.Min(1).ToArray()[0]));
        Assert.Equal(6.0, m.Max(1).ToArray()[1]);
        Assert.Equal(new[] { 1, 2 }, m.ArgMax(1).ToArray());
        Assert.Equal(new[] { 1, 0, 1 }, m.ArgMax(0).ToArray());
    }

    [Fact]
    public void EmptyArraysHaveNoMaximum()
    {
        var empty = NDArray<float>.Zeros(0);
        var max = Assert.Throws<InvalidOperationException>(() => empty.Max());
        Assert.Equal("zero-size array to reduction operation maximum which has no identity", max.Message);
        var min = Assert.Throws<InvalidOperationException>(() => empty.Min());
        Assert.Equal("zero-size array to reduction operation minimum which has no identity", min.Message);
        var arg = Assert.Throws<InvalidOperationException>(() => empty.ArgMax());
        Assert.Equal("attempt to get argmax of an empty sequence", arg.Message);
        Assert.Throws<InvalidOperationException>(() => NDArray<int>.Zeros(3, 0).Max(1));
        Assert.Throws<InvalidOperationException>(() => NDArray<int>.Zeros(3, 0).ArgMax(1));
        // Reducing a non-empty axis of an empty array is fine: np.zeros((0, 3)).max(axis=1) -> []
        Assert.Equal(new Shape(0), NDArray<int>.Zeros(0, 3).Max(1).Shape);
        Assert.Equal(0f, empty.Sum());
        Assert.True(double.IsNaN(empty.Mean()));
    }

    [Fact]
    public void ReducingAOneDimensionalArrayAlongItsAxisGivesAZeroDimensionalArray()
    {
        var s = Arange(5).Sum(0);
        Assert.Equal(0, s.Rank);
        Assert.Equal(10, s.Item());
    }

    [Fact]
    public void AxisOutOfRangeThrows()
    {
        var a = Arange(6, 2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Sum(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Max(-3));
    }

    [Fact]
    public void ByteAndIntSumsRefuseToWrap()
    {
        var bytes = new NDArray<byte>([200, 100]);
        var error = Assert.Throws<OverflowException>(() => bytes.Sum());
        Assert.Contains("300", error.Message);
        Assert.Equal(300L, bytes.AsType<long>().Sum());
        Assert.Equal((byte)150, new NDArray<byte>([100, 50]).Sum());
        Assert.Throws<OverflowException>(() => new NDArray<byte>([200, 100], 2, 1).Sum(0));
        Assert.Equal(2.0 * int.MaxValue / 2, new NDArray<int>([int.MaxValue, int.MaxValue]).Mean());
    }

    [Fact]
    public void FloatSumsAccumulateInDouble()
    {
        // 2^24 + 1 + 1 ... is not representable step by step in float32, but the double total is exact.
        var x = new NDArray<float>([16777216f, 1f, 1f, 1f, 1f]);
        Assert.Equal(16777220f, x.Sum());
        Assert.Equal((16777216.0 + 4) / 5, x.Mean());
        var mean = new NDArray<float>([0.1f, 0.2f]).Mean();
        Assert.Equal(((double)0.1f + 0.2f) / 2, mean);
    }

    [Fact]
    public void StridedViewsReduceLikeTheirCopies()
    {
        var column = new NDArray<double>([1, 9, 2, 9, 3, 9, 4, 9], 0, new Shape(2, 2), [4, 2]); // [[1 2] [3 4]]
        Assert.False(column.IsContiguous);
        Assert.Equal(10.0, column.Sum());
        Assert.Equal(new[] { 4.0, 6.0 }, column.Sum(0).ToArray());
        Assert.Equal(new[] { 2.0, 4.0 }, column.Max(1).ToArray());
        Assert.Equal(3, column.ArgMax());
        Assert.Equal(4.0, column.Max());
        Assert.Equal(1.0, column.Min());
    }
}
