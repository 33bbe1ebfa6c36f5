using System.Collections;
using System.Globalization;

namespace Dendrite;

/// <summary>
/// What <c>Fit</c> returns (Keras' <c>History</c>): for every logged key (<c>loss</c>, <c>accuracy</c>,
/// <c>val_loss</c>, …) the value at the end of each epoch.
/// </summary>
public sealed partial class History : IReadOnlyDictionary<string, IReadOnlyList<double>>
{
    private readonly SortedDictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly List<int> _epochs = [];

    /// <summary>The epoch indices (0-based) that were run, as Keras' <c>history.epoch</c>.</summary>
    public IReadOnlyList<int> Epoch => _epochs;

    /// <summary>The per-epoch values of one key, e.g. <c>history["val_accuracy"]</c>.</summary>
    public IReadOnlyList<double> this[string key] => _values.TryGetValue(key, out var list)
        ? list
        : throw new KeyNotFoundException($"History has no key '{key}'. Keys: {string.Join(", ", _values.Keys)}.");

    /// <summary>The logged keys, alphabetically.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>The per-epoch value lists, in key order.</summary>
    public IEnumerable<IReadOnlyList<double>> Values => _values.Values;

    /// <summary>Number of keys.</summary>
    public int Count => _values.Count;

    internal void Append(int epoch, IEnumerable<KeyValuePair<string, double>> logs)
    {
        _epochs.Add(epoch);
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
            list.Add(value);
        }
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out IReadOnlyList<double> value)
    {
        bool found = _values.TryGetValue(key, out var list);
        value = list ?? [];
        return found;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, IReadOnlyList<double>>> GetEnumerator() =>
        _values.Select(kv => new KeyValuePair<string, IReadOnlyList<double>>(kv.Key, kv.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Like Python's dict repr: <c>{'accuracy': [0.92, 0.96], 'loss': [...]}</c>.</summary>
    public override string ToString() =>
        "{" + string.Join(", ", _values.Select(kv => $"'{kv.Key}': [{string.Join(", ", kv.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]")) + "}";
}
