using System.CommandLine;
using Dendrite.Cli.Hosting;

namespace Dendrite.Cli.Commands;

/// <summary><c>dendrite summary MODEL</c>: Keras' <c>model.summary()</c> table of any loadable model file.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var command = new Command("summary", "Print the Keras summary of a model file: layers, output shapes, parameter counts.") { model };
        command.SetAction(parse =>
        {
            var loaded = ModelFiles.Load(parse.GetValue(model)!, compile: true);
            Console.Out.Write(loaded.SummaryText());
            return ExitCodes.Success;
        });
        return command;
    }
}
