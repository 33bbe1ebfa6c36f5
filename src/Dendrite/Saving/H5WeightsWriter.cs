using Dendrite.Autodiff;
using PureHDF;

namespace Dendrite.Saving;

/// <summary>
/// Lays a model's variables out as Keras 3's <c>.weights.h5</c> with PureHDF, as h5py would write them for Keras:
/// float32 contiguous datasets (no compact layout, chunking or compression), one group per layer even without
/// variables, and a string attribute <c>name</c> on every <c>vars</c> group (Keras 3.6 and later).
/// </summary>
internal static class H5WeightsWriter
{
    /// <summary>h5py's default is the contiguous layout, also for small datasets.</summary>
    private static readonly H5WriteOptions s_options = new(PreferCompactDatasetLayout: false);

    /// <summary>Writes the file for <paramref name="model"/> (built) to <paramref name="stream"/>.</summary>
    public static void Write(Model model, IReadOnlyList<SavedLayer> layers, OptimizerState.Snapshot? optimizer, Stream stream)
    {
        var file = new H5File { ["vars"] = VarsGroup(model.Name, []) };

        var layersGroup = new H5Group();
        foreach (var layer in layers) layersGroup[layer.Key] = LayerGroup(layer);
        file[KerasLayout.LayersGroup] = layersGroup;

        if (optimizer is not null)
        {
            // BaseOptimizer.variables: iteration (int64 scalar), learning_rate (float32 scalar), then the slots.
            var datasets = new List<H5Dataset> { new(optimizer.Iterations) };
            if (optimizer.LearningRate is float rate) datasets.Add(new(rate));
            datasets.AddRange(optimizer.Slots.Select(s => FloatDataset(s.Values, s.Shape)));
            file["optimizer"] = new H5Group { ["vars"] = VarsGroup(optimizer.Name, datasets) };
        }

        file.Write(stream, s_options);
    }

    /// <summary>A layer's group: its own <c>vars</c>, and a group per layer it owns, named by the attribute that holds it.</summary>
    private static H5Group LayerGroup(SavedLayer layer)
    {
        var group = new H5Group { ["vars"] = VarsGroup(layer.GroupName, layer.Variables.Select(FloatDataset)) };
        foreach (var sublayer in layer.Sublayers) group[sublayer.Key] = LayerGroup(sublayer);
        return group;
    }

    private static H5Group VarsGroup(string name, IEnumerable<H5Dataset> datasets)
    {
        var group = new H5Group { Attributes = new() { ["name"] = name } };
        int i = 0;
        foreach (var dataset in datasets) group[(i++).ToString(System.Globalization.CultureInfo.InvariantCulture)] = dataset;
        return group;
    }

    private static H5Dataset FloatDataset(Variable variable) => FloatDataset(variable.Value.Values.ToArray(), variable.Shape);

    private static H5Dataset FloatDataset(float[] values, Shape shape) =>
        new(values, fileDims: shape.ToArray().Select(d => (ulong)d).ToArray());
}
