using Dendrite.Fuzz;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Fuzz;

/// <summary>
/// Replays what the AFL++ campaigns (fuzz/) found and kept through the same parser entry points as the harness
/// (fuzz/Dendrite.Fuzz/FuzzTargets.cs, compiled into this assembly): every crash or hang input, minimised
/// (Fuzz/Regressions/&lt;format&gt;), a sample of each final queue (Fuzz/Corpus/&lt;format&gt;) and the seeds
/// (fuzz/corpus/&lt;format&gt;). Each must load or fail with the parser's documented exception (DatasetException for
/// the datasets, ModelFormatException for model and weights files), within 5 seconds, allocating less than 256 MiB in
/// all (so its peak memory stays below that too). No fuzzer is needed.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private readonly FuzzTargets _targets = new(Path.Combine(Path.GetTempPath(), $"dendrite-fuzz-tests-{Guid.NewGuid():N}"));

    /// <summary>Every replayed file: (format, path relative to the repository root).</summary>
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string format in FuzzTargets.Formats)
        {
            foreach (string folder in (string[])[
                Path.Combine("tests", "Dendrite.Tests", "Fuzz", "Regressions", format),
                Path.Combine("tests", "Dendrite.Tests", "Fuzz", "Corpus", format),
                Path.Combine("fuzz", "corpus", format)])
            {
                string full = Path.Combine(RepoPaths.RepoRoot, folder);
                if (!Directory.Exists(full)) continue;
                foreach (string file in Directory.GetFiles(full).Order(StringComparer.Ordinal))
                    if (Path.GetFileName(file) != ".gitkeep") data.Add(format, Path.GetRelativePath(RepoPaths.RepoRoot, file));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task AFuzzedInputLoadsOrFailsWithTheDocumentedException(string format, string file)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(RepoPaths.RepoRoot, file));
        // Run elsewhere so that a hang fails the test after the limit instead of stalling the run.
        const long memoryLimit = 256L << 20;
        long allocated = 0;
        var run = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { return _targets.Run(format, bytes); }
            finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
        });
        var first = await Task.WhenAny(run, Task.Delay(Limit));
        Assert.True(first == run, $"{file} ({format}) took more than {Limit.TotalSeconds} s");
        try
        {
            await run;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{file} ({format}) threw {e.GetType().FullName}, not the documented exception: {e}");
        }
        Assert.True(allocated < memoryLimit, $"{file} ({format}) allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void EveryFormatHasSeedsToReplay()
    {
        var formats = Inputs().Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(FuzzTargets.Formats.Order(), formats.Order());
    }

    public void Dispose() => _targets.Dispose();
}
