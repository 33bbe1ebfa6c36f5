namespace Dendrite.Plotting;

/// <summary>The names shown for classes: the caller's, checked, or the indices 0 … n-1.</summary>
internal static class ClassNames
{
    /// <summary>
    /// <paramref name="given"/> when it has exactly <paramref name="count"/> names (none null), else the indices as text.
    /// </summary>
    /// <param name="count">The number of classes.</param>
    /// <param name="given">The caller's names, or null.</param>
    /// <param name="why">What the count is, for the message: "one per row of the (10, 10) confusion matrix".</param>
    internal static string[] For(int count, IReadOnlyList<string>? given, string why)
    {
        if (given is null) return [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        if (given.Count != count)
            throw new ArgumentException($"Expected {count} class names ({why}), got {given.Count}.", "classNames");
        int missing = given.ToList().FindIndex(name => name is null);
        if (missing >= 0) throw new ArgumentException($"Class name {missing} is null.", "classNames");
        return [.. given];
    }
}
