using System.Runtime;
using System.Diagnostics;
using System.Globalization;
using Dendrite.Datasets;
using Dendrite.Layers;
using Dendrite.Training;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// The north-star run: MNIST, 784 → Dense(512, relu) → Dense(10, softmax), RMSprop, sparse categorical
/// cross-entropy, batch 128, shuffled every epoch. Each framework trains in a child process of its own
/// (<see cref="ChildProcess"/>), so that its peak resident set (VmHWM) is its own.
/// </summary>
internal static class TrainBench
{
    private const int Samples = 60000, Inputs = 784, Hidden = 512, Classes = 10, Batch = 128;

    /// <summary>
    /// Floating-point work of one epoch, counting 2 FLOP per multiply-add of the matrix products only:
    /// forward 2·n·(784·512 + 512·10); backward 2·n·(784·512 + 512·10) for the weight gradients plus 2·n·512·10 for
    /// the gradient flowing into the hidden layer (none flows into the input).
    /// </summary>
    public static double FlopsPerEpoch =>
        2.0 * Samples * ((long)Inputs * Hidden + Hidden * Classes)
        + 2.0 * Samples * ((long)Inputs * Hidden + Hidden * Classes + Hidden * Classes);

    // ───────────────────────────── parent side ─────────────────────────────

    public static string Run(Options options, double peak, string? torchError)
    {
        int epochs = options.EpochsFor("train");
        var d = RunChild("train-dendrite", options);
        var t = torchError is null ? RunChild("train-torch", options) : ChildResult.Failed($"TorchSharp did not load: {torchError}");

        double totalFlops = FlopsPerEpoch * epochs;
        var table = new MarkdownTable($"framework", $"{epochs} epochs, wall (s)", "samples/s", "test accuracy",
            "effective GFLOP/s", "% of peak", "peak RSS (MiB)", "RSS with data loaded (MiB)");
        void Row(string name, ChildResult r)
        {
            double wall = Wall(r);
            table.Add(name, Fmt.F(wall, 2), Fmt.N0(epochs * (double)Samples / wall), Fmt.F(r.Number("test_accuracy"), 4),
                Fmt.F(totalFlops / wall / 1e9, 1), Fmt.Pct(totalFlops / wall / 1e9, peak), Fmt.F(r.Number("vmhwm_bytes") / (1 << 20), 0),
                Fmt.F(r.Number("rss_after_load_bytes") / (1 << 20), 0));
        }
        Row("Dendrite", d);
        Row("TorchSharp", t);
        table.Add("Dendrite/TorchSharp", Fmt.Ratio(Wall(d), Wall(t)), Fmt.Ratio(Wall(t), Wall(d)), "", Fmt.Ratio(Wall(t), Wall(d)), "",
            Fmt.Ratio(d.Number("vmhwm_bytes"), t.Number("vmhwm_bytes")), "");

        var sb = new System.Text.StringBuilder();
        sb.Append(table).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"Wall time: median of {options.Runs} run(s) of {epochs} epochs ({RunsList(d)} s for Dendrite; {RunsList(t)} s for TorchSharp), ")
          .Append("data already in memory, each run with fresh weights. ")
          .Append(CultureInfo.InvariantCulture, $"Effective GFLOP/s = {epochs} × {FlopsPerEpoch / 1e9:F3} GFLOP / wall time, where one epoch is ")
          .Append("2·60000·(784·512 + 512·10) forward + 2·60000·(784·512 + 512·10 + 512·10) backward (matrix products only). ")
          .Append("In the ratio row, the time and RSS columns are Dendrite ÷ TorchSharp (below 1 is better for Dendrite), the samples/s and GFLOP/s columns are Dendrite ÷ TorchSharp throughput (above 1 is better for Dendrite).\n\n");
        foreach (var (name, r) in new[] { ("Dendrite", d), ("TorchSharp", t) })
            if (r.Error is not null) sb.Append(CultureInfo.InvariantCulture, $"**{name} failed:** {r.Error}\n\n");

        var alloc = new MarkdownTable("Dendrite TrainingSession.Step", "managed bytes / step (this thread)", "managed bytes / step (all threads)", "gen-0 GCs per 100 steps");
        foreach (int rows in new[] { Batch, Samples % Batch })
            alloc.Add($"batch of {rows}", Fmt.N0(d.Number($"alloc_thread_{rows}")), Fmt.N0(d.Number($"alloc_total_{rows}")), Fmt.F(d.Number($"gen0_{rows}"), 0));
        sb.Append(alloc).Append('\n');
        sb.Append("Allocation: GC.GetAllocatedBytesForCurrentThread() (and GC.GetTotalAllocatedBytes(precise: true) for all threads) across 100 steps after 20 warm-up steps, divided by 100.\n\n");
        sb.Append("Setup: Dendrite `Sequential(Dense(512, relu), Dense(10, softmax))`, `Compile(\"rmsprop\", \"sparse_categorical_crossentropy\", [\"accuracy\"])`, `Fit(epochs, batchSize: 128, verbose: 0)` (Keras' RMSprop: lr 1e-3, rho 0.9, ε 1e-7 inside the square root; glorot-uniform weights). ")
          .Append("TorchSharp `nn.Sequential(Linear(784, 512), ReLU, Linear(512, 10))`, `CrossEntropyLoss` on the logits, `optim.RMSProp(lr: 1e-3, alpha: 0.9, eps: 1e-7)`, batches by `index_select` on a `randperm`, with the loss and accuracy tracked per step as Keras does. ")
          .Append("PyTorch adds ε outside the square root (θ −= lr·g / (√v + ε)) where Keras adds it inside (θ −= lr·g / √(v + ε)), and PyTorch initialises Linear with kaiming-uniform(a = √5); neither changes the work done, so the timings compare, while the accuracies are only a sanity check. ")
          .Append("Peak RSS is VmHWM of the training child process at its end, data loading (and, for Dendrite, the allocation measurement) included.\n");
        return sb.ToString();
    }

    private static string RunsList(ChildResult r) => r.Numbers("run_seconds") is { Count: > 0 } runs ? string.Join(", ", runs.Select(x => Fmt.F(x, 2))) : Fmt.NA;

    private static double Wall(ChildResult r) => Timing.Median(r.Numbers("run_seconds"));

    private static ChildResult RunChild(string child, Options options)
    {
        int epochs = options.EpochsFor("train");
        Console.Error.WriteLine($"  {child}: {options.Runs} run(s) of {epochs} epochs in a child process …");
        return ChildProcess.Run(child, "--runs", options.Runs.ToString(CultureInfo.InvariantCulture), "--epochs", epochs.ToString(CultureInfo.InvariantCulture));
    }

    // ───────────────────────────── child side ─────────────────────────────

    private static void Report(string key, FormattableString value) => ChildProcess.Report(key, value);

    private static (NDArray<float> TrainX, NDArray<byte> TrainY, NDArray<float> TestX, NDArray<byte> TestY) LoadMnist()
    {
        // The tutorial's data, prepared the way a memory-conscious user would: the scaling in place (NumPy's
        // x /= 255, no second 188 MB array), and the training images' bytes released (and their memory returned to
        // the OS) before the test set is converted, so the bytes and both float sets never coexist.
        var (trainX, trainY, testImages, testY) = LoadTrainingSet();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var testX = testImages.Reshape(testImages.Length, Inputs).AsType<float>();
        testX /= 255f;
        return (trainX, trainY, testX, testY);
    }

    private static (NDArray<float> TrainX, NDArray<byte> TrainY, NDArray<byte> TestImages, NDArray<byte> TestY) LoadTrainingSet()
    {
        var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
        var trainX = trainImages.Reshape(Samples, Inputs).AsType<float>();
        trainX /= 255f;
        return (trainX, trainLabels, testImages, testLabels);
    }

    private static Sequential NewDendriteModel()
    {
        var model = new Sequential(new Dense(Hidden, activation: "relu"), new Dense(Classes, activation: "softmax"));
        model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    public static void ChildDendrite(Options options)
    {
        var (trainX, trainY, testX, testY) = LoadMnist();
        ChildProcess.SettleAndReportRss();
        Sequential? model = null;
        for (int run = 0; run < options.Runs; run++)
        {
            Utils.SetRandomSeed(1234 + run);
            model = NewDendriteModel();
            long start = Stopwatch.GetTimestamp();
            model.Fit(trainX, trainY, epochs: options.EpochsFor("train"), batchSize: Batch, verbose: 0);
            Report("run_seconds", $"{Stopwatch.GetElapsedTime(start).TotalSeconds:R}");
        }
        var (_, accuracy) = model!.Evaluate(testX, testY, batchSize: 32, verbose: 0);
        Report("test_accuracy", $"{accuracy:R}");

        // Managed allocation of one steady-state step, through the same object Fit drives.
        Utils.SetRandomSeed(99);
        var probe = NewDendriteModel();
        probe.Build(Inputs);
        var session = new TrainingSession(probe, trainX, trainY, Batch);
        var order = Enumerable.Range(0, Samples).ToArray();
        new Random(7).Shuffle(order);
        int cursor = 0;
        void Steps(int count, int rows)
        {
            for (int i = 0; i < count; i++)
            {
                if (cursor + rows > Samples) cursor = 0;
                session.Step(order.AsSpan(cursor, rows));
                cursor += rows;
            }
        }
        foreach (int rows in new[] { Batch, Samples % Batch })
        {
            Steps(20, rows);
            int gen0 = GC.CollectionCount(0);
            long thread0 = GC.GetAllocatedBytesForCurrentThread();
            long total0 = GC.GetTotalAllocatedBytes(precise: true);
            Steps(100, rows);
            long total1 = GC.GetTotalAllocatedBytes(precise: true);
            long thread1 = GC.GetAllocatedBytesForCurrentThread();
            Report($"alloc_thread_{rows}", $"{(thread1 - thread0) / 100.0:R}");
            Report($"alloc_total_{rows}", $"{(total1 - total0) / 100.0:R}");
            Report($"gen0_{rows}", $"{GC.CollectionCount(0) - gen0}");
        }
    }

    private static torch.Tensor Pixels(NDArray<byte> images)
    {
        using var bytes = torch.tensor(images.ToArray(), [images.Length, Inputs], dtype: torch.ScalarType.Byte);
        return bytes.to_type(torch.ScalarType.Float32).div_(255f);
    }

    private static torch.Tensor Labels(NDArray<byte> labels) => torch.tensor(labels.ToArray().Select(v => (long)v).ToArray(), [labels.Length]);

    public static void ChildTorch(Options options)
    {
        if (TorchRuntime.TryInitialize() is { } error) throw new InvalidOperationException($"TorchSharp did not load: {error}");
        Report("torch_threads", $"{TorchRuntime.IntraOpThreads} {TorchRuntime.InterOpThreads}");

        // The same files through the same loader; the pixels become float32 (x / 255, as in the Dendrite child)
        // inside libtorch, so that this process does not also hold a managed float copy of the data.
        var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
        var X = Pixels(trainImages);
        var Y = Labels(trainLabels);
        var testX = Pixels(testImages);
        var testY = Labels(testLabels);
        ChildProcess.SettleAndReportRss();

        int epochs = options.EpochsFor("train");
        torch.nn.Module<torch.Tensor, torch.Tensor>? model = null;
        for (int run = 0; run < options.Runs; run++)
        {
            torch.manual_seed(1234 + run);
            model = torch.nn.Sequential(
                ("dense", torch.nn.Linear(Inputs, Hidden)),
                ("relu", torch.nn.ReLU()),
                ("dense_1", torch.nn.Linear(Hidden, Classes)));
            var lossFunction = torch.nn.CrossEntropyLoss();
            var optimizer = torch.optim.RMSProp(model.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-7);
            model.train();

            long start = Stopwatch.GetTimestamp();
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                var (lossSum, correct) = TorchTraining.Epoch(model, optimizer, lossFunction, X, Y, Samples, Batch);
                if (epoch == epochs - 1)
                {
                    Report("train_loss", $"{lossSum / Samples:R}");
                    Report("train_accuracy", $"{correct / (double)Samples:R}");
                }
            }
            Report("run_seconds", $"{Stopwatch.GetElapsedTime(start).TotalSeconds:R}");
        }

        model!.eval();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            long correct = model.forward(testX).argmax(1).eq(testY).sum().item<long>();
            Report("test_accuracy", $"{correct / (double)testY.shape[0]:R}");
        }
    }
}
