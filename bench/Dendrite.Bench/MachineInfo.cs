using System.Globalization;
using System.Runtime.InteropServices;

namespace Dendrite.Bench;

/// <summary>What the report says about the machine it ran on.</summary>
internal static class MachineInfo
{
    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static string MemoryTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    return (kb / 1024.0 / 1024.0).ToString("F0", CultureInfo.InvariantCulture) + " GiB";
                }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "?";
    }

    /// <summary>The 1-, 5- and 15-minute load averages: other work on the machine makes timings noisy.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    /// <summary>"N logical CPUs (S socket(s) × C cores × T threads)" from lscpu, or the logical CPU count alone.</summary>
    public static string CpuTopology()
    {
        string logical = $"{Environment.ProcessorCount} logical CPUs";
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("lscpu") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["LC_ALL"] = "C";
            using var p = System.Diagnostics.Process.Start(psi);
            if (p is null) return logical;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string Field(string name) => output.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "?";
            return $"{logical} ({Field("Socket(s)")} socket(s) × {Field("Core(s) per socket")} cores × {Field("Thread(s) per core")} thread(s) per core)";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return logical;
        }
    }

    /// <summary>The GC and JIT settings in effect, as read back from the runtime.</summary>
    public static string RuntimeSettings()
    {
        static string Setting(string name, string unset) => Convert.ToString(AppContext.GetData(name), CultureInfo.InvariantCulture) is { Length: > 0 } v ? v.ToLowerInvariant() : unset;
        return $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, concurrent GC {Setting("System.GC.Concurrent", "true")}, tiered PGO {Setting("System.Runtime.TieredPGO", "true")}";
    }

    public static string SimdSupport()
    {
        var parts = new List<string>();
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) parts.Add("AVX2");
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) parts.Add("FMA");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) parts.Add("AVX-512F");
        parts.Add($"Vector512 accelerated: {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "yes" : "no")}");
        return string.Join(", ", parts);
    }
}
