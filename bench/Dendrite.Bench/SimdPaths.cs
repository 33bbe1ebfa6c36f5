using System.Text;
using Dendrite.Kernels;

namespace Dendrite.Bench;

/// <summary>
/// Which of the kernels' SIMD paths (<see cref="Simd.ActivePath"/>) a run measures, how a narrower one is reached (a
/// child process with the wider instruction sets turned off in the runtime), and how the per-path sections are
/// merged into one table per section, each row labelled with the path it came from.
/// </summary>
internal static class SimdPaths
{
    /// <summary>The <c>--path</c> names, widest first.</summary>
    public static readonly string[] Names = ["avx512", "avx2", "vector128"];

    public static string OptionName(SimdPath path) => path switch
    {
        SimdPath.Avx512 => "avx512",
        SimdPath.Avx2 => "avx2",
        _ => "vector128",
    };

    private static SimdPath FromOptionName(string name) => name switch
    {
        "avx512" => SimdPath.Avx512,
        "avx2" => SimdPath.Avx2,
        _ => SimdPath.Vector128,
    };

    /// <summary>
    /// The paths to measure, widest first. Without <c>--path</c>: this process's own, plus AVX2 when that is AVX-512
    /// (most users' CPUs have no AVX-512). A path wider than this process's cannot be reached.
    /// </summary>
    public static List<SimdPath> Resolve(Options options)
    {
        var native = Simd.ActivePath;
        var wanted = new HashSet<SimdPath>();
        if (options.PathNames.Count == 0)
        {
            wanted.Add(native);
            if (native == SimdPath.Avx512) wanted.Add(SimdPath.Avx2);
        }
        foreach (var name in options.PathNames)
        {
            if (name == "all")
            {
                foreach (var p in Enum.GetValues<SimdPath>()) if (p <= native) wanted.Add(p);
                continue;
            }
            var path = FromOptionName(name);
            if (path > native)
                throw new ArgumentException($"--path {name}: this machine's widest path is {Simd.Name(native)}; it cannot run {Simd.Name(path)}.");
            wanted.Add(path);
        }
        return wanted.OrderByDescending(p => p).ToList();
    }

    /// <summary>
    /// The runtime settings that make the JIT stop at <paramref name="path"/>: <c>DOTNET_EnableAVX512=0</c> stops
    /// accelerating Vector512 (AVX2 path); <c>DOTNET_EnableAVX2=0</c> also stops Vector256 (Vector128 path).
    /// </summary>
    /// <remarks>
    /// .NET 10 ignores the older <c>DOTNET_EnableAVX512F=0</c> (measured on this project's AVX-512 host: Vector512 stayed
    /// accelerated); it is set as well for earlier runtimes. The child checks the path it got and fails if it is wrong.
    /// </remarks>
    public static Dictionary<string, string> Environment(SimdPath path)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        // LibTorch picks its own kernels (ATen's dispatch, MKL, oneDNN) whatever .NET does; capping them too keeps
        // the comparison like for like: both libraries on the same instruction set.
        if (path < SimdPath.Avx512)
        {
            env["DOTNET_EnableAVX512"] = "0";
            env["DOTNET_EnableAVX512F"] = "0";
            env["ATEN_CPU_CAPABILITY"] = "avx2";
            env["MKL_ENABLE_INSTRUCTIONS"] = "AVX2";
            env["ONEDNN_MAX_CPU_ISA"] = "AVX2";
        }
        if (path < SimdPath.Avx2)
        {
            env["DOTNET_EnableAVX2"] = "0";
            env["ATEN_CPU_CAPABILITY"] = "default";
            env["MKL_ENABLE_INSTRUCTIONS"] = "SSE4_2";
            env["ONEDNN_MAX_CPU_ISA"] = "SSE41";
        }
        return env;
    }

    /// <summary>"DOTNET_EnableAVX512=0 DOTNET_EnableAVX512F=0 DOTNET_EnableAVX2=0", as the report prints it.</summary>
    public static string EnvironmentText(SimdPath path) => string.Join(' ', Environment(path).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>
    /// One section from the runs of every path: the first table of each run's body becomes one table with a leading
    /// "path" column (the first run's header), rows grouped by path; the text after each run's table follows,
    /// labelled with its path when there is more than one run (once when every run printed it alike). A run without a
    /// table contributes its text only.
    /// </summary>
    public static string Merge(IReadOnlyList<(string Path, string Body)> parts)
    {
        var head = new StringBuilder();
        var table = new StringBuilder();
        var tails = new StringBuilder();
        bool headerWritten = false;
        var tailsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, body) in parts)
        {
            var lines = body.Split('\n');
            int start = Array.FindIndex(lines, l => l.StartsWith('|'));
            int end = start;
            while (start >= 0 && end < lines.Length && lines[end].StartsWith('|')) end++;
            if (start >= 0 && end - start >= 2)
            {
                if (!headerWritten)
                {
                    foreach (var l in lines[..start]) head.Append(l).Append('\n');
                    table.Append("| path ").Append(lines[start]).Append('\n');
                    table.Append("| --- ").Append(lines[start + 1]).Append('\n');
                    headerWritten = true;
                }
                for (int i = start + 2; i < end; i++) table.Append("| ").Append(path).Append(' ').Append(lines[i]).Append('\n');
            }
            else
            {
                end = 0;
            }
            string tail = string.Join('\n', lines[end..]).Trim('\n');
            if (tail.Length == 0 || !tailsSeen.Add(tail)) continue; // text every path printed alike is shown once
            if (parts.Count > 1) tails.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n*{path} path:*\n\n");
            else tails.Append('\n');
            tails.Append(tail).Append('\n');
        }
        return head.ToString() + table + tails;
    }
}
