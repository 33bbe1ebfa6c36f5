using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// Rebuilds a user's class from its config: through its <c>public static FromConfig(JsonObject)</c>, else through the
/// public constructor whose parameters all match config keys (Keras' default <c>cls(**config)</c>), converting
/// snake_case keys to camelCase parameter names. Keys no parameter takes are allowed only for the base keys
/// (<c>trainable</c>, <c>dtype</c>), which the caller applies.
/// </summary>
internal static class CustomConstruction
{
    private static readonly HashSet<string> s_baseKeys = ["trainable", "dtype"];

    public static T Create<T>(Type type, JsonObject config, string what) where T : class
    {
        if (config["dtype"] is { } dtype)
        {
            var reader = new ConfigReader(new JsonObject { ["dtype"] = dtype.DeepClone() }, what);
            Layers.LayerConfigs.ReadDType(reader); // a custom layer computes in float32 too: refuse another policy
        }
        var fromConfig = type.GetMethod("FromConfig", BindingFlags.Public | BindingFlags.Static, [typeof(JsonObject)]);
        if (fromConfig is not null && typeof(T).IsAssignableFrom(fromConfig.ReturnType))
            return (T)fromConfig.Invoke(null, [config.DeepClone()])!;

        var keys = config.Select(p => p.Key).Where(k => !s_baseKeys.Contains(k)).ToHashSet(StringComparer.Ordinal);
        foreach (var constructor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var names = parameters.Select(p => KerasLayout.ToSnakeCase(p.Name!)).ToArray();
            if (!keys.All(k => names.Contains(k, StringComparer.Ordinal))) continue;
            if (parameters.Where((p, i) => !p.HasDefaultValue && !keys.Contains(names[i])).Any()) continue;
            var args = new object?[parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
                args[i] = keys.Contains(names[i]) ? Convert(config[names[i]], parameters[i].ParameterType, names[i], what) : parameters[i].DefaultValue;
            var result = (T)constructor.Invoke(args);
            if (result is Layers.Layer layer && config["trainable"] is JsonValue t && t.GetValueKind() == JsonValueKind.False) layer.Trainable = false;
            return result;
        }
        throw new ModelFormatException($"{LoadContext.Current.Prefix}{what}: no public static FromConfig(JsonObject) and no public constructor takes the config's keys ({string.Join(", ", keys)}). Add a FromConfig method, or make GetConfig() write the constructor's arguments under their snake_case names.");
    }

    private static object? Convert(JsonNode? node, Type target, string key, string what)
    {
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (node is null) return target.IsValueType && Nullable.GetUnderlyingType(target) is null ? Activator.CreateInstance(target) : null;
        try
        {
            if (underlying == typeof(JsonNode) || underlying == typeof(JsonObject)) return node.DeepClone();
            if (underlying == typeof(string)) return node.GetValue<string>();
            if (underlying == typeof(bool)) return node.GetValue<bool>();
            if (underlying == typeof(int)) return checked((int)(ConfigReader.ToLong(node) ?? throw new FormatException()));
            if (underlying == typeof(long)) return ConfigReader.ToLong(node) ?? throw new FormatException();
            if (underlying == typeof(double)) return ConfigReader.ToDouble(node) ?? throw new FormatException();
            if (underlying == typeof(float)) return (float)(ConfigReader.ToDouble(node) ?? throw new FormatException());
            if (underlying == typeof(int[])) return node.AsArray().Select(n => checked((int)(ConfigReader.ToLong(n!) ?? throw new FormatException()))).ToArray();
            if (underlying == typeof(Activations.ActivationFunction)) return Activations.ActivationFunction.Get(node.GetValue<string>());
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException or JsonException)
        {
            throw new ModelFormatException($"{LoadContext.Current.Prefix}{what}: \"{key}\" = {ConfigReader.Describe(node)} cannot be passed as {target.Name}.", e);
        }
        throw new ModelFormatException($"{LoadContext.Current.Prefix}{what}: the constructor parameter for \"{key}\" has type {target.Name}, which Dendrite cannot fill from a config; give the class a static FromConfig(JsonObject).");
    }
}
