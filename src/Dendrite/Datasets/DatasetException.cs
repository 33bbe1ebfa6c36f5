namespace Dendrite.Datasets;

/// <summary>
/// Raised when a dataset file is missing, corrupt, truncated or does not match its known checksum, and when no
/// source could provide a valid copy. The message names the file, what was expected and what was found.
/// </summary>
public class DatasetException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public DatasetException() : base("A dataset file could not be loaded.") { }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    public DatasetException(string message) : base(message) { }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public DatasetException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// A source that does not have the file at all (absent, unreachable, tool missing), as opposed to a bad copy.
/// <see cref="Unreachable"/> marks connection-level failures, after which a web mirror is not asked again.
/// </summary>
internal sealed class SourceUnavailableException(string message, Exception? inner = null, bool unreachable = false)
    : Exception(message, inner)
{
    internal bool Unreachable { get; } = unreachable;
}
