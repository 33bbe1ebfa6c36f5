using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Reshape, axes, slices, concatenation, batched matrix products and log-softmax against a float64 reference.</summary>
public class ShapeOpTests
{
    private static Tensor Input(int seed, params int[] shape) => Param(Uniform(seed, Ref.SizeOf(shape)), shape);

    private static void CheckGradient(Func<Tensor> f, params Tensor[] inputs)
    {
        var w = Uniform(99, f().Size);
        GradientCheck.Check(() => TestOps.WeightedSum(f(), w), inputs);
    }

    [Theory]
    [InlineData("7,13", "13,-1", "13,7")]
    [InlineData("7,13", "-1", "91")]
    [InlineData("2,7,13", "7,1,-1,2", "7,1,13,2")]
    [InlineData("1", "", "")]
    [InlineData("0,3", "3,-1,2", "3,0,2")]
    public void ReshapeKeepsTheOrderAndInfersMinusOne(string shape, string newShape, string expected)
    {
        var x = Input(1, Reference.ParseShape(shape));
        var y = Ops.Reshape(x, Reference.ParseShape(newShape));
        Assert.Equal(new Shape(Reference.ParseShape(expected)), y.Shape);
        Assert.Equal(x.Values.ToArray(), y.Values.ToArray());
        CheckGradient(() => Ops.Reshape(x, Reference.ParseShape(newShape)), x);
    }

    [Theory]
    [InlineData(0, "1,7,13")]
    [InlineData(1, "7,1,13")]
    [InlineData(2, "7,13,1")]
    [InlineData(-1, "7,13,1")]
    [InlineData(-3, "1,7,13")]
    public void ExpandDimsInsertsAUnitAxis(int axis, string expected)
    {
        var x = Input(2, 7, 13);
        var y = Ops.ExpandDims(x, axis);
        Assert.Equal(new Shape(Reference.ParseShape(expected)), y.Shape);
        Assert.Equal(x.Values.ToArray(), y.Values.ToArray());
        CheckGradient(() => Ops.ExpandDims(x, axis), x);
    }

    [Fact]
    public void SqueezeRemovesUnitAxes()
    {
        var x = Input(3, 1, 7, 1, 13, 1);
        Assert.Equal(new Shape(7, 13), Ops.Squeeze(x).Shape);
        Assert.Equal(new Shape(1, 7, 13, 1), Ops.Squeeze(x, 2).Shape);
        Assert.Equal(new Shape(1, 7, 1, 13), Ops.Squeeze(x, -1).Shape);
        Assert.Equal(x.Values.ToArray(), Ops.Squeeze(x).Values.ToArray());
        CheckGradient(() => Ops.Squeeze(x), x);
    }

    [Theory]
    [InlineData("7,13", "")]
    [InlineData("2,7,13", "")]
    [InlineData("2,7,13", "1,0,2")]
    [InlineData("2,7,13", "2,0,1")]
    [InlineData("2,7,13", "-1,0,1")]
    [InlineData("7,1,13", "2,1,0")]
    [InlineData("3,2,1,5", "3,1,0,2")]
    [InlineData("13", "")]
    public void TransposeMatchesTheReference(string shape, string axes)
    {
        var dims = Reference.ParseShape(shape);
        var x = Input(4, dims);
        var permutation = Reference.ParseShape(axes);
        var y = Ops.Transpose(x, permutation);
        var full = permutation.Length == 0 ? Enumerable.Range(0, dims.Length).Reverse().ToArray() : permutation.Select(a => a < 0 ? a + dims.Length : a).ToArray();
        Reference.AssertClose(Reference.Transpose(Ref.Of(x), full), y, 0);
        CheckGradient(() => Ops.Transpose(x, permutation), x);
    }

    [Fact]
    public void SliceInTheKerasFormMatchesTheReference()
    {
        var x = Input(5, 7, 13);
        var y = Ops.Slice(x, [2, 3], [4, -1]);
        Reference.AssertClose(Reference.Slice(Ref.Of(x), [2, 3], [4, 10]), y, 0);
        CheckGradient(() => Ops.Slice(x, [2, 3], [4, -1]), x);
        var z = Input(6, 2, 7, 13);
        Reference.AssertClose(Reference.Slice(Ref.Of(z), [1, 0, 5], [1, 7, 1]), Ops.Slice(z, [1, 0, 5], [1, 7, 1]), 0);
        CheckGradient(() => Ops.Slice(z, [1, 0, 5], [1, 7, 1]), z);
    }

    [Fact]
    public void SliceAlongOneAxisByStartAndLengthOrByRange()
    {
        var x = Input(7, 2, 7, 13);
        Reference.AssertClose(Reference.Slice(Ref.Of(x), [0, 3, 0], [2, 3, 13]), Ops.Slice(x, 1, 3, 3), 0);
        Reference.AssertClose(Reference.Slice(Ref.Of(x), [0, 0, 2], [2, 7, 10]), Ops.Slice(x, -1, 2..^1), 0);
        Reference.AssertClose(Reference.Slice(Ref.Of(x), [1, 0, 0], [1, 7, 13]), Ops.Slice(x, 0, 1..), 0);
        Assert.Equal(new Shape(2, 0, 13), Ops.Slice(x, 1, 4..4).Shape);
        CheckGradient(() => Ops.Slice(x, -1, 2..^1), x);
        // The part outside the slice gets an exact zero gradient.
        var grad = GradientCheck.Analytic(() => Ops.Sum(Ops.Slice(x, 1, 3, 3)), [x])[0];
        for (int i = 0; i < grad.Length; i++) Assert.Equal(Ref.Unravel(i, [2, 7, 13])[1] is >= 3 and < 6 ? 1f : 0f, grad[i]);
    }

    [Theory]
    [InlineData(0, "2,13", "5,13", "1,13")]
    [InlineData(-1, "7,1", "7,13", "7,2")]
    [InlineData(1, "2,1,3", "2,4,3", "2,0,3")]
    [InlineData(2, "2,3,1", "2,3,5", "2,3,1")]
    public void ConcatenateMatchesTheReference(int axis, string s0, string s1, string s2)
    {
        var xs = new[] { s0, s1, s2 }.Select((s, i) => Input(10 + i, Reference.ParseShape(s))).ToArray();
        int a = axis < 0 ? axis + xs[0].Shape.Rank : axis;
        Reference.AssertClose(Reference.Concatenate([.. xs.Select(Ref.Of)], a), Ops.Concatenate(xs, axis), 0);
        CheckGradient(() => Ops.Concatenate(xs, axis), xs);
    }

    [Fact]
    public void ConcatenatingATensorWithItselfAddsBothGradients()
    {
        var x = Input(14, 3, 2);
        var grad = GradientCheck.Analytic(() => Ops.Sum(Ops.Concatenate([x, x, Ops.Zeros(3, 1)], 1)), [x])[0];
        Assert.All(grad, g => Assert.Equal(2f, g));
    }

    [Theory]
    [InlineData("2,7,13", "2,13,5")]
    [InlineData("7,13", "3,13,5")]
    [InlineData("2,1,7,3", "5,3,4")]
    [InlineData("4,1,3", "1,3,2")]
    [InlineData("13", "3,13,5")]
    [InlineData("2,7,13", "13")]
    [InlineData("13", "13")]
    [InlineData("3,2,7,13", "13,5")]
    [InlineData("7", "7,5")]
    public void MatMulFollowsNumPyWithBatchAxesAndVectors(string aShape, string bShape)
    {
        var a = Input(20, Reference.ParseShape(aShape));
        var b = Input(21, Reference.ParseShape(bShape));
        Reference.AssertClose(Reference.MatMul(Ref.Of(a), Ref.Of(b)), Ops.MatMul(a, b), 1e-5);
        CheckGradient(() => Ops.MatMul(a, b), a, b);
    }

    [Fact]
    public void BatchMatMulWithAConstantOperand()
    {
        var a = Const(Uniform(22, 2 * 3 * 4), 2, 3, 4);
        var b = Input(23, 2, 4, 5);
        CheckGradient(() => Ops.MatMul(a, b), a, b);
        Assert.True(a.Grad.IsEmpty);
    }

    [Theory]
    [InlineData("4,5")]
    [InlineData("2,3,7")]
    [InlineData("1")]
    [InlineData("13")]
    public void LogSoftmaxMatchesTheReference(string shape)
    {
        var x = Param(Uniform(24, Ref.SizeOf(Reference.ParseShape(shape)), -4, 4), Reference.ParseShape(shape));
        Reference.AssertClose(Reference.LogSoftmax(Ref.Of(x)), Ops.LogSoftmax(x), 1e-5);
        CheckGradient(() => Ops.LogSoftmax(x), x);
    }

    [Fact]
    public void LogSoftmaxStaysFiniteWhereLogOfSoftmaxUnderflows()
    {
        var x = Const([0f, -200f, 300f], 1, 3);
        var y = Ops.LogSoftmax(x).Values.ToArray();
        Assert.Equal([-300f, -500f, 0f], y);
        Assert.True(float.IsNegativeInfinity(Ops.Log(Ops.Softmax(x)).Values[0]));
    }
}
