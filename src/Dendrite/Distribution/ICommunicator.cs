namespace Dendrite.Distribution;

/// <summary>
/// The collective operations data-parallel training needs among the processes (ranks) of one job: MPI's
/// <c>MPI_Bcast</c>, <c>MPI_Allreduce</c> (blocking and not) and <c>MPI_Barrier</c> over <c>MPI_COMM_WORLD</c>.
/// Dendrite's core depends on this contract only; <c>Dendrite.Distributed</c> implements it over the system's MPI
/// library, and the tests implement it with threads of one process.
/// </summary>
/// <remarks>
/// Every rank must call the same collectives in the same order with buffers of the same length (MPI's rule). Sums
/// must not depend on timing: for the same inputs every rank receives bit-identical results (MPI guarantees this for
/// <c>MPI_Allreduce</c> with a fixed number of ranks, which is what keeps the replicas' weights identical).
/// </remarks>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 ≤ Rank &lt; <see cref="Size"/>; rank 0 prints and writes files.</summary>
    int Rank { get; }

    /// <summary>The number of ranks in the job.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(Span<float> values, int root);

    /// <summary>Replaces <paramref name="values"/> on every rank with their element-wise sum over the ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank with their element-wise sum over the ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>
    /// Starts an element-wise sum of <paramref name="values"/> over the ranks, in place, and returns at once; the
    /// buffer must stay untouched until <see cref="IPendingReduction.Wait"/> returns.
    /// </summary>
    IPendingReduction StartAllReduceSum(Memory<float> values);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();
}

/// <summary>A non-blocking reduction in flight (MPI's request).</summary>
public interface IPendingReduction
{
    /// <summary>Returns when the reduction is complete and its buffer holds the sum.</summary>
    void Wait();

    /// <summary>
    /// Lets the reduction advance without blocking (MPI's <c>MPI_Test</c>: Open MPI moves a non-blocking collective
    /// forward only inside MPI calls) and tells whether it is complete; after true, <see cref="Wait"/> returns at once.
    /// </summary>
    bool Test();
}
