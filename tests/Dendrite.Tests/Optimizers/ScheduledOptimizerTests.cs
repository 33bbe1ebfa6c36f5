using Dendrite.Optimizers;
using Dendrite.Optimizers.Schedules;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

/// <summary>How optimizers take a learning-rate schedule, and the settable constant rate.</summary>
public class ScheduledOptimizerTests
{
    /// <summary>Records the steps it is asked for; the rate is 1/(step + 1).</summary>
    private sealed class RecordingSchedule : LearningRateSchedule
    {
        public List<long> Steps { get; } = [];

        public override float ValueAt(long step)
        {
            Steps.Add(step);
            return 1f / (step + 1);
        }
    }

    [Fact]
    public void TheScheduleIsEvaluatedAtTheIterationsBeforeEachUpdate()
    {
        var schedule = new RecordingSchedule();
        var sgd = new SGD(schedule);
        var variable = NewVariable(0f);
        for (int i = 0; i < 3; i++) Step(sgd, variable, 1);
        Assert.Equal([0L, 1L, 2L], schedule.Steps);
        AssertClose([-(1 + 1 / 2.0 + 1 / 3.0)], variable, 1e-6);
        Assert.Equal("RecordingSchedule", schedule.Name);
    }

    [Fact]
    public void PiecewiseScheduleChangesTheStepSizeOfSGD()
    {
        var sgd = new SGD(new PiecewiseConstantDecay([1], [1f, 0.25f]));
        var variable = NewVariable(0f);
        Assert.Equal(1f, sgd.LearningRate);
        Step(sgd, variable, 1);   // iterations 0 ≤ 1: rate 1
        Step(sgd, variable, 1);   // iterations 1 ≤ 1: rate 1
        Assert.Equal(0.25f, sgd.LearningRate);
        Step(sgd, variable, 1);   // iterations 2 > 1: rate 0.25
        AssertClose([-2.25], variable, 0);
        Assert.Same(sgd.Schedule, sgd.Schedule);
        Assert.IsType<PiecewiseConstantDecay>(sgd.Schedule);
    }

    [Fact]
    public void AdamTakesTheScheduledRateIntoItsStepSize()
    {
        // Adam's first step is lr·sign(g): with the schedule, lr = 0.1·0.5^(0/1) = 0.1, then 0.05.
        var adam = new Adam(new ExponentialDecay(0.1f, decaySteps: 1, decayRate: 0.5));
        var variable = NewVariable(0f);
        double[] w = [0.0], m = new double[1], v = new double[1];
        for (int step = 0; step < 3; step++)
        {
            double[] g = [step == 1 ? -0.5 : 1.0];
            AdamTests.AdamByHand(w, m, v, null, g, step, lr: 0.1 * Math.Pow(0.5, step));
            Step(adam, variable, g);
            AssertClose(w, variable, 1e-7);
        }
    }

    [Fact]
    public void WeightDecayUsesTheScheduledRate()
    {
        // Step 0: rate 1 → w = 1 − 1·0.5·1 = 0.5; step 1: rate 0.5 → 0.5 − 0.5·0.5·0.5 = 0.375 (zero gradients).
        var adamw = new AdamW(new PiecewiseConstantDecay([0], [1f, 0.5f]), weightDecay: 0.5);
        var variable = NewVariable(1f);
        Step(adamw, variable, 0);
        AssertClose([0.5], variable, 1e-7);
        Step(adamw, variable, 0);
        AssertClose([0.375], variable, 1e-7);
    }

    [Fact]
    public void EveryOptimizerHasAScheduleConstructor()
    {
        var schedule = new CosineDecay(0.01f, 100);
        Optimizer[] optimizers = [new SGD(schedule), new RMSprop(schedule), new Adam(schedule), new AdamW(schedule),
            new Adagrad(schedule), new Adadelta(schedule), new Nadam(schedule)];
        foreach (var optimizer in optimizers)
        {
            Assert.Same(schedule, optimizer.Schedule);
            Assert.Equal(0.01f, optimizer.LearningRate);
        }
        Assert.Throws<ArgumentNullException>(() => new Adam((LearningRateSchedule)null!));
    }

    [Fact]
    public void SettingTheRateOfAScheduledOptimizerThrows()
    {
        var adam = new Adam(new ExponentialDecay(0.1f, 10, 0.5));
        var error = Assert.Throws<InvalidOperationException>(() => adam.LearningRate = 0.01f);
        Assert.Contains("ExponentialDecay", error.Message);
    }

    [Fact]
    public void SettingAConstantRateTakesEffectAtTheNextUpdate()
    {
        var sgd = new SGD(learningRate: 1f);
        Assert.Null(sgd.Schedule);
        var variable = NewVariable(0f);
        Step(sgd, variable, 1);
        sgd.LearningRate = 0.125f;
        Step(sgd, variable, 1);
        AssertClose([-1.125], variable, 0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1f);
        Assert.Contains("learning_rate=-1", error.Message);
    }
}
