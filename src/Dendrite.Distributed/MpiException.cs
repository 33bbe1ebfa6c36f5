namespace Dendrite.Distributed;

/// <summary>An MPI call returned an error code (MPI_COMM_WORLD's error handler is <c>MPI_ERRORS_RETURN</c>).</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errorCode"/>.</summary>
    /// <param name="call">The MPI function that failed, e.g. <c>MPI_Allreduce</c>.</param>
    /// <param name="errorCode">The code it returned (never <c>MPI_SUCCESS</c>, 0).</param>
    /// <param name="errorText">Open MPI's text for the code (<c>MPI_Error_string</c>), or empty when unavailable.</param>
    public MpiException(string call, int errorCode, string errorText)
        : base($"{call} failed with MPI error {errorCode}{(errorText.Length > 0 ? ": " + errorText : "")}")
    {
        Call = call;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function that failed, e.g. <c>MPI_Allreduce</c>.</summary>
    public string Call { get; }

    /// <summary>The error code the call returned.</summary>
    public int ErrorCode { get; }
}
