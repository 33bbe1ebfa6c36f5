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
        JsonNode? metrics;
        if (model.MetricOutputs.Count == 0)
            metrics = model.Metrics.Count == 0 ? null : new JsonArray([.. model.Metrics.Select(Metric)]);
        else
        {
            var perOutput = new JsonArray();
            for (int o = 0; o < model.OutputNames.Length; o++)
                perOutput.Add(new JsonArray([.. model.Metrics.Where((_, i) => model.MetricOutputs[i] == o).Select(Metric)]));
            metrics = perOutput;
        }
        return new JsonObject
        {
            ["optimizer"] = optimizer.Serialize(),
            ["loss"] = loss,
            ["loss_weights"] = model.LossWeights is { } weights ? new JsonArray([.. weights.Select(w => (JsonNode?)w)]) : null,
            ["metrics"] = metrics,
            ["weighted_metrics"] = null,
            ["run_eagerly"] = model.RunEagerly,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };
    }

    private static JsonNode Loss(Loss loss) => loss.Identifier is { } id ? id : loss is FunctionLoss ? loss.Name : loss.Serialize();

    private static JsonNode Metric(Metric metric)
    {
        if (metric is OutputMetric wrapped) metric = wrapped.Inner;
        return metric.Identifier is { } id ? id : metric is Accuracy ? "accuracy" : metric.Serialize();
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
        c.RequireUnset("weighted_metrics", "Dendrite has no weighted metrics yet; load with compile: false and compile the model yourself.");
        bool runEagerly = c.Bool("run_eagerly", false);
        c.Ignore("steps_per_execution", "jit_compile", "auto_scale_loss", "sample_weight_mode");

        var metricsNode = c.Node("metrics");
        List<Metric[]>? perOutputMetrics = null;
        Metric[]? flatMetrics = null;
        if (metricsNode is JsonObject dict)
        {
            foreach (var (key, _) in dict)
                if (!outputs.Contains(key)) throw c.Cannot("metrics", $"it names output '{key}', which the model does not have (its outputs: {string.Join(", ", outputs)}).");
            perOutputMetrics = [.. outputs.Select(o => MetricList(dict[o], $"compile_config \"metrics\" [\"{o}\"]"))];
        }
        else if (metricsNode is JsonArray list && list.Count > 0 && list.All(m => m is null or JsonArray) && outputs.Length > 1)
        {
            if (list.Count != outputs.Length) throw c.Cannot("metrics", $"one list per output was expected ({outputs.Length}).");
            perOutputMetrics = [.. list.Select((m, i) => MetricList(m, $"compile_config \"metrics\" [{i}]"))];
        }
        else if (metricsNode is JsonArray { Count: 1 } nested && nested[0] is JsonArray only && outputs.Length == 1)
            flatMetrics = MetricList(only, "compile_config \"metrics\" [0]"); // tf.keras writes one list per output
        else if (metricsNode is not null && outputs.Length > 1)
            // A flat list on a model with several outputs: tf.keras applied every metric to every output.
            perOutputMetrics = [.. outputs.Select((_, o) => MetricList(metricsNode, $"compile_config \"metrics\" (output {o})"))];
        else if (metricsNode is not null) flatMetrics = MetricList(metricsNode, "compile_config \"metrics\"");
        c.Finish();

        try
        {
            if (losses.Count <= 1 && perOutputMetrics is null && lossWeights is null)
                model.Compile(optimizer, losses.Count == 0 ? null : losses[0], flatMetrics, runEagerly);
            else
                model.Compile(optimizer, losses, perOutputMetrics, lossWeights, runEagerly);
        }
        catch (ArgumentException e) { throw c.Fail($"the model cannot be compiled as saved: {e.Message}"); }
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
