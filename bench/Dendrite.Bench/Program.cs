// Dendrite vs TorchSharp, side by side, in one invocation:
//   dotnet run --project bench/Dendrite.Bench -c Release -- [--quick] [--write] [--only gemm|train|conv|predict|rnn|attention|disturb] [--path avx512|avx2|vector128|all]
// Prints Markdown tables; full runs also write them to bench/RESULTS.md. See bench/README.md.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Dendrite.Bench;
using Dendrite.Kernels;

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
// "--child path-NAME" is this program again on a narrower SIMD path (see SimdPaths): it measures the same sections
// and reports each as a BENCH line for the parent to merge, instead of printing it.
string? pathChild = options.Child is { } childName && childName.StartsWith("path-", StringComparison.Ordinal) ? childName["path-".Length..] : null;
if (options.Child is not null && pathChild is null) return ChildProcess.RunAsChild(options);

var native = Simd.ActivePath;
List<SimdPath> paths;
try
{
    paths = pathChild is null ? SimdPaths.Resolve(options) : [native];
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
if (pathChild is not null)
{
    ChildProcess.Report("simd", $"{MachineInfo.SimdSupport()}");
    if (SimdPaths.OptionName(native) != pathChild)
    {
        ChildProcess.Report("error", $"asked for the {pathChild} path, but the runtime settings left the kernels on {Simd.Name(native)} ({MachineInfo.SimdSupport()}).");
        return 1;
    }
}
// Sections are printed as they come when only this process's path runs; with more paths, merged at the end.
bool printAsWeGo = pathChild is null && paths.Count == 1 && paths[0] == native;

var started = DateTime.UtcNow;
string loadAtStart = MachineInfo.LoadAverage();
var sections = new List<(string Title, string Body)>();
var otherLoad = new List<(string Section, double Cores)>();
var sectionStart = CpuSample.Take();
void Section(string title, string body)
{
    var now = CpuSample.Take();
    otherLoad.Add((title.Split(':')[0], now.OtherCoresSince(sectionStart)));
    sections.Add((title, body));
    if (pathChild is not null)
    {
        ChildProcess.Report("section", $"{Convert.ToBase64String(Encoding.UTF8.GetBytes(title + "\n" + body))}");
    }
    else if (printAsWeGo)
    {
        Console.Out.Write($"## {title}\n\n{SimdPaths.Merge([(Simd.Name(native), body)])}\n");
        Console.Out.Flush();
    }
    sectionStart = CpuSample.Take();
}

Console.Error.WriteLine("Loading TorchSharp …");
string? torchError = TorchRuntime.TryInitialize();
if (torchError is not null) Console.Error.WriteLine($"TorchSharp could not be loaded; its columns will be n/a. {torchError}");

var pathRuns = new List<string> { $"{Simd.Name(native)} (this process; {MachineInfo.SimdSupport()})" };
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
    h.Append(CultureInfo.InvariantCulture, $"- Command: `{command}`\n");
    header = h.ToString();
}
if (printAsWeGo) Console.Out.Write(header + $"- SIMD path of the kernels: {pathRuns[0]}\n\n");

if (paths.Contains(native)) RunSections();
if (pathChild is not null) return 0;

// The narrower paths, each in a child process of its own, which measures its own peak and TorchSharp in that run.
var perPath = new List<(string Path, List<(string Title, string Body)> Sections)>();
if (paths.Contains(native)) perPath.Add((Simd.Name(native), sections));
else pathRuns.Clear();
foreach (var path in paths.Where(p => p != native))
{
    string name = Simd.Name(path);
    Console.Error.WriteLine($"The {name} path, in a child process with {SimdPaths.EnvironmentText(path)} …");
    var childArgs = new List<string>();
    for (int i = 0; i < options.Raw.Count; i++)
    {
        if (options.Raw[i] == "--path") { i++; continue; }
        if (options.Raw[i] != "--write") childArgs.Add(options.Raw[i]);
    }
    var result = ChildProcess.RunWithEnvironment(SimdPaths.Environment(path), "path-" + SimdPaths.OptionName(path), [.. childArgs]);
    var childSections = new List<(string Title, string Body)>();
    foreach (var encoded in result.Texts("section"))
    {
        string text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        int cut = text.IndexOf('\n', StringComparison.Ordinal);
        childSections.Add((text[..cut], text[(cut + 1)..]));
    }
    if (result.Error is not null) childSections.Add(("Notes", $"- **The {name} run failed:** {result.Error}\n"));
    pathRuns.Add($"{name} (a child process with {SimdPaths.EnvironmentText(path)}; {result.Text("simd") ?? "?"})");
    perPath.Add((name, childSections));
}

var report = new StringBuilder();
if (printAsWeGo)
{
    foreach (var (title, body) in sections) report.Append(CultureInfo.InvariantCulture, $"## {title}\n\n{SimdPaths.Merge([(Simd.Name(native), body)])}\n");
}
else
{
    var titles = perPath.SelectMany(p => p.Sections.Select(s => s.Title)).Distinct().ToList();
    if (titles.Remove("Notes")) titles.Add("Notes"); // last, whichever run had it first
    foreach (var title in titles)
    {
        var parts = perPath.SelectMany(p => p.Sections.Where(s => s.Title == title).Select(s => (p.Path, s.Body))).ToList();
        report.Append(CultureInfo.InvariantCulture, $"## {title}\n\n{SimdPaths.Merge(parts)}\n");
    }
    Console.Out.Write(header + $"- SIMD paths of the kernels: {string.Join("; ", pathRuns)}\n\n");
    Console.Out.Write(report);
}
header += $"- SIMD path{(pathRuns.Count > 1 ? "s" : "")} of the kernels: {string.Join("; ", pathRuns)}\n\n";

void RunSections()
{
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
    if (options.Enabled("disturb"))
    {
        Console.Error.WriteLine("Disturbance …");
        Section("Shared host: the same work while another process takes a core at random moments", DisturbBench.Run(options, torchError));
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

}

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
