using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;

namespace Dendrite.Saving;

/// <summary>
/// What <c>Compile</c> was given, as Keras 3's <c>compile_config</c> (and the legacy <c>.h5</c>
/// <c>training_config</c>): the optimizer with its hyper-parameters, the loss(es), metrics and loss weights. A loss or
/// metric given by its Keras name is written as that name, an object as its serialized form.
/// </summary>
internal static class CompileConfig
{
    public static JsonObject? Serialize(Model model)
    {
        if (model.Optimizer is not { } optimizer) return null;
        var losses = model.CompiledLosses;
        JsonNode? loss = losses.Count switch
        {
            0 => null,
            1 => Loss(losses[0]),
            _ => new JsonArray([.. losses.Select(Loss)]),
        };
        JsonNode? metrics = MetricsNode(model, 0, model.WeightedMetricStart);
        JsonNode? weightedMetrics = MetricsNode(model, model.WeightedMetricStart, model.Metrics.Count);
        return new JsonObject
        {
            ["optimizer"] = optimizer.Serialize(),
            ["loss"] = loss,
            ["loss_weights"] = model.LossWeights is { } weights ? new JsonArray([.. weights.Select(w => (JsonNode?)w)]) : null,
            ["metrics"] = metrics,
            ["weighted_metrics"] = weightedMetrics,
            ["run_eagerly"] = model.RunEagerly,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };
    }

    /// <summary>Metrics [from, to) of the model's list: null when none, else one list, or one list per output when compiled per output.</summary>
    private static JsonNode? MetricsNode(Model model, int from, int to)
    {
        var metrics = model.Metrics;
        if (model.MetricOutputs.Count == 0)
            return to == from ? null : new JsonArray([.. Enumerable.Range(from, to - from).Select(i => Metric(metrics[i]))]);
        if (to == from) return null;
        var perOutput = new JsonArray();
        for (int o = 0; o < model.OutputNames.Length; o++)
            perOutput.Add(new JsonArray([.. Enumerable.Range(from, to - from).Where(i => model.MetricOutputs[i] == o).Select(i => Metric(metrics[i]))]));
        return perOutput;
    }

    private static JsonNode Loss(Loss loss) => loss.Identifier is { } id ? id : loss is FunctionLoss ? loss.Name : loss.Serialize();

    private static JsonNode Metric(Metric metric)
    {
        if (metric is OutputMetric wrapped) metric = wrapped.Inner;
        return metric.Identifier is { } id ? id : metric is ResolvedAccuracy ? "accuracy" : metric.Serialize();
    }

    /// <summary>Compiles <paramref name="model"/> as <paramref name="node"/> says (Keras' <c>compile_from_config</c>).</summary>
    public static void Apply(Model model, JsonNode? node)
    {
        var c = new ConfigReader(node, "compile_config");
        var optimizerNode = c.Has("optimizer") ? c.Node("optimizer") : c.Node("optimizer_config");
        var optimizer = optimizerNode is null ? new RMSprop() : OptimizerConfigs.Deserialize(optimizerNode, "compile_config \"optimizer\"");
        string[] outputs = model.OutputNames;
        var losses = PerOutput(c, "loss", outputs, (n, where) => LossConfigs.Deserialize(n, where)) ?? [];
        var weightsNode = c.Node("loss_weights");
        IReadOnlyList<double>? lossWeights = weightsNode is null ? null
            : PerOutput(c, "loss_weights", outputs, (n, where) => n is not null && ConfigReader.ToDouble(n) is double w ? w : throw c.Cannot("loss_weights", "numbers were expected."), weightsNode);
        bool runEagerly = c.Bool("run_eagerly", false);
        c.Ignore("steps_per_execution", "jit_compile", "auto_scale_loss", "sample_weight_mode");
        var (flatMetrics, perOutputMetrics) = ReadMetrics(c, "metrics", outputs);
        var (flatWeighted, perOutputWeighted) = ReadMetrics(c, "weighted_metrics", outputs);
        c.Finish();

        try
        {
            if (losses.Count <= 1 && perOutputMetrics is null && perOutputWeighted is null && lossWeights is null)
                model.Compile(optimizer, losses.Count == 0 ? null : losses[0], flatMetrics, runEagerly, flatWeighted);
            else
                model.Compile(optimizer, losses, perOutputMetrics ?? PerOutputOf(flatMetrics, outputs), lossWeights, runEagerly,
                    perOutputWeighted ?? PerOutputOf(flatWeighted, outputs));
        }
        catch (ArgumentException e) { throw c.Fail($"the model cannot be compiled as saved: {e.Message}"); }
    }

    /// <summary>A flat list on a single-output model compiled per output: that output's list.</summary>
    private static List<Metric[]>? PerOutputOf(Metric[]? flat, string[] outputs) =>
        flat is null || flat.Length == 0 ? null : outputs.Length == 1 ? [flat] : throw new ArgumentException("a flat metric list needs a single-output model.");

    /// <summary>
    /// A <c>metrics</c> or <c>weighted_metrics</c> entry: one list, or per output (a dict keyed by output name, or a
    /// list of lists); tf.keras' one-list-per-output on a single output, and a flat list applied to every output.
    /// </summary>
    private static (Metric[]? Flat, List<Metric[]>? PerOutput) ReadMetrics(ConfigReader c, string key, string[] outputs)
    {
        var metricsNode = c.Node(key);
        if (metricsNode is JsonObject dict)
        {
            foreach (var (name, _) in dict)
                if (!outputs.Contains(name)) throw c.Cannot(key, $"it names output '{name}', which the model does not have (its outputs: {string.Join(", ", outputs)}).");
            return (null, [.. outputs.Select(o => MetricList(dict[o], $"compile_config \"{key}\" [\"{o}\"]"))]);
        }
        if (metricsNode is JsonArray list && list.Count > 0 && list.All(m => m is null or JsonArray) && outputs.Length > 1)
        {
            if (list.Count != outputs.Length) throw c.Cannot(key, $"one list per output was expected ({outputs.Length}).");
            return (null, [.. list.Select((m, i) => MetricList(m, $"compile_config \"{key}\" [{i}]"))]);
        }
        if (metricsNode is JsonArray { Count: 1 } nested && nested[0] is JsonArray only && outputs.Length == 1)
            return (MetricList(only, $"compile_config \"{key}\" [0]"), null); // tf.keras writes one list per output
        if (metricsNode is not null && outputs.Length > 1)
            // A flat list on a model with several outputs: tf.keras applied every metric to every output.
            return (null, [.. outputs.Select((_, o) => MetricList(metricsNode, $"compile_config \"{key}\" (output {o})"))]);
        return (metricsNode is null ? null : MetricList(metricsNode, $"compile_config \"{key}\""), null);
    }

    private static Metric[] MetricList(JsonNode? node, string where) => node switch
    {
        null => [],
        JsonArray list => [.. list.Select((m, i) => MetricConfigs.Deserialize(m, $"{where} [{i}]"))],
        _ => [MetricConfigs.Deserialize(node, where)],
    };

    /// <summary>A value given once, as a list (one per output) or as a dict keyed by output name; null when absent.</summary>
    private static List<T>? PerOutput<T>(ConfigReader c, string key, string[] outputs, Func<JsonNode?, string, T> read, JsonNode? node = null)
    {
        node ??= c.Node(key);
        return node switch
        {
            null => null,
            JsonArray list => [.. list.Select((n, i) => read(n, $"compile_config \"{key}\" [{i}]"))],
            JsonObject dict when !dict.ContainsKey("class_name") =>
                [.. outputs.Select(o => dict.ContainsKey(o) ? read(dict[o], $"compile_config \"{key}\" [\"{o}\"]") : throw c.Cannot(key, $"no entry for output '{o}'."))],
            _ => [read(node, $"compile_config \"{key}\"")],
        };
    }
}
