using Dendrite.Callbacks;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>Keras' TerminateOnNaN: the first training batch whose (running) loss is NaN or infinite ends training.</summary>
public class TerminateOnNaNTests
{
    /// <summary>
    /// 12 blob samples in batches of 4 without shuffling; the rows of batch 1 are scaled to about 1e38, finite inputs
    /// whose products overflow float32 in the dense layers, so that the loss of batch 1 is not finite.
    /// </summary>
    private static (NDArray<float> X, NDArray<int> Y) OverflowAtBatchOne()
    {
        var (x, y) = TestData.Blobs(12, seed: 21);
        var values = x.ToArray();
        for (int i = 4 * 2; i < 8 * 2; i++) values[i] = values[i] < 0 ? -3e38f : 3e38f;
        return (new NDArray<float>(values, 12, 2), y);
    }

    [Fact]
    public void StopsAtTheBatchWhereTheLossStopsBeingFinite()
    {
        var (x, y) = OverflowAtBatchOne();
        var (xv, yv) = TestData.Blobs(4, seed: 22);
        var model = Model();
        var spy = new SpyCallback();
        History? history = null;
        string output = Captured(() => history = model.Fit(x, y, epochs: 5, batchSize: 4, shuffle: false, validationData: (xv, yv), verbose: 0,
            callbacks: [new TerminateOnNaN(), spy]));
        Assert.Equal("Batch 1: Invalid loss, terminating training\n", output);
        Assert.Equal(2, model.Optimizer!.Iterations);
        var batchLosses = spy.Of("train_batch_end").Select(c => c.Logs["loss"]).ToList();
        Assert.Equal(2, batchLosses.Count);
        Assert.True(double.IsFinite(batchLosses[0]));
        Assert.False(double.IsFinite(batchLosses[1]));
        // As in Keras the epoch still ends normally: validation, on_epoch_end, on_train_end.
        Assert.Equal(["epoch_end(0)", "train_end"], spy.Trace[^2..]);
        Assert.Contains("test_end", spy.Trace);
        Assert.Equal([0], history!.Epoch);
        Assert.False(double.IsFinite(history["loss"][0]));
    }

    [Fact]
    public void FiniteLossesTrainEveryEpoch()
    {
        var model = Model();
        string output = Captured(() => Fit(model, 3, new TerminateOnNaN()));
        Assert.Equal("", output);
        Assert.Equal(9, model.Optimizer!.Iterations);
    }

    [Fact]
    public void RaiseErrorThrowsAtOnceWithoutTrainEnd()
    {
        var (x, y) = OverflowAtBatchOne();
        var model = Model();
        var spy = new SpyCallback();
        var error = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 5, batchSize: 4, shuffle: false, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true), spy]));
        Assert.Matches(@"^NaN or Inf loss encountered at batch 1\. Loss value: (nan|inf|-inf)\. Terminating training immediately\.$", error.Message);
        // The exception leaves Fit from TerminateOnNaN's hook: the spy after it never sees batch 1 end, nor train_end.
        Assert.Equal(["train_begin", "epoch_begin(0)", "train_batch_begin(0)", "train_batch_end(0)", "train_batch_begin(1)"], spy.Trace);
    }
}
