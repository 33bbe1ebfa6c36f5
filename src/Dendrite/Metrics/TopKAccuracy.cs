namespace Dendrite.Metrics;

/// <summary>
/// How often the target class is among the <c>k</c> highest predictions of its row: the shared part of
/// <see cref="TopKCategoricalAccuracy"/> and <see cref="SparseTopKCategoricalAccuracy"/>.
/// </summary>
public abstract partial class TopKAccuracy : ArgMaxAccuracy
{
    private protected TopKAccuracy(int k) => K = k >= 1 ? k
        : throw new ArgumentOutOfRangeException(nameof(k), $"k must be at least 1, got {k}.");

    /// <summary>How many of the highest predictions count.</summary>
    public int K { get; }

    private protected override bool Hit(ReadOnlySpan<float> row, int target) => InTopK(row, target, K);

    /// <summary>
    /// TensorFlow's <c>in_top_k</c>: true when fewer than <paramref name="k"/> predictions are strictly greater than
    /// the target's, so ties at the boundary all count as in; false when the row holds a NaN or an infinity.
    /// </summary>
    internal static bool InTopK(ReadOnlySpan<float> row, int target, int k)
    {
        float value = row[target];
        int greater = 0;
        for (int j = 0; j < row.Length; j++)
        {
            if (!float.IsFinite(row[j])) return false;
            if (row[j] > value) greater++;
        }
        return greater < k;
    }
}

/// <summary>
/// How often the class of the one-hot target is among the <paramref name="k"/> highest predictions
/// (<c>keras.metrics.TopKCategoricalAccuracy</c>); ties at the boundary count as hits, as in TensorFlow.
/// </summary>
/// <param name="k">How many of the highest predictions count.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : TopKAccuracy(k)
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape) =>
        MetricChecks.SameShape(Name, yTrueShape, yPredShape, "Integer labels need sparse_top_k_categorical_accuracy.");

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => ArgMax(yTrue.Slice(row * classes, classes));
}

/// <summary>
/// How often the integer label is among the <paramref name="k"/> highest predictions
/// (<c>keras.metrics.SparseTopKCategoricalAccuracy</c>): labels of shape (N,) or (N, 1) for predictions (N, C).
/// </summary>
/// <param name="k">How many of the highest predictions count.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy") : TopKAccuracy(k)
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    /// <remarks>Labels that are not integers in [0, C) throw (TensorFlow would count them as misses).</remarks>
    protected override int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape) =>
        MetricChecks.SparseLabels(Name, yTrue, yTrueShape, yPredShape, "For one-hot targets use top_k_categorical_accuracy.");

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => (int)yTrue[row];
}
