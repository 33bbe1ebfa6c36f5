using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// How <c>Compile</c> turns its <c>metrics</c> and <c>weighted_metrics</c> into the model's logged metrics, as Keras'
/// <c>CompileMetrics</c>: per output (prefixed by the output's name on a model with several), the unweighted ones first.
/// </summary>
internal static class CompiledMetrics
{
    /// <summary>A metric as given, with the output it watches and that output's name (null on a single-output model).</summary>
    public readonly record struct Given(Metric Metric, int Output, string? OutputName);

    /// <summary>One list of metrics (one flat list, or one list per output), checked.</summary>
    public static List<Given> Gather(Model model, Metric[]? flat, IReadOnlyList<Metric[]>? perOutput, string flatName, string perOutputName)
    {
        var gathered = new List<Given>();
        if (flat is not null)
            foreach (var metric in flat) gathered.Add(new(metric ?? throw new ArgumentNullException(flatName), 0, null));
        if (perOutput is not null)
        {
            var names = model.OutputNames;
            if (perOutput.Count != names.Length)
                throw new ArgumentException($"Model '{model.Name}' has {names.Length} output(s); {perOutputName} holds {perOutput.Count} list(s).", perOutputName);
            for (int o = 0; o < perOutput.Count; o++)
                foreach (var metric in perOutput[o] ?? [])
                {
                    ArgumentNullException.ThrowIfNull(metric, perOutputName);
                    gathered.Add(new(metric, o, names.Length > 1 ? names[o] : null));
                }
        }
        return gathered;
    }

    /// <summary>
    /// The logged metrics, unweighted then weighted, under Keras' names (<c>CompileMetrics.result</c>): an output's
    /// name prefixes its metrics; a weighted metric whose name is taken becomes <c>weighted_&lt;name&gt;</c> (after the
    /// output prefix), then <c>weighted_&lt;name&gt;_1</c>, <c>_2</c>… if that is taken too; a second unweighted metric
    /// of a name is logged as <c>&lt;name&gt;_1</c>, a third <c>&lt;name&gt;_2</c>. One metric object in both lists is
    /// refused: it would count every batch twice.
    /// </summary>
    public static List<(Metric Metric, int Output)> Name(List<Given> unweighted, List<Given> weighted)
    {
        var seen = new HashSet<Metric>(ReferenceEqualityComparer.Instance);
        foreach (var given in unweighted.Concat(weighted))
            if (!seen.Add(given.Metric))
                throw new ArgumentException($"The metric object '{given.Metric.Name}' is compiled twice (in metrics and weightedMetrics, or twice in one list); it would count every batch twice. Give each place its own instance (or the Keras name, which makes one each).", "metrics");
        var chosen = new List<(Metric, int)>();
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (metric, output, outputName) in unweighted)
        {
            string name = outputName is null ? metric.Name : $"{outputName}_{metric.Name}";
            if (counters.TryGetValue(name, out int index))
            {
                counters[name] = index + 1;
                name = $"{name}_{index}";
            }
            else counters[name] = 1;
            chosen.Add((name == metric.Name ? metric : new OutputMetric(metric, outputName, name), output));
        }
        foreach (var (metric, output, outputName) in weighted)
        {
            string name = outputName is null ? metric.Name : $"{outputName}_{metric.Name}";
            if (!counters.TryAdd(name, 1))
            {
                name = outputName is null ? $"weighted_{metric.Name}" : $"{outputName}_weighted_{metric.Name}";
                if (counters.TryGetValue(name, out int index))
                {
                    counters[name] = index + 1;
                    name = $"{name}_{index}";
                }
                else counters[name] = 1;
            }
            chosen.Add((name == metric.Name ? metric : new OutputMetric(metric, outputName, name), output));
        }
        return chosen;
    }
}
