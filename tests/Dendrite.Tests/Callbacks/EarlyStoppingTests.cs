using Dendrite.Callbacks;
using Dendrite.Tests.Models;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>
/// Keras 3's EarlyStopping rule on scripted monitored values (a <see cref="ScriptedValues"/> placed before the
/// callback overwrites the monitored key each epoch); the cases follow keras/src/callbacks/early_stopping_test.py.
/// </summary>
public class EarlyStoppingTests
{
    /// <summary>Fits up to <c>values.Length</c> epochs with <paramref name="monitor"/> scripted; returns the epochs run.</summary>
    private static int EpochsRun(EarlyStopping stopper, string monitor, double[] values, Sequential? model = null)
    {
        var history = Fit(model ?? Model(), values.Length, new ScriptedValues(monitor, values), stopper);
        return history.Epoch.Count;
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 5)]
    public void PatienceCountsEpochsWithoutImprovement(int patience, int stoppedEpoch)
    {
        // Keras' test_early_stopping_patience: stopped_epoch == max(patience, 1) + 2.
        double[] losses = [10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5];
        var stopper = new EarlyStopping(monitor: "loss", patience: patience);
        Assert.Equal(stoppedEpoch + 1, EpochsRun(stopper, "loss", losses));
        Assert.Equal(stoppedEpoch, stopper.StoppedEpoch);
        Assert.Equal(8.0, stopper.Best);
        Assert.Equal(2, stopper.BestEpoch);
    }

    [Fact]
    public void PatienceZeroStopsAtTheFirstEpochWithoutImprovement()
    {
        var stopper = new EarlyStopping(monitor: "loss", patience: 0);
        Assert.Equal(3, EpochsRun(stopper, "loss", [1.0, 0.5, 0.6, 0.4]));
        Assert.Equal(2, stopper.StoppedEpoch);
    }

    [Fact]
    public void ImprovementsSmallerThanMinDeltaDoNotCountWhenMinimizing()
    {
        double[] losses = [1.0, 0.9, 0.88, 0.7];
        Assert.Equal(3, EpochsRun(new EarlyStopping(monitor: "val_loss", minDelta: 0.05, patience: 1), "val_loss", losses));
        // Keras takes abs(min_delta): a negative one acts the same.
        Assert.Equal(3, EpochsRun(new EarlyStopping(monitor: "val_loss", minDelta: -0.05, patience: 1), "val_loss", losses));
        Assert.Equal(4, EpochsRun(new EarlyStopping(monitor: "val_loss", minDelta: 0, patience: 1), "val_loss", losses));
    }

    [Fact]
    public void ImprovementsSmallerThanMinDeltaDoNotCountWhenMaximizing()
    {
        double[] accuracies = [0.5, 0.58, 0.6, 0.9];
        Assert.Equal(3, EpochsRun(new EarlyStopping(monitor: "val_accuracy", minDelta: 0.05, patience: 1, mode: "max"), "val_accuracy", accuracies));
        Assert.Equal(4, EpochsRun(new EarlyStopping(monitor: "val_accuracy", minDelta: 0, patience: 1, mode: "max"), "val_accuracy", accuracies));
    }

    [Theory]
    [InlineData("loss")]
    [InlineData("val_loss")]
    public void AutoModeMinimizesLosses(string monitor)
    {
        // A rising loss stops at once; a falling one never does.
        Assert.Equal(2, EpochsRun(new EarlyStopping(monitor: monitor), monitor, [1, 2, 3, 4]));
        Assert.Equal(4, EpochsRun(new EarlyStopping(monitor: monitor), monitor, [4, 3, 2, 1]));
    }

    [Theory]
    [InlineData("accuracy")]
    [InlineData("val_accuracy")]
    public void AutoModeMaximizesACompiledAccuracy(string monitor)
    {
        Assert.Equal(2, EpochsRun(new EarlyStopping(monitor: monitor), monitor, [0.9, 0.8, 0.7, 0.6]));
        Assert.Equal(4, EpochsRun(new EarlyStopping(monitor: monitor), monitor, [0.6, 0.7, 0.8, 0.9]));
    }

    [Theory]
    [InlineData("val_mae")]
    [InlineData("unknown")]
    [InlineData("my_loss")]
    public void AutoModeRejectsAMonitorOfUnknownDirectionAtTheFirstEpochEnd(string monitor)
    {
        var model = Model();
        var spy = new SpyCallback();
        var error = Assert.Throws<ArgumentException>(() =>
            Fit(model, 3, spy, new ScriptedValues(monitor, 1, 2, 3), new EarlyStopping(monitor: monitor)));
        Assert.Equal($"EarlyStopping callback received monitor={monitor} but Dendrite isn't able to automatically determine whether that metric should be maximized or minimized. Pass mode: \"max\" in order to do early stopping based on the highest metric value, or pass mode: \"min\" in order to use the lowest value.", error.Message);
        // As in Keras, the error comes from on_epoch_end, after the first epoch trained.
        Assert.Equal("epoch_end(0)", spy.Trace[^1]);
    }

    [Fact]
    public void AutoModeRejectsAnAccuracyThatWasNotCompiled()
    {
        // Keras looks the name up in the compiled metrics; "accuracy" is not known when only the loss is compiled.
        var model = TestModels.Classifier(701);
        model.Compile(optimizer: new Dendrite.Optimizers.SGD(), loss: "sparse_categorical_crossentropy");
        Assert.Throws<ArgumentException>(() => EpochsRun(new EarlyStopping(monitor: "accuracy"), "accuracy", [0.5, 0.6], model));
    }

    [Fact]
    public void ExplicitModeAcceptsAnyMonitor()
    {
        Assert.Equal(2, EpochsRun(new EarlyStopping(monitor: "val_mae", mode: "min"), "val_mae", [1, 2, 3]));
        Assert.Equal(2, EpochsRun(new EarlyStopping(monitor: "val_mae", mode: "max"), "val_mae", [3, 2, 1]));
    }

    [Fact]
    public void AnUnknownModeWarnsAndFallsBackToAuto()
    {
        EarlyStopping? stopper = null;
        string output = Captured(() => stopper = new EarlyStopping(monitor: "val_loss", mode: "MIN"));
        Assert.Equal("Warning: EarlyStopping mode MIN is unknown, fallback to auto mode.\n", output);
        Assert.Equal(2, EpochsRun(stopper!, "val_loss", [1, 2, 3]));
    }

    [Fact]
    public void AnImprovementThatMissesTheBaselineStillPostponesTheStop()
    {
        // Keras returns after any improvement; only the wait reset needs the baseline beaten. Values that keep
        // improving above the baseline therefore run every epoch, even with patience 1.
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1, baseline: 0.5);
        Assert.Equal(5, EpochsRun(stopper, "val_loss", [0.9, 0.8, 0.7, 0.6, 0.55]));
        Assert.Equal(0, stopper.StoppedEpoch);
    }

    [Fact]
    public void WithoutBeatingTheBaselineTrainingStopsAfterPatienceEpochs()
    {
        // Keras' test: no epoch beats 0.5, patience 5 -> 5 epochs, the best of them (epoch 2) restored.
        var model = Model();
        var recorder = new WeightsRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 5, baseline: 0.5, restoreBestWeights: true);
        var history = Fit(model, 6, new ScriptedValues("val_loss", 0.9, 0.8, 0.7, 0.71, 0.72, 0.73), recorder, stopper);
        Assert.Equal(5, history.Epoch.Count);
        Assert.Equal(4, stopper.StoppedEpoch);
        Assert.Equal(2, stopper.BestEpoch);
        Assert.Equal(recorder.AtEpochEnd[2], TestModels.WeightValues(model));
    }

    [Theory]
    [InlineData(0.5, 4)] // 0.4 beats the baseline: the wait restarts, two misses (0.45, 0.46) are needed
    [InlineData(0.3, 3)] // 0.4 does not: the wait keeps counting from epoch 0 and the first miss stops
    public void OnlyAnImprovementBeatingTheBaselineResetsTheWait(double baseline, int epochs)
    {
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 2, baseline: baseline);
        Assert.Equal(epochs, EpochsRun(stopper, "val_loss", [0.6, 0.4, 0.45, 0.46, 0.2]));
        Assert.Equal(epochs - 1, stopper.StoppedEpoch);
    }

    [Fact]
    public void StartFromEpochIgnoresTheWarmUpEpochs()
    {
        double[] rising = [1, 2, 3, 4, 5];
        Assert.Equal(2, EpochsRun(new EarlyStopping(monitor: "loss", patience: 1), "loss", rising));
        var late = new EarlyStopping(monitor: "loss", patience: 1, startFromEpoch: 2);
        Assert.Equal(4, EpochsRun(late, "loss", rising));
        Assert.Equal(3, late.StoppedEpoch);
        Assert.Equal(3.0, late.Best);
        Assert.Equal(2, late.BestEpoch);
    }

    [Fact]
    public void RestoreBestWeightsPutsBackTheBestEpochWhenStopping()
    {
        // Keras' test: losses 0.2, 0.15, 0.1, 0.11, 0.12 with patience 2 stop at epoch 4 and restore epoch 2.
        var model = Model();
        var recorder = new WeightsRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);
        var history = Fit(model, 8, new ScriptedValues("val_loss", 0.2, 0.15, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15), recorder, stopper);
        Assert.Equal(5, history.Epoch.Count);
        Assert.Equal(4, stopper.StoppedEpoch);
        Assert.Equal(2, stopper.BestEpoch);
        Assert.NotEqual(recorder.AtEpochEnd[4], recorder.AtEpochEnd[2]);
        Assert.Equal(recorder.AtEpochEnd[2], TestModels.WeightValues(model));
    }

    [Fact]
    public void RestoreBestWeightsAlsoWhenTrainingRunsToTheEnd()
    {
        // Keras 3 restores in on_train_end whenever it has best weights, not only when it stopped training itself.
        var model = Model();
        var recorder = new WeightsRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true);
        var history = Fit(model, 3, new ScriptedValues("val_loss", 0.3, 0.1, 0.2), recorder, stopper);
        Assert.Equal(3, history.Epoch.Count);
        Assert.Equal(0, stopper.StoppedEpoch);
        Assert.Equal(recorder.AtEpochEnd[1], TestModels.WeightValues(model));
    }

    [Fact]
    public void RestoreBestWeightsAlsoWhenAnotherCallbackStopsTraining()
    {
        var model = Model();
        var recorder = new WeightsRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 5, baseline: 0.5, restoreBestWeights: true);
        var stopAt3 = new ActionCallback((hook, epoch, m, _) => { if (hook == "epoch_end" && epoch == 3) m.StopTraining = true; });
        var history = Fit(model, 6, new ScriptedValues("val_loss", 0.9, 0.8, 0.7, 0.71, 0.72, 0.73), recorder, stopper, stopAt3);
        Assert.Equal(4, history.Epoch.Count);
        Assert.Equal(recorder.AtEpochEnd[2], TestModels.WeightValues(model));
    }

    [Fact]
    public void WithoutRestoreTheLastWeightsStay()
    {
        var model = Model();
        var recorder = new WeightsRecorder();
        Fit(model, 8, new ScriptedValues("val_loss", 0.2, 0.15, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15), recorder, new EarlyStopping(patience: 2));
        Assert.Equal(5, recorder.AtEpochEnd.Count);
        Assert.Equal(recorder.AtEpochEnd[4], TestModels.WeightValues(model));
    }

    [Fact]
    public void RestoreWithStartFromEpochTakesTheFirstMonitoredEpochAsBest()
    {
        // Epochs before start_from_epoch are never candidates, however good their value.
        var model = Model();
        var recorder = new WeightsRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1, restoreBestWeights: true, startFromEpoch: 1);
        Fit(model, 4, new ScriptedValues("val_loss", 0.0, 0.5, 0.6, 0.7), recorder, stopper);
        Assert.Equal(1, stopper.BestEpoch);
        Assert.Equal(recorder.AtEpochEnd[1], TestModels.WeightValues(model));
    }

    [Fact]
    public void VerboseMessagesWhenStoppingAndRestoring()
    {
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 2, verbose: 1, restoreBestWeights: true);
        string output = Captured(() => Fit(Model(), 8, new ScriptedValues("val_loss", 0.2, 0.15, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15), stopper));
        Assert.Equal("Epoch 5: early stopping\nRestoring model weights from the end of the best epoch: 3.\n", output);
    }

    [Fact]
    public void VerboseMessageWhenStoppingWithoutRestoring()
    {
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1, verbose: 1);
        Assert.Equal("Epoch 3: early stopping\n", Captured(() => Fit(Model(), 5, new ScriptedValues("val_loss", 3, 1, 2, 4, 5), stopper)));
    }

    [Fact]
    public void VerboseMessageWhenRestoringWithoutStopping()
    {
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 5, verbose: 1, restoreBestWeights: true);
        Assert.Equal("Restoring model weights from the end of the best epoch: 2.\n",
            Captured(() => Fit(Model(), 3, new ScriptedValues("val_loss", 0.3, 0.1, 0.2), stopper)));
    }

    [Fact]
    public void SilentAtVerboseZero()
    {
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1, restoreBestWeights: true);
        Assert.Equal("", Captured(() => Fit(Model(), 5, new ScriptedValues("val_loss", 3, 1, 2, 4, 5), stopper)));
    }

    [Fact]
    public void AMissingMonitorWarnsOncePerFitAndNeverStops()
    {
        var stopper = new EarlyStopping(monitor: "val_loss");
        int epochs = 0;
        string output = Captured(() => epochs = Fit(Model(), 3, stopper).Epoch.Count);
        Assert.Equal(3, epochs);
        Assert.StartsWith("Warning: Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: ", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string available = output.TrimEnd('\n').Split("Available metrics are: ")[1];
        Assert.Equal(["accuracy", "loss"], available.Split(',').Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AnInstanceCanBeReusedAcrossFits()
    {
        // Keras resets the best value in on_train_begin (keras-team/keras#20521, #20256): a second Fit whose values
        // are all worse than the first Fit's best must not stop at once.
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1);
        Assert.Equal(3, EpochsRun(stopper, "val_loss", [0.3, 0.2, 0.1]));
        Assert.Equal(3, EpochsRun(stopper, "val_loss", [0.9, 0.8, 0.7]));
        Assert.Equal(0.7, stopper.Best);
        Assert.Equal(0, stopper.StoppedEpoch);
    }

    [Fact]
    public void NegativePatienceIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1));
}
