using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

/// <summary>The kernels' thread pool: tiles taken dynamically, every tile run once, errors surfaced, no oversubscription.</summary>
[Collection(GlobalStateCollection.Name)]
public class WorkerPoolTests
{
    private sealed class RecordingJob(int parts, Action<int>? body = null) : IParallelJob
    {
        public readonly int[] Runs = new int[parts];
        public readonly int[] Threads = new int[parts];

        public void Execute(int part, int partCount)
        {
            Assert.Equal(Runs.Length, partCount);
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            body?.Invoke(part);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    public void EveryTileRunsExactlyOnce(int tiles)
    {
        for (int round = 0; round < 200; round++)
        {
            var job = new RecordingJob(tiles);
            WorkerPool.Run(job, tiles);
            Assert.All(job.Runs, runs => Assert.Equal(1, runs));
        }
    }

    [Fact]
    public void ATileHeldUpOnOneThreadLeavesTheOtherTilesToTheFreeThreads()
    {
        // The first tile a worker (not the caller) takes stalls until the caller has run the other 15 tiles: with
        // tiles taken dynamically it does; with fixed halves the caller would stop at 8 and the stall would time out.
        int saved = WorkerPool.MaxThreads;
        WorkerPool.MaxThreads = 2;
        try
        {
            int caller = Environment.CurrentManagedThreadId, callerTiles = 0, stalled = 0;
            bool timedOut = false;
            var job = new RecordingJob(16, _ =>
            {
                if (Environment.CurrentManagedThreadId == caller)
                {
                    // The caller's first tile waits for a worker to be holding one (a sleeping worker takes a moment to wake).
                    var wait = System.Diagnostics.Stopwatch.StartNew();
                    while (Volatile.Read(ref stalled) == 0 && wait.Elapsed < TimeSpan.FromSeconds(10)) Thread.Yield();
                    Interlocked.Increment(ref callerTiles);
                    return;
                }
                if (Interlocked.Exchange(ref stalled, 1) == 1) return;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (Volatile.Read(ref callerTiles) < 15)
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(10)) { timedOut = true; return; }
                    Thread.Yield();
                }
            });
            WorkerPool.Run(job, 16);
            Assert.All(job.Runs, runs => Assert.Equal(1, runs));
            Assert.Equal(1, stalled); // a worker took part
            Assert.False(timedOut, $"the caller ran only {callerTiles} of 16 tiles while a worker held one");
            Assert.Equal(15, callerTiles);
        }
        finally { WorkerPool.MaxThreads = saved; }
    }

    [Fact]
    public void AnExceptionInAWorkerPartReachesTheCaller()
    {
        var job = new RecordingJob(2, part => { if (part == 1) throw new InvalidOperationException("part one failed"); });
        var error = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(job, 2));
        Assert.Equal("part one failed", error.Message);
        // The pool is usable afterwards.
        var next = new RecordingJob(2);
        WorkerPool.Run(next, 2);
        Assert.Equal([1, 1], next.Runs);
    }

    [Fact]
    public void AJobStartedInsideAJobRunsInlineInsteadOfOversubscribing()
    {
        RecordingJob? inner = null;
        var outer = new RecordingJob(2, part =>
        {
            if (part != 0) return;
            inner = new RecordingJob(2);
            WorkerPool.Run(inner, 2); // the pool is busy with the outer job: all inner parts run here, in order
        });
        WorkerPool.Run(outer, 2);
        Assert.Equal([1, 1], inner!.Runs);
        Assert.Equal(inner.Threads[0], inner.Threads[1]);
    }

    [Fact]
    public void AWorkerThatFellAsleepIsWokenForTheNextJob()
    {
        WorkerPool.Run(new RecordingJob(2), 2);
        Thread.Sleep(50); // far past the spin window: the worker now waits on its semaphore
        var job = new RecordingJob(2);
        WorkerPool.Run(job, 2);
        Assert.Equal([1, 1], job.Runs);
    }

    [Fact]
    public void MaxThreadsRejectsZero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.MaxThreads = 0);
    }
}
