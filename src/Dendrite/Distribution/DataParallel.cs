namespace Dendrite.Distribution;

/// <summary>
/// Data-parallel training, as Keras 3's <c>keras.distribution.DataParallel</c> and Horovod: every rank (process) holds
/// a replica of the model; each global batch of <c>batchSize</c> samples is split across the ranks; the gradients are
/// averaged across ranks before every optimizer step, so that every replica keeps bit-identical weights; losses and
/// metrics are reduced across ranks, so the progress bar (rank 0 only), the callbacks and <see cref="History"/> see
/// the values of the whole global batch.
/// </summary>
/// <remarks>
/// <para>
/// Set it once, before <c>Fit</c>, as Keras' <c>keras.distribution.set_distribution(DataParallel())</c>:
/// <code>
/// using var mpi = MpiCommunicator.Init();             // Dendrite.Distributed; started by mpirun
/// DataParallel.Current = new DataParallel(mpi);
/// model.Fit(x, y, epochs: 5, batchSize: 128);          // the same program on every rank
/// </code>
/// </para>
/// <para>
/// What each rank does in <c>Fit</c>: rank 0's weights are broadcast first; the epoch's shuffle uses a seed agreed
/// from rank 0, so every rank sees the same order; each global batch's rows are cut into <see cref="Size"/> contiguous
/// shards and rank r takes shard r; the local loss gradient is scaled by (local samples / global samples) and the
/// scaled gradients are summed across ranks, which is the gradient of the whole batch's mean loss; the validation
/// samples are sharded the same way and their loss and metrics summed. Only rank 0 prints, and only rank 0 runs the
/// callbacks that write files (<c>ModelCheckpoint</c>, <c>CSVLogger</c>); others run on every rank with the same logs.
/// Every rank must load the same data. Dropout masks differ between ranks (each replica draws its own), as in Horovod.
/// </para>
/// </remarks>
/// <param name="communicator">The ranks' collectives: <c>Dendrite.Distributed.MpiCommunicator</c>, or any implementation.</param>
public sealed class DataParallel(ICommunicator communicator)
{
    /// <summary>The collectives this distribution runs on.</summary>
    public ICommunicator Communicator { get; } = communicator ?? throw new ArgumentNullException(nameof(communicator));

    /// <summary>This process's rank.</summary>
    public int Rank => Communicator.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => Communicator.Size;

    /// <summary>Whether this is rank 0, which prints and writes files (Horovod's <c>hvd.rank() == 0</c>).</summary>
    public bool IsChief => Communicator.Rank == 0;

    /// <summary>
    /// Whether gradients are reduced while the backward pass is still running (bucket by bucket, as PyTorch's DDP
    /// and Horovod do; the default) or all after it. Results are the same either way, bit for bit.
    /// </summary>
    public bool Overlap { get; set; } = true;

    /// <summary>The size of a gradient bucket, one allreduce each (default 1 MiB; PyTorch's DDP uses 25 MiB for larger models).</summary>
    public int BucketBytes { get; set; } = 1 << 20;

    private long _waitTicks;
    private int _reducedSteps;

    /// <summary>
    /// Time this rank spent waiting for gradient reductions to finish after its backward pass (communication that
    /// computation did not hide), summed since the start or <see cref="ResetStatistics"/>.
    /// </summary>
    public TimeSpan CommunicationWait => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    /// <summary>Training steps whose gradients were averaged since the start or <see cref="ResetStatistics"/>.</summary>
    public int ReducedSteps => Volatile.Read(ref _reducedSteps);

    /// <summary>Sets <see cref="CommunicationWait"/> and <see cref="ReducedSteps"/> to zero.</summary>
    public void ResetStatistics()
    {
        Interlocked.Exchange(ref _waitTicks, 0);
        Volatile.Write(ref _reducedSteps, 0);
    }

    internal void RecordWait(long ticks)
    {
        Interlocked.Add(ref _waitTicks, ticks);
        Interlocked.Increment(ref _reducedSteps);
    }

    private static readonly AsyncLocal<DataParallel?> s_current = new();
    private static DataParallel? s_global;

    /// <summary>
    /// The distribution <c>Fit</c> uses (Keras' <c>set_distribution</c>/<c>distribution()</c>); null (the default)
    /// trains in this process alone. Process-wide; a job with a single rank trains as without it.
    /// </summary>
    public static DataParallel? Current
    {
        get => s_current.Value ?? s_global;
        set => s_global = value;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="distribution"/> as <see cref="Current"/> for this thread's
    /// flow of execution only (the tests run several ranks as threads of one process).
    /// </summary>
    internal static void RunWith(DataParallel? distribution, Action action)
    {
        var saved = s_current.Value;
        s_current.Value = distribution;
        try { action(); }
        finally { s_current.Value = saved; }
    }

    /// <summary>The rows of <paramref name="batch"/> that this rank processes: shard <see cref="Rank"/> of <see cref="Size"/> contiguous shards.</summary>
    internal ReadOnlySpan<int> Shard(ReadOnlySpan<int> batch) => Shard(batch, Rank, Size);

    internal static ReadOnlySpan<int> Shard(ReadOnlySpan<int> batch, int rank, int size)
    {
        int start = (int)((long)batch.Length * rank / size), end = (int)((long)batch.Length * (rank + 1) / size);
        return batch[start..end];
    }

    /// <summary>Makes every rank's weights rank 0's (Horovod's <c>broadcast_variables</c>), non-trainable ones included.</summary>
    internal void BroadcastWeights(Model model)
    {
        foreach (var variable in model.Weights) Communicator.Broadcast(variable.Value.Values, root: 0);
    }

    /// <summary>Rank 0's <paramref name="seed"/> on every rank (a whole number below 2^52, exact in a double).</summary>
    internal ulong AgreeOnSeed(ulong seed)
    {
        Span<double> value = [IsChief ? seed & ((1UL << 52) - 1) : 0];
        Communicator.AllReduceSum(value);
        return (ulong)value[0];
    }
}
