using System.Diagnostics;
using System.Globalization;

namespace Dendrite.Bench;

/// <summary>
/// How much CPU other processes took while a section ran: the machine's busy time from /proc/stat (steal included)
/// minus this process's and its waited-for children's CPU time from /proc/self/stat, per second of wall time.
/// Linux only; elsewhere the figures are NaN.
/// </summary>
internal readonly record struct CpuSample(long MachineBusyTicks, long OwnTicks, long Timestamp)
{
    private const double TicksPerSecond = 100; // USER_HZ, the unit of both files

    public static CpuSample Take()
    {
        long machine = -1, own = -1;
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long F(int i) => long.Parse(cpu[i], CultureInfo.InvariantCulture);
            machine = F(1) + F(2) + F(3) + F(6) + F(7) + F(8);
            // After "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14 to 17.
            string stat = File.ReadAllText("/proc/self/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            own = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)
                + long.Parse(rest[13], CultureInfo.InvariantCulture) + long.Parse(rest[14], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            machine = own = -1;
        }
        return new(machine, own, Stopwatch.GetTimestamp());
    }

    /// <summary>Cores' worth of CPU that other processes used between <paramref name="start"/> and this sample.</summary>
    public double OtherCoresSince(CpuSample start)
    {
        if (MachineBusyTicks < 0 || start.MachineBusyTicks < 0) return double.NaN;
        double seconds = Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds;
        if (seconds <= 0) return double.NaN;
        long others = (MachineBusyTicks - start.MachineBusyTicks) - (OwnTicks - start.OwnTicks);
        return Math.Max(0, others / TicksPerSecond / seconds);
    }
}
