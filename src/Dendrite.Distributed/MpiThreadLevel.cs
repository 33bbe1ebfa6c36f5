namespace Dendrite.Distributed;

/// <summary>MPI's thread support levels (<c>MPI_THREAD_*</c>; the values are Open MPI's and the MPI standard's order).</summary>
public enum MpiThreadLevel
{
    /// <summary>Only one thread exists in the process.</summary>
    Single = 0,

    /// <summary>Only the thread that initialized MPI calls it.</summary>
    Funneled = 1,

    /// <summary>Any thread may call MPI, but never two at once.</summary>
    Serialized = 2,

    /// <summary>Any thread may call MPI at any time.</summary>
    Multiple = 3,
}
