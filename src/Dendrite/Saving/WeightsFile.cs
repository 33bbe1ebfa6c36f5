namespace Dendrite.Saving;

/// <summary>
/// <see cref="Model.SaveWeights"/> and <see cref="Model.LoadWeights"/>: Keras 3's weights formats, checked
/// completely before any weight changes.
/// </summary>
internal static class WeightsFile
{
    /// <summary>The suffix Keras requires of <c>save_weights</c> paths.</summary>
    public const string WeightsSuffix = ".weights.h5";

    /// <summary>The suffix of Keras' whole-model zip archives.</summary>
    public const string KerasSuffix = ".keras";

    public static void Save(Model model, string path, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(WeightsSuffix, StringComparison.Ordinal))
            throw new ArgumentException($"The filename must end in `{WeightsSuffix}`. Received: filepath={path}", nameof(path));
        if (!model.Built)
            throw new InvalidOperationException($"Model '{model.Name}' has not been built yet, so it has no weights to save. Build it first: start it with an InputLayer, call Build(inputShape), or Fit it.");
        if (!overwrite && File.Exists(path))
            throw new IOException($"'{path}' already exists and overwrite is false.");
        var layers = KerasLayout.Walk(model);
        var optimizer = OptimizerState.Capture(model);
        AtomicFile.Write(path, stream => H5WeightsWriter.Write(model, layers, optimizer, stream));
    }

    public static void Load(Model model, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        bool archive = path.EndsWith(KerasSuffix, StringComparison.Ordinal);
        bool legacy = !archive && !path.EndsWith(WeightsSuffix, StringComparison.Ordinal)
            && (path.EndsWith(".h5", StringComparison.Ordinal) || path.EndsWith(".hdf5", StringComparison.Ordinal));
        if (!archive && !legacy && !path.EndsWith(WeightsSuffix, StringComparison.Ordinal))
            throw new ArgumentException($"File format not supported: filepath={path}. Dendrite loads Keras 3's `{WeightsSuffix}` files, the weights inside `{KerasSuffix}` files, and legacy `.h5` files.", nameof(path));
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file not found: '{path}'.", path);
        if (!model.Built)
            throw new InvalidOperationException($"Model '{model.Name}' has not been built yet, so it has no weights to load into. Build it with the architecture the file was saved from first: start it with an InputLayer, or call Build(inputShape).");

        using var source = archive ? H5WeightsSource.OpenKerasArchive(path) : H5WeightsSource.OpenH5(path);
        if (legacy || (!source.GroupExists(KerasLayout.LayersGroup) && !source.GroupExists(KerasLayout.LegacyLayersGroup) && IsLegacy(source)))
        {
            // Keras 2's layout (model.save("x.h5") or save_weights("x.h5")): layers matched by order, no optimizer.
            string root = source.GroupExists("model_weights") ? "model_weights" : "";
            foreach (var (variable, values) in LegacyH5Model.PlanWeights(model, source, root)) variable.Assign(values);
            return;
        }
        var assignments = LayerWeights.PlanRestore(model, source);
        var optimizer = OptimizerState.PlanRestore(model, source);
        // Everything was read and checked: only now does the model change.
        foreach (var (variable, values) in assignments) variable.Assign(values);
        optimizer?.Invoke();
    }

    private static bool IsLegacy(H5WeightsSource source) =>
        source.GroupExists("model_weights") || source.StringListAttribute("", "layer_names") is not null;
}
