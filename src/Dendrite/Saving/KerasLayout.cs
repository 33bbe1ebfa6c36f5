using System.Text.RegularExpressions;
using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Saving;

/// <summary>
/// One <c>vars</c> group of a layer in Keras 3's layout: where it sits below the layer's group (<c>""</c> for the
/// layer's own variables, <c>cell</c> for a recurrent layer's cell, <c>forward_layer/cell</c> inside a Bidirectional
/// wrapper — Keras' saving walk names each sublayer after the attribute holding it), the <c>name</c> attribute Keras
/// writes on it (the object's name), and its variables in stored order.
/// </summary>
internal sealed record SavedGroup(string SubPath, string Name, IReadOnlyList<Variable> Variables)
{
    /// <summary>This group moved under <paramref name="attribute"/> (a wrapper's sublayer).</summary>
    public SavedGroup Under(string attribute) => this with { SubPath = SubPath.Length == 0 ? attribute : $"{attribute}/{SubPath}" };
}

/// <summary>One layer as Keras 3's saving walk sees it: its key under <c>layers/</c> and its variable groups.</summary>
/// <param name="Key">The group name: the snake-cased class name with a unique suffix (<c>dense</c>, <c>dense_1</c>).</param>
/// <param name="Layer">The layer.</param>
/// <param name="Groups">The layer's own variables (trainable first, then the others, each in creation order), then its sublayers' groups.</param>
internal sealed record SavedLayer(string Key, Layer Layer, IReadOnlyList<SavedGroup> Groups)
{
    /// <summary>Every variable of every group, in order (Keras' <c>layer.weights</c> order).</summary>
    public IReadOnlyList<Variable> Variables { get; } = [.. Groups.SelectMany(g => g.Variables)];

    /// <summary>The path of a variables group, e.g. <c>layers/dense/vars</c> or <c>layers/lstm/cell/vars</c>.</summary>
    public string VarsPath(SavedGroup group, string layersRoot = KerasLayout.LayersGroup) =>
        group.SubPath.Length == 0 ? $"{layersRoot}/{Key}/vars" : $"{layersRoot}/{Key}/{group.SubPath}/vars";

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
            result.Add(new SavedLayer(key, layer, layer.SavedGroups()));
        }
        return result;
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
