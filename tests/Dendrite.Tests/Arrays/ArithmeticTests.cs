using System.Diagnostics;
using static Dendrite.Tests.Arrays.ArrayTestData;

namespace Dendrite.Tests.Arrays;

// Broadcasting expectations come from NumPy's broadcasting guide (numpy.org/doc/stable/user/basics.broadcasting.html):
// "a[:, np.newaxis] + b" with a = [0, 10, 20, 30] and b = [1, 2, 3] gives [[1 2 3] [11 12 13] [21 22 23] [31 32 33]],
// and incompatible shapes raise "operands could not be broadcast together with shapes (4,) (3,)".
public class ArithmeticTests
{
    [Fact]
    public void ColumnPlusRowBroadcastsToAMatrix()
    {
        var a = new NDArray<double>([0.0, 10.0, 20.0, 30.0], 4, 1);
        var b = new NDArray<double>([1.0, 2.0, 3.0]);
        var sum = a + b;
        Assert.Equal(new Shape(4, 3), sum.Shape);
        Assert.Equal(new[] { 1.0, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33 }, sum.ToArray());
    }

    [Fact]
    public void ShapesThreeByOneAndOneByFourBroadcastToThreeByFour()
    {
        var a = new NDArray<int>([0, 10, 20], 3, 1);
        var b = new NDArray<int>([1, 2, 3, 4], 1, 4);
        var sum = a + b;
        Assert.Equal(new Shape(3, 4), sum.Shape);
        Assert.Equal(new[] { 1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24 }, sum.ToArray());
        // Either order gives the same result.
        Assert.Equal(sum.ToArray(), (b + a).ToArray());
        Assert.Equal(new[] { -1, -2, -3, -4, 9, 8, 7, 6, 19, 18, 17, 16 }, (a - b).ToArray());
    }

    [Fact]
    public void MatrixPlusVectorBroadcastsAlongRows()
    {
        var m = Arange(6, 2, 3) + 1;                 // [[1 2 3] [4 5 6]]
        var v = new NDArray<int>([10, 20, 30]);      // shape (3,)
        var sum = m + v;
        Assert.Equal(new Shape(2, 3), sum.Shape);
        Assert.Equal(new[] { 11, 22, 33, 14, 25, 36 }, sum.ToArray());
        Assert.Equal(new[] { 10, 40, 90, 40, 100, 180 }, (m * v).ToArray());
    }

    [Fact]
    public void IncompatibleShapesThrowNumPysMessage()
    {
        var m = Arange(6, 2, 3);
        var v = Arange(4);
        var error = Assert.Throws<ArgumentException>(() => m + v);
        Assert.Equal("operands could not be broadcast together with shapes (2,3) (4,)", error.Message);
        var reversed = Assert.Throws<ArgumentException>(() => v * m);
        Assert.Equal("operands could not be broadcast together with shapes (4,) (2,3)", reversed.Message);
    }

    [Fact]
    public void ScalarsWorkOnEitherSide()
    {
        var x = new NDArray<double>([1.0, 2.0, 4.0]);
        Assert.Equal(new[] { 11.0, 12.0, 14.0 }, (x + 10.0).ToArray());
        Assert.Equal(new[] { 11.0, 12.0, 14.0 }, (10.0 + x).ToArray());
        Assert.Equal(new[] { -9.0, -8.0, -6.0 }, (x - 10.0).ToArray());
        Assert.Equal(new[] { 9.0, 8.0, 6.0 }, (10.0 - x).ToArray());
        Assert.Equal(new[] { 3.0, 6.0, 12.0 }, (x * 3.0).ToArray());
        Assert.Equal(new[] { 3.0, 6.0, 12.0 }, (3.0 * x).ToArray());
        Assert.Equal(new[] { 0.5, 1.0, 2.0 }, (x / 2.0).ToArray());
        Assert.Equal(new[] { 4.0, 2.0, 1.0 }, (4.0 / x).ToArray());
        Assert.Equal(new[] { -1.0, -2.0, -4.0 }, (-x).ToArray());
    }

    [Fact]
    public void OperandsAreNotModifiedAndResultsAreContiguousCopies()
    {
        var x = Arange(6, 2, 3);
        var y = x + 1;
        y[0, 0] = 100;
        Assert.Equal(0, x[0, 0]);
        Assert.True(y.IsContiguous);
        Assert.Equal(new Shape(2, 3), y.Shape);
    }

    [Fact]
    public void FloatDivisionFollowsIeee()
    {
        var x = new NDArray<float>([1f, -1f, 0f]);
        var q = (x / 0f).ToArray();
        Assert.Equal(float.PositiveInfinity, q[0]);
        Assert.Equal(float.NegativeInfinity, q[1]);
        Assert.True(float.IsNaN(q[2]));
        Assert.Equal(new[] { 0.5f, 0.25f }, (new NDArray<float>([1f, 2f]) / new NDArray<float>([2f, 8f])).ToArray());
    }

    [Fact]
    public void IntegerDivisionIsFloorDivision()
    {
        // Python / NumPy floor division: -7 // 2 == -4, 7 // -2 == -4, -7 // -2 == 3.
        var x = new NDArray<int>([7, -7, 7, -7, 6]);
        var d = new NDArray<int>([2, 2, -2, -2, 3]);
        Assert.Equal(new[] { 3, -4, -4, 3, 2 }, (x / d).ToArray());
        Assert.Equal(new[] { 3, -4, 3, -4, 3 }, (x / 2).ToArray());
        Assert.Equal(new[] { 2, -3, 2, -3, 3 }, (20 / x).ToArray());
        // int32 min // -1 wraps to int32 min in NumPy instead of overflowing.
        Assert.Equal(new[] { int.MinValue }, (new NDArray<int>([int.MinValue]) / -1).ToArray());
    }

    [Fact]
    public void IntegerDivisionByZeroThrows()
    {
        var x = new NDArray<int>([1, 2, 3]);
        var scalar = Assert.Throws<DivideByZeroException>(() => x / 0);
        Assert.Contains("integer division by zero", scalar.Message);
        Assert.Throws<DivideByZeroException>(() => x / new NDArray<int>([1, 0, 1]));
        Assert.Throws<DivideByZeroException>(() => 6 / new NDArray<int>([1, 0, 1]));
        Assert.Throws<DivideByZeroException>(() => new NDArray<byte>([1, 2]) / (byte)0);
        // Broadcast path (shapes differ) checks too.
        Assert.Throws<DivideByZeroException>(() => Arange(6, 2, 3) / new NDArray<int>([1, 0, 1], 1, 3));
    }

    [Fact]
    public void FixedWidthIntegersWrapAroundLikeNumPy()
    {
        // np.array([250], np.uint8) + np.uint8(10) -> [4]; -np.array([1], np.uint8) -> [255]
        var b = new NDArray<byte>([250, 1]);
        Assert.Equal(new byte[] { 4, 11 }, (b + (byte)10).ToArray());
        Assert.Equal(new byte[] { 6, 255 }, (-b).ToArray());
        Assert.Equal(new[] { int.MinValue }, (new NDArray<int>([int.MaxValue]) + 1).ToArray());
    }

    [Fact]
    public void StridedAndBroadcastOperandsTakeTheGeneralPath()
    {
        var column = EveryNth(new[] { 1, 0, 0, 2, 0, 0, 3, 0, 0 }, 3, 3); // [1 2 3], stride 3
        Assert.Equal(new[] { 11, 22, 33 }, (column + new NDArray<int>([10, 20, 30])).ToArray());
        Assert.Equal(new[] { 2, 4, 6 }, (column * 2).ToArray());
        Assert.Equal(new[] { 9, 8, 7 }, (10 - column).ToArray());
        Assert.Equal(new[] { -1, -2, -3 }, (-column).ToArray());
        // (3,1) strided column against (2,1,4): result (2,3,4).
        var tall = new NDArray<int>([1, 0, 2, 0, 3, 0], 0, new Shape(3, 1), [2, 1]);
        var sum = tall + Arange(8, 2, 1, 4);
        Assert.Equal(new Shape(2, 3, 4), sum.Shape);
        Assert.Equal(new[] { 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10 }, sum.ToArray());
    }

    [Fact]
    public void ZeroDimensionalAndEmptyOperandsBroadcast()
    {
        var scalar = new NDArray<int>([5]).Reshape();
        Assert.Equal(new Shape(), scalar.Shape);
        Assert.Equal(new[] { 6, 7, 8 }, (scalar + new NDArray<int>([1, 2, 3])).ToArray());
        Assert.Equal(new Shape(), (scalar * scalar).Shape);
        Assert.Equal(25, (scalar * scalar).Item());
        var empty = NDArray<int>.Zeros(0, 3) + new NDArray<int>([1, 2, 3]);
        Assert.Equal(new Shape(0, 3), empty.Shape);
    }

    [Fact]
    public void ScalingAnMnistSizedArrayConvertsEveryElement()
    {
        // Speed is measured in the benchmark project, not here; this checks the vectorised paths end to end.
        var pixels = new byte[60000 * 784];
        new Random(7).NextBytes(pixels);
        var x = new NDArray<byte>(pixels, 60000, 784);

        var scaled = x.AsType<float>() / 255f;

        Assert.Equal(new Shape(60000, 784), scaled.Shape);
        foreach (int i in new[] { 0, 1, 7, 123_456, pixels.Length - 1 })
            Assert.Equal(pixels[i] / 255f, scaled.GetFlat(i));
    }
}
