using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dendrite.CrashChild;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Saves killed with SIGKILL at random moments: a child process (tests/Dendrite.CrashChild) saves the same path in
/// a loop, iteration k holding the weights of seed k, and is killed after a seeded random delay. After every kill the
/// path holds a complete file of the last announced save (or of the one in flight, which may have completed), and no
/// temporary file of an earlier, dead writer survives a completed save.
/// </summary>
/// <remarks>
/// The number of kills per format is <c>DENDRITE_CRASH_KILLS</c> (default <see cref="DefaultKills"/>):
/// <c>DENDRITE_CRASH_KILLS=100 dotnet test tests/Dendrite.Tests -c Release --filter CrashSafe</c>.
/// The child must be built; building the test project builds it (a project reference without its assembly).
/// </remarks>
public sealed class CrashSafeWriteTests(ITestOutputHelper output)
{
    /// <summary>Kills per format when <c>DENDRITE_CRASH_KILLS</c> is not set.</summary>
    public const int DefaultKills = 100;

    /// <summary>The kill comes 0 to this many milliseconds after the child reports it is ready (several saves).</summary>
    private const int MaxDelayMs = 100;

    private static int Kills =>
        int.TryParse(Environment.GetEnvironmentVariable("DENDRITE_CRASH_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : DefaultKills;

    private static readonly NDArray<float> s_probe = CrashModel.Probe();

    [Theory]
    [InlineData("keras", "model.keras")]
    [InlineData("weights", "model.weights.h5")]
    [InlineData("onnx", "model.onnx")]
    [InlineData("checkpoint", "ckpt.keras")]
    public void KilledSavesLeaveACompleteFileAndNoOrphanedTemporaries(string mode, string fileName)
    {
        string child = ChildPath();
        string folder = Directory.CreateTempSubdirectory("dendrite-crash-").FullName;
        string path = Path.Combine(folder, fileName);
        var rng = new Random(HashCode.Combine(17, mode.Length, mode[0]));
        var expected = new Dictionary<int, float[]>();
        var clock = Stopwatch.StartNew();
        int kills = Kills, interruptedWrites = 0, inFlightCompleted = 0, beforeFirstSave = 0;
        var saves = new List<int>();
        var inChild = TimeSpan.Zero;
        try
        {
            // the state the file holds (null: no file yet) and the writers that may have died leaving a temporary file
            (int K, string? Digest)? current = null;
            var mayHaveLeftovers = new HashSet<int>();
            for (int run = 0; run < kills; run++)
            {
                int first = run * 1_000_000;
                int delay = rng.Next(MaxDelayMs + 1);
                var childClock = Stopwatch.StartNew();
                var (pid, lines) = RunAndKill(child, mode, path, first, delay);
                inChild += childClock.Elapsed;

                var saved = lines.Where(l => l.StartsWith("saved ", StringComparison.Ordinal)).Select(l => int.Parse(l[6..], CultureInfo.InvariantCulture)).ToList();
                var announced = lines.Where(l => l.StartsWith("saving ", StringComparison.Ordinal))
                    .Select(l => l[7..].Split(' '))
                    .ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => p.Length > 1 ? p[1] : null);
                saves.Add(saved.Count);

                // the candidates: the last completed save (or the previous run's state), and the announced one after it
                var candidates = new List<(int K, string? Digest)?>();
                if (saved.Count > 0)
                    candidates.Add((saved[^1], announced[saved[^1]]));
                else
                {
                    candidates.Add(current);
                    beforeFirstSave++;
                }
                int next = saved.Count > 0 ? saved[^1] + 1 : first;
                if (announced.TryGetValue(next, out string? nextDigest))
                    candidates.Add((next, nextDigest));

                var found = Identify(mode, path, candidates, expected);
                Assert.True(found is not null || !File.Exists(path),
                    $"run {run} ({mode}, killed after {delay} ms, {saved.Count} saves): {path} matches none of the candidate saves {string.Join(", ", candidates.Select(c => c?.K.ToString(CultureInfo.InvariantCulture) ?? "none"))}");
                if (found is { } f && f.K == next)
                    inFlightCompleted++;
                current = found;

                // temporary files: only those of writers killed since the last completed save may remain
                if (saved.Count > 0)
                    mayHaveLeftovers.Clear();
                mayHaveLeftovers.Add(pid);
                var temporaries = Temporaries(folder);
                if (temporaries.Any(t => t.Pid == pid))
                    interruptedWrites++;
                foreach (var (name, ownerPid) in temporaries)
                    Assert.True(mayHaveLeftovers.Contains(ownerPid),
                        $"run {run} ({mode}): {name} belongs to a writer that died before the last completed save, yet it is still there");
                Assert.DoesNotContain(Directory.GetFiles(folder), f => !f.EndsWith(".tmp", StringComparison.Ordinal) && Path.GetFileName(f) != fileName);
            }

            // one more completed save, here: no temporary file of any dead writer is left
            var model = CrashModel.Build();
            CrashModel.SetIteration(model, -1);
            switch (mode)
            {
                case "weights": model.SaveWeights(path); break;
                case "onnx": model.Export(path); break;
                default: model.Save(path); break;
            }
            Assert.Equal([fileName], Directory.GetFiles(folder).Select(Path.GetFileName));

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: {kills} kills in {clock.Elapsed.TotalSeconds:F1} s ({inChild.TotalSeconds:F1} s running children), all passed; saves completed per run: median {saves.Order().ElementAt(saves.Count / 2)}, max {saves.Max()}; " +
                $"{beforeFirstSave} kills before the run's first save completed, {interruptedWrites} left a temporary file (killed mid-write), " +
                $"{inFlightCompleted} found the announced save in flight already complete"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Which candidate the file at <paramref name="path"/> holds (null when there is no file).</summary>
    private static (int K, string? Digest)? Identify(string mode, string path, List<(int K, string? Digest)?> candidates, Dictionary<int, float[]> expected)
    {
        if (!File.Exists(path))
        {
            Assert.Contains(null, candidates);
            return null;
        }
        var known = candidates.OfType<(int K, string? Digest)>().ToList();
        switch (mode)
        {
            case "checkpoint":
            {
                var model = Model.Load(path);
                string digest = CrashModel.Digest(model);
                Assert.Equal(new Shape(4, 10), model.Predict(s_probe, verbose: 0).Shape);
                return known.Cast<(int K, string? Digest)?>().FirstOrDefault(c => c!.Value.Digest == digest);
            }
            case "onnx":
            {
                using var session = new InferenceSession(path);
                string input = session.InputMetadata.Keys.Single();
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(s_probe.ToArray(), [4, 784]))]);
                float[] actual = results.Single().AsTensor<float>().ToArray();
                return known.Cast<(int K, string? Digest)?>().FirstOrDefault(c =>
                    Expected(c!.Value.K, expected).Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1e-5 + 1e-5 * Math.Abs(p.First)));
            }
            default:
            {
                Model model;
                if (mode == "weights")
                {
                    model = CrashModel.Build();
                    model.LoadWeights(path);
                }
                else
                    model = Model.Load(path);
                float[] actual = model.Predict(s_probe, verbose: 0).ToArray();
                return known.Cast<(int K, string? Digest)?>().FirstOrDefault(c => Expected(c!.Value.K, expected).SequenceEqual(actual));
            }
        }
    }

    /// <summary>The predictions on the probe of iteration <paramref name="k"/>'s model.</summary>
    private static float[] Expected(int k, Dictionary<int, float[]> cache)
    {
        if (!cache.TryGetValue(k, out float[]? values))
        {
            var model = CrashModel.Build();
            CrashModel.SetIteration(model, k);
            cache[k] = values = model.Predict(s_probe, verbose: 0).ToArray();
        }
        return values;
    }

    /// <summary>Starts the child, waits for "ready", sleeps <paramref name="delayMs"/>, kills it with SIGKILL; its pid and output.</summary>
    private static (int Pid, List<string> Lines) RunAndKill(string child, string mode, string path, int first, int delayMs)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["exec", child, mode, path, first.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        using var ready = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        // a thread of its own reads the output, so that "ready" is seen at once even when the thread pool is busy
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (line == "ready") ready.Set();
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        reader.Start();
        int pid = process.Id;
        try
        {
            if (!ready.Wait(TimeSpan.FromSeconds(60)))
                throw new Xunit.Sdk.XunitException($"the crash child ({mode}) did not get ready within 60 s (exited: {process.HasExited}): {string.Join("\n", errors)}");
            if (delayMs > 0) Thread.Sleep(delayMs);
            Assert.False(process.HasExited, $"the crash child ({mode}) stopped by itself: {string.Join("\n", errors)}");
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix: no finally blocks, no cleanup
            process.WaitForExit();
            reader.Join(); // the pipe ends with the process: every line written before the kill is read
        }
        return (pid, [.. lines]);
    }

    /// <summary>The temporary files in <paramref name="folder"/> with the writer's pid parsed from <c>.{name}.{pid}.{random}.tmp</c>.</summary>
    private static List<(string Name, int Pid)> Temporaries(string folder) =>
        [.. Directory.GetFiles(folder, "*.tmp").Select(Path.GetFileName).Select(n =>
        {
            string[] parts = n!.Split('.');
            return (n, int.Parse(parts[^3], CultureInfo.InvariantCulture));
        })];

    /// <summary>The crash child's dll, built beside the test assembly (bin/Dendrite.CrashChild/&lt;config&gt;/).</summary>
    internal static string ChildPath() =>
        TestSupport.SiblingBuild.Dll("Dendrite.CrashChild", "The crash child", "tests/Dendrite.CrashChild", "tests/Dendrite.Tests");
}
