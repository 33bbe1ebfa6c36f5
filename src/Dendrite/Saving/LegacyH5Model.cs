using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;

namespace Dendrite.Saving;

/// <summary>
/// Keras' legacy HDF5 model files (<c>model.save("x.h5")</c> in tf.keras 2.x and Keras 3;
/// <c>keras/src/legacy/saving/legacy_h5_format.py</c>): the architecture in the root attribute <c>model_config</c>,
/// the compile settings in <c>training_config</c>, and the weights under <c>model_weights/&lt;layer&gt;</c>, listed by
/// the attributes <c>layer_names</c> and <c>weight_names</c> and matched to the model's layers by order, as Keras does.
/// Keras 3's optimizer state under <c>optimizer_weights</c> is restored too.
/// </summary>
internal static class LegacyH5Model
{
    public static Model Load(H5WeightsSource source, string description, bool compile)
    {
        string configText = source.StringAttribute("/", "model_config")
            ?? throw new ModelFormatException(source.GroupExists(KerasLayout.LayersGroup)
                ? $"{description} is a weights file (.weights.h5), not a whole model: build the model and call LoadWeights on it."
                : $"{description} is an HDF5 file without the attribute 'model_config', so it holds no Keras model (its top-level entries: {string.Join(", ", source.RootNames())}).");
        string configWhere = $"{description} (attribute model_config)";
        Model model;
        using (LoadContext.Enter(configWhere, null))
            model = ModelConfig.Deserialize(Parse(configText, configWhere));

        var assignments = PlanWeights(model, source, "model_weights");
        foreach (var (variable, values) in assignments) variable.Assign(values);

        if (!compile || source.StringAttribute("/", "training_config") is not { } trainingText) return model;
        string trainingWhere = $"{description} (attribute training_config)";
        using (LoadContext.Enter(trainingWhere, null))
            CompileConfig.Apply(model, Parse(trainingText, trainingWhere));
        model.Optimizer!.EnsureBuilt(model.TrainableWeights);
        if (OptimizerVariables(source, description) is { } stored)
        {
            string? version = source.StringAttribute("/", "keras_version");
            if (version is not null && version.StartsWith("3.", StringComparison.Ordinal))
                OptimizerState.PlanRestore(model, stored, source)?.Invoke();
            else
                SavingWarnings.Warn($"Skipping variable loading for optimizer '{model.Optimizer.Name}': {description} was written by Keras {version ?? "(unknown version)"}, whose optimizer variables Dendrite does not map.");
        }
        return model;
    }

    private static JsonNode? Parse(string text, string where)
    {
        try { return PythonJson.Parse(text); }
        catch (JsonException e) { throw new ModelFormatException($"{where} is not valid JSON: {e.Message}", e); }
    }

    /// <summary>
    /// Pairs the model's layers that have weights with the file's, in order, checking every count and shape first.
    /// <paramref name="root"/> is <c>model_weights</c> in a whole-model file and the root (<c>""</c>) in a legacy
    /// <c>save_weights("x.h5")</c> file.
    /// </summary>
    internal static List<(Autodiff.Variable, float[])> PlanWeights(Model model, H5WeightsSource source, string root)
    {
        string description = source.Description;
        if (root.Length > 0 && !source.GroupExists(root)) throw new WeightsFileException($"{description} has no '{root}' group, so it holds no weights.");
        var names = source.StringListAttribute(root, "layer_names")
            ?? throw new WeightsFileException($"{description}: {(root.Length == 0 ? "the file" : $"the group '{root}'")} has no 'layer_names' attribute.");
        string Prefix(string name) => root.Length == 0 ? name : $"{root}/{name}";
        var stored = new List<(string Layer, string[] Weights)>();
        foreach (string name in names)
        {
            var weights = source.StringListAttribute(Prefix(name), "weight_names") ?? [];
            if (weights.Length > 0) stored.Add((name, weights));
        }
        var layers = KerasLayout.WalkWholeLayers(model);
        if (layers.Count != stored.Count)
            throw new WeightsFileException($"{description}: the model has {layers.Count} layer(s) with weights ({string.Join(", ", layers.Select(l => l.Layer.Name))}) but the file has {stored.Count} ({string.Join(", ", stored.Select(s => s.Layer))}).");
        var plan = new List<(Autodiff.Variable, StoredVariable)>();
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var (group, weightNames) = stored[i];
            if (weightNames.Length != layer.Variables.Count)
                throw new WeightsFileException($"{description}: layer {layer.Describe()} has {layer.Variables.Count} weights but '{Prefix(group)}' lists {weightNames.Length} ({string.Join(", ", weightNames)}).");
            for (int k = 0; k < weightNames.Length; k++)
            {
                var found = Dataset(source, $"{Prefix(group)}/{weightNames[k]}", k);
                var variable = layer.Variables[k];
                if (!found.Shape.AsSpan().SequenceEqual(variable.Shape.AsSpan()) || !found.IsFloat)
                    throw new WeightsFileException($"{description}: layer {layer.Describe()} weight {k} ('{variable.Name}') has shape {variable.Shape} in the model but '{found.Path}' is {found.DType} of shape {KerasLayout.FormatShape(found.Shape)}.");
                plan.Add((variable, found));
            }
        }
        return [.. plan.Select(p => (p.Item1, p.Item2.ReadFloats()))];
    }

    private static StoredVariable Dataset(H5WeightsSource source, string path, int index) => source.Guard(path, () =>
    {
        if (!source.Root.LinkExists(path) || source.Root.Get(path) is not IH5Dataset dataset)
            throw new WeightsFileException($"{source.Description}: the weight '{path}' listed in weight_names is missing.");
        return new StoredVariable(source, path, index, dataset);
    });

    /// <summary>The optimizer's variables in <c>weight_names</c> order, or null when the file has none.</summary>
    private static List<StoredVariable>? OptimizerVariables(H5WeightsSource source, string description)
    {
        const string root = "optimizer_weights";
        if (!source.GroupExists(root)) return null;
        var names = source.StringListAttribute(root, "weight_names");
        if (names is null || names.Length == 0) return null;
        return [.. names.Select((n, i) => Dataset(source, $"{root}/{n}", i))];
    }
}
