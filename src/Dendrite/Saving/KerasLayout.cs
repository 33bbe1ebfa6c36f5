using System.Text.RegularExpressions;
using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Saving;

/// <summary>One layer as Keras 3's saving walk sees it: its group, its own variables in stored order, and the layers it owns.</summary>
/// <param name="Key">The group name: for a model's layer the snake-cased class name with a unique suffix
/// (<c>dense</c>, <c>dense_1</c>); for a layer owned by another (<see cref="Layer.Sublayers"/>) the attribute that holds
/// it (<c>layer</c>).</param>
/// <param name="Path">The group's path under the layers group: <c>dense_1</c>, <c>time_distributed/layer</c>.</param>
/// <param name="Layer">The layer.</param>
/// <param name="Variables">Its own trainable variables first, then the others, each group in creation order (Keras'
/// <c>Layer.save_own_variables</c>); the variables of the layers it owns are theirs, in <paramref name="Sublayers"/>.</param>
/// <param name="Sublayers">The layers it owns, each stored in a group of its own inside this one.</param>
internal sealed record SavedLayer(string Key, string Path, Layer Layer, IReadOnlyList<Variable> Variables, IReadOnlyList<SavedLayer> Sublayers)
{
    /// <summary>The <c>name</c> attribute Keras writes on the <c>vars</c> group: the object's name (a cell's is <c>lstm_cell</c>).</summary>
    public string GroupName { get; init; } = Layer.Name;

    /// <summary>The path of the layer's variables group, e.g. <c>layers/dense/vars</c> or <c>layers/time_distributed/layer/vars</c>.</summary>
    public string VarsPath(string layersRoot = KerasLayout.LayersGroup) => $"{layersRoot}/{Path}/vars";

    /// <summary>This layer, then every layer it owns (depth first): every group that holds variables.</summary>
    public IEnumerable<SavedLayer> SelfAndSublayers() => Sublayers.SelectMany(s => s.SelfAndSublayers()).Prepend(this);

    /// <summary>
    /// Every weight of the layer, those of the layers it owns included, trainable ones first (Keras 2's legacy
    /// <c>.h5</c> files list them so under the layer's group).
    /// </summary>
    public IReadOnlyList<Variable> AllVariables => [.. Layer.Weights.Where(w => w.Trainable), .. Layer.Weights.Where(w => !w.Trainable)];

    /// <summary><c>'dense' (Dense)</c>, for messages.</summary>
    public string Describe() => $"'{Layer.Name}' ({Layer.GetType().Name})";
}

/// <summary>
/// The <c>.weights.h5</c> layout of Keras 3 (<c>keras/src/saving/saving_lib.py</c>): the model's layers are visited in
/// order, each stored under <c>layers/&lt;key&gt;/vars/&lt;i&gt;</c> whatever its configured name; the optimizer under
/// <c>optimizer/vars/&lt;i&gt;</c>; the model's own (empty) <c>vars</c> group at the root.
/// </summary>
internal static partial class KerasLayout
{
    /// <summary>The group holding one subgroup per layer.</summary>
    public const string LayersGroup = "layers";

    /// <summary>Where tf.keras 2.13–2.15 <c>.keras</c> files keep the layers instead (Keras 3 reads both).</summary>
    public const string LegacyLayersGroup = "_layer_checkpoint_dependencies";

    /// <summary>The optimizer's variables group.</summary>
    public const string OptimizerVars = "optimizer/vars";

    /// <summary>The layers of <paramref name="model"/> with their keys and variables, in Keras' walk order.</summary>
    public static IReadOnlyList<SavedLayer> Walk(Model model)
    {
        var used = new Dictionary<string, int>();
        var layers = model.Layers; // a Sequential model's as added, a functional one's in Keras' graph order
        var result = new List<SavedLayer>(layers.Count);
        foreach (var layer in layers)
        {
            // _get_unique_name: the first of a class is bare, later ones get _1, _2, …
            string key = ToSnakeCase(layer.GetType().Name);
            if (used.TryGetValue(key, out int count)) { used[key] = ++count; key = $"{key}_{count}"; }
            else used[key] = 0;
            result.Add(Saved(key, key, layer));
        }
        return result;
    }

    /// <summary>
    /// A layer's entry: its own variables (Layer.save_own_variables: self._trainable_variables +
    /// self._non_trainable_variables), and the layers it owns under their attribute names, as _save_state walks them.
    /// </summary>
    private static SavedLayer Saved(string key, string path, Layer layer)
    {
        var own = layer.OwnWeights;
        var variables = own.Where(w => w.Trainable).Concat(own.Where(w => !w.Trainable)).ToList();
        var sublayers = layer.Sublayers.Select(s => Saved(s.Attribute, $"{path}/{s.Attribute}", s.Layer)).ToList();
        // A recurrent layer's weights live in its cell in Keras: an empty group for the layer, the variables below it.
        if (layer.OwnVariablesAttribute is var (cell, cellName))
            return new SavedLayer(key, path, layer, [], [new SavedLayer(cell, $"{path}/{cell}", layer, variables, []) { GroupName = cellName }, .. sublayers]);
        return new SavedLayer(key, path, layer, variables, sublayers);
    }

    /// <summary>Keras' <c>naming.to_snake_case</c>: <c>Conv2D</c> → <c>conv2d</c>, <c>MaxPooling2D</c> → <c>max_pooling2d</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        name = NonWord().Replace(name, "");
        name = WordStart().Replace(name, "$1_$2");
        name = LowerUpper().Replace(name, "$1_$2");
        return name.ToLowerInvariant();
    }

    /// <summary>Dataset names are integers stored as text: their order is numeric (2 before 10).</summary>
    public static bool TryParseIndex(string name, out int index) =>
        int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
        && index.ToString(System.Globalization.CultureInfo.InvariantCulture) == name;

    /// <summary><c>(3, 3, 1, 32)</c>, as Keras prints shapes.</summary>
    public static string FormatShape(IReadOnlyList<int> dims) => dims.Count == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();
}
