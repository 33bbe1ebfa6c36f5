using Dendrite.Callbacks;
using Dendrite.Tests.Models;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>Keras' LearningRateScheduler: the rate is set from the schedule at every epoch begin and logged at its end.</summary>
public class LearningRateSchedulerTests
{
    [Fact]
    public void TheScheduledRateIsWhatTheOptimizerUsesDuringTheEpoch()
    {
        var model = Model(learningRate: 0.1f);
        var seenAtBatches = new List<(int Epoch, float Rate)>();
        int epoch = -1;
        var probe = new ActionCallback((hook, index, m, _) =>
        {
            if (hook == "epoch_begin") epoch = index;
            if (hook == "train_batch_begin") seenAtBatches.Add((epoch, m.Optimizer!.LearningRate));
        });
        var history = Fit(model, 3, new LearningRateScheduler((e, lr) => e == 0 ? lr : lr * 0.5), probe);
        Assert.Equal([(0, 0.1f), (0, 0.1f), (0, 0.1f), (1, 0.05f), (1, 0.05f), (1, 0.05f), (2, 0.025f), (2, 0.025f), (2, 0.025f)], seenAtBatches);
        Assert.Equal([(double)0.1f, (double)0.05f, (double)0.025f], history["learning_rate"]);
        Assert.Equal(0.025f, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void TheScheduleReceivesTheEpochAndTheFloat32RateAsADouble()
    {
        var calls = new List<(int, double)>();
        Fit(Model(learningRate: 0.1f), 2, new LearningRateScheduler((e, lr) => { calls.Add((e, lr)); return 0.3; }));
        Assert.Equal([(0, 0.10000000149011612), (1, 0.30000001192092896)], calls);
    }

    [Fact]
    public void ARateReallyDrivesTheUpdates()
    {
        // A rate of 0 (which Keras accepts) leaves the weights as they are; the default one moves them.
        var frozen = Model();
        frozen.Build(2);
        var before = TestModels.WeightValues(frozen);
        Fit(frozen, 2, new LearningRateScheduler((_, _) => 0.0));
        Assert.Equal(before, TestModels.WeightValues(frozen));
        Assert.Equal(6, frozen.Optimizer!.Iterations);

        var moving = Model();
        Fit(moving, 2, new LearningRateScheduler((_, lr) => lr));
        Assert.NotEqual(before, TestModels.WeightValues(moving));
    }

    [Fact]
    public void AOneArgumentScheduleIsAccepted()
    {
        var history = Fit(Model(), 3, new LearningRateScheduler(e => 0.1 / (e + 1)));
        Assert.Equal([(double)0.1f, (double)(float)(0.1 / 2), (double)(float)(0.1 / 3)], history["learning_rate"]);
    }

    [Theory]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(-0.5, "-0.5")]
    public void AnInvalidRateIsAnError(double rate, string shown)
    {
        var model = Model(learningRate: 0.1f);
        var error = Assert.Throws<ArgumentException>(() => Fit(model, 3, new LearningRateScheduler((e, lr) => e < 1 ? lr : rate)));
        Assert.Equal($"The output of the schedule function should be a finite float >= 0. Got: {shown} at epoch 1.", error.Message);
        Assert.Equal(0.1f, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void VerbosePrintsTheRateAsPythonDoes()
    {
        string output = Captured(() => Fit(Model(), 3, new LearningRateScheduler(e => new[] { 0.5, 1e-05, 2.0 }[e], verbose: 1)));
        Assert.Equal(
            "\nEpoch 1: LearningRateScheduler setting learning rate to 0.5.\n" +
            "\nEpoch 2: LearningRateScheduler setting learning rate to 1e-05.\n" +
            "\nEpoch 3: LearningRateScheduler setting learning rate to 2.0.\n", output);
    }

    [Fact]
    public void ANullScheduleIsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new LearningRateScheduler((Func<int, double, double>)null!));
        Assert.Throws<ArgumentNullException>(() => new LearningRateScheduler((Func<int, double>)null!));
    }
}
