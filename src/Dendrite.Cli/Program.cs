using System.CommandLine;
using Dendrite.Cli.Hosting;

// dendrite: the command-line tool. Parsing, help, completions ([suggest] directive for dotnet-suggest) and usage errors
// (exit code 1) are System.CommandLine's; a failure inside a command becomes one line on standard error and an exit
// code from ExitCodes (ErrorReporter), with the stack trace only under --verbose.
if (OperatingSystem.IsWindows()) Console.OutputEncoding = System.Text.Encoding.UTF8; // the summary's box-drawing characters

var root = DendriteCommand.Create();
var parse = root.Parse(args);
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    Console.Out.Flush();
    return ErrorReporter.Report(e, parse.GetValue(CliOptions.Verbose), Console.Error);
}
