namespace Dendrite.Saving;

/// <summary>
/// While a model file is loaded, the number of float32 weights its layers may still create: every weight must be
/// stored in the file, so a config whose layers would need more than the file's bytes / 4 (a hostile
/// <c>units: 1073741824</c>) is refused before anything is allocated, not after an out-of-memory crash.
/// </summary>
internal static class WeightBudget
{
    private static readonly AsyncLocal<Box?> s_remaining = new();

    private sealed class Box(long remaining)
    {
        public long Remaining = remaining;
    }

    /// <summary>Limits weight creation on this flow to <paramref name="elements"/> until disposed.</summary>
    public static IDisposable Limit(long elements)
    {
        var previous = s_remaining.Value;
        s_remaining.Value = new Box(elements);
        return new Restore(previous);
    }

    /// <summary>Takes a weight of <paramref name="shape"/> from the budget, or throws naming the layer and the file.</summary>
    public static void Take(string layer, string weight, Shape shape)
    {
        var box = s_remaining.Value;
        if (box is null) return;
        long size = shape.LongSize;
        if (size > box.Remaining)
            throw new ModelFormatException($"{LoadContext.Current.Prefix}{layer} would create weight '{weight}' of shape {shape}, {size:N0} floats, more than the file can hold ({box.Remaining:N0} left of its size). The config is corrupt or hostile.");
        box.Remaining -= size;
    }

    private sealed class Restore(Box? previous) : IDisposable
    {
        public void Dispose() => s_remaining.Value = previous;
    }
}
