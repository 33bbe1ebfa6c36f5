using System.Globalization;

namespace Dendrite.Bench;

/// <summary>Reads this process's resident-set figures from /proc/self/status (Linux; elsewhere they are unknown).</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size in bytes (VmHWM), or -1 when unknown.</summary>
    public static long PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Current resident set size in bytes (VmRSS), or -1 when unknown.</summary>
    public static long ResidentBytes() => Read("VmRSS:");

    private static long Read(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var parts = line[key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024; // "VmHWM:   123456 kB"
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        catch (FormatException) { }
        return -1;
    }
}
