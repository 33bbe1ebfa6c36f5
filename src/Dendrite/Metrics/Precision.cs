namespace Dendrite.Metrics;

/// <summary>
/// The precision of thresholded predictions, true positives / (true positives + false positives), over everything
/// seen (<c>keras.metrics.Precision</c>); 0 while nothing was predicted positive. See <see cref="ThresholdMetric"/>.
/// </summary>
/// <param name="thresholds">One threshold in [0, 1] (with logits, use 0).</param>
/// <param name="classId">When set, only that class (column of the last axis) is scored, as a binary problem.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Precision(float thresholds = 0.5f, int? classId = null, string name = "precision") : ThresholdMetric(thresholds, classId)
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    public override double Result() => MetricChecks.DivideNoNan(TruePositives, TruePositives + FalsePositives);
}
