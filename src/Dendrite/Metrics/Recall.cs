namespace Dendrite.Metrics;

/// <summary>
/// The recall of thresholded predictions, true positives / (true positives + false negatives), over everything seen
/// (<c>keras.metrics.Recall</c>); 0 while no target was positive. See <see cref="ThresholdMetric"/>.
/// </summary>
/// <param name="thresholds">One threshold in [0, 1] (with logits, use 0).</param>
/// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Recall(float thresholds = 0.5f, int? classId = null, string name = "recall") : ThresholdMetric(thresholds, classId)
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    public override double Result() => MetricChecks.DivideNoNan(TruePositives, TruePositives + FalseNegatives);
}
