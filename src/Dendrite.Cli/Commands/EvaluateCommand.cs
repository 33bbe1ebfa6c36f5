using System.CommandLine;
using System.Globalization;
using Dendrite.Cli.Data;
using Dendrite.Cli.Hosting;
using Dendrite.Cli.Reports;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite evaluate MODEL --data …</c>: Keras' <c>evaluate</c> on the test set (loss and the compiled metrics), then
/// per-class precision, recall, F1 and support, and the confusion matrix (<see cref="Utils.ConfusionMatrix"/>).
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("The model to evaluate (.keras or legacy .h5).");
        var data = CliOptions.Data("evaluate on (its test set)");
        var batchSize = CliOptions.BatchSize(128);
        var limit = CliOptions.Limit();
        var compile = new CompileOptions(withOptimizer: false);
        var command = new Command("evaluate", "Report a model's loss and metrics on the test set, per-class precision/recall/F1 and the confusion matrix.")
        {
            model, data, batchSize, limit,
        };
        compile.AddTo(command);
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            var loaded = ModelFiles.Load(modelPath, compile: true);
            if (compile.Apply(loaded, parse, modelPath) is string note) Console.Out.WriteLine(note);
            var split = DataSource.Load(parse.GetValue(data)!, Split.Test, ModelData.Geometry(loaded, modelPath), shuffleSeed: 0)
                .Take(parse.GetValue(limit));
            var x = ModelData.Inputs(loaded, modelPath, split.X, split.Origin);
            var y = ModelData.Targets(loaded, modelPath, split);
            int classes = ModelData.ClassCount(loaded, modelPath);
            int batch = parse.GetValue(batchSize);
            Console.Out.WriteLine($"Evaluating on {split.Labels.Length} samples of the {split.Origin}.");

            var result = DataErrors.Guard(() => loaded.Evaluate(x, y, batchSize: batch, verbose: 1));
            var scores = DataErrors.Guard(() => loaded.Predict(x, batchSize: batch, verbose: 0));
            // One sigmoid unit scores class 1; the predicted class is then the side of 0.5 it falls on.
            NDArray predictions = scores.Shape[1] == 1 ? new NDArray<int>([.. scores.AsSpan().ToArray().Select(p => p > 0.5f ? 1 : 0)]) : scores;
            var confusion = Utils.ConfusionMatrix(split.Labels, predictions, numClasses: classes);

            var output = Console.Out;
            output.WriteLine();
            var metrics = new TextTable("metric", "value");
            foreach (var (name, value) in result) metrics.Add(name, value.ToString("F4", CultureInfo.InvariantCulture));
            output.Write(metrics.ToString());
            output.WriteLine();
            output.WriteLine("Per-class metrics:");
            output.Write(ClassificationReport.Metrics(confusion, ClassLabels(classes, split.ClassNames)));
            output.WriteLine();
            output.WriteLine("Confusion matrix (rows: true class, columns: predicted class):");
            output.Write(ClassificationReport.Matrix(confusion));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>"3" or "3 dress" when the data names its classes.</summary>
    private static string[] ClassLabels(int classes, IReadOnlyList<string>? names) =>
        [.. Enumerable.Range(0, classes).Select(i => names is not null && i < names.Count
            ? $"{i.ToString(CultureInfo.InvariantCulture)} {names[i]}" : i.ToString(CultureInfo.InvariantCulture))];
}
