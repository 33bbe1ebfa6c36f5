using Dendrite.Saving;

namespace Dendrite.Cli.Hosting;

/// <summary>
/// Turns an exception that escaped a command into an exit code and a message on standard error: one line naming
/// the problem, or with <c>--verbose</c> the whole exception with its stack trace.
/// </summary>
internal static class ErrorReporter
{
    public static int Report(Exception exception, bool verbose, TextWriter error)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        int code = ExitCodeOf(exception);
        error.WriteLine($"dendrite: error: {exception.Message}");
        if (verbose) error.WriteLine(exception.ToString());
        else if (code == ExitCodes.Failure) error.WriteLine("(run again with --verbose for the stack trace)");
        return code;
    }

    internal static int ExitCodeOf(Exception exception) => exception switch
    {
        CliException cli => cli.ExitCode,
        FileNotFoundException or DirectoryNotFoundException => ExitCodes.FileNotFound,
        // Dendrite's own "this file is not what it claims" errors, and History.Load's.
        ModelFormatException or WeightsFileException or InvalidDataException or FormatException or UnauthorizedAccessException => ExitCodes.Unreadable,
        _ => ExitCodes.Failure,
    };
}
