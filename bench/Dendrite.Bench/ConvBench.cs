using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dendrite.Datasets;
using Dendrite.Layers;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// Keras' "simple MNIST convnet" (keras.io/examples/vision/mnist_convnet) trained epoch by epoch in Dendrite and in
/// TorchSharp, each in a child process of its own (<see cref="ChildProcess"/>): Conv2D(32, 3, relu) → MaxPooling2D(2)
/// → Conv2D(64, 3, relu) → MaxPooling2D(2) → Flatten → Dropout(0.5) → Dense(10, softmax), Adam, sparse categorical
/// cross-entropy, batch 128, validation split 0.1 (the last 6000 images, evaluated at the end of every epoch).
/// </summary>
internal static class ConvBench
{
    private const int Samples = 60000, TrainSamples = 54000, ValidationSamples = Samples - TrainSamples, Side = 28, Classes = 10, Batch = 128;
    private const double ValidationSplit = 0.1;

    /// <summary>The optimizer the Dendrite child compiles with (the report states the one that actually ran).</summary>
    private const string DendriteOptimizer = "adam";

    // Multiply-adds per sample: conv1 26·26 outputs × 32 filters × 3·3·1; conv2 11·11 × 64 × 3·3·32; dense 1600 × 10.
    private const long Conv1Macs = 26L * 26 * 32 * 9, Conv2Macs = 11L * 11 * 64 * 288, DenseMacs = 1600L * 10;
    private const long ForwardMacs = Conv1Macs + Conv2Macs + DenseMacs;
    // Backward: the weight gradients of all three, plus the input gradients of conv2 and dense (conv1's input needs none).
    private const long BackwardMacs = Conv1Macs + Conv2Macs + DenseMacs + Conv2Macs + DenseMacs;

    /// <summary>FLOP of one epoch: forward and backward of the 54000 training samples, forward of the 6000 validation samples.</summary>
    public static double FlopsPerEpoch => 2.0 * TrainSamples * (ForwardMacs + BackwardMacs) + 2.0 * ValidationSamples * ForwardMacs;

    // ───────────────────────────── parent side ─────────────────────────────

    public static string Run(Options options, double peak, string? torchError)
    {
        int epochs = options.EpochsFor("conv");
        var d = EpochRuns.RunChild("conv-dendrite", epochs);
        var t = torchError is null ? EpochRuns.RunChild("conv-torch", epochs) : ChildResult.Failed($"TorchSharp did not load: {torchError}");
        double dEpoch = EpochRuns.SteadyEpoch(d), tEpoch = EpochRuns.SteadyEpoch(t);

        var table = new MarkdownTable("framework", "epoch times (s)", "epoch (s), median without the 1st", "samples/s",
            "effective GFLOP/s", "% of peak", "val accuracy", "peak RSS (MiB)", "RSS with data loaded (MiB)");
        void Row(string name, ChildResult r, double epoch) =>
            table.Add(name, EpochRuns.EpochList(r), Fmt.F(epoch, 2), Fmt.N0(TrainSamples / epoch), Fmt.F(FlopsPerEpoch / epoch / 1e9, 1),
                Fmt.Pct(FlopsPerEpoch / epoch / 1e9, peak), Fmt.F(r.Number("val_accuracy"), 4),
                Fmt.F(r.Number("vmhwm_bytes") / (1 << 20), 0), Fmt.F(r.Number("rss_after_load_bytes") / (1 << 20), 0));
        Row("Dendrite", d, dEpoch);
        Row("TorchSharp", t, tEpoch);
        table.Add("Dendrite/TorchSharp", "", Fmt.Ratio(dEpoch, tEpoch), Fmt.Ratio(tEpoch, dEpoch), Fmt.Ratio(tEpoch, dEpoch), "", "",
            Fmt.Ratio(d.Number("vmhwm_bytes"), t.Number("vmhwm_bytes")), "");

        double ratio = dEpoch / tEpoch;
        var sb = new StringBuilder();
        sb.Append(table).Append('\n');
        sb.Append(double.IsFinite(ratio)
            ? FormattableString.Invariant($"Target of the convnet issue: Dendrite's epoch at most 0.4× TorchSharp's. This run: {ratio:F2}× ({(ratio <= 0.4 ? "met" : "not met")}).\n\n")
            : "Target of the convnet issue: Dendrite's epoch at most 0.4× TorchSharp's. This run: n/a.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"One run of {epochs} epochs per framework, each epoch timed on its own. ")
          .Append(epochs > 1
              ? "The epoch column is the median of the epochs after the first: the first pays for JIT compilation and first-touch page faults. "
              : "With a single epoch there is nothing to leave out: the epoch column is that first epoch, JIT compilation and first-touch page faults included. ")
          .Append(CultureInfo.InvariantCulture, $"An epoch is {(TrainSamples + Batch - 1) / Batch} training steps over {TrainSamples} images ({TrainSamples / Batch} of {Batch} and one of {TrainSamples % Batch}) and the evaluation of the {ValidationSamples} validation images; samples/s = {TrainSamples} / epoch time. ")
          .Append(CultureInfo.InvariantCulture, $"Effective GFLOP/s = {FlopsPerEpoch / 1e9:F3} GFLOP / epoch time, counting 2 FLOP per multiply-add of the convolutions and the dense layer: ")
          .Append("per sample forward F = 26·26·32·9 + 11·11·64·288 + 1600·10 (conv1, conv2, dense), backward B = F (the weight gradients) + 11·11·64·288 + 1600·10 (the input gradients of conv2 and dense; conv1's input needs none), ")
          .Append("one epoch = 2·54000·(F + B) + 2·6000·F. Pooling, activations, dropout, the loss and the optimizer are not counted. ")
          .Append("In the ratio row the time and RSS columns are Dendrite ÷ TorchSharp (below 1 is better for Dendrite), samples/s and GFLOP/s Dendrite ÷ TorchSharp throughput (above 1 is better for Dendrite).\n\n");
        foreach (var (name, r) in new[] { ("Dendrite", d), ("TorchSharp", t) })
        {
            if (r.Error is not null) sb.Append(CultureInfo.InvariantCulture, $"**{name} failed:** {r.Error}\n\n");
            else sb.Append(CultureInfo.InvariantCulture, $"{name} per epoch: loss {EpochRuns.Series(r, "loss")}; accuracy {EpochRuns.Series(r, "accuracy")}; val_loss {EpochRuns.Series(r, "val_loss")}; val_accuracy {EpochRuns.Series(r, "val_accuracy")}.\n\n");
        }
        string dOptimizer = d.Text("optimizer") ?? DendriteOptimizer;
        if (dOptimizer != "adam" && d.Error is null)
            sb.Append(CultureInfo.InvariantCulture, $"**The Dendrite child trained with `{dOptimizer}`, not `adam`:** its numbers are not the issue's program.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Setup: Dendrite `Sequential(InputLayer([28, 28, 1]), Conv2D(32, 3, relu), MaxPooling2D(2), Conv2D(64, 3, relu), MaxPooling2D(2), Flatten(), Dropout(0.5), Dense(10, softmax))`, `Compile(\"{dOptimizer}\", \"sparse_categorical_crossentropy\", [\"accuracy\"])`, ")
          .Append("then one `Fit(x, y, epochs: n, batchSize: 128, validationSplit: 0.1, verbose: 0)` with a callback timing each epoch from `OnEpochBegin` to `OnEpochEnd` (its steps and its validation), on the 60000 training images as (60000, 28, 28, 1) floats in [0, 1]. ")
          .Append("TorchSharp: the same network in NCHW, `Sequential(Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Flatten, Dropout(0.5), Linear(1600, 10))`, `CrossEntropyLoss` on the logits, `optim.Adam(lr: 1e-3, betas (0.9, 0.999), eps: 1e-7)`, ")
          .Append("batches by `index_select` on a `randperm` of the first 54000 images with the loss and accuracy tracked per step as Keras does, and at the end of every epoch the last 6000 images evaluated in batches of 128 under `no_grad` in eval mode. ")
          .Append("Keras initialises with glorot-uniform, PyTorch with kaiming-uniform(a = √5), and Keras' Adam applies ε to the bias-corrected √v slightly differently: the work is the same, the accuracies are only a sanity check. ")
          .Append("Peak RSS is VmHWM of the training child process at its end, data loading included.\n");
        return sb.ToString();
    }

    // ───────────────────────────── child side ─────────────────────────────

    private static void Report(string key, FormattableString value) => ChildProcess.Report(key, value);

    public static void ChildDendrite(Options options)
    {
        int epochs = options.EpochsFor("conv");
        var ((trainImages, trainLabels), _) = Mnist.LoadData();
        var x = trainImages.Reshape(-1, Side, Side, 1).AsType<float>();
        x /= 255f;
        ChildProcess.SettleAndReportRss();

        Utils.SetRandomSeed(1234);
        var model = new Sequential(
            new InputLayer(shape: [Side, Side, 1]),
            new Conv2D(32, 3, activation: "relu"),
            new MaxPooling2D(2),
            new Conv2D(64, 3, activation: "relu"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dropout(0.5),
            new Dense(Classes, activation: "softmax"));
        model.Compile(optimizer: DendriteOptimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        Report("optimizer", $"{model.Optimizer!.Name}");
        // One Fit, as a Keras user runs it; a callback times each epoch (its training steps and its validation).
        model.Fit(x, trainLabels, epochs: epochs, batchSize: Batch, validationSplit: ValidationSplit, verbose: 0, callbacks: [new EpochTimer("loss", "accuracy", "val_loss", "val_accuracy")]);
    }

    public static void ChildTorch(Options options)
    {
        if (TorchRuntime.TryInitialize() is { } error) throw new InvalidOperationException($"TorchSharp did not load: {error}");
        Report("torch_threads", $"{TorchRuntime.IntraOpThreads} {TorchRuntime.InterOpThreads}");
        int epochs = options.EpochsFor("conv");

        // The same files through the same loader; the pixels become float32 in [0, 1] inside libtorch, in NCHW.
        var ((trainImages, trainLabels), _) = Mnist.LoadData();
        torch.Tensor X, Y;
        using (var bytes = torch.tensor(trainImages.ToArray(), [Samples, 1, Side, Side], dtype: torch.ScalarType.Byte))
            X = bytes.to_type(torch.ScalarType.Float32).div_(255f);
        Y = torch.tensor(trainLabels.ToArray().Select(v => (long)v).ToArray(), [Samples]);
        // validation_split: the last 10 % before any shuffling.
        var valX = X.narrow(0, TrainSamples, ValidationSamples);
        var valY = Y.narrow(0, TrainSamples, ValidationSamples);
        ChildProcess.SettleAndReportRss();

        torch.manual_seed(1234);
        var model = torch.nn.Sequential(
            ("conv2d", torch.nn.Conv2d(1, 32, 3)),
            ("relu", torch.nn.ReLU()),
            ("max_pooling2d", torch.nn.MaxPool2d(2)),
            ("conv2d_1", torch.nn.Conv2d(32, 64, 3)),
            ("relu_1", torch.nn.ReLU()),
            ("max_pooling2d_1", torch.nn.MaxPool2d(2)),
            ("flatten", torch.nn.Flatten()),
            ("dropout", torch.nn.Dropout(0.5)),
            ("dense", torch.nn.Linear(1600, Classes)));
        var lossFunction = torch.nn.CrossEntropyLoss();
        var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            model.train();
            var (lossSum, correct) = TorchTraining.Epoch(model, optimizer, lossFunction, X, Y, TrainSamples, Batch);

            // What Keras' fit does at the end of an epoch with validation_split: evaluate in batches, no dropout.
            model.eval();
            double valLossSum = 0;
            long valCorrect = 0;
            using (torch.no_grad())
            {
                for (int first = 0; first < ValidationSamples; first += Batch)
                {
                    int rows = Math.Min(Batch, ValidationSamples - first);
                    using var scope = torch.NewDisposeScope();
                    var xb = valX.narrow(0, first, rows);
                    var yb = valY.narrow(0, first, rows);
                    var logits = model.forward(xb);
                    valLossSum += lossFunction.forward(logits, yb).item<float>() * rows;
                    valCorrect += logits.argmax(1).eq(yb).sum().item<long>();
                }
            }
            Report("epoch_seconds", $"{Stopwatch.GetElapsedTime(start).TotalSeconds:R}");
            Report("loss", $"{lossSum / TrainSamples:R}");
            Report("accuracy", $"{correct / (double)TrainSamples:R}");
            Report("val_loss", $"{valLossSum / ValidationSamples:R}");
            Report("val_accuracy", $"{valCorrect / (double)ValidationSamples:R}");
        }
    }
}
