using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// The shape every object takes in a Keras 3 config (<c>serialize_keras_object</c>):
/// <c>{"module", "class_name", "config", "registered_name"}</c>, plus <c>build_config</c> and <c>compile_config</c>
/// where they apply.
/// </summary>
public static class KerasObject
{
    /// <summary>
    /// The serialized form of an object: <paramref name="module"/> is Keras' public module (<c>keras.layers</c>, …) for
    /// built-in classes; <paramref name="registeredName"/> is null for them and <c>package&gt;Name</c> for registered
    /// custom classes.
    /// </summary>
    public static JsonObject Create(string module, string className, JsonNode? config, string? registeredName = null) => new()
    {
        ["module"] = module,
        ["class_name"] = className,
        ["config"] = config,
        ["registered_name"] = registeredName,
    };

    /// <summary>Keras ≥ 3.4's float32 <c>DTypePolicy</c> object, as layers write their <c>dtype</c>.</summary>
    public static JsonObject Float32Policy() => Create("keras", "DTypePolicy", new JsonObject { ["name"] = "float32" });

    /// <summary>A shape with the batch axis as <c>null</c>: <c>[null, 28, 28, 1]</c>.</summary>
    public static JsonArray BatchShape(Shape perSample)
    {
        var array = new JsonArray { null };
        foreach (int d in perSample) array.Add(d);
        return array;
    }

    /// <summary>
    /// A float32 argument as the Python float a Keras user would have written: its shortest decimal form
    /// (<c>0.05f</c> → <c>0.05</c>, not <c>0.05000000074505806</c>), which reads back to the same float32.
    /// </summary>
    public static double Float(float value) =>
        float.IsFinite(value) ? double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture) : value;

    /// <summary>A list of integers as a JSON array.</summary>
    public static JsonArray Ints(params int[] values)
    {
        var array = new JsonArray();
        foreach (int v in values) array.Add(v);
        return array;
    }
}
