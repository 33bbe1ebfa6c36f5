namespace Dendrite.Tests.Arrays;

/// <summary>NumPy's augmented assignment: <c>x /= 255</c> changes x's own buffer, so views see it too.</summary>
public class InPlaceTests
{
    [Fact]
    public void DivideAssignScalesInPlaceAndViewsSeeIt()
    {
        var data = new float[] { 0, 51, 102, 255 };
        var x = new NDArray<float>(data, 2, 2);
        var view = x[1];
        var same = x;
        x /= 255f;
        Assert.Same(same, x);
        Assert.Equal([0f, 0.2f, 0.4f, 1f], data);
        Assert.Equal(0.4f, view[new[] { 0 }]);
    }

    [Fact]
    public void ScalarOperatorsWorkOnStridedViews()
    {
        // x[:, 1] of [[1, 2], [3, 4]] is strided; only those elements change.
        var x = new NDArray<int>([1, 2, 3, 4], 2, 2);
        var column = new NDArray<int>(x.Buffer, 1, new Shape(2), [2]);
        column *= 10;
        column += 1;
        column -= 2;
        Assert.Equal([1, 19, 3, 39], x.ToArray());
    }

    [Fact]
    public void ArrayOperandsBroadcastIntoTheLeftShape()
    {
        var x = new NDArray<int>([0, 1, 2, 3, 4, 5], 2, 3);
        x += new NDArray<int>([10, 20, 30]);
        Assert.Equal([10, 21, 32, 13, 24, 35], x.ToArray());
        x -= new NDArray<int>([1, 1, 1]);
        x /= new NDArray<int>([3, 4, 5]);
        Assert.Equal([3, 5, 6, 4, 5, 6], x.ToArray());
    }

    [Fact]
    public void TheLeftOperandCannotGrow()
    {
        var x = new NDArray<int>([1, 2, 3], 3);
        var error = Assert.Throws<ArgumentException>(() => x += NDArray<int>.Zeros(2, 3));
        Assert.Contains("non-broadcastable output operand with shape (3,)", error.Message);
        Assert.Equal([1, 2, 3], x.ToArray());
    }
}
