namespace Dendrite.Saving;

/// <summary>
/// Raised when a weights file cannot be read or does not fit the model: not HDF5 (or not a <c>.keras</c> zip),
/// truncated, missing a layer's group, or holding a variable of another shape than the model's. The message names
/// the file and, for a mismatch, the layer, the variable and both shapes. It is the weights part of
/// <see cref="ModelFormatException"/>, so catching that catches both.
/// </summary>
public class WeightsFileException : ModelFormatException
{
    /// <summary>Creates an exception with a default message.</summary>
    public WeightsFileException() : base("A weights file could not be loaded.") { }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    public WeightsFileException(string message) : base(message) { }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public WeightsFileException(string message, Exception? innerException) : base(message, innerException) { }
}
