namespace Dendrite.Metrics;

/// <summary>
/// The recall of thresholded predictions, true positives / (true positives + false negatives), over everything
/// seen (<c>keras.metrics.Recall</c>); 0 while no target was positive. With a list of thresholds, one
/// value per threshold (see <see cref="ThresholdMetric"/>).
/// </summary>
public sealed partial class Recall : ThresholdMetric
{
    /// <summary>Recall at one threshold.</summary>
    /// <param name="thresholds">One threshold in [0, 1] (with logits, use 0).</param>
    /// <param name="topK">When set, only the k highest predictions of each row count as positive (Keras' <c>top_k</c>).</param>
    /// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">The threshold is outside [0, 1].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class index is negative or top-k is not positive.</exception>
    public Recall(float thresholds, int? topK = null, int? classId = null, string name = "recall")
        : base([thresholds], givenAsList: false, topK, classId) => Name = name;

    /// <summary>Recall at each of a list of thresholds, or at Keras' default (0.5; with <paramref name="topK"/>, every top-k prediction is positive).</summary>
    /// <param name="thresholds">Thresholds in [0, 1], one result per threshold in this order; null for the default.</param>
    /// <param name="topK">When set, only the k highest predictions of each row count as positive (Keras' <c>top_k</c>).</param>
    /// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">A threshold is outside [0, 1].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class index is negative or top-k is not positive.</exception>
    public Recall(float[]? thresholds = null, int? topK = null, int? classId = null, string name = "recall")
        : base(thresholds, givenAsList: true, topK, classId) => Name = name;

    /// <inheritdoc/>
    public override string Name { get; }

    private protected override double ResultAt(int i) => MetricChecks.DivideNoNan(TruePositives[i], TruePositives[i] + FalseNegatives[i]);
}
