using System.Globalization;

namespace DigitServer.Load;

/// <summary>Another process's CPU time (user + system), from Linux's /proc; NaN elsewhere.</summary>
internal static class ProcessCpu
{
    internal static double Seconds(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ..." — fields after the command name; utime and stime are the 14th and 15th
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0;   // USER_HZ, 100 on Linux
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }
}
