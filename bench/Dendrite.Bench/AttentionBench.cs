using System.Diagnostics;
using System.Globalization;
using Dendrite.Layers;
using Dendrite.Training;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// Training steps of a multi-head self-attention block, Dendrite against TorchSharp: (batch 64, 64 steps, 128
/// features) → MultiHeadAttention(4 heads of 32) → Dense(128) → mean squared error, Adam. The same work on both sides:
/// the q/k/v and output projections, scores, softmax, the weighted sum, their gradients and the update.
/// Both run in this process, one after the other; each time is the median of repeated runs of a number of steps.
/// </summary>
internal static class AttentionBench
{
    private const int Batch = 64, Steps = 64, Features = 128, Heads = 4, HeadDim = Features / Heads;

    public static string Run(Options options, string? torchError)
    {
        int runs = options.Quick ? 3 : Math.Max(5, options.Runs);
        int stepsPerRun = options.Quick ? 10 : 30;
        var (dendrite, bytesPerStep) = Dendrite(runs, stepsPerRun);
        var torch = torchError is null ? Torch(runs, stepsPerRun) : null;

        var table = new MarkdownTable("framework", "ms / training step (median)", "runs (ms / step)", "samples / s");
        void Row(string name, List<double>? times)
        {
            double median = times is null ? double.NaN : Timing.Median(times);
            table.Add(name, Fmt.F(median, 2), times is null ? Fmt.NA : string.Join(", ", times.Select(t => Fmt.F(t, 2))), Fmt.N0(Batch / median * 1000));
        }
        Row("Dendrite", dendrite);
        Row("TorchSharp", torch);
        double d = Timing.Median(dendrite), t = torch is null ? double.NaN : Timing.Median(torch);
        table.Add("Dendrite/TorchSharp (time)", Fmt.Ratio(d, t), "", "");

        var sb = new System.Text.StringBuilder();
        sb.Append(table).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"Each run times {stepsPerRun} training steps after warm-up; the median of {runs} runs is shown. Goal: Dendrite at most 0.5× TorchSharp's time. ")
          .Append(CultureInfo.InvariantCulture, $"Dendrite: `Input([{Steps}, {Features}])` → `MultiHeadAttention({Heads}, keyDim: {HeadDim}).Call(x, x)` → `Dense({Features})`, `Compile(\"adam\", \"mean_squared_error\")`, steps through the `TrainingSession` that `Fit` drives (a recorded, replayed step). ")
          .Append(CultureInfo.InvariantCulture, $"TorchSharp: `nn.MultiheadAttention({Features}, {Heads})` (inputs (time, batch, features), need_weights false) → `Linear({Features}, {Features})`, `MSELoss`, `optim.Adam(lr 1e-3)`, zero_grad/forward/backward/step per batch.\n");
        sb.Append(CultureInfo.InvariantCulture, $"\nDendrite's managed allocation per replayed step, all threads: {Fmt.N0(bytesPerStep)} bytes (GC.GetTotalAllocatedBytes(precise: true) across the timed steps).\n");
        if (torchError is not null) sb.Append(CultureInfo.InvariantCulture, $"\nTorchSharp did not load: {torchError}\n");
        return sb.ToString();
    }

    private static (float[] X, float[] Y) Data(int samples)
    {
        var random = new Random(5);
        var x = new float[samples * Steps * Features];
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) { x[i] = (float)(random.NextDouble() * 2 - 1); y[i] = (float)(random.NextDouble() * 2 - 1); }
        return (x, y);
    }

    private static (List<double> Times, double BytesPerStep) Dendrite(int runs, int stepsPerRun)
    {
        Console.Error.WriteLine($"  Dendrite: {runs} runs of {stepsPerRun} steps …");
        int samples = Batch * 4;
        var (xs, ys) = Data(samples);
        var x = new NDArray<float>(xs, samples, Steps, Features);
        var y = new NDArray<float>(ys, samples, Steps, Features);
        Utils.SetRandomSeed(11);
        var input = new Input([Steps, Features]);
        var attended = new MultiHeadAttention(Heads, HeadDim).Call(input, input);
        var model = new Model(input, new Dense(Features).Call(attended));
        model.Compile(optimizer: "adam", loss: "mean_squared_error");
        var session = new TrainingSession(model, x, y, Batch);
        var rows = Enumerable.Range(0, samples).ToArray();
        int cursor = 0;
        void Step()
        {
            session.Step(rows.AsSpan(cursor, Batch));
            cursor = (cursor + Batch) % samples;
        }
        for (int i = 0; i < 10; i++) Step(); // record the step, warm the JIT and the workspace
        var times = new List<double>();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < stepsPerRun; i++) Step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / stepsPerRun);
        }
        double bytesPerStep = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)(runs * stepsPerRun);
        return (times, bytesPerStep);
    }

    private static List<double> Torch(int runs, int stepsPerRun)
    {
        Console.Error.WriteLine($"  TorchSharp: {runs} runs of {stepsPerRun} steps …");
        torch.manual_seed(11);
        int samples = Batch * 4;
        var (xs, ys) = Data(samples);
        // (time, batch, features), the layout torch's MultiheadAttention takes.
        using var x = torch.tensor(xs, [samples, Steps, Features]).transpose(0, 1).contiguous();
        using var y = torch.tensor(ys, [samples, Steps, Features]).transpose(0, 1).contiguous();
        using var attention = torch.nn.MultiheadAttention(Features, Heads);
        using var dense = torch.nn.Linear(Features, Features);
        using var loss = torch.nn.MSELoss();
        var parameters = attention.parameters().Concat(dense.parameters()).ToList();
        using var optimizer = torch.optim.Adam(parameters, lr: 1e-3);
        int cursor = 0;
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var xb = x.narrow(1, cursor, Batch);
            var yb = y.narrow(1, cursor, Batch);
            optimizer.zero_grad();
            var (attended, _) = attention.call(xb, xb, xb, null, false, null);
            var output = loss.forward(dense.forward(attended), yb);
            output.backward();
            optimizer.step();
            cursor = (cursor + Batch) % samples;
        }
        for (int i = 0; i < 10; i++) Step();
        var times = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < stepsPerRun; i++) Step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / stepsPerRun);
        }
        return times;
    }
}
