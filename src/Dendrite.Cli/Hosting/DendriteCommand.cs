using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Dendrite.Cli.Commands;

namespace Dendrite.Cli.Hosting;

/// <summary>The <c>dendrite</c> root command: the subcommands, the global <c>--verbose</c>, and help ending with the exit codes.</summary>
internal static class DendriteCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("dendrite: summarise, train, evaluate, predict with and convert Keras models (.keras, legacy .h5), and plot training curves, from the command line, with Dendrite (pure C#).")
        {
            SummaryCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            ConvertCommand.Create(),
            InfoCommand.Create(),
            PlotCommand.Create(),
        };
        root.Options.Add(CliOptions.Verbose);
        AddExitCodesToHelp(root);
        return root;
    }

    /// <summary>Appends the exit-code table to every command's help (the help option is recursive: one action serves all).</summary>
    private static void AddExitCodesToHelp(RootCommand root)
    {
        foreach (var option in root.Options)
            if (option is HelpOption { Action: HelpAction help } helpOption)
                helpOption.Action = new HelpWithExitCodes(help);
    }

    /// <summary>System.CommandLine's help, then <see cref="ExitCodes.HelpText"/>.</summary>
    private sealed class HelpWithExitCodes(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int result = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(ExitCodes.HelpText.TrimEnd());
            output.WriteLine();
            return result;
        }
    }
}
