using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Dendrite.Distribution;
using Dendrite.Distributed.Native;

namespace Dendrite.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over <c>MPI_COMM_WORLD</c> of the system's Open MPI (<c>libmpi.so.40</c>), for programs
/// started with <c>mpirun -np N dotnet app.dll</c>. A program started without <c>mpirun</c> runs as a single rank
/// (Open MPI's singleton mode: <see cref="Size"/> is 1 and every collective returns its input).
/// </summary>
/// <remarks>
/// <para><see cref="Init()"/> calls <c>MPI_Init_thread</c> once per process asking for <c>MPI_THREAD_SERIALIZED</c>, and
/// sets <c>MPI_COMM_WORLD</c>'s error handler to <c>MPI_ERRORS_RETURN</c> so that a failed call throws
/// <see cref="MpiException"/> instead of killing the job silently. <see cref="Dispose"/> calls <c>MPI_Finalize</c>
/// once; MPI cannot be initialized again in the same process afterwards.</para>
/// <para>Any thread may call the collectives: the calls are serialized by a lock, which is what
/// <c>MPI_THREAD_SERIALIZED</c> requires. Buffers are pinned for the duration of a call; a call allocates nothing
/// except <see cref="StartAllReduceSum"/>, which returns one small object per reduction.</para>
/// </remarks>
public sealed unsafe class MpiCommunicator : ICommunicator, IDisposable
{
    /// <summary>The environment variable <c>mpirun</c> sets in every process it starts: the number of ranks.</summary>
    public const string WorldSizeVariable = "OMPI_COMM_WORLD_SIZE";

    private static readonly Lock InitLock = new();
    private static MpiCommunicator? instance;

    private readonly OpenMpi mpi;
    private readonly Lock callLock = new();
    private readonly bool ownsInitialization;
    private int disposed;

    private MpiCommunicator(OpenMpi mpi, bool ownsInitialization, MpiThreadLevel threadLevel, int rank, int size)
    {
        this.mpi = mpi;
        this.ownsInitialization = ownsInitialization;
        ThreadLevel = threadLevel;
        Rank = rank;
        Size = size;
    }

    /// <summary>True when this process was started by Open MPI's <c>mpirun</c>/<c>mpiexec</c> (it sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool IsLaunchedByMpirun => Environment.GetEnvironmentVariable(WorldSizeVariable) is not null;

    /// <summary>
    /// The number of ranks <c>mpirun</c> was asked for (<c>-np</c>, from <c>OMPI_COMM_WORLD_SIZE</c>) without
    /// initializing MPI; 0 when the process was not started by <c>mpirun</c>.
    /// </summary>
    public static int RequestedSize =>
        int.TryParse(Environment.GetEnvironmentVariable(WorldSizeVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int size) ? size : 0;

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>
    /// Ranks that share a machine share its cores: unless <c>DENDRITE_NUM_THREADS</c> says otherwise, each of the
    /// <c>OMPI_COMM_WORLD_LOCAL_SIZE</c> ranks on this machine takes processor count / local ranks threads (at least 1),
    /// so that N ranks on N cores run one thread each instead of N × N threads fighting for the cores.
    /// </summary>
    private static void ShareTheCoresAmongLocalRanks()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Config.ThreadsVariable))) return;
        if (!int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int localRanks) || localRanks <= 1) return;
        Config.Threads = Math.Max(1, Environment.ProcessorCount / localRanks);
    }

    /// <summary>The thread support Open MPI provided (asked: <see cref="MpiThreadLevel.Serialized"/>).</summary>
    public MpiThreadLevel ThreadLevel { get; }

    /// <summary>
    /// Initializes MPI (once per process; later calls return the same communicator) and returns the communicator
    /// of <c>MPI_COMM_WORLD</c>. When MPI was already initialized by other code in the process, it is used as is and
    /// <see cref="Dispose"/> leaves finalizing to that code.
    /// </summary>
    /// <exception cref="DllNotFoundException">Open MPI's <c>libmpi.so.40</c> is not installed.</exception>
    /// <exception cref="InvalidOperationException">MPI was already finalized in this process.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public static MpiCommunicator Init() => InitCore();

    /// <summary>
    /// As <see cref="Init()"/>, for a program that needs exactly <paramref name="ranks"/> ranks: refuses, before MPI
    /// starts, to run without mpirun or with another number of ranks, saying how to start it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not started by mpirun with <paramref name="ranks"/> ranks.</exception>
    public static MpiCommunicator Init(int ranks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        CheckLaunch(ranks, IsLaunchedByMpirun, RequestedSize, Environment.ProcessPath ?? "dotnet");
        return InitCore();
    }

    /// <summary>The launch check of <see cref="Init(int)"/>, apart from the process's environment.</summary>
    internal static void CheckLaunch(int ranks, bool launched, int requested, string program)
    {
        if (ranks > 1 && !launched)
            throw new InvalidOperationException(
                $"This program needs {ranks} ranks but was not started by mpirun, so it would run alone. Start it with `mpirun -np {ranks} {Path.GetFileName(program)} ...` (as root add --allow-run-as-root; with fewer cores than ranks, --oversubscribe).");
        if (launched && requested != ranks)
            throw new InvalidOperationException($"This program needs {ranks} ranks but mpirun started {requested}: use `mpirun -np {ranks}`.");
    }

    private static MpiCommunicator InitCore()
    {
        lock (InitLock)
        {
            if (instance is not null)
            {
                if (Volatile.Read(ref instance.disposed) != 0)
                    throw new InvalidOperationException("MPI was finalized by MpiCommunicator.Dispose; MPI cannot be initialized twice in one process.");
                return instance;
            }

            OpenMpi mpi = OpenMpi.Load();
            int flag;
            mpi.Check(mpi.Finalized(&flag), "MPI_Finalized");
            if (flag != 0)
                throw new InvalidOperationException("MPI was already finalized in this process; MPI cannot be initialized twice in one process.");
            mpi.Check(mpi.Initialized(&flag), "MPI_Initialized");
            bool owns = flag == 0;
            int provided;
            if (owns)
                mpi.Check(mpi.InitThread(null, null, (int)MpiThreadLevel.Serialized, &provided), "MPI_Init_thread");
            else
                mpi.Check(mpi.QueryThread(&provided), "MPI_Query_thread");

            mpi.Check(mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
            int rank, size;
            mpi.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
            mpi.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
            instance = new MpiCommunicator(mpi, owns, (MpiThreadLevel)provided, rank, size);
            ShareTheCoresAmongLocalRanks();
            return instance;
        }
    }

    /// <inheritdoc />
    public void Broadcast(Span<float> values, int root)
    {
        CheckRoot(root);
        lock (callLock)
        {
            ThrowIfDisposed();
            fixed (float* buffer = values)
                mpi.Check(mpi.Bcast(buffer, values.Length, mpi.Float, root, mpi.CommWorld), "MPI_Bcast");
        }
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
        lock (callLock)
        {
            ThrowIfDisposed();
            fixed (float* buffer = values)
                mpi.Check(mpi.Allreduce((void*)OpenMpi.InPlace, buffer, values.Length, mpi.Float, mpi.OpSum, mpi.CommWorld), "MPI_Allreduce");
        }
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values)
    {
        lock (callLock)
        {
            ThrowIfDisposed();
            fixed (double* buffer = values)
                mpi.Check(mpi.Allreduce((void*)OpenMpi.InPlace, buffer, values.Length, mpi.Double, mpi.OpSum, mpi.CommWorld), "MPI_Allreduce");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The buffer stays pinned until <see cref="IPendingReduction.Wait"/> returns. Open MPI advances a non-blocking
    /// collective only while some thread is inside an MPI call (it has no progress thread for shared memory or TCP), so
    /// the reduction mostly happens in <see cref="IPendingReduction.Wait"/>; see the README for measurements.
    /// </remarks>
    public IPendingReduction StartAllReduceSum(Memory<float> values)
    {
        lock (callLock)
        {
            ThrowIfDisposed();
            System.Buffers.MemoryHandle pin = values.Pin();
            nint request;
            int code = mpi.Iallreduce((void*)OpenMpi.InPlace, pin.Pointer, values.Length, mpi.Float, mpi.OpSum, mpi.CommWorld, &request);
            if (code != 0)
            {
                pin.Dispose();
                mpi.Check(code, "MPI_Iallreduce");
            }
            return new PendingReduction(this, pin, request);
        }
    }

    /// <inheritdoc />
    public void Barrier()
    {
        lock (callLock)
        {
            ThrowIfDisposed();
            mpi.Check(mpi.Barrier(mpi.CommWorld), "MPI_Barrier");
        }
    }

    /// <summary>
    /// Ends every rank of the job (<c>MPI_Abort</c> on <c>MPI_COMM_WORLD</c>); <c>mpirun</c> exits with a non-zero code
    /// and names this rank. Does not return.
    /// </summary>
    /// <param name="code">The exit code asked of <c>mpirun</c> (Open MPI passes it on).</param>
    [DoesNotReturn]
    public void Abort(int code)
    {
        // No lock: aborting must work even while another thread is blocked inside a collective.
        mpi.Abort(mpi.CommWorld, code);
        Environment.Exit(code == 0 ? 1 : code);   // only reached if MPI_Abort returned, which it should not
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Calls <c>MPI_Finalize</c> (once, and only when <see cref="Init()"/> initialized MPI). Every rank must call it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        lock (callLock)
        {
            if (ownsInitialization)
                mpi.Check(mpi.Finalize(), "MPI_Finalize");
        }
    }

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank, 0 <= root < {Size}.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed != 0, this);

    /// <summary>An <c>MPI_Iallreduce</c> in flight: its request and the pin that keeps its buffer in place.</summary>
    private sealed class PendingReduction(MpiCommunicator owner, System.Buffers.MemoryHandle pin, nint request) : IPendingReduction
    {
        private nint request = request;
        private System.Buffers.MemoryHandle pin = pin;
        private bool completed;

        public void Wait()
        {
            lock (owner.callLock)
            {
                if (completed)
                    return;
                owner.ThrowIfDisposed();
                int code;
                fixed (nint* handle = &request)
                    code = owner.mpi.Wait(handle, OpenMpi.StatusIgnore);
                completed = true;
                pin.Dispose();
                owner.mpi.Check(code, "MPI_Wait");
            }
        }

        public bool Test()
        {
            lock (owner.callLock)
            {
                if (completed)
                    return true;
                owner.ThrowIfDisposed();
                int code, flag = 0;
                fixed (nint* handle = &request)
                    code = owner.mpi.Test(handle, &flag, OpenMpi.StatusIgnore);
                owner.mpi.Check(code, "MPI_Test");
                if (flag == 0)
                    return false;
                completed = true;
                pin.Dispose();
                return true;
            }
        }
    }
}
