using System.Diagnostics;
using Dendrite.Datasets;
using Dendrite.Layers;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// Inference with the north-star model's shapes (weights untrained: the work does not depend on them): one-sample
/// latency, and throughput over the 10,000 MNIST test images in batches.
/// </summary>
internal static class PredictBench
{
    private const int Inputs = 784, Hidden = 512, Classes = 10;

    public static string Run(Options options, string? torchError)
    {
        var ((_, _), (testImages, _)) = Mnist.LoadData();
        var testX = testImages.Reshape(testImages.Length, Inputs).AsType<float>() / 255f;
        int n = testX.Length;
        var one = testX[0..1];

        Utils.SetRandomSeed(5);
        var model = new Sequential(new Dense(Hidden, activation: "relu"), new Dense(Classes, activation: "softmax"));
        model.Build(Inputs);

        int calls = options.Quick ? 500 : 2000;
        int warm = options.Quick ? 100 : 200;
        int[] batches = [32, 1024];

        Console.Error.WriteLine("  predict: Dendrite …");
        double dLatency = Latency(() => model.Predict(one, verbose: 0), warm, calls);
        var dThroughput = batches.Select(bs => Throughput(() => model.Predict(testX, batchSize: bs, verbose: 0), n, options.Quick)).ToArray();

        double tLatency = double.NaN;
        var tThroughput = batches.Select(_ => double.NaN).ToArray();
        if (torchError is null)
        {
            Console.Error.WriteLine("  predict: TorchSharp …");
            Thread.Sleep(50);
            using var scope = torch.NewDisposeScope();
            var tm = torch.nn.Sequential(
                ("dense", torch.nn.Linear(Inputs, Hidden)), ("relu", torch.nn.ReLU()), ("dense_1", torch.nn.Linear(Hidden, Classes)));
            tm.eval();
            var tx = torch.tensor(testX.ToArray(), [n, Inputs]);
            var tOne = tx.narrow(0, 0, 1).contiguous();
            using (torch.no_grad())
            {
                tLatency = Latency(() =>
                {
                    using var s = torch.NewDisposeScope();
                    _ = tm.forward(tOne).softmax(1).data<float>().ToArray();
                }, warm, calls);
                for (int i = 0; i < batches.Length; i++)
                {
                    int bs = batches[i];
                    tThroughput[i] = Throughput(() =>
                    {
                        using var s = torch.NewDisposeScope();
                        var outputs = new List<torch.Tensor>((n + bs - 1) / bs);
                        for (int first = 0; first < n; first += bs)
                            outputs.Add(tm.forward(tx.narrow(0, first, Math.Min(bs, n - first))).softmax(1));
                        _ = torch.cat(outputs, 0).data<float>().ToArray();
                    }, n, options.Quick);
                }
            }
        }

        var table = new MarkdownTable("measure", "Dendrite", "TorchSharp", "Dendrite/TorchSharp");
        table.Add("latency, 1 sample (µs, median)", Fmt.F(dLatency * 1e6, 1), Fmt.F(tLatency * 1e6, 1), Fmt.Ratio(dLatency, tLatency));
        for (int i = 0; i < batches.Length; i++)
            table.Add($"throughput, {n} images, batch {batches[i]} (samples/s)", Fmt.N0(dThroughput[i]), Fmt.N0(tThroughput[i]), Fmt.Ratio(dThroughput[i], tThroughput[i]));
        return table + "\n"
            + $"Latency: median of {calls} calls after {warm} warm-up calls (and at least 1 s of them, so that the tiered JIT has optimised the code); Dendrite `model.Predict(x[0..1], verbose: 0)`, TorchSharp `forward` + `softmax` under `no_grad` on a (1, 784) tensor, its output copied to a managed array. "
            + $"Throughput: median of {(options.Quick ? 3 : 7)} passes over the test set; Dendrite `model.Predict(x, batchSize, verbose: 0)` (batch 32 is Keras' default), TorchSharp the same batches by `narrow`, outputs concatenated and copied to a managed array. "
            + "For latency the ratio is a time (below 1 is better for Dendrite); for throughput a rate (above 1 is better for Dendrite).\n";
    }

    private static double Latency(Action call, int warmup, int calls)
    {
        // Warm up for at least a second as well: .NET's tiered JIT promotes hot methods to optimised code only after
        // a 100 ms delay plus a background compile, so a few hundred quick calls would time unoptimised code.
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1.0; i++) call();
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return Timing.Median(times);
    }

    private static double Throughput(Action pass, int samples, bool quick)
    {
        var times = Timing.Repeat(pass, warmup: quick ? 1 : 2, warmupSeconds: 1.0, minReps: quick ? 3 : 7, maxReps: quick ? 3 : 7, budgetSeconds: 0);
        return samples / Timing.Median(times);
    }
}
