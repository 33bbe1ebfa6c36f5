using Dendrite.Kernels;
using Dendrite.Layers;
using Dendrite.Tests.Kernels;
using Dendrite.Tests.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Training;

/// <summary>
/// Training gives the same bits on one thread, on two, and on two while another thread takes a core at random moments
/// (tiles then go to whichever thread is free, so a different thread computes each tile from run to run).
/// </summary>
[Collection(GlobalStateCollection.Name)] // changes Gemm.MaxThreads
public class ThreadCountDeterminismTests
{
    public static TheoryData<string> Models() => new() { "dense", "conv" };

    private static Sequential Make(string kind) => kind == "dense"
        ? new Sequential(new InputLayer([64]), new Dense(96, activation: "relu"), new Dense(10, activation: "softmax"))
        : new Sequential(new InputLayer([12, 12, 1]), new Conv2D(8, 3, activation: "relu"), new MaxPooling2D(2),
            new Conv2D(16, 3, activation: "relu"), new Flatten(), new Dense(10, activation: "softmax"));

    [Theory, MemberData(nameof(Models))]
    public void WeightsAfterTrainingDoNotDependOnThreadsOrTiming(string kind)
    {
        int features = kind == "dense" ? 64 : 144;
        int[] inputShape = kind == "dense" ? [64] : [12, 12, 1];
        var x = kind == "dense" ? new NDArray<float>(Uniform(1, 256 * features), 256, features) : new NDArray<float>(Uniform(1, 256 * features), 256, 12, 12, 1);
        var labels = new int[256];
        for (int i = 0; i < labels.Length; i++) labels[i] = (i * 7 + i / 3) % 10;
        var y = new NDArray<int>(labels, 256);
        var initial = Make(kind);
        initial.Compile("adam", "sparse_categorical_crossentropy");
        initial.Build(inputShape);
        var start = initial.GetWeights();

        float[][] Train(int threads, bool disturbed)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                using var thief = disturbed ? new CoreThief(threads: 1, seed: 7) : null;
                var model = Make(kind);
                model.Compile("adam", "sparse_categorical_crossentropy");
                model.Build(inputShape);
                model.SetWeights(start);
                model.Fit(x, y, epochs: 2, batchSize: 64, shuffle: false, verbose: 0);
                return [.. model.GetWeights().Select(w => w.ToArray())];
            }
            finally { Gemm.MaxThreads = saved; }
        }

        var one = Train(1, disturbed: false);
        var two = Train(2, disturbed: false);
        var twoDisturbed = Train(2, disturbed: true);
        Assert.NotEqual(start[0].ToArray(), one[0]); // it trained
        for (int i = 0; i < one.Length; i++)
        {
            LayerTestHarness.AssertBitIdentical(one[i], two[i], $"{kind} weight {i}, 1 vs 2 threads");
            LayerTestHarness.AssertBitIdentical(one[i], twoDisturbed[i], $"{kind} weight {i}, 1 thread vs 2 disturbed");
        }
    }
}
