using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Optimizers.Schedules;
using Dendrite.Training;

namespace Dendrite.Tests.Training;

/// <summary>A training step in steady state must allocate nothing on the managed heap (no per-step GC pressure).</summary>
// Alone: when another test keeps the worker pool busy, a step's parts run inline on the test thread, whose first
// time through a path allocates that thread's packing buffers — a real one-off allocation, not a per-step one.
[Collection(GlobalStateCollection.Name)]
public class StepAllocationTests
{
    [Theory]
    [InlineData("rmsprop")]
    [InlineData("adam")]
    [InlineData("adam, clipnorm")]
    [InlineData("adamw, schedule, global_clipnorm")]
    public void SteadyStateStepsAllocateNothingForFullAndPartialBatches(string optimizer)
    {
        int features = 40;
        var (x, y) = RandomData(seed: 3, n: 300, features, classes: 10);
        var model = new Sequential(new Dense(64, activation: "relu"), new Dense(10, activation: "softmax"));
        model.Compile(optimizer: NewOptimizer(optimizer), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Build(features);
        var session = new TrainingSession(model, x, y, batchSize: 128);
        int[] full = [.. Enumerable.Range(0, 128)];
        int[] partial = [.. Enumerable.Range(128, 44)];
        for (int i = 0; i < 5; i++) { session.Step(full); session.Step(partial); } // record both plans, warm the JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) { session.Step(full); session.Step(partial); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    /// <summary>An optimizer by Keras name, or with the options that have per-step work of their own (clipping, a schedule, weight decay).</summary>
    private static Optimizer NewOptimizer(string description) => description switch
    {
        "adam, clipnorm" => new Adam { Clipnorm = 1.0 },
        "adamw, schedule, global_clipnorm" => new AdamW(new CosineDecay(1e-3f, decaySteps: 1000)) { GlobalClipnorm = 1.0 },
        _ => Optimizer.Get(description),
    };

    /// <summary>Uniform features in [0, 1) and random class labels.</summary>
    internal static (NDArray<float> X, NDArray<byte> Y) RandomData(int seed, int n, int features, int classes)
    {
        var random = new Random(seed);
        var xs = new float[n * features];
        var ys = new byte[n];
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)random.NextDouble();
        for (int i = 0; i < n; i++) ys[i] = (byte)random.Next(classes);
        return (new NDArray<float>(xs, n, features), new NDArray<byte>(ys, n));
    }
}

/// <summary>The same through Fit with a progress bar: extra epochs cost a few objects per epoch, nothing per step.</summary>
[Collection(GlobalStateCollection.Name)] // alone, for the same reason as StepAllocationTests
public class FitAllocationTests
{
    [Fact]
    public void FitWithAProgressBarAllocatesNothingPerStep()
    {
        var (x, y) = StepAllocationTests.RandomData(seed: 4, n: 2000, features: 8, classes: 3);
        var model = new Sequential(new Dense(16, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

        long Allocated(int epochs)
        {
            long before = 0;
            Task.Run(() =>
            {
                ProgressDisplay.Output = TextWriter.Null;
                ProgressDisplay.Mode = ProgressMode.FinalLineOnly;
                model.Fit(x, y, epochs: 1, batchSize: 10, verbose: 1); // warm: plans recorded, JIT done
                before = GC.GetAllocatedBytesForCurrentThread();
                model.Fit(x, y, epochs: epochs, batchSize: 10, verbose: 1);
                before = GC.GetAllocatedBytesForCurrentThread() - before;
            }).Wait();
            return before;
        }

        long one = Allocated(1), five = Allocated(5);
        double perStep = (five - one) / (4.0 * 200);
        Assert.True(perStep < 32, $"{perStep:F1} bytes per step ({five - one} bytes for 4 more epochs of 200 steps)");
    }
}
