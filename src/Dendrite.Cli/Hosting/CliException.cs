namespace Dendrite.Cli.Hosting;

/// <summary>
/// A failure the tool anticipated, carrying the exit code it maps to and a message for the user (no stack trace is
/// shown for it unless <c>--verbose</c>).
/// </summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = exitCode;

    public static CliException NotFound(string message) => new(ExitCodes.FileNotFound, message);

    public static CliException Unreadable(string message, Exception? inner = null) => new(ExitCodes.Unreadable, message, inner);

    public static CliException DataMismatch(string message, Exception? inner = null) => new(ExitCodes.DataMismatch, message, inner);

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
