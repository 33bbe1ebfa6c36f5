using Dendrite.Callbacks;
using Dendrite.Distribution;
using Dendrite.Layers;

namespace Dendrite.Tests.Distribution;

/// <summary>
/// Data-parallel Fit's semantics, with the ranks as threads (the MPI runs: tests/Dendrite.Distributed.Tests): ranks
/// end bit-identical; N ranks × global batch B train as one process × batch B up to summation order; the logged loss,
/// metrics and validation values are those of the whole batch.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class DataParallelTests
{
    private const int Seed = 4242;

    private static (NDArray<float> X, NDArray<int> Y) Data(int n)
    {
        var x = new NDArray<float>(TestData.Uniform(11, n * 12, 0, 1), n, 12);
        var labels = new int[n];
        var xs = x.AsSpan();
        for (int i = 0; i < n; i++) labels[i] = xs[i * 12] + xs[i * 12 + 1] > 1 ? (xs[i * 12 + 2] > 0.5f ? 2 : 1) : 0;
        return (x, new NDArray<int>(labels, n));
    }

    private static Sequential Build()
    {
        var model = new Sequential(new InputLayer(shape: [12]), new Dense(16, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    private sealed record Run(float[][] Weights, History History);

    private static Run Train(Sequential model, NDArray x, NDArray y, int batchSize, double validationSplit = 0, int epochs = 2)
    {
        var history = model.Fit(x, y, epochs: epochs, batchSize: batchSize, validationSplit: validationSplit, verbose: 0);
        return new Run([.. model.Weights.Select(w => w.Value.Values.ToArray())], history);
    }

    /// <summary>Models with the same initial weights, built on this thread after the same seed (rank 1 then spoiled, to need the broadcast).</summary>
    private static Sequential[] Replicas(int count)
    {
        var models = new Sequential[count];
        for (int i = 0; i < count; i++)
        {
            Utils.SetRandomSeed(Seed);
            models[i] = Build();
        }
        if (count > 2)
            foreach (var w in models[1].Weights) w.Assign(new float[w.Shape.Size]); // zeros: only rank 0's broadcast can fix it
        return models;
    }

    private static void AssertClose(Run expected, Run actual, double tolerance, string what)
    {
        for (int v = 0; v < expected.Weights.Length; v++)
            for (int i = 0; i < expected.Weights[v].Length; i++)
                Assert.True(Math.Abs(expected.Weights[v][i] - actual.Weights[v][i]) <= tolerance,
                    $"{what}: weight {v}[{i}] is {actual.Weights[v][i]}, single process {expected.Weights[v][i]} (tolerance {tolerance})");
        foreach (var key in expected.History.Keys)
            for (int e = 0; e < expected.History[key].Count; e++)
                Assert.True(Math.Abs(expected.History[key][e] - actual.History[key][e]) <= 1e-5,
                    $"{what}: {key}[{e}] is {actual.History[key][e]}, single process {expected.History[key][e]}");
    }

    [Theory]
    [InlineData(2, 32, 200, 0.0)]
    [InlineData(3, 32, 200, 0.25)]  // uneven shards (11/11/10), validation sharded 17/17/16
    [InlineData(2, 32, 161, 0.0)]   // last global batch of 1 sample: rank 1's shard is empty
    public void RanksEndBitIdenticalAndMatchOneProcessWithTheGlobalBatch(int ranks, int batchSize, int samples, double validationSplit)
    {
        var (x, y) = Data(samples);
        Utils.SetRandomSeed(Seed);
        var single = Train(Build(), x, y, batchSize, validationSplit);

        var replicas = Replicas(ranks);
        Utils.SetRandomSeed(Seed); // the shuffle's seed, agreed from rank 0
        var runs = ThreadCommunicator.Run(ranks, d => Train(replicas[d.Rank], x, y, batchSize, validationSplit));

        for (int r = 1; r < ranks; r++)
        {
            for (int v = 0; v < runs[0].Weights.Length; v++)
                Assert.True(runs[0].Weights[v].AsSpan().SequenceEqual(runs[r].Weights[v]), $"rank {r}'s weight {v} differs from rank 0's");
            Assert.Equal(runs[0].History.ToString(), runs[r].History.ToString());
        }
        Assert.Equal(single.History.Keys, runs[0].History.Keys);
        AssertClose(single, runs[0], 1e-5, $"{ranks} ranks");
    }

    [Fact]
    public void WeightedMetricsSumTheirWeightedStatesAcrossRanks()
    {
        // Compile(weightedMetrics) with Fit(sampleWeight): each rank weighs its shard, and the summed (total, count)
        // states give the weighted metrics of the whole global batch, as one process logs them.
        var (x, y) = Data(150);
        var w = new NDArray<float>(TestData.Uniform(12, 150, 0.1, 3), 150);
        Sequential Make()
        {
            var model = new Sequential(new InputLayer(shape: [12]), new Dense(16, activation: "relu"), new Dense(3, activation: "softmax"));
            model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"], weightedMetrics: ["accuracy", new Dendrite.Metrics.SparseTopKCategoricalAccuracy(k: 2)]);
            return model;
        }
        History Fit(Sequential model) => model.Fit(x, y, epochs: 2, batchSize: 32, validationSplit: 0.2, verbose: 0, sampleWeight: w);
        Utils.SetRandomSeed(Seed);
        var single = Fit(Make());
        var replicas = new Sequential[2];
        for (int i = 0; i < 2; i++)
        {
            Utils.SetRandomSeed(Seed);
            replicas[i] = Make();
        }
        Utils.SetRandomSeed(Seed);
        var runs = ThreadCommunicator.Run(2, d => Fit(replicas[d.Rank]));
        Assert.Contains("weighted_accuracy", single.Keys);
        Assert.Contains("val_sparse_top_k_categorical_accuracy", single.Keys);
        Assert.Equal(single.Keys, runs[0].Keys);
        foreach (var key in single.Keys)
            for (int e = 0; e < 2; e++)
                Assert.True(Math.Abs(single[key][e] - runs[0][key][e]) <= 1e-5, $"{key}[{e}] is {runs[0][key][e]} on 2 ranks, {single[key][e]} in one process");
        Assert.NotEqual(single["accuracy"][1], single["weighted_accuracy"][1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BucketsSentDuringTheBackwardPassGiveTheSameBitsAsAfterIt(bool convnet)
    {
        int n = 96;
        NDArray x = convnet ? new NDArray<float>(TestData.Uniform(5, n * 8 * 8, 0, 1), n, 8, 8, 1) : Data(n).X;
        var y = Data(n).Y;
        Sequential Make()
        {
            Utils.SetRandomSeed(Seed);
            var model = convnet
                ? new Sequential(new InputLayer(shape: [8, 8, 1]), new Conv2D(4, 3, activation: "relu"), new MaxPooling2D(2), new Conv2D(6, 2, activation: "relu"),
                    new Flatten(), new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"))
                : Build();
            model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
            return model;
        }
        Run[] Train(bool overlap, int bucketBytes)
        {
            var replicas = new[] { Make(), Make() };
            Utils.SetRandomSeed(Seed);
            return ThreadCommunicator.Run(2, d =>
            {
                d.Overlap = overlap;
                d.BucketBytes = bucketBytes;
                var run = DataParallelTests.Train(replicas[d.Rank], x, y, batchSize: 20);
                Assert.True(d.ReducedSteps > 0);
                return run;
            });
        }
        var after = Train(overlap: false, bucketBytes: 1 << 20);
        foreach (int bucketBytes in new[] { 4, 64, 1 << 20 }) // one variable per bucket, a few, one bucket
        {
            var during = Train(overlap: true, bucketBytes);
            for (int v = 0; v < after[0].Weights.Length; v++)
                Assert.True(after[0].Weights[v].AsSpan().SequenceEqual(during[0].Weights[v]), $"buckets of {bucketBytes} B: weight {v} differs with overlap");
        }
    }

    [Fact]
    public void EvaluateIsShardedAndReducedToTheWholeSetsValues()
    {
        var (x, y) = Data(203);
        Utils.SetRandomSeed(Seed);
        var model = Build();
        var single = model.Evaluate(x, y, batchSize: 16, verbose: 0);
        var replicas = Enumerable.Range(0, 3).Select(_ => { Utils.SetRandomSeed(Seed); return Build(); }).ToArray();
        var results = ThreadCommunicator.Run(3, d => replicas[d.Rank].Evaluate(x, y, batchSize: 16, verbose: 0));
        foreach (var result in results)
        {
            Assert.Equal(single.Loss, result.Loss, 1e-6);
            Assert.Equal(single["accuracy"], result["accuracy"], 1e-12); // counts summed: exact
        }
    }

    [Fact]
    public void AGlobalBatchSmallerThanTheRanksIsRefused()
    {
        var (x, y) = Data(20);
        var replicas = Replicas(3);
        var error = Assert.Throws<AggregateException>(() => ThreadCommunicator.Run(3, d => Train(replicas[d.Rank], x, y, batchSize: 2)));
        Assert.Contains("batchSize 2 is the global batch, split across 3 ranks", error.InnerException!.Message);
    }

    [Fact]
    public void OnlyRankZeroRunsTheCallbacksThatWriteFiles()
    {
        var (x, y) = Data(64);
        var replicas = Replicas(2);
        string dir = Directory.CreateTempSubdirectory("dendrite-dp-").FullName;
        try
        {
            var epochsSeen = ThreadCommunicator.Run(2, d =>
            {
                var counter = new LambdaCallback();
                string log = Path.Combine(dir, $"log-rank{d.Rank}.csv");
                replicas[d.Rank].Fit(x, y, epochs: 2, batchSize: 16, verbose: 0, callbacks: [new CSVLogger(log), counter]);
                return counter.Epochs;
            });
            Assert.True(File.Exists(Path.Combine(dir, "log-rank0.csv")));
            Assert.False(File.Exists(Path.Combine(dir, "log-rank1.csv")), "rank 1 wrote its CSV log; only rank 0 writes files");
            Assert.Equal([2, 2], epochsSeen); // other callbacks run on every rank
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private sealed class LambdaCallback : Callback
    {
        public int Epochs;

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => Epochs++;
    }

    [Fact]
    public void ShardsCoverTheBatchInOrder()
    {
        int[] batch = [.. Enumerable.Range(100, 10)];
        var shards = Enumerable.Range(0, 3).Select(r => DataParallel.Shard(batch, r, 3).ToArray()).ToArray();
        Assert.Equal(batch, shards.SelectMany(s => s));
        Assert.Equal([3, 3, 4], shards.Select(s => s.Length));
    }
}
