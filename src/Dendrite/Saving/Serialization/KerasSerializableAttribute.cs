namespace Dendrite.Saving;

/// <summary>
/// Marks a custom class (a layer, loss, metric, initializer, optimizer or schedule) as saveable, as Keras'
/// <c>@keras.saving.register_keras_serializable(package, name)</c>: it is written with
/// <c>registered_name = "package&gt;name"</c> and found again by that name when a model is loaded.
/// </summary>
/// <remarks>
/// The class describes itself with <c>GetConfig()</c> (add your constructor's arguments to the base config) and is
/// rebuilt by a <c>public static T FromConfig(JsonObject config)</c> method when it has one, else by the public
/// constructor whose parameters all match config keys (<c>units</c> for a parameter <c>units</c>,
/// <c>use_bias</c> for <c>useBias</c>); plain numbers, booleans, strings and integer arrays are converted.
/// </remarks>
/// <param name="package">Keras' <c>package</c>; "Custom" by default, as in Keras.</param>
/// <param name="name">The registered class name; the type's name by default.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KerasSerializableAttribute(string package = "Custom", string? name = null) : Attribute
{
    /// <summary>The package part of the registered name.</summary>
    public string Package { get; } = package;

    /// <summary>The name part, or null for the type's name.</summary>
    public string? Name { get; } = name;
}
