using Dendrite.Callbacks;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>
/// The hooks Fit, Evaluate and Predict call, in Keras 3's order and with Keras' logs (the TensorFlow trainer's fit
/// loop: on_train_begin; per epoch on_epoch_begin, the batches, the validation through evaluate with the same
/// callbacks, on_epoch_end; on_train_end with the last epoch's logs).
/// </summary>
public class CallbackHookTests
{
    private static readonly string[] TrainKeys = ["accuracy", "loss"];
    private static readonly string[] EpochKeys = ["accuracy", "loss", "val_accuracy", "val_loss"];

    /// <summary>10 training samples in batches of 4 (3 batches, the last partial), 5 validation samples (2 batches).</summary>
    private static (History History, SpyCallback Spy) FitWithValidation(int epochs, params Callback[] more)
    {
        var (x, y) = TestData.Blobs(15, seed: 11);
        var (xv, yv) = TestData.Blobs(5, seed: 12);
        var model = Model();
        var spy = new SpyCallback();
        var history = model.Fit(x[..10], y[..10], epochs: epochs, batchSize: 4, shuffle: false, validationData: (xv, yv), verbose: 0,
            callbacks: [.. more, spy]);
        return (history, spy);
    }

    private static List<string> EpochTrace(int epoch) =>
    [
        $"epoch_begin({epoch})",
        "train_batch_begin(0)", "train_batch_end(0)",
        "train_batch_begin(1)", "train_batch_end(1)",
        "train_batch_begin(2)", "train_batch_end(2)",
        "test_begin", "test_batch_begin(0)", "test_batch_end(0)", "test_batch_begin(1)", "test_batch_end(1)", "test_end",
        $"epoch_end({epoch})",
    ];

    [Fact]
    public void FitWithValidationCallsTheHooksInKerasOrder()
    {
        var (_, spy) = FitWithValidation(epochs: 2);
        List<string> expected = ["train_begin", .. EpochTrace(0), .. EpochTrace(1), "train_end"];
        Assert.Equal(expected, spy.Trace);
    }

    [Fact]
    public void BeginHooksGetEmptyLogs()
    {
        var (_, spy) = FitWithValidation(epochs: 2);
        foreach (var hook in new[] { "train_begin", "epoch_begin", "train_batch_begin", "test_begin", "test_batch_begin" })
            Assert.All(spy.Of(hook), call => Assert.Empty(call.Logs));
    }

    [Fact]
    public void TrainBatchEndLogsAreTheRunningMeansOfTheEpoch()
    {
        var (history, spy) = FitWithValidation(epochs: 2);
        var batchEnds = spy.Of("train_batch_end").ToList();
        Assert.Equal(6, batchEnds.Count);
        Assert.All(batchEnds, call => Assert.Equal(TrainKeys, call.Logs.Keys.Order(StringComparer.Ordinal)));
        // After the last batch of an epoch the running values are the epoch's values.
        Assert.Equal(history["loss"][0], batchEnds[2].Logs["loss"]);
        Assert.Equal(history["accuracy"][0], batchEnds[2].Logs["accuracy"]);
        Assert.Equal(history["loss"][1], batchEnds[5].Logs["loss"]);
        // Running means, not per-batch values: accuracy after a batch of 4 is a multiple of 1/4, after 8 samples of 1/8.
        Assert.Equal(0, batchEnds[0].Logs["accuracy"] * 4 % 1, precision: 12);
        Assert.Equal(0, batchEnds[1].Logs["accuracy"] * 8 % 1, precision: 12);
        // The loss is reset every epoch: the first batch of epoch 1 does not carry epoch 0's mean.
        Assert.NotEqual(batchEnds[2].Logs["loss"], batchEnds[3].Logs["loss"]);
    }

    [Fact]
    public void ValidationHooksSeeUnprefixedLogsThatBecomeTheValKeys()
    {
        var (history, spy) = FitWithValidation(epochs: 2);
        var testEnds = spy.Of("test_end").ToList();
        Assert.Equal(2, testEnds.Count);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            Assert.Equal(TrainKeys, testEnds[epoch].Logs.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(history["val_loss"][epoch], testEnds[epoch].Logs["loss"]);
            Assert.Equal(history["val_accuracy"][epoch], testEnds[epoch].Logs["accuracy"]);
        }
        var lastTestBatch = spy.Of("test_batch_end").ToList()[1];
        Assert.Equal(testEnds[0].Logs, lastTestBatch.Logs);
    }

    [Fact]
    public void EpochEndLogsEqualHistoryAndTrainEndGetsTheLastOnes()
    {
        var (history, spy) = FitWithValidation(epochs: 3);
        var epochEnds = spy.Of("epoch_end").ToList();
        Assert.Equal([0, 1, 2], epochEnds.Select(c => c.Index));
        Assert.Equal([0, 1, 2], history.Epoch);
        Assert.Equal(EpochKeys, history.Keys);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal(EpochKeys, epochEnds[epoch].Logs.Keys.Order(StringComparer.Ordinal));
            foreach (var key in EpochKeys) Assert.Equal(history[key][epoch], epochEnds[epoch].Logs[key]);
        }
        Assert.Equal(epochEnds[2].Logs, spy.Of("train_end").Single().Logs);
    }

    [Fact]
    public void AKeyAddedAtEpochEndShowsInHistoryAndLaterCallbacks()
    {
        var addLearningRate = new ActionCallback((hook, epoch, model, logs) =>
        {
            if (hook == "epoch_end") logs["learning_rate"] = 0.5 + epoch;
        });
        var (history, spy) = FitWithValidation(epochs: 2, addLearningRate);
        Assert.Equal([0.5, 1.5], history["learning_rate"]);
        Assert.Equal([0.5, 1.5], spy.Of("epoch_end").Select(c => c.Logs["learning_rate"]));
        Assert.Equal(1.5, spy.Of("train_end").Single().Logs["learning_rate"]);
    }

    [Fact]
    public void KeysWrittenIntoBeginLogsDoNotLeak()
    {
        // Keras passes a fresh {} to on_train_begin, on_epoch_begin and the batch begins: what a callback writes
        // there is seen by the later callbacks of that same call only, never by another hook nor by History.
        var writer = new ActionCallback((hook, index, model, logs) =>
        {
            if (hook is "train_begin" or "epoch_begin" or "train_batch_begin") logs["scribble_" + hook] = 1;
        });
        var (history, spy) = FitWithValidation(epochs: 2, writer);
        Assert.DoesNotContain(history.Keys, k => k.StartsWith("scribble", StringComparison.Ordinal));
        Assert.All(spy.Calls, call => Assert.All(call.Logs.Keys.Where(k => k.StartsWith("scribble", StringComparison.Ordinal)),
            key => Assert.Equal("scribble_" + call.Hook, key)));
        Assert.Equal(["scribble_epoch_begin"], spy.Of("epoch_begin").Last().Logs.Keys);
    }

    [Fact]
    public void CallbacksRunInListOrder()
    {
        var seen = new List<string>();
        var first = new ActionCallback((hook, epoch, model, logs) => { if (hook == "epoch_end") { seen.Add("first"); logs["from_first"] = epoch; } });
        var second = new ActionCallback((hook, epoch, model, logs) => { if (hook == "epoch_end") seen.Add(logs.ContainsKey("from_first") ? "second saw first" : "second first"); });
        Fit(Model(), 2, first, second);
        Assert.Equal(["first", "second saw first", "first", "second saw first"], seen);
    }

    [Fact]
    public void EveryCallbackGetsTheModel()
    {
        var model = Model();
        var spy = new SpyCallback();
        Fit(model, 1, spy);
        Assert.Same(model, spy.Model);
    }

    [Fact]
    public void ANullCallbackIsRejected()
    {
        var model = Model();
        var (x, y) = TestData.Blobs(12, seed: 5);
        Assert.Throws<ArgumentNullException>(() => model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new SpyCallback(), null!]));
    }

    [Fact]
    public void EvaluateCallsTheTestHooks()
    {
        var (x, y) = TestData.Blobs(10, seed: 13);
        var model = Model();
        model.Build(2);
        var spy = new SpyCallback();
        var result = model.Evaluate(x, y, batchSize: 4, verbose: 0, callbacks: [spy]);
        Assert.Equal(["test_begin", "test_batch_begin(0)", "test_batch_end(0)", "test_batch_begin(1)", "test_batch_end(1)",
            "test_batch_begin(2)", "test_batch_end(2)", "test_end"], spy.Trace);
        var end = spy.Of("test_end").Single().Logs;
        Assert.Equal(TrainKeys, end.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(result["loss"], end["loss"]);
        Assert.Equal(result["accuracy"], end["accuracy"]);
        Assert.Equal(end, spy.Of("test_batch_end").Last().Logs);
    }

    [Fact]
    public void PredictCallsThePredictHooks()
    {
        var (x, _) = TestData.Blobs(10, seed: 14);
        var model = Model();
        model.Build(2);
        var spy = new SpyCallback();
        model.Predict(x, batchSize: 4, verbose: 0, callbacks: [spy]);
        Assert.Equal(["predict_begin", "predict_batch_begin(0)", "predict_batch_end(0)", "predict_batch_begin(1)", "predict_batch_end(1)",
            "predict_batch_begin(2)", "predict_batch_end(2)", "predict_end"], spy.Trace);
    }

    [Fact]
    public void StopTrainingAtABatchEndEndsFitAfterThatBatchButStillValidates()
    {
        var stopper = new ActionCallback((hook, batch, model, logs) =>
        {
            if (hook == "train_batch_end" && batch == 1) model.StopTraining = true;
        });
        var (history, spy) = FitWithValidation(epochs: 3, stopper);
        // Keras breaks out of the batch loop, then still evaluates and calls on_epoch_end before leaving the epoch loop.
        Assert.Equal(["train_begin", "epoch_begin(0)",
            "train_batch_begin(0)", "train_batch_end(0)", "train_batch_begin(1)", "train_batch_end(1)",
            "test_begin", "test_batch_begin(0)", "test_batch_end(0)", "test_batch_begin(1)", "test_batch_end(1)", "test_end",
            "epoch_end(0)", "train_end"], spy.Trace);
        Assert.Equal([0], history.Epoch);
        Assert.Equal(EpochKeys, history.Keys);
        // The epoch's logs cover the two batches that ran.
        Assert.Equal(spy.Of("train_batch_end").Last().Logs["loss"], history["loss"][0]);
    }

    [Fact]
    public void StopTrainingAtABatchEndLeavesTheWeightsOfThatStep()
    {
        var model = Model();
        Fit(model, 3, new ActionCallback((hook, batch, m, logs) => { if (hook == "train_batch_end" && batch == 1) m.StopTraining = true; }));
        Assert.Equal(2, model.Optimizer!.Iterations);
    }

    [Fact]
    public void StopTrainingSetInTrainBeginStillRunsOneBatch()
    {
        // Keras clears stop_training before on_train_begin and checks it only after a batch.
        var model = Model();
        var spy = new SpyCallback();
        var history = Fit(model, 3, new ActionCallback((hook, _, m, _) => { if (hook == "train_begin") m.StopTraining = true; }), spy);
        Assert.Equal(1, model.Optimizer!.Iterations);
        Assert.Equal([0], history.Epoch);
        Assert.Equal(["train_begin", "epoch_begin(0)", "train_batch_begin(0)", "train_batch_end(0)", "epoch_end(0)", "train_end"], spy.Trace);
    }

    [Fact]
    public void StopTrainingAtAnEpochEndEndsFitThere()
    {
        var model = Model();
        var history = Fit(model, 5, new ActionCallback((hook, epoch, m, _) => { if (hook == "epoch_end" && epoch == 1) m.StopTraining = true; }));
        Assert.Equal([0, 1], history.Epoch);
        Assert.Equal(6, model.Optimizer!.Iterations);
    }

    [Fact]
    public void FitClearsAStaleStopTraining()
    {
        var model = Model();
        model.StopTraining = true;
        var history = Fit(model, 2);
        Assert.Equal([0, 1], history.Epoch);
        Assert.False(model.StopTraining);
    }
}
