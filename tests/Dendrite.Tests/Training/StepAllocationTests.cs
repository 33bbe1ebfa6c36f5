using Dendrite.Layers;
using Dendrite.Training;

namespace Dendrite.Tests.Training;

/// <summary>A training step in steady state must allocate nothing on the managed heap (no per-step GC pressure).</summary>
public class StepAllocationTests
{
    [Fact]
    public void SteadyStateStepsAllocateNothingForFullAndPartialBatches()
    {
        var random = new Random(3);
        int n = 300, features = 40;
        var xs = new float[n * features];
        var ys = new byte[n];
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)random.NextDouble();
        for (int i = 0; i < n; i++) ys[i] = (byte)random.Next(10);
        var x = new NDArray<float>(xs, n, features);
        var y = new NDArray<byte>(ys, n);

        var model = new Sequential(new Dense(64, activation: "relu"), new Dense(10, activation: "softmax"));
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
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
}
