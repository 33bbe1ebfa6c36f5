using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dendrite.Saving;

/// <summary>
/// The one registry behind every model file: it turns objects into Keras' <c>{"module", "class_name", "config",
/// "registered_name"}</c> form and back. Built-in classes are known by their Keras class names; custom classes are
/// registered with <see cref="Register"/> or the <see cref="KerasSerializableAttribute"/>, or passed to
/// <c>Model.Load</c> as custom objects.
/// </summary>
public static class KerasRegistry
{
    private static readonly ConcurrentDictionary<string, Type> s_custom = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string> s_names = new();
    private static int s_scanned;
    private static readonly object s_scanLock = new();

    /// <summary>
    /// Registers <typeparamref name="T"/> under <c>package&gt;name</c> (Keras' <c>register_keras_serializable</c>), so
    /// that saved models holding it load again. Registering the same type again replaces its name.
    /// </summary>
    public static void Register<T>(string package = "Custom", string? name = null) => Register(typeof(T), package, name);

    /// <summary>Registers <paramref name="type"/> under <c>package&gt;name</c>; see <see cref="Register{T}"/>.</summary>
    public static void Register(Type type, string package = "Custom", string? name = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(package);
        string registered = $"{package}>{name ?? type.Name}";
        s_custom[registered] = type;
        s_names[type] = registered;
    }

    /// <summary>The registered name of a custom type (<c>Custom&gt;GatedDense</c>), or null for Dendrite's own classes.</summary>
    public static string? RegisteredName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (s_names.TryGetValue(type, out var name)) return name;
        if (type.GetCustomAttribute<KerasSerializableAttribute>() is { } attribute)
        {
            Register(type, attribute.Package, attribute.Name);
            return s_names[type];
        }
        // A class outside Dendrite that is not registered still gets a name, so that custom objects find it.
        return type.Assembly == typeof(KerasRegistry).Assembly ? null : $"Custom>{type.Name}";
    }

    /// <summary>The serialized form of <paramref name="obj"/>: Keras' module for built-ins, the type's namespace and registered name for custom ones.</summary>
    internal static JsonObject Serialize(object obj, string builtinModule, string className, JsonObject config)
    {
        string? registered = RegisteredName(obj.GetType());
        return registered is null
            ? KerasObject.Create(builtinModule, className, config)
            : KerasObject.Create(obj.GetType().Namespace ?? "", className, config, registered);
    }

    /// <summary>Reads one config with a <see cref="ConfigReader"/>, refusing keys that <paramref name="read"/> left unread.</summary>
    internal static T ReadConfig<T>(JsonNode? config, string what, Func<ConfigReader, T> read)
    {
        var reader = new ConfigReader(config, what);
        T result;
        try { result = read(reader); }
        catch (ArgumentException e) { throw reader.Fail(e.Message); } // a constructor refused a value: name the object
        reader.Finish();
        return result;
    }

    /// <summary>
    /// Rebuilds an object of kind <typeparamref name="T"/> from its serialized form: a custom object passed to
    /// <c>Model.Load</c> or registered, else a built-in class by name, else (for a plain string) <paramref name="fromString"/>.
    /// </summary>
    /// <param name="node">The serialized object, or a string naming one.</param>
    /// <param name="kind">What is being read, for messages (<c>layer</c>, <c>initializer</c>).</param>
    /// <param name="where">Where it sits, for messages (<c>layer 'dense' (Dense) key "kernel_initializer"</c>).</param>
    /// <param name="builtins">Keras class name → reader of the config.</param>
    /// <param name="fromString">How a bare name is resolved (Keras' short names such as <c>"relu"</c>), or null.</param>
    internal static T Deserialize<T>(JsonNode? node, string kind, string where, IReadOnlyDictionary<string, Func<JsonObject, T>> builtins,
        Func<string, T>? fromString = null) where T : class
    {
        var context = LoadContext.Current;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            string name = value.GetValue<string>();
            if (context.CustomObjects.TryGetValue(name, out var custom)) return FromCustom<T>(custom, null, kind, where, name);
            if (fromString is null) throw new ModelFormatException($"{context.Prefix}{where}: a {kind} given by name (\"{name}\") cannot be rebuilt here.");
            try { return fromString(name); }
            catch (ArgumentException e) { throw new ModelFormatException($"{context.Prefix}{where}: unknown {kind} \"{name}\": {e.Message}", e); }
        }
        if (node is not JsonObject obj)
            throw new ModelFormatException($"{context.Prefix}{where}: a {kind} should be a JSON object with \"class_name\" and \"config\", got {ConfigReader.Describe(node)}.");
        string className = obj["class_name"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>()
            : throw new ModelFormatException($"{context.Prefix}{where}: the {kind} has no \"class_name\".");
        string? registered = obj["registered_name"] is JsonValue r && r.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null;
        var config = obj["config"];

        foreach (string? key in (ReadOnlySpan<string?>)[registered, className])
            if (key is not null && context.CustomObjects.TryGetValue(key, out var custom)) return FromCustom<T>(custom, config, kind, where, className);
        if (registered is not null && registered != className && Lookup(registered) is { } registeredType)
            return FromCustom<T>(registeredType, config, kind, where, className);
        // tf.keras 2.11+ registered its new optimizers as "Custom>Adam" in legacy files: the bare name is the built-in.
        if (!builtins.ContainsKey(className) && className.StartsWith("Custom>", StringComparison.Ordinal) && builtins.ContainsKey(className["Custom>".Length..]))
            className = className["Custom>".Length..];
        if (builtins.TryGetValue(className, out var read))
        {
            if (config is not JsonObject configObject)
            {
                // Keras writes some objects with a non-object config (a function's name); treat a string as the name.
                if (config is JsonValue s && s.GetValueKind() == JsonValueKind.String && fromString is not null) return fromString(s.GetValue<string>());
                throw new ModelFormatException($"{context.Prefix}{where}: the {kind} {className} has no config object.");
            }
            return read(configObject);
        }
        if (Lookup(className) is { } type) return FromCustom<T>(type, config, kind, where, className);
        string known = string.Join(", ", builtins.Keys.Order(StringComparer.Ordinal));
        throw new ModelFormatException($"{context.Prefix}{where}: unknown {kind} class '{className}'{(registered is null ? "" : $" (registered as '{registered}')")}. Dendrite's {kind}s: {known}. A custom class must be registered ([KerasSerializable] or KerasRegistry.Register) or passed to Model.Load in customObjects.");
    }

    /// <summary>A registered type by <c>package&gt;name</c> or by bare class name; scans loaded assemblies for the attribute once.</summary>
    private static Type? Lookup(string name)
    {
        if (s_custom.TryGetValue(name, out var type)) return type;
        lock (s_scanLock)
        {
            // Scanned once, and again whenever assemblies were loaded since (a plugin's custom layers).
            int loaded = AppDomain.CurrentDomain.GetAssemblies().Length;
            if (loaded == s_scanned) goto done;
            s_scanned = loaded;
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic) continue;
                Type[] types;
                try { types = assembly.GetTypes(); }
                catch (ReflectionTypeLoadException e) { types = [.. e.Types.OfType<Type>()]; }
                foreach (var t in types)
                    if (t.GetCustomAttribute<KerasSerializableAttribute>() is not null) RegisteredName(t);
            }
            if (s_custom.TryGetValue(name, out type)) return type;
        }
    done:
        // A bare class name matches a registered name's last part (Keras also accepts the short name).
        return s_custom.FirstOrDefault(p => p.Key.EndsWith(">" + name, StringComparison.Ordinal)).Value;
    }

    private static T FromCustom<T>(object custom, JsonNode? config, string kind, string where, string className) where T : class
    {
        var prefix = LoadContext.Current.Prefix;
        if (custom is T instance) return instance;
        if (custom is not Type type)
            throw new ModelFormatException($"{prefix}{where}: the custom object for '{className}' is a {custom.GetType().Name}, not a {kind} ({typeof(T).Name}) or a type.");
        if (!typeof(T).IsAssignableFrom(type))
            throw new ModelFormatException($"{prefix}{where}: '{className}' is registered as {type.FullName}, which is not a {kind} ({typeof(T).Name}).");
        try
        {
            return CustomConstruction.Create<T>(type, config as JsonObject ?? [], $"{kind} '{className}' ({type.FullName})");
        }
        catch (ModelFormatException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TargetInvocationException)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            throw new ModelFormatException($"{prefix}{where}: the custom {kind} {type.FullName} could not be rebuilt from its config: {inner.Message}", inner);
        }
    }
}
