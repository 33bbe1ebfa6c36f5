using Dendrite.Optimizers.Schedules;

namespace Dendrite.Tests.Optimizers;

public class LearningRateScheduleTests
{
    private static void AssertRelative(double expected, float actual, double relative = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected) + 1e-12, $"expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(1000)]
    public void ExponentialDecayFollowsTheFormula(long step)
    {
        var smooth = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5);
        var staircase = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5, staircase: true);
        AssertRelative(0.1 * Math.Pow(0.5, step / 10.0), smooth.ValueAt(step));
        AssertRelative(0.1 * Math.Pow(0.5, Math.Floor(step / 10.0)), staircase.ValueAt(step));
    }

    [Fact]
    public void ExponentialDecayStaircaseHoldsWithinAnInterval()
    {
        var staircase = new ExponentialDecay(1f, decaySteps: 100, decayRate: 0.9, staircase: true);
        Assert.Equal(1f, staircase.ValueAt(99));
        Assert.Equal(0.9f, staircase.ValueAt(100));
        Assert.Equal(staircase.ValueAt(100), staircase.ValueAt(199));
        Assert.Equal("ExponentialDecay", staircase.Name);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(10, 1.0)]     // step ≤ boundaries[0]
    [InlineData(11, 0.5)]
    [InlineData(20, 0.5)]
    [InlineData(21, 0.1)]
    [InlineData(1_000_000, 0.1)]
    public void PiecewiseConstantDecayIncludesEachBoundaryInTheIntervalBelow(long step, double expected)
    {
        var schedule = new PiecewiseConstantDecay([10, 20], [1.0f, 0.5f, 0.1f]);
        Assert.Equal((float)expected, schedule.ValueAt(step));
        Assert.Equal("PiecewiseConstant", schedule.Name);
    }

    [Fact]
    public void PiecewiseConstantDecayRejectsInconsistentArguments()
    {
        var error = Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 20], [1f, 0.5f]));
        Assert.Contains("boundaries=[10, 20] of length 2", error.Message);
        Assert.Contains("values of length 2", error.Message);
        Assert.Equal("boundaries", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([20, 10], [1f, 0.5f, 0.1f])).ParamName);
        Assert.Equal("boundaries", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([], [1f])).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(50)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(150)]   // held at the end value past decaySteps
    public void CosineDecayWithoutWarmupFollowsTheFormula(long step)
    {
        const double initial = 0.5, alpha = 0.1, decaySteps = 100;
        var schedule = new CosineDecay(0.5f, decaySteps: 100, alpha: alpha);
        double s = Math.Min(step, decaySteps);
        double expected = initial * ((1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * s / decaySteps)) + alpha);
        AssertRelative(expected, schedule.ValueAt(step));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.5)]        // halfway up the warmup: (1 − 0)·5/10 + 0
    [InlineData(9, 0.9)]
    [InlineData(10, 1.0)]       // decay starts from the target
    [InlineData(60, 0.5)]       // halfway down: 0.5·(1 + cos(π/2))
    [InlineData(110, 0.0)]
    [InlineData(500, 0.0)]
    public void CosineDecayWarmsUpLinearlyThenDecays(long step, double expected)
    {
        var schedule = new CosineDecay(0f, decaySteps: 100, warmupTarget: 1f, warmupSteps: 10);
        Assert.Equal(expected, schedule.ValueAt(step), 1e-6);
    }

    [Fact]
    public void CosineDecayWarmupFromANonZeroStartAndWithAlpha()
    {
        var schedule = new CosineDecay(0.1f, decaySteps: 40, alpha: 0.25, warmupTarget: 0.5f, warmupSteps: 4);
        AssertRelative((0.5 - 0.1) * 3 / 4.0 + 0.1, schedule.ValueAt(3));
        AssertRelative(0.5 * (0.75 * 0.5 * (1 + Math.Cos(Math.PI * 10 / 40)) + 0.25), schedule.ValueAt(14));
        AssertRelative(0.5 * 0.25, schedule.ValueAt(1000));
    }

    [Fact]
    public void CosineDecayDefaultsAreKeras()
    {
        var schedule = new CosineDecay(0.1f, 1000);
        Assert.Equal(0.0, schedule.Alpha);
        Assert.Equal("CosineDecay", schedule.Name);
        Assert.Null(schedule.WarmupTarget);
        Assert.Equal(0, schedule.WarmupSteps);
        Assert.Equal(0f, schedule.ValueAt(1000));
    }

    [Fact]
    public void InvalidArgumentsNameTheArgumentAndValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, decaySteps: 0, decayRate: 0.9));
        Assert.Equal("decaySteps", error.ParamName);
        Assert.Contains("decay_steps=0", error.Message);
        Assert.Equal("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, decaySteps: -5)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 10, decayRate: -0.5)).ParamName);
        Assert.Equal("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(float.NaN, 10, 0.5)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 10, alpha: 1.5)).ParamName);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 10, warmupTarget: 1f, warmupSteps: -1)).ParamName);
        Assert.Equal("warmupTarget", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 10, warmupTarget: -1f)).ParamName);
    }
}
