using Dendrite.Distribution;

namespace Dendrite.Tests.Distribution;

/// <summary>
/// The ranks of a data-parallel job as threads of this process: each collective deposits every rank's buffer, then
/// every rank sums them in rank order (so all receive bit-identical sums, as MPI's allreduce gives).
/// </summary>
internal sealed class ThreadCommunicator : ICommunicator
{
    private readonly Group _group;

    private ThreadCommunicator(Group group, int rank) => (_group, Rank) = (group, rank);

    public int Rank { get; }

    public int Size => _group.Size;

    /// <summary>One communicator per rank of a new group of <paramref name="size"/>.</summary>
    public static ThreadCommunicator[] Create(int size)
    {
        var group = new Group(size);
        return [.. Enumerable.Range(0, size).Select(rank => new ThreadCommunicator(group, rank))];
    }

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread with its distribution current.</summary>
    public static T[] Run<T>(int size, Func<DataParallel, T> body)
    {
        var communicators = Create(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = communicators.Select(c => new Thread(() =>
        {
            try
            {
                var distribution = new DataParallel(c);
                DataParallel.RunWith(distribution, () => results[c.Rank] = body(distribution));
            }
            catch (Exception e)
            {
                errors[c.Rank] = e;
                c._group.Barrier.RemoveParticipant(); // let the other ranks fail or finish instead of waiting forever
            }
        }, maxStackSize: 16 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(3)), "a rank did not finish within 3 minutes");
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException($"rank {Array.IndexOf(errors, error)} failed", error);
        return results;
    }

    public void Broadcast(Span<float> values, int root)
    {
        if (Rank == root) _group.Slots[root] = values.ToArray();
        _group.Barrier.SignalAndWait();
        if (Rank != root) _group.Slots[root]!.CopyTo(values);
        _group.Barrier.SignalAndWait();
    }

    public void AllReduceSum(Span<float> values) => Sum(values, _group.Slots);

    public void AllReduceSum(Span<double> values) => Sum(values, _group.DoubleSlots);

    /// <summary>Every rank deposits its buffer, then adds all of them in rank order (identical sums everywhere).</summary>
    private void Sum<T>(Span<T> values, T[]?[] slots) where T : System.Numerics.INumber<T>
    {
        slots[Rank] = values.ToArray();
        _group.Barrier.SignalAndWait();
        values.Clear();
        for (int r = 0; r < Size; r++)
        {
            var slot = slots[r]!;
            for (int i = 0; i < values.Length; i++) values[i] += slot[i];
        }
        _group.Barrier.SignalAndWait();
    }

    public IPendingReduction StartAllReduceSum(Memory<float> values) => new Completed(this, values);

    public void Barrier() => _group.Barrier.SignalAndWait();

    private sealed class Completed(ThreadCommunicator communicator, Memory<float> values) : IPendingReduction
    {
        public void Wait() => communicator.AllReduceSum(values.Span);

        public bool Test() => false; // the threads meet in Wait
    }

    private sealed class Group(int size)
    {
        public int Size { get; } = size;
        public System.Threading.Barrier Barrier { get; } = new(size);
        public float[]?[] Slots { get; } = new float[size][];
        public double[]?[] DoubleSlots { get; } = new double[size][];
    }
}
