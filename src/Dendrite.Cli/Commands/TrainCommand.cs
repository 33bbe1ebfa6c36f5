using System.CommandLine;
using System.Globalization;
using Dendrite.Cli.Data;
using Dendrite.Cli.Hosting;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite train MODEL --data … --out trained.keras</c>: Keras' <c>fit</c> on a saved, compiled model, with its
/// progress bar; writes the trained model and, when asked, the per-epoch history (CSV as CSVLogger writes it, or JSON).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("The model to train: a .keras (or legacy .h5) file, compiled (saved after compile()), trained or not.");
        var data = CliOptions.Data("train on (its training set)");
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training data.", HelpName = "N", DefaultValueFactory = _ => 5 };
        CliOptions.Check(epochs, v => v < 1 ? $"--epochs must be at least 1, got {v}." : null);
        var batchSize = CliOptions.BatchSize(128);
        var validationSplit = new Option<double>("--validation-split")
        {
            Description = "Fraction of the training data, taken from its end, held out to report val_loss and val_ metrics after each epoch (0 for none).",
            DefaultValueFactory = _ => 0.1,
            HelpName = "FRACTION",
        };
        CliOptions.Check(validationSplit, v => v is >= 0 and < 1 ? null : $"--validation-split must be at least 0 and below 1, got {v.ToString(CultureInfo.InvariantCulture)}.");
        var output = new Option<string>("--out", "-o") { Description = "Where to write the trained model (.keras).", Required = true, HelpName = "FILE.keras" };
        output.Validators.Add(CliOptions.RequireSuffix("--out", "", ".keras"));
        var history = new Option<string?>("--history") { Description = "Also write the per-epoch history: .csv (as Keras' CSVLogger) or .json.", HelpName = "FILE.csv|FILE.json" };
        history.Validators.Add(CliOptions.RequireSuffix("--history", "", ".csv", ".json"));
        var seed = new Option<int?>("--seed") { HelpName = "N", Description = "Seed the random generator (shuffling, dropout, the image-folder order) for a repeatable run." };
        CliOptions.Check(seed, v => v is < 0 ? $"--seed must be 0 or more, got {v}." : null);
        var limit = CliOptions.Limit();
        var compile = new CompileOptions(withOptimizer: true);

        var command = new Command("train", "Train a compiled model on MNIST, Fashion-MNIST or a data folder, and save the trained model.")
        {
            model, data, epochs, batchSize, validationSplit, output, history, seed, limit,
        };
        compile.AddTo(command);
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, outPath = parse.GetValue(output)!;
            string? historyPath = parse.GetValue(history);
            ModelFiles.RequireOutputFolder(outPath, "--out");
            if (historyPath is not null) ModelFiles.RequireOutputFolder(historyPath, "--history");

            var loaded = ModelFiles.Load(modelPath, compile: true);
            if (compile.Apply(loaded, parse, modelPath) is string note) Console.Out.WriteLine(note);
            int? seedValue = parse.GetValue(seed);
            var split = DataSource.Load(parse.GetValue(data)!, Split.Train, ModelData.Geometry(loaded, modelPath), seedValue ?? 0)
                .Take(parse.GetValue(limit));
            var x = ModelData.Inputs(loaded, modelPath, split.X, split.Origin);
            var y = ModelData.Targets(loaded, modelPath, split);
            double holdOut = parse.GetValue(validationSplit);
            Console.Out.WriteLine($"Training on {split.Labels.Length} samples of the {split.Origin}" +
                                  (holdOut > 0 ? $" ({(holdOut * 100).ToString("0.##", CultureInfo.InvariantCulture)}% held out for validation)." : "."));

            if (seedValue is int s) Utils.SetRandomSeed(s);
            var result = DataErrors.Guard(() => loaded.Fit(x, y, epochs: parse.GetValue(epochs), batchSize: parse.GetValue(batchSize),
                validationSplit: holdOut, verbose: 1));

            loaded.Save(outPath);
            Console.Out.WriteLine($"Saved the trained model to {outPath}");
            if (historyPath is not null)
            {
                result.Save(historyPath);
                Console.Out.WriteLine($"Saved the history to {historyPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
