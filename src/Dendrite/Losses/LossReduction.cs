namespace Dendrite.Losses;

/// <summary>
/// The names of Keras' loss reductions (<c>keras.losses.Loss(reduction=...)</c>): how a loss turns its per-sample
/// values, each multiplied by its sample weight, into what <see cref="Loss.Call(Autodiff.Tensor, Autodiff.Tensor, Autodiff.Tensor?)"/> returns.
/// </summary>
public static class LossReduction
{
    /// <summary>The sum of the weighted values divided by their number (the default; the batch size for per-sample values).</summary>
    public const string SumOverBatchSize = "sum_over_batch_size";

    /// <summary>The sum of the weighted values.</summary>
    public const string Sum = "sum";

    /// <summary>As <see cref="SumOverBatchSize"/> (Keras treats the two alike, masks included).</summary>
    public const string Mean = "mean";

    /// <summary>The sum of the weighted values divided by the sum of the weights (0 when they sum to 0); without weights, as <see cref="Mean"/>.</summary>
    public const string MeanWithSampleWeight = "mean_with_sample_weight";

    /// <summary>No reduction: the weighted per-sample values, shape (N,) or (N, steps); Keras' <c>None</c> or <c>"none"</c>.</summary>
    public const string None = "none";

    /// <summary>Every valid name.</summary>
    public static IReadOnlyList<string> All { get; } = [SumOverBatchSize, Sum, Mean, MeanWithSampleWeight, None];

    /// <summary>
    /// Keras' <c>standardize_reduction</c>: a valid name as it is, null as <see cref="None"/>; anything else throws
    /// naming the valid ones.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a reduction.</exception>
    public static string Standardize(string? reduction) => reduction switch
    {
        null => None,
        SumOverBatchSize or Sum or Mean or MeanWithSampleWeight or None => reduction,
        _ => throw new ArgumentException($"Invalid value for argument reduction: '{reduction}'. Expected one of: {string.Join(", ", All)} (or null for none).", nameof(reduction)),
    };
}
