using System.Reflection;
using ElfWeakVersion;
using TorchSharp;

namespace Dendrite.Bench;

/// <summary>
/// Loads TorchSharp once, with the thread settings the benchmark compares at: intra-op threads = cores, inter-op
/// threads = 1. Before the native library is loaded it makes sure the copy beside the benchmark has its
/// GLIBCXX_3.4.32 requirement marked weak (the build does this; this is the fallback when it did not).
/// </summary>
internal static class TorchRuntime
{
    public const string WeakVersion = "GLIBCXX_3.4.32";

    private static bool s_tried;
    private static string? s_error;

    /// <summary>Notes for the report: what was patched at start-up, the thread settings that took effect.</summary>
    public static List<string> Notes { get; } = [];

    public static int IntraOpThreads { get; private set; }
    public static int InterOpThreads { get; private set; }
    public static string LibTorchVersion { get; private set; } = "?";

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>Loads TorchSharp; returns null, or why it could not be loaded (the report then shows n/a for it).</summary>
    public static string? TryInitialize()
    {
        if (s_tried) return s_error;
        s_tried = true;
        try
        {
            EnsureWeakVersionRequirement();
            Load();
        }
        catch (Exception ex)
        {
            s_error = Describe(ex);
        }
        return s_error;
    }

    // Kept apart so that no TorchSharp code runs before the patch check above.
    private static void Load()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        try
        {
            torch.set_num_interop_threads(1);
        }
        catch (Exception ex)
        {
            Notes.Add($"torch.set_num_interop_threads(1) failed: {Describe(ex)}");
        }
        IntraOpThreads = torch.get_num_threads();
        InterOpThreads = torch.get_num_interop_threads();
        LibTorchVersion = torch.__version__;
        using var a = torch.ones(4, 4);
        using var p = torch.matmul(a, a);
        using var s = p.sum();
        if (s.item<float>() != 64f) throw new InvalidOperationException("TorchSharp's smoke-test matmul gave a wrong result.");
    }

    private static string Describe(Exception ex)
    {
        while (ex.InnerException is not null && ex is TypeInitializationException or TargetInvocationException) ex = ex.InnerException;
        string first = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return $"{ex.GetType().Name}: {first}";
    }

    /// <summary>Marks the version requirement weak in libLibTorchSharp.so beside the benchmark, if it is still strong.</summary>
    private static void EnsureWeakVersionRequirement()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dir = AppContext.BaseDirectory;
        foreach (var path in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
        {
            if (!File.Exists(path)) continue;
            try
            {
                if (!ElfVersionPatcher.HasStrongRequirement(path, WeakVersion)) continue;
                ElfVersionPatcher.MarkWeak(path, WeakVersion);
                Notes.Add($"The build had not patched {Path.GetFileName(path)}; the benchmark marked its {WeakVersion} requirement weak at start-up.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Notes.Add($"Could not check or patch {path}: {ex.Message}");
            }
        }
    }
}
