using System.CommandLine;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;

namespace Dendrite.Cli.Hosting;

/// <summary>
/// <c>--optimizer</c>, <c>--loss</c> and <c>--metrics</c>: compile a model saved without a compile config, or replace the
/// one it has. Names are Keras' (<c>adam</c>, <c>sparse_categorical_crossentropy</c>, <c>accuracy</c>); an unknown name
/// is a usage error listing the known ones.
/// </summary>
internal sealed class CompileOptions
{
    public Option<string?>? Optimizer { get; }
    public Option<string?> Loss { get; }
    public Option<string[]> Metrics { get; }

    public CompileOptions(bool withOptimizer)
    {
        if (withOptimizer)
        {
            Optimizer = new Option<string?>("--optimizer")
            {
                Description = "Compile with this optimizer (Keras name, default settings) when the file has no compile config, or instead of the saved one.",
            };
            Optimizer.AcceptOnlyFromAmong([.. Dendrite.Optimizers.Optimizer.KnownNames]);
        }
        Loss = new Option<string?>("--loss") { HelpName = "NAME", Description = "Compile with this loss (Keras name, e.g. sparse_categorical_crossentropy) when the file has no compile config, or instead of the saved one." };
        Loss.Validators.Add(r => Check(r, name => Dendrite.Losses.Loss.Get(name)));
        Metrics = new Option<string[]>("--metrics")
        {
            Description = "Metrics to compile with (Keras names, space- or comma-separated, e.g. accuracy).",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "NAME",
        };
        Metrics.Validators.Add(r => Check(r, name => Metric.Get(name)));
    }

    public void AddTo(Command command)
    {
        if (Optimizer is not null) command.Options.Add(Optimizer);
        command.Options.Add(Loss);
        command.Options.Add(Metrics);
    }

    /// <summary>
    /// Compiles <paramref name="model"/> from the options given; when it has no compile config and no <c>--loss</c> is
    /// given, a usage error says so. Returns a note for the user when the options replaced the saved configuration.
    /// </summary>
    public string? Apply(Model model, ParseResult parse, string modelPath)
    {
        string? optimizer = Optimizer is null ? null : parse.GetValue(Optimizer);
        string? loss = parse.GetValue(Loss);
        string[] metrics = SplitNames(parse.GetValue(Metrics));
        bool given = optimizer is not null || loss is not null || metrics.Length > 0;
        if (!model.Compiled)
        {
            if (loss is null)
                throw CliException.Usage(
                    $"'{modelPath}' has no compile config (it was saved before compile()), so it has no loss to {(Optimizer is null ? "evaluate" : "train")} with. " +
                    $"Pass {(Optimizer is null ? "" : "--optimizer, ")}--loss and --metrics, e.g. {(Optimizer is null ? "" : "--optimizer adam ")}--loss sparse_categorical_crossentropy --metrics accuracy.");
            model.Compile(optimizer ?? "rmsprop", loss, [.. metrics.Select(Metric.Get)]);
            return $"Compiled with optimizer {optimizer ?? "rmsprop"}, loss {loss}{(metrics.Length > 0 ? ", metrics " + string.Join(", ", metrics) : "")}.";
        }
        if (!given) return null;
        // Keep whatever part of the saved configuration the options do not replace.
        Optimizer? newOptimizer = optimizer is null ? model.Optimizer : Dendrite.Optimizers.Optimizer.Get(optimizer);
        Loss newLoss = loss is null ? model.Loss! : Dendrite.Losses.Loss.Get(loss);
        Metric[] newMetrics = metrics.Length > 0 ? [.. metrics.Select(Metric.Get)] : [.. model.Metrics];
        model.Compile(newOptimizer, newLoss, newMetrics);
        return $"Recompiled with {string.Join(", ", new[] { optimizer is null ? null : $"optimizer {optimizer}", loss is null ? null : $"loss {loss}", metrics.Length > 0 ? $"metrics {string.Join(", ", metrics)}" : null }.OfType<string>())} instead of the saved ones.";
    }

    private static string[] SplitNames(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static void Check(System.CommandLine.Parsing.OptionResult result, Action<string> lookUp)
    {
        foreach (var token in result.Tokens)
            foreach (string name in SplitNames([token.Value]))
            {
                try { lookUp(name); }
                catch (ArgumentException e) { result.AddError(e.Message); }
            }
    }
}
