using Dendrite.Autodiff;

namespace Dendrite.Saving;

/// <summary>
/// Matches the layer groups of a weights file to a model's layers, by Keras' walk: the n-th layer of a class is
/// stored under its snake-cased class name with suffix n (<c>layers/dense_1/vars</c>), whatever its configured name.
/// </summary>
internal static class LayerWeights
{
    /// <summary>
    /// Checks every stored layer against the model (groups, variable counts, shapes, element types), then reads the
    /// values. Throws <see cref="WeightsFileException"/> on the first mismatch; nothing is assigned here.
    /// </summary>
    public static List<(Variable Variable, float[] Values)> PlanRestore(Model model, H5WeightsSource source)
    {
        var layers = KerasLayout.Walk(model);
        // Every group that holds variables: each layer's, and those of the layers it owns (nested in its group).
        var groups = layers.SelectMany(l => l.SelfAndSublayers()).ToList();
        string? root = source.GroupExists(KerasLayout.LayersGroup) ? KerasLayout.LayersGroup
            : source.GroupExists(KerasLayout.LegacyLayersGroup) ? KerasLayout.LegacyLayersGroup
            : null;
        if (root is null)
        {
            if (groups.All(l => l.Variables.Count == 0)) return [];
            var top = source.RootNames();
            string hint = top.Contains("model_weights")
                ? " It looks like a legacy Keras 2 `.h5` file (weights under model_weights/), which Dendrite does not read yet."
                : "";
            throw new WeightsFileException($"Cannot load weights from {source.Description}: it has no '{KerasLayout.LayersGroup}' group, so it holds no Keras 3 layer weights (its top-level entries: {List(top)}).{hint}");
        }

        var stored = new List<(SavedLayer Layer, IReadOnlyList<StoredVariable> Variables)>(groups.Count);
        foreach (var layer in groups)
        {
            string path = layer.VarsPath(root);
            var variables = source.Variables(path);
            if (variables is null && layer.Path.LastIndexOf('/') is int slash and > 0)
            {
                // A sublayer saved under its private attribute (layers/multi_head_attention/_query_dense/vars): a Keras
                // whose saving walk sorted attributes plainly, underscores first, met the private name before the public one.
                string privatePath = $"{root}/{layer.Path[..(slash + 1)]}_{layer.Path[(slash + 1)..]}/vars";
                if (source.Variables(privatePath) is { } found) (variables, path) = (found, privatePath);
            }
            if (variables is null)
            {
                if (layer.Variables.Count == 0) continue; // Keras reads an absent group as an empty one
                throw new WeightsFileException($"Cannot load weights from {source.Description}: it has no group '{path}' for layer {layer.Describe()}, which has {Count(layer.Variables.Count)} ({Expected(layer)}). The file's layer groups are: {List(source.SubgroupNames(root))}; the model's layers map to: {List(layers.Select(l => l.Key))}. The model's architecture differs from the one that was saved.");
            }
            if (variables.Count != layer.Variables.Count)
                throw new WeightsFileException($"Cannot load weights from {source.Description}: layer {layer.Describe()} expected {Count(layer.Variables.Count)} ({Expected(layer)}), but '{path}' holds {variables.Count} ({List(variables.Select(v => KerasLayout.FormatShape(v.Shape)))}). The model's architecture differs from the one that was saved.");
            for (int i = 0; i < variables.Count; i++)
            {
                var variable = layer.Variables[i];
                var found = variables[i];
                if (!found.Shape.AsSpan().SequenceEqual(variable.Shape.AsSpan()))
                    throw new WeightsFileException($"Cannot load weights from {source.Description}: layer {layer.Describe()} variable {i} ('{variable.Name}') has shape {variable.Shape} in the model but {KerasLayout.FormatShape(found.Shape)} in the file ('{found.Path}'). The model's architecture differs from the one that was saved.");
                if (!found.IsFloat)
                    throw new WeightsFileException($"Cannot load weights from {source.Description}: layer {layer.Describe()} variable {i} ('{variable.Name}') is stored as {found.DType} ('{found.Path}'), not as floating-point numbers.");
            }
            stored.Add((layer, variables));
        }

        // A group the model has no layer for, holding variables, means the file has more (or other) layers.
        var keys = layers.Select(l => l.Key.Split('/')[0]).ToHashSet(StringComparer.Ordinal); // top-level groups; sublayers sit inside them
        foreach (string name in source.SubgroupNames(root))
        {
            if (keys.Contains(name)) continue;
            var extra = source.Variables($"{root}/{name}/vars");
            if (extra is { Count: > 0 })
                throw new WeightsFileException($"Cannot load weights from {source.Description}: it holds {Count(extra.Count)} in '{root}/{name}/vars', a layer the model does not have (the model's layers map to: {List(layers.Select(l => l.Key))}). The model's architecture differs from the one that was saved.");
        }

        var assignments = new List<(Variable, float[])>();
        foreach (var (layer, variables) in stored)
            for (int i = 0; i < variables.Count; i++)
                assignments.Add((layer.Variables[i], variables[i].ReadFloats()));
        return assignments;
    }

    private static string Count(int n) => n == 1 ? "1 variable" : $"{n} variables";

    private static string Expected(SavedLayer layer) =>
        layer.Variables.Count == 0 ? "none" : List(layer.Variables.Select(v => $"{v.Name} {v.Shape}"));

    private static string List(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
