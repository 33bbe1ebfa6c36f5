using System.Text.RegularExpressions;
using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Saving;

/// <summary>One layer as Keras 3's saving walk sees it: its key under <c>layers/</c> and its variables in stored order.</summary>
/// <param name="Key">The group name: the snake-cased class name with a unique suffix (<c>dense</c>, <c>dense_1</c>).</param>
/// <param name="Layer">The layer.</param>
/// <param name="Variables">Trainable variables first, then the others, each group in creation order.</param>
internal sealed record SavedLayer(string Key, Layer Layer, IReadOnlyList<Variable> Variables)
{
    /// <summary>The path of the layer's variables group, e.g. <c>layers/dense/vars</c>.</summary>
    public string VarsPath(string layersRoot = KerasLayout.LayersGroup) => $"{layersRoot}/{Key}/vars";

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

    /// <summary>
    /// The layers of <paramref name="model"/> with their keys and variables, in Keras' walk order: each layer of the
    /// model, followed by its sublayers (<see cref="Layer.Sublayers"/>) under <c>key/attribute</c>, recursively.
    /// </summary>
    /// <remarks>
    /// Keras' <c>_walk_saveable</c> visits a layer's attributes sorted by name with private ones (a leading
    /// underscore) last, and each object once, at the first path that reaches it; the sublayers are ordered the same way.
    /// </remarks>
    public static IReadOnlyList<SavedLayer> Walk(Model model)
    {
        var used = new Dictionary<string, int>();
        var layers = model.Layers; // a Sequential model's as added, a functional one's in Keras' graph order
        var result = new List<SavedLayer>(layers.Count);
        var visited = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        void Visit(string key, Layer layer)
        {
            if (!visited.Add(layer)) return;
            // Layer.save_own_variables: self._trainable_variables + self._non_trainable_variables.
            var own = layer.OwnWeights;
            result.Add(new SavedLayer(key, layer, [.. own.Where(w => w.Trainable), .. own.Where(w => !w.Trainable)]));
            foreach (var (attribute, sublayer) in layer.Sublayers.OrderBy(s => s.Attribute.StartsWith('_') ? "~" + s.Attribute : s.Attribute, StringComparer.Ordinal))
                Visit($"{key}/{attribute}", sublayer);
        }
        foreach (var layer in layers)
        {
            // _get_unique_name: the first of a class is bare, later ones get _1, _2, …
            string key = ToSnakeCase(layer.GetType().Name);
            if (used.TryGetValue(key, out int count)) { used[key] = ++count; key = $"{key}_{count}"; }
            else used[key] = 0;
            Visit(key, layer);
        }
        return result;
    }

    /// <summary>
    /// The model's layers that have weights, each with all of them (its sublayers' included), trainable ones first:
    /// the legacy HDF5 layout, which stores one group per layer of the model.
    /// </summary>
    public static IReadOnlyList<SavedLayer> WalkWholeLayers(Model model) =>
        [.. model.Layers.Where(l => l.Weights.Count > 0).Select(l => new SavedLayer(l.Name, l, [.. l.Weights.Where(w => w.Trainable), .. l.Weights.Where(w => !w.Trainable)]))];

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
