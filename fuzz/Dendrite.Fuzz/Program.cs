using SharpFuzz;

namespace Dendrite.Fuzz;

/// <summary>
/// Entry point. <c>Dendrite.Fuzz FORMAT</c> runs under afl-fuzz (SharpFuzz persistent mode);
/// <c>Dendrite.Fuzz replay FORMAT PATH…</c> runs files or folders once each and prints the outcome;
/// <c>Dendrite.Fuzz seeds DIR</c> writes the Dendrite-made seed files (weights, keras) into DIR/&lt;format&gt;/.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["replay", var format, .. var paths]) return Replay(format, paths);
        if (args is ["seeds", var dir]) { Seeds.Write(dir); return 0; }
        if (args is [var f] && FuzzTargets.Formats.Contains(f)) { Fuzz(f); return 0; }
        Console.Error.WriteLine($"usage: Dendrite.Fuzz FORMAT | replay FORMAT PATH... | seeds DIR   (FORMAT: {string.Join(", ", FuzzTargets.Formats)})");
        return 2;
    }

    private static void Fuzz(string format)
    {
        using var targets = new FuzzTargets(FuzzTargets.DefaultDirectory());
        var buffer = new MemoryStream();
        // Only the documented exception is caught (in Run); anything else escapes to SharpFuzz, which reports it to
        // afl-fuzz as a crash. The dataset formats run in persistent mode (one process, many inputs). The HDF5 formats
        // run out of process: in persistent mode something killed the whole process during the first weights campaign,
        // which afl-fuzz cannot attribute to an input, while SharpFuzz's out-of-process mode restarts the runner and
        // reports the input that killed it.
        Action<Stream> run = stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            targets.Run(format, buffer.ToArray());
        };
        if (format is "idx" or "npz" or "kerasnpz" || Environment.GetEnvironmentVariable("FUZZ_PERSISTENT") == "1") Fuzzer.Run(run);
        else Fuzzer.OutOfProcess.Run(run);
    }

    private static int Replay(string format, string[] paths)
    {
        using var targets = new FuzzTargets(FuzzTargets.DefaultDirectory());
        int bad = 0;
        var files = paths.SelectMany<string, string>(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : [p]);
        foreach (string file in files)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            string outcome;
            try { outcome = targets.Run(format, File.ReadAllBytes(file)); }
            catch (Exception e) { outcome = $"BUG {e.GetType().FullName}: {e.Message}\n{e.StackTrace}"; bad++; }
            string line = outcome.Length > 400 && !outcome.StartsWith("BUG", StringComparison.Ordinal) ? outcome[..400] + "…" : outcome;
            Console.WriteLine($"{Path.GetFileName(file)} [{watch.ElapsedMilliseconds} ms]: {line}");
        }
        return bad == 0 ? 0 : 1;
    }
}
