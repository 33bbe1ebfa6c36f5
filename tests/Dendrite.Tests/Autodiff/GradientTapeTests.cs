using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

public class GradientTapeTests
{
    [Fact]
    public void TensorUsedByTwoOpsReceivesBothContributions()
    {
        // A feeds tanh and is the right operand of the product: y = tanh(A) · A.
        var a = Param(Uniform(40, 3 * 3), 3, 3);
        var w = Uniform(41, 3 * 3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(Ops.Tanh(a), a), w), [a]);
    }

    [Fact]
    public void TensorUsedAsBothOperandsOfOneOp()
    {
        var a = Param(Uniform(42, 4 * 4), 4, 4);
        var w = Uniform(43, 4 * 4);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(a, a), w), [a]);
    }

    [Fact]
    public void TwoBackwardPassesDoNotAddUp()
    {
        var x = Param(Uniform(44, 2 * 3), 2, 3);
        var w = Uniform(45, 2 * 3);
        var first = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Sigmoid(x), w), [x])[0];
        var second = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Sigmoid(x), w), [x])[0];
        Assert.Equal(first, second);
    }

    [Fact]
    public void BackwardOnANonScalarThrows()
    {
        var x = Param(Uniform(46, 2 * 3), 2, 3);
        using var tape = GradientTape.Start();
        var y = Ops.Tanh(x);
        var error = Assert.Throws<ArgumentException>(() => tape.Backward(y));
        Assert.Contains("scalar", error.Message);
        Assert.Contains("(2, 3)", error.Message);
    }

    [Fact]
    public void BackwardOnATargetThatNeedsNoGradientThrows()
    {
        var x = Const(Uniform(47, 3), 1, 3);
        using var tape = GradientTape.Start();
        var loss = Ops.SparseCategoricalCrossentropy(Const([1], 1), x, fromLogits: true);
        Assert.Throws<InvalidOperationException>(() => tape.Backward(loss));
    }

    [Fact]
    public void OpsOutsideATapeAreNotRecorded()
    {
        var x = Param(Uniform(48, 3), 1, 3);
        var y = Ops.Sigmoid(x);
        Assert.False(y.RequiresGrad);
        Assert.Null(GradientTape.Current);
    }

    [Fact]
    public void DisposedTapeStopsRecordingAndRefusesBackward()
    {
        var x = Param(Uniform(49, 3), 1, 3);
        var tape = GradientTape.Start();
        var y = TestOps.WeightedSum(x, [1, 2, 3]);
        tape.Dispose();
        Assert.Null(GradientTape.Current);
        Assert.Throws<ObjectDisposedException>(() => tape.Backward(y));
    }

    [Fact]
    public void OnlyTheReachedBranchGetsAGradient()
    {
        var x = Param([1, 2, 3], 1, 3);
        var unused = Param([4, 5, 6], 1, 3);
        using var tape = GradientTape.Start();
        _ = Ops.Tanh(unused);
        var y = TestOps.WeightedSum(x, [1, 2, 3]);
        tape.Backward(y);
        Assert.Equal([1f, 2f, 3f], x.Grad.ToArray());
        Assert.True(unused.Grad.IsEmpty);
    }
}
