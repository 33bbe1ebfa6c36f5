using System.Diagnostics;
using Dendrite.Distributed;

namespace Dendrite.MpiChild;

/// <summary>The scenarios the tests run, by name.</summary>
internal static class Scenarios
{
    public static readonly Dictionary<string, Action<MpiCommunicator>> All = new()
    {
        ["info"] = Info,
        ["broadcast"] = Broadcast,
        ["allreduce"] = AllReduce,
        ["iallreduce"] = IAllReduce,
        ["barrier"] = Barrier,
        ["nullref"] = NullReference,
        ["finalize"] = FinalizeOnce,
        ["exit-mid-run"] = world => DieInAllReduce(world, () => Environment.Exit(3)),
        ["failfast-mid-run"] = world => DieInAllReduce(world, () => Environment.FailFast("rank 1 fails on purpose")),
        ["abort-mid-run"] = world => DieInAllReduce(world, () => world.Abort(5)),
        ["bench"] = Timing.Bench,
        ["train"] = TrainingScenarios.Train,
    };

    private static void Info(MpiCommunicator world)
    {
        Console.WriteLine($"R{world.Rank} rank={world.Rank} size={world.Size} launched={MpiCommunicator.IsLaunchedByMpirun} " +
                          $"requested={MpiCommunicator.RequestedSize} thread={world.ThreadLevel} threads={Dendrite.Config.Threads}");
        // Init is idempotent: the same communicator comes back.
        Check.That(ReferenceEquals(MpiCommunicator.Init(), world), "a second Init returned another communicator");
    }

    private static void Broadcast(MpiCommunicator world)
    {
        foreach (int root in new[] { 0, world.Size - 1 })
        {
            float[] values = new float[1001];
            for (int i = 0; i < values.Length; i++)
                values[i] = world.Rank * 10_000 + i;
            world.Broadcast(values, root);
            for (int i = 0; i < values.Length; i++)
                Check.That(values[i] == root * 10_000 + i, $"broadcast from root {root}: values[{i}] = {values[i]}, expected {root * 10_000 + i}");

            // Random bits arrive unchanged: every rank prints the digest of root's array.
            float[] random = RandomFloats(seed: 7 + world.Rank, 100_003);
            string rootDigest = Check.Digest<float>(RandomFloats(seed: 7 + root, 100_003));
            world.Broadcast(random, root);
            Check.That(Check.Digest<float>(random) == rootDigest, $"broadcast from root {root}: random array differs from root's");
            Console.WriteLine($"R{world.Rank} broadcast-root{root}={Check.Digest<float>(random)}");
        }
    }

    private static void AllReduce(MpiCommunicator world)
    {
        int size = world.Size;
        // Exact sums: small integers and binary fractions, whose sums every summation order computes exactly.
        float[] floats = new float[1000];
        double[] doubles = new double[1000];
        for (int i = 0; i < floats.Length; i++)
        {
            floats[i] = (world.Rank + 1) * (i % 17) - 8 * (i % 3);
            doubles[i] = (world.Rank + 1) * 0.25 * (i % 13) + 1e6;
        }
        world.AllReduceSum(floats);
        world.AllReduceSum(doubles);
        int rankSum = size * (size + 1) / 2;
        for (int i = 0; i < floats.Length; i++)
        {
            float expected = rankSum * (i % 17) - size * 8 * (i % 3);
            Check.That(floats[i] == expected, $"float sum [{i}] = {floats[i]}, expected {expected}");
            double expectedDouble = rankSum * 0.25 * (i % 13) + size * 1e6;
            Check.That(doubles[i] == expectedDouble, $"double sum [{i}] = {doubles[i]}, expected {expectedDouble}");
        }

        // Random values: every rank must hold the same bits; the sum is close to the one summed here in rank order.
        const int n = 100_003;
        float[] randomFloats = RandomFloats(seed: 100 + world.Rank, n);
        double[] randomDoubles = RandomDoubles(seed: 200 + world.Rank, n);
        world.AllReduceSum(randomFloats);
        world.AllReduceSum(randomDoubles);
        double[] serialFloat = new double[n], serialDouble = new double[n];
        for (int r = 0; r < size; r++)
        {
            float[] f = RandomFloats(seed: 100 + r, n);
            double[] d = RandomDoubles(seed: 200 + r, n);
            for (int i = 0; i < n; i++)
            {
                serialFloat[i] += f[i];
                serialDouble[i] += d[i];
            }
        }
        for (int i = 0; i < n; i++)
        {
            Check.That(Math.Abs(randomFloats[i] - serialFloat[i]) <= 1e-5 * size, $"random float sum [{i}] = {randomFloats[i]}, expected about {serialFloat[i]}");
            Check.That(Math.Abs(randomDoubles[i] - serialDouble[i]) <= 1e-12 * size, $"random double sum [{i}] = {randomDoubles[i]}, expected about {serialDouble[i]}");
        }
        Console.WriteLine($"R{world.Rank} exact=ok");
        Console.WriteLine($"R{world.Rank} random-float={Check.Digest<float>(randomFloats)}");
        Console.WriteLine($"R{world.Rank} random-double={Check.Digest<double>(randomDoubles)}");
    }

    private static void IAllReduce(MpiCommunicator world)
    {
        // 400 KB, with work between the start and the wait, the buffer untouched meanwhile.
        float[] values = new float[100_000];
        for (int i = 0; i < values.Length; i++)
            values[i] = world.Rank + i % 100;
        var pending = world.StartAllReduceSum(values);
        double sink = Check.Spin(2_000_000);
        pending.Wait();
        pending.Wait();   // a second Wait returns at once
        int rankSum = world.Size * (world.Size - 1) / 2;
        for (int i = 0; i < values.Length; i++)
            Check.That(values[i] == rankSum + world.Size * (i % 100), $"iallreduce [{i}] = {values[i]}, expected {rankSum + world.Size * (i % 100)}");

        // Two reductions in flight at once, waited in reverse order.
        float[] a = [world.Rank, 1], b = [2 * world.Rank, 2];
        var first = world.StartAllReduceSum(a);
        var second = world.StartAllReduceSum(b);
        second.Wait();
        first.Wait();
        Check.That(a[0] == rankSum && a[1] == world.Size && b[0] == 2 * rankSum && b[1] == 2 * world.Size, "two reductions in flight gave wrong sums");

        // Test drives the reduction to completion without blocking; Wait then returns at once.
        float[] c = [world.Rank + 1];
        var third = world.StartAllReduceSum(c);
        var polling = Stopwatch.StartNew();
        int polls = 0;
        while (!third.Test())
        {
            polls++;
            Check.That(polling.Elapsed < TimeSpan.FromSeconds(10), "MPI_Test never reported the reduction complete");
        }
        Check.That(third.Test(), "Test after completion said false");
        third.Wait();
        Check.That(c[0] == rankSum + world.Size, $"the tested reduction gave {c[0]}, expected {rankSum + world.Size}");
        Console.WriteLine($"R{world.Rank} iallreduce=ok spin={sink > 0}");
    }

    private static void Barrier(MpiCommunicator world)
    {
        // The last rank arrives 500 ms late; rank 0 must not leave the barrier before it.
        world.Barrier();
        if (world.Rank == world.Size - 1)
            Thread.Sleep(500);
        var clock = Stopwatch.StartNew();
        world.Barrier();
        double waitedMs = clock.Elapsed.TotalMilliseconds;
        if (world.Rank == 0 && world.Size > 1)
            Check.That(waitedMs >= 400, $"rank 0 left the barrier after {waitedMs:F0} ms, before the last rank arrived (500 ms late)");
        Console.WriteLine($"R{world.Rank} barrier-waited-ms={waitedMs:F0}");
    }

    private static void FinalizeOnce(MpiCommunicator world)
    {
        int rank = world.Rank;
        world.Dispose();
        world.Dispose();   // a second Dispose does nothing (MPI_Finalize twice would be an error)
        bool disposedThrows = false, reinitThrows = false;
        try { world.Barrier(); } catch (ObjectDisposedException) { disposedThrows = true; }
        try { MpiCommunicator.Init(); } catch (InvalidOperationException) { reinitThrows = true; }
        Check.That(disposedThrows, "Barrier after Dispose did not throw ObjectDisposedException");
        Check.That(reinitThrows, "Init after Dispose did not throw InvalidOperationException");
        Console.WriteLine($"R{rank} finalize=ok");
    }

    private static void NullReference(MpiCommunicator world)
    {
        // .NET turns SIGSEGV at address 0 into NullReferenceException; Open MPI must not have replaced that handler.
        string? nothing = Environment.GetEnvironmentVariable("DENDRITE_MPI_CHILD_UNSET_VARIABLE");
        try
        {
            Console.WriteLine($"R{world.Rank} length={nothing!.Length}");
        }
        catch (NullReferenceException)
        {
            Console.WriteLine($"R{world.Rank} nullref=caught");
        }
        world.Barrier();
    }

    private static void DieInAllReduce(MpiCommunicator world, Action die)
    {
        world.Barrier();
        if (world.Rank == 1)
        {
            Thread.Sleep(300);   // rank 0 is blocked in the allreduce by now
            Console.WriteLine("R1 dying");
            Console.Out.Flush();
            die();
        }
        Console.WriteLine($"R{world.Rank} entering-allreduce");
        Console.Out.Flush();
        float[] values = new float[10];
        world.AllReduceSum(values);
        Console.WriteLine($"R{world.Rank} FAIL the allreduce returned although rank 1 died");
    }

    private static float[] RandomFloats(int seed, int n)
    {
        var random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static double[] RandomDoubles(int seed, int n)
    {
        var random = new Random(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = random.NextDouble() * 2 - 1;
        return values;
    }
}
