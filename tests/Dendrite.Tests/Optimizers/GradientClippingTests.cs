using Dendrite.Autodiff;
using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

/// <summary>Keras' clipnorm, global_clipnorm and clipvalue, seen through SGD with lr = 1 (w moves by −g exactly).</summary>
public class GradientClippingTests
{
    [Fact]
    public void ClipnormLeavesAGradientBelowTheThresholdAndScalesOneAbove()
    {
        // Per variable: [0.3, 0.4] has norm 0.5 ≤ 1 and stays; [3, 4] has norm 5 and becomes [0.6, 0.8].
        var below = NewVariable(0f, 0f);
        var above = NewVariable(0f, 0f);
        var sgd = new SGD(learningRate: 1f) { Clipnorm = 1.0 };
        Step(sgd, [below, above], [[0.3, 0.4], [3, 4]]);
        AssertClose([-F(0.3), -F(0.4)], below, 1e-7);
        AssertClose([-0.6, -0.8], above, 1e-7);
    }

    [Fact]
    public void GlobalClipnormScalesAllGradientsTogether()
    {
        // Global norm sqrt(3² + 4² + 12²) = 13; with 6.5 every gradient is halved, the small variable too.
        var first = NewVariable(0f, 0f);
        var second = NewVariable(0f);
        Step(new SGD(learningRate: 1f) { GlobalClipnorm = 6.5 }, [first, second], [[3, 4], [12]]);
        AssertClose([-1.5, -2.0], first, 1e-6);
        AssertClose([-6.0], second, 1e-6);

        // Below the threshold nothing changes.
        var untouched = NewVariable(0f, 0f);
        Step(new SGD(learningRate: 1f) { GlobalClipnorm = 20 }, untouched, 3, 4);
        AssertClose([-3, -4], untouched, 1e-6);
    }

    [Fact]
    public void ClipnormActsPerVariableWhereGlobalClipnormDoesNot()
    {
        var perVariable = NewVariable(0f);
        var global = NewVariable(0f);
        var other1 = NewVariable(0f);
        var other2 = NewVariable(0f);
        Step(new SGD(learningRate: 1f) { Clipnorm = 2 }, [perVariable, other1], [[1], [10]]);
        Step(new SGD(learningRate: 1f) { GlobalClipnorm = 2 }, [global, other2], [[1], [10]]);
        AssertClose([-1], perVariable, 1e-7);            // its own norm 1 ≤ 2
        AssertClose([-2], other1, 1e-7);                 // 10 → 2
        AssertClose([-2 / Math.Sqrt(101)], global, 1e-7); // scaled by 2/‖(1, 10)‖
    }

    [Fact]
    public void ClipvalueClipsEachElement()
    {
        var variable = NewVariable(0f, 0f, 0f, 0f);
        Step(new SGD(learningRate: 1f) { Clipvalue = 1 }, variable, -3, 0.25, 5, -1);
        AssertClose([1, -0.25, -1, 1], variable, 0);
    }

    [Fact]
    public void ClippingHappensBeforeTheMomentumAccumulates()
    {
        // m = −lr·clip(g) = −0.1·[0.6, 0.8]; then m ← 0.9·m − 0.1·clip(g₂) with g₂ = [0, 0.5] (below 1, kept).
        var variable = NewVariable(0f, 0f);
        var sgd = new SGD(learningRate: 0.1f, momentum: 0.9) { Clipnorm = 1 };
        Step(sgd, variable, 3, 4);
        AssertClose([-0.06, -0.08], variable, 1e-7);
        Step(sgd, variable, 0, 0.5);
        AssertClose([-0.06 - 0.054, -0.08 - 0.072 - 0.05], variable, 1e-7);
    }

    [Fact]
    public void ClippingLeavesTheGradientBuffersAlone()
    {
        var variable = NewVariable(0f, 0f);
        Step(new SGD(learningRate: 1f) { Clipnorm = 1 }, variable, 3, 4);
        Assert.Equal([3f, 4f], variable.Value.Grad.ToArray());
        AssertClose([-0.6, -0.8], variable, 1e-7);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClippingLargeVariablesOnSeveralThreadsMatchesTheFormula(bool global)
    {
        // 70 000 + 30 000 elements: past the parallel threshold, so each variable is cut into slices.
        int n1 = 70_000, n2 = 30_000;
        var a = new Variable("a", new Shape(n1), new float[n1]);
        var b = new Variable("b", new Shape(n2), new float[n2]);
        double[] g1 = [.. Enumerable.Range(0, n1).Select(i => (double)(i % 7 - 3))];
        double[] g2 = [.. Enumerable.Range(0, n2).Select(i => (double)(i % 5 + 1))];
        double norm1 = Math.Sqrt(g1.Sum(x => x * x)), norm2 = Math.Sqrt(g2.Sum(x => x * x));
        double scale1, scale2;
        Optimizer sgd;
        if (global)
        {
            double globalNorm = Math.Sqrt(norm1 * norm1 + norm2 * norm2);
            scale1 = scale2 = 100 / globalNorm;
            sgd = new SGD(learningRate: 1f) { GlobalClipnorm = 100 };
        }
        else
        {
            scale1 = 100 / norm1;
            scale2 = 100 / norm2;
            sgd = new SGD(learningRate: 1f) { Clipnorm = 100 };
        }
        Assert.True(scale1 < 0.5 && scale2 < 0.5);
        Step(sgd, [a, b], [g1, g2]);
        AssertClose([.. g1.Select(x => -x * scale1)], a, 1e-6);
        AssertClose([.. g2.Select(x => -x * scale2)], b, 1e-6);
    }

    [Fact]
    public void OnlyOneKindOfClippingCanBeSet()
    {
        var error = Assert.Throws<ArgumentException>(() => new SGD { Clipnorm = 1, GlobalClipnorm = 2 });
        Assert.Contains("Only one of clipnorm, clipvalue and global_clipnorm", error.Message);
        Assert.Contains("clipnorm=1", error.Message);
        Assert.Contains("global_clipnorm=2", error.Message);
        Assert.Throws<ArgumentException>(() => new Adam { Clipvalue = 1, Clipnorm = 1 });
        Assert.Throws<ArgumentException>(() => new RMSprop { GlobalClipnorm = 1, Clipvalue = 0.5 });
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void InvalidThresholdsNameTheArgumentAndValue(double value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { Clipnorm = value });
        Assert.Equal("Clipnorm", error.ParamName);
        Assert.Contains("clipnorm=", error.Message);
        Assert.Equal("GlobalClipnorm", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { GlobalClipnorm = value }).ParamName);
        Assert.Equal("Clipvalue", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { Clipvalue = value }).ParamName);
    }
}
