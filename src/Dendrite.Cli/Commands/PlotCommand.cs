using System.CommandLine;
using Dendrite.Cli.Hosting;
using Dendrite.Plotting;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite plot HISTORY --out curves.png</c>: the training and validation curves of a history file (what
/// <c>train --history</c> writes, or Keras' CSVLogger), drawn by Dendrite.Plotting as PNG or SVG.
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var history = new Argument<string>("HISTORY")
        {
            Description = "A history file: .csv (as `train --history` or Keras' CSVLogger writes it) or .json.",
            HelpName = "HISTORY",
        };
        history.Validators.Add(CliOptions.RequireSuffix("HISTORY", "", ".csv", ".json"));
        history.CompletionSources.Add(CliOptions.PathCompletions(".csv", ".json"));
        var output = new Option<string>("--out", "-o") { Description = "The figure to write: .png or .svg.", Required = true, HelpName = "FILE.png|FILE.svg" };
        output.Validators.Add(CliOptions.RequireSuffix("--out", "", ".png", ".svg"));
        var width = Size("--width", "The figure's width in pixels (default: 560 per column of panels).");
        var height = Size("--height", "The figure's height in pixels (default: 420 per row of panels).");
        var command = new Command("plot", "Draw the training and validation curves of a history file (loss and each metric) as PNG or SVG.")
        {
            history, output, width, height,
        };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(history)!, target = parse.GetValue(output)!;
            ModelFiles.RequireOutputFolder(target, "--out");
            if (!File.Exists(source)) throw CliException.NotFound($"History file not found: '{source}'.");
            History drawn;
            try
            {
                drawn = Plots.PlotHistoryFile(source, target, parse.GetValue(width), parse.GetValue(height));
            }
            catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
            {
                // The names were checked above, so this is the content: a history with nothing to draw.
                throw CliException.Unreadable($"'{source}': {e.Message}", e);
            }
            // The panels' order: loss first, then each metric (their validation values share the panel).
            var quantities = drawn.Keys.Where(k => !k.StartsWith("val_", StringComparison.Ordinal)).OrderBy(k => k == "loss" ? 0 : 1);
            Console.Out.WriteLine($"Wrote {target}: {string.Join(", ", quantities)} over {drawn.Epoch.Count} epoch{(drawn.Epoch.Count == 1 ? "" : "s")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<int?> Size(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "PIXELS" };
        CliOptions.Check(option, v => v is < 16 or > 16_384 ? $"{name} must be between 16 and 16384 pixels, got {v}." : null);
        return option;
    }
}
