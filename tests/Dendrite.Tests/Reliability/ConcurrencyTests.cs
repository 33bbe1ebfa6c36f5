using System.Collections.Concurrent;
using Dendrite.Layers;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Inference from many threads at once (a web server's Predict calls) gives answers bit-identical to the same calls
/// made one after another, throws nothing and does not grow memory; callers that are themselves parallel never
/// deadlock the worker pool.
/// </summary>
// Measures the process's managed memory, so it runs alone: other tests allocating meanwhile would count as growth.
[Collection(GlobalStateCollection.Name)]
public sealed class ConcurrencyTests
{
    private static int Calls => int.TryParse(Environment.GetEnvironmentVariable("DENDRITE_CONCURRENCY_CALLS"), out int n) && n > 0 ? n : 10_000;

    private static Sequential Mlp()
    {
        var model = new Sequential(new InputLayer([20]), new Dense(32, activation: "relu", kernelInitializer: new Initializers.GlorotUniform(1)),
            new Dense(5, activation: "softmax", kernelInitializer: new Initializers.GlorotUniform(2)));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [Fact]
    public void SixteenThreadsOfPredictAndEvaluateMatchSequentialCallsBitForBit()
    {
        var model = Mlp();
        const int inputs = 64;
        var samples = Enumerable.Range(0, inputs).Select(i => new NDArray<float>(TestData.Uniform(100 + i, (1 + i % 3) * 20), 1 + i % 3, 20)).ToArray();
        var labels = Enumerable.Range(0, inputs).Select(i => new NDArray<int>(Enumerable.Range(0, 1 + i % 3).Select(j => (i + j) % 5).ToArray(), 1 + i % 3)).ToArray();
        var expected = samples.Select(s => model.Predict(s, verbose: 0).AsSpan().ToArray()).ToArray();
        var expectedLoss = Enumerable.Range(0, inputs).Select(i => model.Evaluate(samples[i], labels[i], verbose: 0)).Select(r => (r.Loss, r["accuracy"])).ToArray();

        // Warm up, then measure the managed memory the calls keep.
        Parallel.For(0, 16, t => { for (int k = 0; k < 200; k++) model.Predict(samples[k % inputs], verbose: 0); });
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        var failures = new ConcurrentQueue<string>();
        int calls = Calls;
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            for (int k = 0; k < calls; k++)
            {
                int i = (t * 7919 + k) % inputs;
                if (k % 10 == 9)
                {
                    var r = model.Evaluate(samples[i], labels[i], verbose: 0);
                    if ((r.Loss, r["accuracy"]) != expectedLoss[i]) failures.Enqueue($"thread {t} call {k}: Evaluate gave ({r.Loss:R}, {r["accuracy"]:R}), expected {expectedLoss[i]}");
                }
                else if (!model.Predict(samples[i], verbose: 0).AsSpan().SequenceEqual(expected[i]))
                    failures.Enqueue($"thread {t} call {k}: Predict on input {i} differed");
                if (failures.Count > 10) return;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < 16L << 20, $"managed memory grew by {(after - before) >> 10} KiB over {16 * calls} calls");
    }

    [Fact]
    public async Task ParallelCallersOfSeveralModelsNeverDeadlockThePool()
    {
        var models = Enumerable.Range(0, 8).Select(_ => Mlp()).ToArray();
        var (x, y) = (new NDArray<float>(TestData.Uniform(7, 4096 * 20), 4096, 20), new NDArray<int>(Enumerable.Range(0, 4096).Select(i => i % 5).ToArray(), 4096));
        var run = Task.Run(() => Parallel.For(0, 32, i =>
        {
            // Different models run in parallel; one model is used by one caller at a time (Fit refuses company).
            var model = models[i % models.Length];
            lock (model)
            {
                if (i % 4 == 0) model.Fit(x, y, epochs: 1, batchSize: 256, verbose: 0);
                else model.Predict(x, batchSize: 512, verbose: 0);
            }
        }));
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(finished == run, "parallel callers did not finish within two minutes");
        await run;
    }

    [Fact]
    public async Task AsyncServerStyleCallsComplete()
    {
        var model = Mlp();
        var x = new NDArray<float>(TestData.Uniform(9, 20), 1, 20);
        var expected = model.Predict(x, verbose: 0).AsSpan().ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => model.Predict(x, verbose: 0).AsSpan().ToArray())));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    /// <summary>Signals when training reaches its second batch and holds it there until released.</summary>
    private sealed class Gate : Dendrite.Callbacks.Callback
    {
        public readonly ManualResetEventSlim Reached = new(), Release = new();
        public NDArray<float>? PredictedInside;
        public NDArray<float>? Probe;

        public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs)
        {
            if (batch != 1) return;
            PredictedInside = Model.Predict(Probe!, verbose: 0); // the training thread itself may predict
            Reached.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task InferenceFromAnotherThreadDuringFitIsRefusedClearly()
    {
        var model = Mlp();
        var x = new NDArray<float>(TestData.Uniform(4, 64 * 20), 64, 20);
        var y = new NDArray<int>(Enumerable.Range(0, 64).Select(i => i % 5).ToArray(), 64);
        var gate = new Gate { Probe = x[0..2] };
        var fit = Task.Run(() => model.Fit(x, y, epochs: 1, batchSize: 16, verbose: 0, callbacks: [gate]));
        Assert.True(gate.Reached.Wait(TimeSpan.FromSeconds(30)));
        try
        {
            var predict = Assert.Throws<InvalidOperationException>(() => model.Predict(x, verbose: 0));
            Assert.Contains($"Predict was called on model '{model.Name}' while another thread is training it with Fit", predict.Message);
            Assert.Contains("Evaluate was called", Assert.Throws<InvalidOperationException>(() => model.Evaluate(x, y, verbose: 0)).Message);
            Assert.Contains("already being trained by Fit on another thread", Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0)).Message);
        }
        finally { gate.Release.Set(); }
        await fit;
        Assert.NotNull(gate.PredictedInside);
        model.Predict(x, verbose: 0); // allowed again once Fit has returned
    }
}
