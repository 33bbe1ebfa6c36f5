// Dendrite vs TorchSharp, side by side, in one invocation:
//   dotnet run --project bench/Dendrite.Bench -c Release -- [--quick] [--write] [--only gemm|train|conv|predict|rnn|attention]
// Prints Markdown tables; full runs also write them to bench/RESULTS.md. See bench/README.md.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Dendrite.Bench;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}
if (options.Child is not null) return ChildProcess.RunAsChild(options);

var started = DateTime.UtcNow;
string loadAtStart = MachineInfo.LoadAverage();
var report = new StringBuilder();
var otherLoad = new List<(string Section, double Cores)>();
var sectionStart = CpuSample.Take();
void Section(string title, string body)
{
    var now = CpuSample.Take();
    otherLoad.Add((title.Split(':')[0], now.OtherCoresSince(sectionStart)));
    string text = $"## {title}\n\n{body}\n";
    report.Append(text);
    Console.Out.Write(text);
    Console.Out.Flush();
    sectionStart = CpuSample.Take();
}

Console.Error.WriteLine("Loading TorchSharp …");
string? torchError = TorchRuntime.TryInitialize();
if (torchError is not null) Console.Error.WriteLine($"TorchSharp could not be loaded; its columns will be n/a. {torchError}");

string header;
{
    string command = "dotnet run --project bench/Dendrite.Bench -c Release" + (options.Raw.Count > 0 ? " -- " + string.Join(' ', options.Raw) : "");
    var h = new StringBuilder();
    h.Append("# Dendrite vs TorchSharp: benchmark results\n\n");
    h.Append(CultureInfo.InvariantCulture, $"- Date: {started:yyyy-MM-dd HH:mm} UTC\n");
    h.Append(CultureInfo.InvariantCulture, $"- Machine: {MachineInfo.CpuModel()}, {MachineInfo.CpuTopology()}, {MachineInfo.MemoryTotal()} RAM; {MachineInfo.SimdSupport()}\n");
    h.Append(CultureInfo.InvariantCulture, $"- OS: {RuntimeInformation.OSDescription}\n");
    h.Append(CultureInfo.InvariantCulture, $"- .NET: {RuntimeInformation.FrameworkDescription} ({MachineInfo.RuntimeSettings()})\n");
    h.Append(CultureInfo.InvariantCulture, $"- TorchSharp: {TorchRuntime.TorchSharpVersion} (TorchSharp-cpu, LibTorch {TorchRuntime.LibTorchVersion})\n");
    h.Append(CultureInfo.InvariantCulture, $"- Command: `{command}`\n\n");
    header = h.ToString();
}
Console.Out.Write(header);

sectionStart = CpuSample.Take();
Console.Error.WriteLine("Measuring the machine's FMA peak …");
var peaks = Peak.Measure(options.Quick);
double peak = peaks.Where(p => p.AllCores).Max(p => p.GFlops);
string? busyWarning = null;
{
    var table = new MarkdownTable("kernel (registers only)", "GFLOP/s");
    foreach (var p in peaks.Where(p => p.AllCores)) table.Add(p.Kernel, Fmt.F(p.GFlops, 1));
    table.Add("**peak** (the best all-core result; the denominator of every % of peak)", "**" + Fmt.F(peak, 1) + "**");
    var single = peaks.FirstOrDefault(p => !p.AllCores);
    if (single is not null)
    {
        table.Add(single.Kernel, Fmt.F(single.GFlops, 1));
        double scaling = peak / (single.GFlops * Environment.ProcessorCount);
        if (scaling < 0.85)
            busyWarning = $"**The machine was busy:** all {Environment.ProcessorCount} cores together reached only {scaling * 100:F0} % of {Environment.ProcessorCount} × one thread's FMA rate, so another process held a core. Every number in this run is suspect, the peak is understated (and % of peak overstated), and multi-threaded libraries (TorchSharp's OpenMP especially) can slow down many times over.";
    }
    Section("Machine peak", table + "\nOne fused multiply-add on 8 floats counts 16 FLOP (32 on 16 floats); best of several runs.\n"
        + (busyWarning is null ? "" : "\n" + busyWarning + "\n"));
}

if (options.Enabled("gemm"))
{
    Console.Error.WriteLine("SGEMM …");
    Section("SGEMM", GemmBench.Run(options, peak, torchError)
        + "\nGFLOP/s = 2·M·K·N / median time of repeated calls after warm-up, float32, row-major. Dendrite: `Gemm.Multiply(a, b, c, m, k, n, transposeA)` into a preallocated C; "
        + "TorchSharp: `torch.matmul(a, b)` (with `a.t()`, a view, when A is transposed), which allocates its result every call. Ratio > 1: Dendrite is faster.\n");
}
if (options.Enabled("train"))
{
    Console.Error.WriteLine("Training …");
    Section("Training: MNIST, 784 → Dense(512, relu) → Dense(10, softmax), RMSprop, batch 128", TrainBench.Run(options, peak, torchError));
}
if (options.Enabled("conv"))
{
    Console.Error.WriteLine("Convnet training …");
    Section("Convnet training: Keras' simple MNIST convnet, Adam, batch 128, one epoch", ConvBench.Run(options, peak, torchError));
}
if (options.Enabled("rnn"))
{
    Console.Error.WriteLine("Recurrent training …");
    Section("Recurrent training: MNIST rows (28 steps × 28 features), LSTM(128) and GRU(128) → Dense(10), Adam, batch 128, epoch time", RecurrentBench.Run(options, peak, torchError));
}

if (options.Enabled("attention"))
{
    Console.Error.WriteLine("Attention training …");
    Section("Attention training: MultiHeadAttention(4 heads of 32) + Dense(128), batch 64, 64 steps of 128 features, Adam", AttentionBench.Run(options, torchError));
}
if (options.Enabled("predict"))
{
    Console.Error.WriteLine("Predict …");
    Section("Predict", PredictBench.Run(options, torchError));
}

var notes = new List<string>
{
    $"TorchSharp threads: intra-op {TorchRuntime.IntraOpThreads} (torch.set_num_threads({Environment.ProcessorCount})), inter-op {TorchRuntime.InterOpThreads} (torch.set_num_interop_threads(1)); Dendrite's Gemm splits products over up to {Dendrite.Kernels.Gemm.MaxThreads} threads.",
    $"Load average at start: {loadAtStart}; at end: {MachineInfo.LoadAverage()} (1, 5, 15 min). Other work on the machine makes every number noisy{(options.Quick ? "; this was a --quick run (fewer repetitions)" : "")}.",
};
if (otherLoad.Any(l => double.IsFinite(l.Cores)))
{
    notes.Insert(0, "CPU time other processes took while each section ran, in cores (0 = a quiet machine): "
        + string.Join(", ", otherLoad.Select(l => $"{l.Section} {Fmt.F(l.Cores, 2)}")) + ".");
    if (otherLoad.Any(l => l.Cores > 0.2))
        notes.Insert(0, $"**Other processes were using the CPU during this run** (up to {Fmt.F(otherLoad.Max(l => l.Cores), 2)} of {Environment.ProcessorCount} cores on average over a section): its numbers are noisy, TorchSharp's OpenMP threads especially can slow down many times over when a core is taken. Rerun on a quiet machine before comparing.");
}
if (busyWarning is not null) notes.Insert(0, busyWarning);
if (torchError is not null) notes.Add($"TorchSharp could not be loaded: {torchError}");
notes.AddRange(TorchRuntime.Notes);
Section("Notes", string.Concat(notes.Select(n => "- " + n + "\n")));

if (options.WritesResults)
{
    string? root = FindRepositoryRoot();
    if (root is null)
    {
        Console.Error.WriteLine("Could not find the repository root (Dendrite.slnx); RESULTS.md not written.");
    }
    else
    {
        string path = Path.Combine(root, "bench", "RESULTS.md");
        File.WriteAllText(path, header + "See bench/README.md for what each column means.\n\n" + report);
        Console.Error.WriteLine($"Wrote {path}");
    }
}
return 0;

static string? FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
    return null;
}
