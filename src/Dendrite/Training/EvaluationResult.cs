using System.Collections;
using System.Globalization;

namespace Dendrite;

/// <summary>
/// What <c>Evaluate</c> returns: the loss, then every compiled metric, in Keras' order (<c>[loss, accuracy]</c>).
/// Deconstructs as <c>var (loss, accuracy) = model.Evaluate(x, y)</c> and gives every value by name.
/// </summary>
public sealed class EvaluationResult : IReadOnlyDictionary<string, double>
{
    private readonly List<KeyValuePair<string, double>> _ordered;

    internal EvaluationResult(List<KeyValuePair<string, double>> ordered) => _ordered = ordered;

    /// <summary>The mean loss over the data.</summary>
    public double Loss => this["loss"];

    /// <summary>The values in Keras' order: loss first, then the metrics as compiled.</summary>
    public IReadOnlyList<double> Values => _ordered.Select(kv => kv.Value).ToList();

    IEnumerable<double> IReadOnlyDictionary<string, double>.Values => Values;

    /// <summary>The names in the same order as <see cref="Values"/>.</summary>
    public IEnumerable<string> Keys => _ordered.Select(kv => kv.Key);

    /// <summary>The value of one name: <c>result["accuracy"]</c>.</summary>
    public double this[string name]
    {
        get
        {
            foreach (var (key, value) in _ordered) if (key == name) return value;
            throw new KeyNotFoundException($"No metric named '{name}'. Available: {string.Join(", ", Keys)}.");
        }
    }

    /// <summary>Number of values.</summary>
    public int Count => _ordered.Count;

    /// <summary>Gives the loss and the first metric.</summary>
    public void Deconstruct(out double loss, out double metric)
    {
        RequireCount(2);
        loss = _ordered[0].Value;
        metric = _ordered[1].Value;
    }

    /// <summary>Gives the loss and the first two metrics.</summary>
    public void Deconstruct(out double loss, out double metric1, out double metric2)
    {
        RequireCount(3);
        (loss, metric1, metric2) = (_ordered[0].Value, _ordered[1].Value, _ordered[2].Value);
    }

    private void RequireCount(int count)
    {
        if (_ordered.Count < count)
            throw new InvalidOperationException($"Evaluate returned {_ordered.Count} value(s) ({string.Join(", ", Keys)}); cannot deconstruct into {count}. Compile with metrics to get more.");
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _ordered.Exists(kv => kv.Key == key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out double value)
    {
        foreach (var kv in _ordered)
            if (kv.Key == key) { value = kv.Value; return true; }
        value = 0;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => _ordered.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Like the list Keras returns: <c>[0.0686, 0.9783]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _ordered.Select(kv => kv.Value.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
