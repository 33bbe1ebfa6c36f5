namespace Dendrite.Saving;

/// <summary>
/// What a load is reading, for messages (<c>'model.keras' (member config.json)</c>), and the user's custom objects
/// (Keras' <c>custom_objects</c>): set for the duration of one <c>Model.Load</c> and read by every deserializer below it,
/// so that the public <c>FromConfig(JsonObject)</c> methods keep Keras' one-argument shape.
/// </summary>
internal sealed class LoadContext
{
    private static readonly AsyncLocal<LoadContext?> s_current = new();

    private LoadContext(string source, IReadOnlyDictionary<string, object>? customObjects)
    {
        Source = source;
        CustomObjects = customObjects ?? new Dictionary<string, object>();
    }

    /// <summary>The file (and member) being read, quoted, or empty outside a load.</summary>
    public string Source { get; }

    /// <summary>Objects the user passed by name: custom layer types, loss or metric instances, functions.</summary>
    public IReadOnlyDictionary<string, object> CustomObjects { get; }

    /// <summary>The load in progress on this flow, or an anonymous one.</summary>
    public static LoadContext Current => s_current.Value ?? new LoadContext("", null);

    /// <summary>Makes a context current until the returned handle is disposed.</summary>
    public static IDisposable Enter(string source, IReadOnlyDictionary<string, object>? customObjects)
    {
        var previous = s_current.Value;
        s_current.Value = new LoadContext(source, customObjects ?? previous?.CustomObjects);
        return new Restore(previous);
    }

    /// <summary>A prefix for messages: <c>'a.keras' (member config.json): </c>, or nothing.</summary>
    public string Prefix => Source.Length == 0 ? "" : Source + ": ";

    private sealed class Restore(LoadContext? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
