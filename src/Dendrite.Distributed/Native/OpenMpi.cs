using System.Runtime.InteropServices;

namespace Dendrite.Distributed.Native;

/// <summary>
/// The few Open MPI entry points and predefined handles Dendrite uses, resolved once from <c>libmpi.so.40</c>.
/// </summary>
/// <remarks>
/// Open MPI's handles (<c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c>, <c>MPI_Errhandler</c>, <c>MPI_Request</c>)
/// are pointers, and the predefined ones are the addresses of exported objects (<c>MPI_COMM_WORLD</c> is
/// <c>&amp;ompi_mpi_comm_world</c>), so they are looked up with <see cref="NativeLibrary.GetExport"/> rather than
/// written as constants as MPICH and MS-MPI allow. The functions are called through unmanaged function pointers:
/// every argument is a pointer or an int, so a call marshals nothing and allocates nothing.
/// </remarks>
internal sealed unsafe class OpenMpi
{
    /// <summary>The soname of Open MPI 4.x's C library (Debian/Ubuntu package libopenmpi3).</summary>
    public const string LibraryName = "libmpi.so.40";

    /// <summary>Open MPI's <c>MPI_IN_PLACE</c>: <c>(void *) 1</c>.</summary>
    public static readonly nint InPlace = 1;

    /// <summary>Open MPI's <c>MPI_STATUS_IGNORE</c>: <c>NULL</c>.</summary>
    public static readonly nint StatusIgnore = 0;

    /// <summary><c>MPI_MAX_ERROR_STRING</c> in Open MPI.</summary>
    public const int MaxErrorString = 256;

    private static OpenMpi? loaded;
    private static readonly Lock LoadLock = new();

    private OpenMpi(nint library)
    {
        CommWorld = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
        Float = NativeLibrary.GetExport(library, "ompi_mpi_float");
        Double = NativeLibrary.GetExport(library, "ompi_mpi_double");
        OpSum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
        ErrorsReturn = NativeLibrary.GetExport(library, "ompi_mpi_errors_return");

        InitThread = (delegate* unmanaged<int*, nint*, int, int*, int>)NativeLibrary.GetExport(library, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "MPI_Finalize");
        QueryThread = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "MPI_Query_thread");
        CommRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Comm_set_errhandler");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)NativeLibrary.GetExport(library, "MPI_Bcast");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)NativeLibrary.GetExport(library, "MPI_Iallreduce");
        Wait = (delegate* unmanaged<nint*, nint, int>)NativeLibrary.GetExport(library, "MPI_Wait");
        Test = (delegate* unmanaged<nint*, int*, nint, int>)NativeLibrary.GetExport(library, "MPI_Test");
        Barrier = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "MPI_Barrier");
        Abort = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)NativeLibrary.GetExport(library, "MPI_Error_string");
    }

    /// <summary><c>MPI_COMM_WORLD</c>.</summary>
    public nint CommWorld { get; }

    /// <summary><c>MPI_FLOAT</c>.</summary>
    public nint Float { get; }

    /// <summary><c>MPI_DOUBLE</c>.</summary>
    public nint Double { get; }

    /// <summary><c>MPI_SUM</c>.</summary>
    public nint OpSum { get; }

    /// <summary><c>MPI_ERRORS_RETURN</c>.</summary>
    public nint ErrorsReturn { get; }

    /// <summary><c>int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)</c>.</summary>
    public delegate* unmanaged<int*, nint*, int, int*, int> InitThread { get; }

    /// <summary><c>int MPI_Initialized(int *flag)</c>.</summary>
    public delegate* unmanaged<int*, int> Initialized { get; }

    /// <summary><c>int MPI_Finalized(int *flag)</c>.</summary>
    public delegate* unmanaged<int*, int> Finalized { get; }

    /// <summary><c>int MPI_Finalize(void)</c>.</summary>
    public delegate* unmanaged<int> Finalize { get; }

    /// <summary><c>int MPI_Query_thread(int *provided)</c>.</summary>
    public delegate* unmanaged<int*, int> QueryThread { get; }

    /// <summary><c>int MPI_Comm_rank(MPI_Comm comm, int *rank)</c>.</summary>
    public delegate* unmanaged<nint, int*, int> CommRank { get; }

    /// <summary><c>int MPI_Comm_size(MPI_Comm comm, int *size)</c>.</summary>
    public delegate* unmanaged<nint, int*, int> CommSize { get; }

    /// <summary><c>int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)</c>.</summary>
    public delegate* unmanaged<nint, nint, int> CommSetErrhandler { get; }

    /// <summary><c>int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)</c>.</summary>
    public delegate* unmanaged<void*, int, nint, int, nint, int> Bcast { get; }

    /// <summary><c>int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm)</c>.</summary>
    public delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce { get; }

    /// <summary><c>int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)</c>.</summary>
    public delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce { get; }

    /// <summary><c>int MPI_Wait(MPI_Request *request, MPI_Status *status)</c>.</summary>
    public delegate* unmanaged<nint*, nint, int> Wait { get; }

    /// <summary><c>int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status)</c>.</summary>
    public delegate* unmanaged<nint*, int*, nint, int> Test { get; }

    /// <summary><c>int MPI_Barrier(MPI_Comm comm)</c>.</summary>
    public delegate* unmanaged<nint, int> Barrier { get; }

    /// <summary><c>int MPI_Abort(MPI_Comm comm, int errorcode)</c>.</summary>
    public delegate* unmanaged<nint, int, int> Abort { get; }

    /// <summary><c>int MPI_Error_string(int errorcode, char *string, int *resultlen)</c>.</summary>
    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }

    /// <summary>Loads <c>libmpi.so.40</c> and resolves its symbols once per process.</summary>
    /// <exception cref="DllNotFoundException">The library is not installed (or not on the loader's path).</exception>
    public static OpenMpi Load()
    {
        lock (LoadLock)
        {
            if (loaded is not null)
                return loaded;
            if (!NativeLibrary.TryLoad(LibraryName, out nint library))
                throw new DllNotFoundException(
                    $"Open MPI's {LibraryName} was not found; install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3). " +
                    "Another location can be put on LD_LIBRARY_PATH.");
            try
            {
                loaded = new OpenMpi(library);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"{LibraryName} was loaded but lacks an Open MPI symbol ({e.Message}); Dendrite.Distributed needs Open MPI 4.x's libmpi " +
                    "(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3), not MPICH's.", e);
            }
            return loaded;
        }
    }

    /// <summary>Throws <see cref="MpiException"/> naming <paramref name="call"/> when <paramref name="code"/> is not MPI_SUCCESS.</summary>
    public void Check(int code, string call)
    {
        if (code != 0)
            throw new MpiException(call, code, DescribeError(code));
    }

    /// <summary>Open MPI's text for an error code, or empty when it has none.</summary>
    public string DescribeError(int code)
    {
        byte* text = stackalloc byte[MaxErrorString];
        int length = 0;
        if (ErrorString(code, text, &length) != 0 || length <= 0)
            return "";
        return System.Text.Encoding.UTF8.GetString(text, Math.Min(length, MaxErrorString));
    }
}
