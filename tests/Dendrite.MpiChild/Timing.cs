using System.Diagnostics;
using Dendrite.Distributed;

namespace Dendrite.MpiChild;

/// <summary>
/// The measurements the README quotes: allreduce latency for 4 B and 400 KB, and whether a non-blocking allreduce
/// advances while the rank computes without entering MPI. Rank 0 prints the figures.
/// </summary>
internal static class Timing
{
    public static void Bench(MpiCommunicator world)
    {
        float[] small = new float[1];
        float[] large = new float[100_000];
        double smallUs = MedianMicroseconds(world, 2000, () => world.AllReduceSum(small));
        double largeUs = MedianMicroseconds(world, 200, () => world.AllReduceSum(large));
        double nonBlockingUs = MedianMicroseconds(world, 200, () => world.StartAllReduceSum(large).Wait());
        Report(world, $"allreduce-4B-us={smallUs:F1}");
        Report(world, $"allreduce-400KB-us={largeUs:F1}");
        Report(world, $"iallreduce-wait-400KB-us={nonBlockingUs:F1}");

        // Overlap: start, compute ~5x the reduction's time without calling MPI (here or on another thread), then wait.
        // If the reduction had advanced during the work, the wait would be short.
        long iterations = Calibrate(largeUs * 5);
        foreach (bool otherThread in new[] { false, true })
        {
            var waits = new List<double>();
            var works = new List<double>();
            for (int trial = 0; trial < 30; trial++)
            {
                world.Barrier();
                var pending = world.StartAllReduceSum(large);
                var clock = Stopwatch.StartNew();
                if (otherThread)
                    Task.Run(() => Check.Spin(iterations)).Wait();
                else
                    Check.Spin(iterations);
                works.Add(clock.Elapsed.TotalMicroseconds);
                clock.Restart();
                pending.Wait();
                waits.Add(clock.Elapsed.TotalMicroseconds);
            }
            string where = otherThread ? "other-thread" : "same-thread";
            Report(world, $"overlap-{where}-work-us={Median(works):F0}");
            Report(world, $"overlap-{where}-wait-us={Median(waits):F1}");
        }

        // A thread that sits in Wait (inside MPI, so Open MPI progresses the reduction) while this thread computes:
        // the time beyond the work alone is the communication left exposed.
        var exposed = new List<double>();
        var alone = new List<double>();
        for (int trial = 0; trial < 30; trial++)
        {
            world.Barrier();
            var clock = Stopwatch.StartNew();
            Check.Spin(iterations);
            alone.Add(clock.Elapsed.TotalMicroseconds);
            world.Barrier();
            clock.Restart();
            var pending = world.StartAllReduceSum(large);
            Task waiter = Task.Run(pending.Wait);
            Check.Spin(iterations);
            waiter.Wait();
            exposed.Add(clock.Elapsed.TotalMicroseconds);
        }
        Report(world, $"waiting-thread-work-alone-us={Median(alone):F0}");
        Report(world, $"waiting-thread-work-and-reduction-us={Median(exposed):F0}");
    }

    private static void Report(MpiCommunicator world, string line)
    {
        if (world.Rank == 0)
            Console.WriteLine($"R0 {line}");
    }

    /// <summary>The median over ranks' rank-0 view of <paramref name="repeats"/> timed calls after a warm-up.</summary>
    private static double MedianMicroseconds(MpiCommunicator world, int repeats, Action call)
    {
        for (int i = 0; i < repeats / 10 + 5; i++)
            call();
        world.Barrier();
        var times = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return Median(times);
    }

    /// <summary>Iterations of <see cref="Check.Spin"/> that take about <paramref name="microseconds"/>.</summary>
    private static long Calibrate(double microseconds)
    {
        const long probe = 2_000_000;
        var clock = Stopwatch.StartNew();
        Check.Spin(probe);
        return Math.Max(1000, (long)(probe * microseconds / clock.Elapsed.TotalMicroseconds));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
