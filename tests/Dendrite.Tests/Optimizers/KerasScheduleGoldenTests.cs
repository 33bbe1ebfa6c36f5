using Dendrite.Optimizers.Schedules;

namespace Dendrite.Tests.Optimizers;

/// <summary>
/// keras/src/optimizers/schedules/learning_rate_schedule_test.py, case by case, on the float64 path
/// (<see cref="LearningRateSchedule.Evaluate"/>) with Keras' tolerances (assertAllClose: atol and rtol 1e-6), and the
/// float32 path (<see cref="LearningRateSchedule.ValueAt"/>, what the optimizers use) against the same golden values.
/// </summary>
public class KerasScheduleGoldenTests
{
    /// <summary>Keras' assertAllClose: |actual − expected| ≤ atol + rtol·|expected|, on both paths.</summary>
    private static void Close(LearningRateSchedule schedule, long step, double expected, double atol = 1e-6, double rtol = 1e-6)
    {
        double value = schedule.Evaluate(step);
        Assert.True(Math.Abs(value - expected) <= atol + rtol * Math.Abs(expected), $"step {step}: float64 {value:R}, expected {expected:R}");
        float single = schedule.ValueAt(step);
        Assert.True(Math.Abs(single - expected) <= atol + rtol * Math.Abs(expected) + 2e-7 * Math.Abs(expected), $"step {step}: float32 {single:R}, expected {expected:R}");
    }

    // ::ExponentialDecayTest::test_continuous
    [Fact]
    public void ExponentialDecayTestContinuous() => Close(new ExponentialDecay(0.05f, 10, 0.96), 5, 0.05 * Math.Pow(0.96, 5.0 / 10.0));

    // ::ExponentialDecayTest::test_staircase and ::ExponentialDecayTest::test_variables
    [Fact]
    public void ExponentialDecayTestStaircaseAndVariables()
    {
        var schedule = new ExponentialDecay(0.1f, 3, 0.96, staircase: true);
        Close(schedule, 1, 0.1);
        Close(schedule, 2, 0.1);
        Close(schedule, 100, 0.1 * Math.Pow(0.96, 100 / 3));
    }

    // ::PiecewiseConstantDecayTest::test_piecewise_values
    [Fact]
    public void PiecewiseConstantDecayTestPiecewiseValues()
    {
        var schedule = new PiecewiseConstantDecay([100, 110, 120], [1.0f, 0.1f, 0.01f, 0.001f]);
        Close(schedule, -999, 1.0);
        Close(schedule, 100, 1.0);
        Close(schedule, 105, 0.1);
        Close(schedule, 110, 0.1);
        Close(schedule, 120, 0.01);
        Close(schedule, 999, 0.001);
    }

    // ::PiecewiseConstantDecayTest::test_boundary_values
    [Fact]
    public void PiecewiseConstantDecayTestBoundaryValues()
    {
        var schedule = new PiecewiseConstantDecay([1, 2, 3], [0.4f, 0.5f, 0.6f, 0.7f]);
        double[] expected = [0.4, 0.4, 0.5, 0.6, 0.7];
        for (int step = 0; step <= 4; step++) Close(schedule, step, expected[step]);
    }

    private static double NpCosineDecay(double step, double decaySteps, double alpha = 0.0)
    {
        step = Math.Min(step, decaySteps);
        double decay = 0.5 * (1.0 + Math.Cos(Math.PI * (step / decaySteps)));
        return (1.0 - alpha) * decay + alpha;
    }

    private static double LinearWarmup(double step, double warmupSteps, double initial, double target) => step / warmupSteps * (target - initial);

    // ::CosineDecayTest::test_decay and ::CosineDecayTest::test_float64 (the float64 path is Evaluate)
    [Fact]
    public void CosineDecayTestDecayAndFloat64()
    {
        for (int step = 0; step < 1500; step += 250) Close(new CosineDecay(1.0f, 1000), step, NpCosineDecay(step, 1000));
    }

    // ::CosineDecayTest::test_alpha
    [Fact]
    public void CosineDecayTestAlpha()
    {
        for (int step = 0; step < 1500; step += 250) Close(new CosineDecay(1.0f, 1000, alpha: 0.1), step, NpCosineDecay(step, 1000, 0.1));
    }

    // ::CosineDecayTest::test_warmup
    [Fact]
    public void CosineDecayTestWarmup()
    {
        for (int step = 0; step < 1500; step += 250)
            Close(new CosineDecay(0.0f, 10, warmupTarget: 10f, warmupSteps: 1500), step, LinearWarmup(step, 1500, 0, 10));
    }

    // ::CosineDecayTest::test_warmup_decay
    [Fact]
    public void CosineDecayTestWarmupDecay()
    {
        for (int step = 0; step < 3000; step += 250)
        {
            var schedule = new CosineDecay(0.0f, 1000, warmupTarget: 10f, warmupSteps: 2000);
            double expected = step < 2000 + 1 ? LinearWarmup(step, 2000, 0, 10) : 10 * NpCosineDecay(step - 2000, 1000);
            Close(schedule, step, expected);
        }
    }

    [Fact]
    public void TheFloat64PathIsDoubleWhereTheFloat32PathRounds()
    {
        // cos(π·250/1000) in float32 and float64 differ past the seventh digit: Evaluate keeps the double one.
        var schedule = new CosineDecay(1.0f, 1000);
        Assert.Equal(NpCosineDecay(250, 1000), schedule.Evaluate(250), 1e-15);
        Assert.NotEqual(NpCosineDecay(250, 1000), (double)schedule.ValueAt(250));
    }
}
