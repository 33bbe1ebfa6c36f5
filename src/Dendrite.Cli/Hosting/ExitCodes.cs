namespace Dendrite.Cli.Hosting;

/// <summary>The process exit codes of <c>dendrite</c>, documented in <c>--help</c> and the README.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command line is wrong: an unknown option, a missing argument, a value out of range (System.CommandLine's code).</summary>
    public const int Usage = 1;

    /// <summary>A file or folder named on the command line does not exist.</summary>
    public const int FileNotFound = 2;

    /// <summary>A file exists but is not what it should be: not a model, a corrupt image, a malformed data file.</summary>
    public const int Unreadable = 3;

    /// <summary>The data does not fit the model: the input shape, the number of classes, the labels.</summary>
    public const int DataMismatch = 4;

    /// <summary>Anything else went wrong (a dataset download failed, a layer cannot be exported, …).</summary>
    public const int Failure = 5;

    /// <summary>The table shown at the end of <c>--help</c>.</summary>
    public const string HelpText = """
        Exit codes:
          0  success
          1  usage error (unknown option, missing or invalid argument)
          2  file or folder not found
          3  not a model, or an unreadable file (corrupt image, malformed data or history)
          4  the data does not fit the model (input shape, labels, classes)
          5  any other failure
        Errors are one line on standard error; --verbose adds the stack trace.
        """;
}
