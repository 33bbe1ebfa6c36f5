using System.Security.Cryptography;
using Dendrite.Callbacks;
using Dendrite.Distributed;
using Dendrite.Distribution;
using Dendrite.Layers;

namespace Dendrite.MpiChild;

/// <summary>
/// Data-parallel training under mpirun, on generated data (no dataset needed). Settings come from the environment:
/// DENDRITE_MPI_OUT (a folder for the weights files and checkpoints), EPOCHS, INITIAL_EPOCH (resume from
/// OUT/checkpoint.keras), DIE_AT_EPOCH (rank 1 exits with code 3 when that epoch begins), OVERLAP (0/1).
/// Each rank prints "R&lt;rank&gt; epoch&lt;e&gt;=&lt;weights hash&gt; loss&lt;e&gt;=... accuracy&lt;e&gt;=..." and writes its final weights to OUT/weights.rank&lt;r&gt;.bin.
/// </summary>
internal static class TrainingScenarios
{
    private const int Samples = 1000, Features = 64, Classes = 10, Seed = 77;

    public static void Train(MpiCommunicator world)
    {
        string output = Environment.GetEnvironmentVariable("DENDRITE_MPI_OUT") ?? throw new InvalidOperationException("DENDRITE_MPI_OUT is not set.");
        int epochs = Setting("EPOCHS", 2), initialEpoch = Setting("INITIAL_EPOCH", 0), dieAt = Setting("DIE_AT_EPOCH", -1);
        var distribution = new DataParallel(world) { Overlap = Setting("OVERLAP", 1) == 1, BucketBytes = 8 << 10 };
        DataParallel.Current = distribution;

        var (x, y) = Data();
        Utils.SetRandomSeed(Seed);
        string checkpoint = Path.Combine(output, "checkpoint.keras");
        Model model;
        if (initialEpoch > 0) model = Model.Load(checkpoint);
        else
        {
            // Rank 0's initial weights reach the others by broadcast: the other ranks start from different ones.
            if (world.Rank != 0) Utils.SetRandomSeed(Seed + world.Rank);
            model = new Sequential(new InputLayer(shape: [Features]), new Dense(48, activation: "relu"), new Dense(Classes, activation: "softmax"));
            model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
            Utils.SetRandomSeed(Seed);
        }
        var report = new EpochReport(model, world.Rank, dieAt);
        var history = model.Fit(x, y, epochs: epochs, batchSize: 128, initialEpoch: initialEpoch, verbose: world.Rank == 0 ? 2 : 0,
            callbacks: [report, new ModelCheckpoint(checkpoint)]);
        using (var file = File.Create(Path.Combine(output, $"weights.rank{world.Rank}.bin")))
            foreach (var w in model.Weights) file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Value.Values));
        Console.WriteLine($"R{world.Rank} steps={distribution.ReducedSteps} wait_ms={distribution.CommunicationWait.TotalMilliseconds:F1}");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    /// <summary>Ten classes of points around fixed centres (the same on every rank).</summary>
    private static (NDArray<float> X, NDArray<int> Y) Data()
    {
        var rng = new Random(5);
        var centres = new float[Classes * Features];
        for (int i = 0; i < centres.Length; i++) centres[i] = (float)rng.NextDouble();
        var x = new float[Samples * Features];
        var y = new int[Samples];
        for (int s = 0; s < Samples; s++)
        {
            y[s] = rng.Next(Classes);
            for (int f = 0; f < Features; f++) x[s * Features + f] = centres[y[s] * Features + f] + (float)(rng.NextDouble() - 0.5);
        }
        return (new NDArray<float>(x, Samples, Features), new NDArray<int>(y, Samples));
    }

    private sealed class EpochReport(Model model, int rank, int dieAt) : Callback
    {
        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
        {
            if (epoch == dieAt && rank == 1)
            {
                Console.WriteLine($"R{rank} dying=epoch{epoch}");
                Console.Out.Flush();
                Environment.Exit(3);
            }
        }

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var w in model.Weights) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Value.Values));
            string r(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine($"R{rank} epoch{epoch}={Convert.ToHexString(hash.GetHashAndReset())[..16]} loss{epoch}={r(logs["loss"])} accuracy{epoch}={r(logs["accuracy"])}");
            Console.Out.Flush();
        }
    }
}
