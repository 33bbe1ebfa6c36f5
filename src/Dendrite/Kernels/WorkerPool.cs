using System.Runtime.ExceptionServices;

namespace Dendrite.Kernels;

/// <summary>
/// A piece of parallel work cut into <c>parts</c> tiles. <c>Execute(part, parts)</c> must compute the same thing
/// whichever thread calls it and in whatever order the tiles run: each tile writes its own outputs (a sum across tiles
/// goes to a per-tile slot that the caller adds up in a fixed order afterwards), so results are bit-identical for any
/// thread count and any timing.
/// </summary>
internal interface IParallelJob
{
    void Execute(int part, int parts);
}

/// <summary>
/// The kernels' threads: persistent workers that, beside the calling thread, take a job's tiles one at a time from a
/// shared counter until none is left. Compared with <c>Parallel.For</c> it allocates nothing and wakes in well under a
/// microsecond when the workers are spinning (they spin ~200 µs after each job, then sleep).
/// </summary>
/// <remarks>
/// <para>
/// Tiles are taken dynamically, so no thread waits for a fixed partner: on a shared host where another tenant takes a
/// core for a moment, the thread that still runs takes the tiles the stalled one would have had. The caller returns
/// once every tile is done; it never waits for a worker that has not woken yet (that worker finds the counter spent,
/// or a newer job's counter, and takes nothing it should not).
/// </para>
/// <para>
/// The counter is one 64-bit word, the job's generation in the high half and the next tile in the low half: a tile is
/// claimed by a compare-and-swap on the whole word, so a worker that read the previous job cannot claim a tile of the
/// next one. Only one job runs at a time. A caller that finds the pool busy (another thread's job, or a kernel called
/// from inside a job) runs all tiles itself, in order, so nested or concurrent use never oversubscribes the cores.
/// </para>
/// </remarks>
internal static class WorkerPool
{
    /// <summary>How long an idle worker spins before it sleeps: long enough to bridge the gaps between the matrix
    /// products of a training step, short enough not to burn a core when nothing follows.</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5_000; // 200 µs

    private static readonly object s_startLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;
    private static int s_maxThreads = InitialThreads();

    // The running job. Written by the caller before it publishes the job's generation in s_ticket.
    private static IParallelJob? s_job;
    private static int s_parts;
    private static long s_ticket;      // (generation << 32) | next tile
    private static int s_done;         // tiles finished in this generation
    private static Exception? s_error; // the first tile failure of this generation

    private static int InitialThreads()
    {
        int threads = Config.ThreadsFromEnvironment(Environment.GetEnvironmentVariable(Config.ThreadsVariable), out string? problem);
        if (problem is not null) Console.Error.WriteLine(problem);
        return threads;
    }

    /// <summary>How many threads (the caller included) a job may use; at least 1.</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set => s_maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"MaxThreads must be at least 1, got {value}.");
    }

    /// <summary>Tiles per thread that splittable work is cut into (<see cref="Tiles"/>).</summary>
    public const int TilesPerThread = 4;

    /// <summary>
    /// How many tiles to cut <paramref name="items"/> independent items (images, chunks of rows) into: a few per thread,
    /// so a thread that loses its core for a moment leaves the rest to the others; never more than there are items.
    /// </summary>
    public static int Tiles(int items) => Math.Max(1, Math.Min(items, TilesPerThread * MaxThreads));

    /// <summary>
    /// Runs tiles 0..<paramref name="parts"/>-1 of <paramref name="job"/> on up to <see cref="MaxThreads"/> threads
    /// (never more than there are tiles) and returns when all are done. Rethrows the first tile's exception.
    /// </summary>
    public static void Run(IParallelJob job, int parts)
    {
        int threads = Math.Min(MaxThreads, parts);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int part = 0; part < parts; part++) job.Execute(part, parts);
            return;
        }
        try
        {
            var workers = EnsureWorkers(threads - 1);
            s_job = job;
            s_parts = parts;
            s_error = null;
            Volatile.Write(ref s_done, 0);
            long generation = (Volatile.Read(ref s_ticket) >> 32) + 1;
            Interlocked.Exchange(ref s_ticket, generation << 32); // publishes the job (a full fence)
            for (int w = 0; w < threads - 1; w++) workers[w].Wake();
            TakeTiles();
            // Wait for the tiles other threads hold. Spin and yield, never sleep: Thread.Sleep would throw
            // ThreadInterruptedException on an interrupted thread and leave a worker running on pointers that are
            // about to be unpinned.
            for (int spins = 0; Volatile.Read(ref s_done) < parts; spins++)
            {
                if (spins < 64) Thread.SpinWait(16);
                else Thread.Yield();
            }
            var failure = s_error;
            s_job = null;
            if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Claims and runs tiles of the current generation until none is left.</summary>
    private static void TakeTiles()
    {
        while (true)
        {
            long ticket = Volatile.Read(ref s_ticket);
            // Read after the ticket: the job and tile count of this generation (the caller wrote them before it).
            var job = Volatile.Read(ref s_job);
            int parts = Volatile.Read(ref s_parts);
            int tile = (int)(ticket & 0xFFFF_FFFF);
            if (job is null || tile >= parts) return;
            // The claim succeeds only if the word is unchanged: same generation, so job and parts are this one's.
            if (Interlocked.CompareExchange(ref s_ticket, ticket + 1, ticket) != ticket) continue;
            try { job.Execute(tile, parts); }
            catch (Exception e) { Interlocked.CompareExchange(ref s_error, e, null); }
            Interlocked.Increment(ref s_done);
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        var workers = s_workers;
        if (workers.Length >= count) return workers;
        lock (s_startLock)
        {
            if (s_workers.Length < count)
            {
                var grown = new Worker[count];
                Array.Copy(s_workers, grown, s_workers.Length);
                for (int i = s_workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
                s_workers = grown;
            }
            return s_workers;
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _posted;   // wake-ups posted to this worker
        private int _sleeping; // 1 while it waits on _wake

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Dendrite kernel worker {index}" };
            thread.Start();
        }

        public void Wake()
        {
            // Full fences on both sides (Dekker): either the worker sees the new post, or we see it asleep and wake it.
            Interlocked.Increment(ref _posted);
            if (Volatile.Read(ref _sleeping) == 1) _wake.Release();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long spinStart = System.Diagnostics.Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _posted) == seen)
                {
                    if (System.Diagnostics.Stopwatch.GetTimestamp() - spinStart < SpinTicks) { Thread.SpinWait(8); continue; }
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _posted) == seen) _wake.Wait(); // a Wake that saw _sleeping releases it
                    Interlocked.Exchange(ref _sleeping, 0);
                    spinStart = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                seen = Volatile.Read(ref _posted); // several posts missed while descheduled: one pass serves the newest
                TakeTiles();
            }
        }
    }
}
