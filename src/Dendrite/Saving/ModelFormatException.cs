namespace Dendrite.Saving;

/// <summary>
/// Raised when a model or weights file cannot be read, or describes something Dendrite cannot build faithfully: not a
/// zip or HDF5 file, truncated or corrupt, a missing entry, malformed or too deeply nested JSON, an unknown layer class,
/// activation or initializer, a config key whose value Dendrite cannot honour, a dataset whose shape disagrees with its
/// layer. The message names the file, the entry or object, and what is wrong; loading never returns a silently
/// different model.
/// </summary>
public class ModelFormatException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public ModelFormatException() : base("A model file could not be loaded.") { }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    public ModelFormatException(string message) : base(message) { }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public ModelFormatException(string message, Exception? innerException) : base(message, innerException) { }
}
