namespace Dendrite.Plotting;

/// <summary>
/// One panel of the training-curves figure: a quantity (<c>loss</c>, <c>accuracy</c>, <c>digit_loss</c>, …) with its
/// training values (key <c>accuracy</c>) and validation values (key <c>val_accuracy</c>), either of which may be absent.
/// </summary>
internal sealed record HistoryPanel(string Quantity, IReadOnlyList<double>? Training, IReadOnlyList<double>? Validation)
{
    private const string ValidationPrefix = "val_";

    /// <summary>The quantity as words: <c>digit_accuracy</c> → <c>digit accuracy</c>.</summary>
    public string Words => Quantity.Replace('_', ' ');

    /// <summary>
    /// The panel's title, as the Keras tutorials write it: "Training and validation loss"; a quantity logged for
    /// training only (a learning rate, a metric without validation data) is titled by its name alone.
    /// </summary>
    public string Title => (Training, Validation) switch
    {
        (not null, not null) => $"Training and validation {Words}",
        (not null, null) => AxisLabel,
        _ => $"Validation {Words}",
    };

    /// <summary>The y axis label: the quantity with a capital letter ("Loss", "Accuracy").</summary>
    public string AxisLabel => char.ToUpperInvariant(Words[0]) + Words[1..];

    /// <summary>
    /// The panels of <paramref name="history"/>: loss first (Keras logs it first and the tutorials plot it first), then
    /// every other quantity in key order, training and validation keys paired by the <c>val_</c> prefix.
    /// </summary>
    public static IReadOnlyList<HistoryPanel> Of(History history)
    {
        var quantities = history.Keys
            .Select(key => key.StartsWith(ValidationPrefix, StringComparison.Ordinal) && key.Length > ValidationPrefix.Length
                ? key[ValidationPrefix.Length..]
                : key)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(q => q == "loss" ? 0 : 1)
            .ThenBy(q => q, StringComparer.Ordinal);
        return [.. quantities.Select(q => new HistoryPanel(q, Lookup(history, q), Lookup(history, ValidationPrefix + q)))];
    }

    private static IReadOnlyList<double>? Lookup(History history, string key) =>
        history.TryGetValue(key, out var values) ? values : null;
}
