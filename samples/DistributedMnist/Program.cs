// The getting-started MNIST model trained data-parallel over MPI: the same program on every rank, started by mpirun.
//
//   mpirun -np 2 dotnet .artifacts/bin/DistributedMnist/release/DistributedMnist.dll
//
// (as root add --allow-run-as-root; on a machine with fewer cores than ranks, --oversubscribe). Started without
// mpirun it trains alone. Options: --epochs N (5), --no-overlap (reduce the gradients after the backward pass),
// --timing (print samples/s and the time spent waiting for gradients, per epoch after the first).
using System.Diagnostics;
using System.Globalization;
using Dendrite;
using Dendrite.Callbacks;
using Dendrite.Datasets;
using Dendrite.Distributed;
using Dendrite.Distribution;
using Dendrite.Layers;

int epochs = args.SkipWhile(a => a != "--epochs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5);
bool timing = args.Contains("--timing");

using var mpi = MpiCommunicator.Init();
// The one line that makes Fit data-parallel (Keras 3: keras.distribution.set_distribution(DataParallel())).
var distribution = new DataParallel(mpi) { Overlap = !args.Contains("--no-overlap") };
DataParallel.Current = distribution;

var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
var trainX = trainImages.Reshape(60000, 28 * 28).AsType<float>() / 255f;
var testX = testImages.Reshape(10000, 28 * 28).AsType<float>() / 255f;

Utils.SetRandomSeed(42); // the same seed everywhere: the shuffle agrees; rank 0's initial weights are broadcast anyway
var model = new Sequential(
    new Dense(512, activation: "relu"),
    new Dense(10, activation: "softmax"));
model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

if (distribution.IsChief)
    Console.WriteLine($"{mpi.Size} rank(s) × {Config.Threads} thread(s); global batch 128 = {128 / mpi.Size} samples per rank; overlap {(distribution.Overlap ? "on" : "off")}");
var clock = new EpochClock(distribution, trainCount: 60000);
model.Fit(trainX, trainLabels, epochs: epochs, batchSize: 128, callbacks: timing ? [clock] : null);

var (loss, accuracy) = model.Evaluate(testX, testLabels, verbose: distribution.IsChief ? 1 : 0);
if (distribution.IsChief)
{
    Console.WriteLine($"test_acc: {accuracy.ToString("F4", CultureInfo.InvariantCulture)}");
    if (timing) clock.Report();
}

/// <summary>Samples/s and the share of the step time spent waiting for gradients, per epoch (rank 0 prints).</summary>
internal sealed class EpochClock(DataParallel distribution, int trainCount) : Callback
{
    private readonly Stopwatch _watch = new();
    private readonly List<(double Seconds, double Wait)> _epochs = [];

    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        distribution.ResetStatistics();
        _watch.Restart();
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) =>
        _epochs.Add((_watch.Elapsed.TotalSeconds, distribution.CommunicationWait.TotalSeconds));

    /// <summary>The median over the epochs after the first (which records the step plans and warms the JIT).</summary>
    public void Report()
    {
        var measured = _epochs.Skip(1).OrderBy(e => e.Seconds).ToList();
        if (measured.Count == 0) return;
        var median = measured[measured.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timing: epoch {median.Seconds:F3} s, {trainCount / median.Seconds:F0} samples/s, waiting for gradients {median.Wait:F3} s ({100 * median.Wait / median.Seconds:F1} %), epochs {string.Join(" ", measured.Select(e => e.Seconds.ToString("F3", CultureInfo.InvariantCulture)))}"));
    }
}
