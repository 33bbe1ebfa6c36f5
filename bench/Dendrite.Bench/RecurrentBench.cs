using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dendrite.Datasets;
using Dendrite.Layers;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// MNIST read row by row (28 steps of 28 pixels) through LSTM(128) or GRU(128) → Dense(10), trained epoch by epoch in
/// Dendrite and in TorchSharp (<c>nn.LSTM</c> / <c>nn.GRU</c> + <c>Linear</c>), each in a child process of its own:
/// Adam, sparse categorical cross-entropy, batch 128 over the 60000 training images, no validation; the test set is
/// evaluated once at the end as a sanity check, outside the timing.
/// </summary>
internal static class RecurrentBench
{
    private const int Samples = 60000, TestSamples = 10000, Steps = 28, Features = 28, Units = 128, Classes = 10, Batch = 128;

    public static readonly string[] Cells = ["lstm", "gru"];

    /// <summary>Multiply-adds per sample and step of the cell's products: x·W (k·28·128) and h·U (k·128·128).</summary>
    private static long StepMacs(string cell) => (cell == "lstm" ? 4L : 3L) * Units * (Features + Units);

    /// <summary>
    /// FLOP of one training epoch in the matrix products: forward x·W and h·U per step; backward dh·Uᵀ, dU and dW per
    /// step (the input needs no gradient); the Dense(10) layer and every elementwise op are left out.
    /// </summary>
    private static double FlopsPerEpoch(string cell)
    {
        long k = cell == "lstm" ? 4 : 3;
        long forward = StepMacs(cell);
        long backward = k * Units * Units /* dh·Uᵀ */ + k * Units * Units /* dU */ + k * Features * Units /* dW */;
        return 2.0 * Samples * Steps * (forward + backward);
    }

    // ───────────────────────────── parent side ─────────────────────────────

    public static string Run(Options options, double peak, string? torchError)
    {
        int epochs = options.EpochsFor("rnn");
        var table = new MarkdownTable("model", "framework", "epoch times (s)", "epoch (s), median without the 1st", "samples/s",
            "effective GFLOP/s", "% of peak", "test accuracy", "peak RSS (MiB)");
        var ratios = new List<(string Cell, double Ratio)>();
        var sb = new StringBuilder();
        foreach (string cell in Cells)
        {
            var d = EpochRuns.RunChild($"rnn-dendrite-{cell}", epochs);
            var t = torchError is null ? EpochRuns.RunChild($"rnn-torch-{cell}", epochs) : ChildResult.Failed($"TorchSharp did not load: {torchError}");
            double dEpoch = EpochRuns.SteadyEpoch(d), tEpoch = EpochRuns.SteadyEpoch(t);
            string model = cell == "lstm" ? "LSTM(128)" : "GRU(128)";
            void Row(string name, ChildResult r, double epoch) =>
                table.Add(model, name, EpochRuns.EpochList(r), Fmt.F(epoch, 2), Fmt.N0(Samples / epoch), Fmt.F(FlopsPerEpoch(cell) / epoch / 1e9, 1),
                    Fmt.Pct(FlopsPerEpoch(cell) / epoch / 1e9, peak), Fmt.F(r.Number("test_accuracy"), 4), Fmt.F(r.Number("vmhwm_bytes") / (1 << 20), 0));
            Row("Dendrite", d, dEpoch);
            Row("TorchSharp", t, tEpoch);
            table.Add(model, "**Dendrite/TorchSharp**", "", "**" + Fmt.Ratio(dEpoch, tEpoch) + "**", Fmt.Ratio(tEpoch, dEpoch), Fmt.Ratio(tEpoch, dEpoch), "", "",
                Fmt.Ratio(d.Number("vmhwm_bytes"), t.Number("vmhwm_bytes")));
            ratios.Add((model, dEpoch / tEpoch));
            foreach (var (name, r) in new[] { ("Dendrite", d), ("TorchSharp", t) })
                if (r.Error is not null) sb.Append(CultureInfo.InvariantCulture, $"**{name} {model} failed:** {r.Error}\n\n");
                else sb.Append(CultureInfo.InvariantCulture, $"{name} {model} per epoch: loss {EpochRuns.Series(r, "loss")}; accuracy {EpochRuns.Series(r, "accuracy")}.\n\n");
        }
        var report = new StringBuilder();
        report.Append(table).Append('\n');
        report.Append("Target of the sequence issue: a training epoch at most 0.5× TorchSharp's. This run: ")
              .AppendJoin(", ", ratios.Select(r => double.IsFinite(r.Ratio)
                  ? FormattableString.Invariant($"{r.Cell} {r.Ratio:F2}× ({(r.Ratio <= 0.5 ? "met" : "not met")})")
                  : $"{r.Cell} n/a"))
              .Append(".\n\n");
        report.Append(CultureInfo.InvariantCulture, $"One run of {epochs} epochs per framework and model, each epoch timed on its own; the epoch column is the median of the epochs after the first (which pays for JIT compilation and first-touch page faults). ")
              .Append(CultureInfo.InvariantCulture, $"An epoch is {(Samples + Batch - 1) / Batch} training steps over the {Samples} training images ({Samples / Batch} of {Batch} and one of {Samples % Batch}), reshuffled; samples/s = {Samples} / epoch time. ")
              .Append(CultureInfo.InvariantCulture, $"Effective GFLOP/s counts 2 FLOP per multiply-add of the recurrent layer's products only: per sample and step, forward k·128·(28 + 128) (x·W and h·U), backward k·128·128 (dh·Uᵀ) + k·128·128 (dU) + k·28·128 (dW), k = 4 gates for the LSTM and 3 for the GRU; ")
              .Append(CultureInfo.InvariantCulture, $"one epoch = {FlopsPerEpoch("lstm") / 1e9:F1} GFLOP (LSTM), {FlopsPerEpoch("gru") / 1e9:F1} GFLOP (GRU). The dense layer, the gates' elementwise work, the loss and the optimizer are not counted. ")
              .Append("In the ratio rows the time and RSS columns are Dendrite ÷ TorchSharp (below 1 is better for Dendrite), samples/s and GFLOP/s Dendrite ÷ TorchSharp throughput (above 1 is better for Dendrite).\n\n");
        report.Append(sb);
        report.Append("Setup: Dendrite `Sequential(InputLayer([28, 28]), LSTM(128) | GRU(128), Dense(10, softmax))` (Keras 3 defaults: tanh, sigmoid gates, GRU reset_after), `Compile(\"adam\", \"sparse_categorical_crossentropy\", [\"accuracy\"])`, one `Fit(x, y, epochs: n, batchSize: 128, verbose: 0)` with a callback timing each epoch, on (60000, 28, 28) floats in [0, 1]. ")
              .Append("TorchSharp: `nn.LSTM(28, 128, batch_first)` | `nn.GRU(28, 128, batch_first)`, its last step's output into `Linear(128, 10)`, `CrossEntropyLoss` on the logits, `optim.Adam(lr: 1e-3, eps: 1e-7)`, batches by `index_select` on a `randperm` with the loss and accuracy tracked per step as Keras does. ")
              .Append("PyTorch keeps two bias vectors per gate (b_ih and b_hh) where Keras' LSTM has one, and initialises everything uniform(±1/√128) where Keras uses glorot-uniform, orthogonal and zeros (with a forget bias of 1): the work is the same, the accuracies are only a sanity check. ")
              .Append("Peak RSS is VmHWM of the training child process at its end, data loading included.\n");
        return report.ToString();
    }

    // ───────────────────────────── child side ─────────────────────────────

    private static void Report(string key, FormattableString value) => ChildProcess.Report(key, value);

    public static void ChildDendrite(Options options, string cell)
    {
        int epochs = options.EpochsFor("rnn");
        var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
        var x = trainImages.AsType<float>();
        x /= 255f;
        var xTest = testImages.AsType<float>();
        xTest /= 255f;
        ChildProcess.SettleAndReportRss();

        Utils.SetRandomSeed(1234);
        var model = new Sequential(
            new InputLayer(shape: [Steps, Features]),
            cell == "lstm" ? new LSTM(Units) : new GRU(Units),
            new Dense(Classes, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Fit(x, trainLabels, epochs: epochs, batchSize: Batch, verbose: 0, callbacks: [new EpochTimer("loss", "accuracy")]);
        var (_, accuracy) = model.Evaluate(xTest, testLabels, batchSize: Batch, verbose: 0);
        Report("test_accuracy", $"{accuracy:R}");
    }

    /// <summary>The recurrent layer and its last step's output into a linear layer, as the Keras model computes.</summary>
    private sealed class RowClassifier : torch.nn.Module<torch.Tensor, torch.Tensor>
    {
        private readonly TorchSharp.Modules.LSTM? _lstm;
        private readonly TorchSharp.Modules.GRU? _gru;
        private readonly TorchSharp.Modules.Linear _dense;

        public RowClassifier(string cell) : base("row_classifier")
        {
            if (cell == "lstm") _lstm = torch.nn.LSTM(Features, Units, 1, true, true);
            else _gru = torch.nn.GRU(Features, Units, 1, true, true);
            _dense = torch.nn.Linear(Units, Classes);
            RegisterComponents();
        }

        public override torch.Tensor forward(torch.Tensor x)
        {
            var hidden = _lstm is not null ? _lstm.forward(x).Item2 : _gru!.forward(x).Item2; // h_n: (1, batch, units)
            return _dense.forward(hidden.squeeze(0));
        }
    }

    public static void ChildTorch(Options options, string cell)
    {
        if (TorchRuntime.TryInitialize() is { } error) throw new InvalidOperationException($"TorchSharp did not load: {error}");
        Report("torch_threads", $"{TorchRuntime.IntraOpThreads} {TorchRuntime.InterOpThreads}");
        int epochs = options.EpochsFor("rnn");
        var ((trainImages, trainLabels), (testImages, testLabels)) = Mnist.LoadData();
        torch.Tensor X, Y, XTest, YTest;
        using (var bytes = torch.tensor(trainImages.ToArray(), [Samples, Steps, Features], dtype: torch.ScalarType.Byte))
            X = bytes.to_type(torch.ScalarType.Float32).div_(255f);
        Y = torch.tensor(trainLabels.ToArray().Select(v => (long)v).ToArray(), [Samples]);
        using (var bytes = torch.tensor(testImages.ToArray(), [TestSamples, Steps, Features], dtype: torch.ScalarType.Byte))
            XTest = bytes.to_type(torch.ScalarType.Float32).div_(255f);
        YTest = torch.tensor(testLabels.ToArray().Select(v => (long)v).ToArray(), [TestSamples]);
        ChildProcess.SettleAndReportRss();

        torch.manual_seed(1234);
        var model = new RowClassifier(cell);
        var lossFunction = torch.nn.CrossEntropyLoss();
        var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            model.train();
            var (lossSum, correct) = TorchTraining.Epoch(model, optimizer, lossFunction, X, Y, Samples, Batch);
            Report("epoch_seconds", $"{Stopwatch.GetElapsedTime(start).TotalSeconds:R}");
            Report("loss", $"{lossSum / Samples:R}");
            Report("accuracy", $"{correct / (double)Samples:R}");
        }
        model.eval();
        long testCorrect = 0;
        using (torch.no_grad())
            for (int first = 0; first < TestSamples; first += Batch)
            {
                int rows = Math.Min(Batch, TestSamples - first);
                using var scope = torch.NewDisposeScope();
                testCorrect += model.forward(XTest.narrow(0, first, rows)).argmax(1).eq(YTest.narrow(0, first, rows)).sum().item<long>();
            }
        Report("test_accuracy", $"{testCorrect / (double)TestSamples:R}");
    }
}
