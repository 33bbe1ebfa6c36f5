using System.CommandLine;
using Dendrite.Cli.Hosting;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite convert MODEL OUT</c>: writes the model in the format OUT's extension names — <c>.keras</c> (whole model,
/// compile config and optimizer state included), <c>.weights.h5</c> (Keras 3 weights only) or <c>.onnx</c> (inference).
/// Legacy <c>.h5</c> is read but not written, as Keras 3 recommends <c>.keras</c>; asking for it is a usage error.
/// </summary>
internal static class ConvertCommand
{
    private const string LegacyHint =
        " Dendrite reads legacy .h5 models but does not write them (Keras 3 deprecates the format): write .keras for the whole model or .weights.h5 for its weights.";

    public static Command Create()
    {
        var model = CliOptions.Model("The model file to convert (.keras or legacy .h5).");
        var output = new Argument<string>("OUT") { HelpName = "OUT", Description = "The file to write: .keras (Model.Save), .weights.h5 (Model.SaveWeights) or .onnx (Model.Export)." };
        output.Validators.Add(CliOptions.RequireSuffix("OUT", LegacyHint, ".keras", ".weights.h5", ".onnx"));
        output.CompletionSources.Add(CliOptions.PathCompletions(".keras", ".onnx", ".h5"));
        var command = new Command("convert", "Convert a model file to .keras, .weights.h5 or ONNX (chosen by OUT's extension).") { model, output };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(model)!, target = parse.GetValue(output)!;
            ModelFiles.RequireOutputFolder(target, "OUT");
            var loaded = ModelFiles.Load(source, compile: true);
            string format;
            if (target.EndsWith(".onnx", StringComparison.Ordinal)) { loaded.Export(target, "onnx"); format = "ONNX (opset 17)"; }
            else if (target.EndsWith(".weights.h5", StringComparison.Ordinal)) { loaded.SaveWeights(target); format = "Keras 3 weights (.weights.h5)"; }
            else { loaded.Save(target); format = "Keras 3 model (.keras)"; }
            Console.Out.WriteLine($"Wrote {target}: {format}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
