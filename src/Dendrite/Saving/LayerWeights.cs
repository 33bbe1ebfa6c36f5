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
        string? root = source.GroupExists(KerasLayout.LayersGroup) ? KerasLayout.LayersGroup
            : source.GroupExists(KerasLayout.LegacyLayersGroup) ? KerasLayout.LegacyLayersGroup
            : null;
        if (root is null)
        {
            if (layers.All(l => l.Variables.Count == 0)) return [];
            var top = source.RootNames();
            string hint = top.Contains("model_weights")
                ? " It looks like a legacy Keras 2 `.h5` file (weights under model_weights/), which Dendrite does not read yet."
                : "";
            throw new WeightsFileException($"Cannot load weights from {source.Description}: it has no '{KerasLayout.LayersGroup}' group, so it holds no Keras 3 layer weights (its top-level entries: {List(top)}).{hint}");
        }

        var stored = new List<(IReadOnlyList<Variable> InModel, IReadOnlyList<StoredVariable> InFile)>();
        foreach (var layer in layers)
            foreach (var group in layer.Groups)
            {
                string path = layer.VarsPath(group, root);
                string what = group.SubPath.Length == 0 ? $"layer {layer.Describe()}" : $"layer {layer.Describe()} ('{group.SubPath}', {group.Name})";
                var variables = source.Variables(path);
                if (variables is null)
                {
                    if (group.Variables.Count == 0) continue; // Keras reads an absent group as an empty one
                    throw new WeightsFileException($"Cannot load weights from {source.Description}: it has no group '{path}' for {what}, which has {Count(group.Variables.Count)} ({Expected(group.Variables)}). The file's layer groups are: {List(source.SubgroupNames(root))}; the model's layers map to: {List(layers.Select(l => l.Key))}. The model's architecture differs from the one that was saved.");
                }
                if (variables.Count != group.Variables.Count)
                    throw new WeightsFileException($"Cannot load weights from {source.Description}: {what} expected {Count(group.Variables.Count)} ({Expected(group.Variables)}), but '{path}' holds {variables.Count} ({List(variables.Select(v => KerasLayout.FormatShape(v.Shape)))}). The model's architecture differs from the one that was saved.");
                for (int i = 0; i < variables.Count; i++)
                {
                    var variable = group.Variables[i];
                    var found = variables[i];
                    if (!found.Shape.AsSpan().SequenceEqual(variable.Shape.AsSpan()))
                        throw new WeightsFileException($"Cannot load weights from {source.Description}: {what} variable {i} ('{variable.Name}') has shape {variable.Shape} in the model but {KerasLayout.FormatShape(found.Shape)} in the file ('{found.Path}'). The model's architecture differs from the one that was saved.");
                    if (!found.IsFloat)
                        throw new WeightsFileException($"Cannot load weights from {source.Description}: {what} variable {i} ('{variable.Name}') is stored as {found.DType} ('{found.Path}'), not as floating-point numbers.");
                }
                stored.Add((group.Variables, variables));
            }

        // A group the model has no layer for, holding variables, means the file has more (or other) layers.
        var keys = layers.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        foreach (string name in source.SubgroupNames(root))
        {
            if (keys.Contains(name)) continue;
            var extra = source.Variables($"{root}/{name}/vars");
            if (extra is { Count: > 0 })
                throw new WeightsFileException($"Cannot load weights from {source.Description}: it holds {Count(extra.Count)} in '{root}/{name}/vars', a layer the model does not have (the model's layers map to: {List(layers.Select(l => l.Key))}). The model's architecture differs from the one that was saved.");
        }

        var assignments = new List<(Variable, float[])>();
        foreach (var (inModel, inFile) in stored)
            for (int i = 0; i < inFile.Count; i++)
                assignments.Add((inModel[i], inFile[i].ReadFloats()));
        return assignments;
    }

    private static string Count(int n) => n == 1 ? "1 variable" : $"{n} variables";

    private static string Expected(IReadOnlyList<Variable> variables) =>
        variables.Count == 0 ? "none" : List(variables.Select(v => $"{v.Name} {v.Shape}"));

    private static string List(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
