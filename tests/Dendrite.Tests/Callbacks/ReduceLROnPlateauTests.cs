using Dendrite.Callbacks;
using Dendrite.Optimizers;
using Dendrite.Tests.Models;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>
/// Keras 3's ReduceLROnPlateau on scripted monitored values. The expected rates and messages were computed by
/// replaying Keras' on_epoch_end in Python with the rate held in float32 (as Keras' optimizer variable is).
/// </summary>
public class ReduceLROnPlateauTests
{
    /// <summary>The rate the optimizer holds after each epoch's callbacks ran.</summary>
    private sealed class RateAfterEpoch : Callback
    {
        public List<double> Rates { get; } = [];

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => Rates.Add(Model.Optimizer!.LearningRate);
    }

    private static (History History, List<double> After, string Output) Run(ReduceLROnPlateau reducer, float learningRate, string monitor, params double[] values)
    {
        var model = Model(learningRate: learningRate);
        var after = new RateAfterEpoch();
        History? history = null;
        string output = Captured(() => history = Fit(model, values.Length, new ScriptedValues(monitor, values), reducer, after));
        return (history!, after.Rates, output);
    }

    [Fact]
    public void FactorPatienceCooldownAndMinLr()
    {
        var reducer = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02, verbose: 1);
        var (history, after, output) = Run(reducer, 0.1f, "val_loss", 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8);
        // learning_rate in the logs is the rate of the epoch, read before any reduction.
        Assert.Equal([0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.05000000074505806,
            0.05000000074505806, 0.02500000037252903, 0.02500000037252903, 0.019999999552965164, 0.019999999552965164], history["learning_rate"]);
        Assert.Equal([0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.05000000074505806, 0.05000000074505806,
            0.02500000037252903, 0.02500000037252903, 0.019999999552965164, 0.019999999552965164, 0.019999999552965164], after);
        Assert.Equal(
            "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.\n" +
            "\nEpoch 6: ReduceLROnPlateau reducing learning rate to 0.02500000037252903.\n" +
            "\nEpoch 8: ReduceLROnPlateau reducing learning rate to 0.02.\n", output);
    }

    [Fact]
    public void CooldownSkipsCounting()
    {
        // Keras' test_cooldown: patience 1, cooldown 2, nothing improves after the first epoch -> two reductions in 4 epochs.
        var reducer = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.1, patience: 1, cooldown: 2, minDelta: 100, verbose: 1);
        var (_, after, output) = Run(reducer, 0.1f, "val_loss", 1, 1, 1, 1);
        Assert.Equal([0.10000000149011612, 0.009999999776482582, 0.009999999776482582, 0.0009999999310821295], after);
        Assert.Equal(
            "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000149011612.\n" +
            "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.0009999999776482583.\n", output);
    }

    [Fact]
    public void MinLrIsComparedInFloat32()
    {
        // Once the float32 rate equals float32(min_lr) Keras stops reducing (old_lr > np.float32(min_lr) is false),
        // even though float32(0.001) is slightly above the double 0.001: one message, not one per epoch.
        var reducer = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.1, patience: 1, minLr: 0.001, verbose: 1);
        var (_, after, output) = Run(reducer, 0.01f, "val_loss", 1, 1, 1, 1);
        Assert.Equal([0.009999999776482582, 0.0010000000474974513, 0.0010000000474974513, 0.0010000000474974513], after);
        Assert.Equal("\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.001.\n", output);
    }

    [Fact]
    public void ImprovementsBelowMinDeltaDoNotCount()
    {
        // Keras' test_reduces_lr_with_model_fit: min_delta 100 makes every later epoch a miss.
        var (_, after, _) = Run(new ReduceLROnPlateau(monitor: "val_loss", factor: 0.1, patience: 1, minDelta: 100), 0.1f, "val_loss", 50, 1);
        Assert.Equal((double)0.01f, after[1]);
        // A negative min_delta is taken as its absolute value.
        (_, after, _) = Run(new ReduceLROnPlateau(monitor: "val_loss", factor: 0.1, patience: 1, minDelta: -100), 0.1f, "val_loss", 50, 1);
        Assert.Equal((double)0.01f, after[1]);
        // With the default 1e-4, 50 -> 1 is an improvement.
        (_, after, _) = Run(new ReduceLROnPlateau(monitor: "val_loss", factor: 0.1, patience: 1), 0.1f, "val_loss", 50, 1);
        Assert.Equal((double)0.1f, after[1]);
    }

    [Fact]
    public void AutoModeMaximizesAnAccuracy()
    {
        var (_, after, _) = Run(new ReduceLROnPlateau(monitor: "val_accuracy", factor: 0.5, patience: 1), 0.1f, "val_accuracy", 0.5, 0.6, 0.7, 0.6);
        Assert.Equal([0.1f, 0.1f, 0.1f, 0.05f], after.Select(r => (float)r));
        (_, after, _) = Run(new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1), 0.1f, "val_loss", 0.5, 0.6, 0.7, 0.6);
        Assert.Equal([0.1f, 0.05f, 0.025f, 0.0125f], after.Select(r => (float)r));
    }

    [Fact]
    public void AutoModeRejectsAMonitorOfUnknownDirection()
    {
        var error = Assert.Throws<ArgumentException>(() => Run(new ReduceLROnPlateau(monitor: "val_mae"), 0.1f, "val_mae", 1, 2));
        Assert.Equal("ReduceLROnPlateau callback received monitor=val_mae, but Dendrite isn't able to automatically determine whether that metric should be maximized or minimized. Pass mode: \"max\" in order to monitor based on the highest metric value, or pass mode: \"min\" in order to use the lowest value.", error.Message);
    }

    [Fact]
    public void AnUnknownModeWarnsAndFallsBackToAuto()
    {
        string output = Captured(() => _ = new ReduceLROnPlateau(mode: "maximum"));
        Assert.Equal("Warning: ReduceLROnPlateau mode 'maximum' is unknown, fallback to auto mode.\n", output);
    }

    [Fact]
    public void LogsTheLearningRateEvenWithoutTheMonitor()
    {
        var model = Model(learningRate: 0.25f);
        History? history = null;
        string output = Captured(() => history = Fit(model, 2, new ReduceLROnPlateau(monitor: "val_loss")));
        Assert.Equal([0.25, 0.25], history!["learning_rate"]);
        Assert.StartsWith("Warning: Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: ", output);
        Assert.Contains("learning_rate", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(2.5, "2.5")]
    public void AFactorOfOneOrMoreIsRejected(double factor, string shown)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: factor));
        Assert.StartsWith($"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={shown}", error.Message);
    }

    [Fact]
    public void AnInstanceCanBeReusedAcrossFits()
    {
        // keras-team/keras#22967: on_train_begin clears the best value, the wait and the cooldown.
        var reducer = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1);
        var model = TestModels.Classifier(702);
        model.Compile(optimizer: new SGD(0.1f), loss: "sparse_categorical_crossentropy");
        var after = new RateAfterEpoch();
        Fit(model, 2, new ScriptedValues("val_loss", 0.1, 0.05), reducer, after);
        Fit(model, 2, new ScriptedValues("val_loss", 0.9, 0.8), reducer, after);
        Assert.Equal([0.1f, 0.1f, 0.1f, 0.1f], after.Rates.Select(r => (float)r));
    }
}
