using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

/// <summary>The kernels' thread pool: fixed parts, every part run once, errors surfaced, no oversubscription.</summary>
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

    [Fact]
    public void EveryPartRunsExactlyOnceAndPartZeroOnTheCaller()
    {
        for (int round = 0; round < 200; round++)
        {
            var job = new RecordingJob(2);
            WorkerPool.Run(job, 2);
            Assert.Equal([1, 1], job.Runs);
            Assert.Equal(Environment.CurrentManagedThreadId, job.Threads[0]);
        }
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
