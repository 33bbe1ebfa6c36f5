namespace Dendrite.Metrics;

/// <summary>
/// The base of <see cref="SensitivityAtSpecificity"/>, <see cref="SpecificityAtSensitivity"/>,
/// <see cref="PrecisionAtRecall"/> and <see cref="RecallAtPrecision"/> (Keras' <c>SensitivitySpecificityBase</c>):
/// (weighted) true/false positives/negatives at <c>numThresholds</c> evenly spaced thresholds 0, 1/(n − 1), …, 1
/// (0.5 alone when n = 1), and the best value of one rate among the thresholds where another reaches the target
/// value (0 when none does).
/// </summary>
public abstract partial class SensitivitySpecificityBase : Metric
{
    private readonly ConfusionCounter _counter;

    /// <exception cref="ArgumentException">The target value is outside [0, 1] or <paramref name="numThresholds"/> is not positive.</exception>
    private protected SensitivitySpecificityBase(double value, string valueName, int numThresholds, int? classId, string name)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentException(FormattableString.Invariant($"Argument `{valueName}` must be in the range [0, 1]. Received: {valueName}={value}"), valueName);
        if (numThresholds <= 0)
            throw new ArgumentException($"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={numThresholds}", nameof(numThresholds));
        if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), $"classId must be a class index (0 or more), got {classId}.");
        ArgumentNullException.ThrowIfNull(name);
        Value = value;
        NumThresholds = numThresholds;
        ClassId = classId;
        Name = name;
        float[] thresholds;
        if (numThresholds == 1) thresholds = [0.5f];
        else
        {
            thresholds = new float[numThresholds];
            for (int i = 1; i < numThresholds - 1; i++) thresholds[i] = (float)(i * 1.0 / (numThresholds - 1));
            thresholds[^1] = 1;
        }
        // Keras marks its own thresholds evenly distributed (so 0 and 1, without ±1e-7, use the bucket formula).
        _counter = new ConfusionCounter(thresholds, topK: null, classId, evenlyDistributed: numThresholds > 1);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>The target value of the constrained rate.</summary>
    private protected double Value { get; }

    /// <summary>Keras' <c>num_thresholds</c>.</summary>
    public int NumThresholds { get; }

    /// <summary>Keras' <c>class_id</c>: the one column of the last axis scored, if any.</summary>
    public int? ClassId { get; }

    /// <summary>The thresholds (Keras' <c>thresholds</c>).</summary>
    public IReadOnlyList<float> Thresholds => _counter.Thresholds;

    /// <summary>(Weighted) true positives at each threshold.</summary>
    public IReadOnlyList<double> TruePositives => _counter.TruePositives;

    /// <summary>(Weighted) false positives at each threshold.</summary>
    public IReadOnlyList<double> FalsePositives => _counter.FalsePositives;

    /// <summary>(Weighted) true negatives at each threshold.</summary>
    public IReadOnlyList<double> TrueNegatives => _counter.TrueNegatives;

    /// <summary>(Weighted) false negatives at each threshold.</summary>
    public IReadOnlyList<double> FalseNegatives => _counter.FalseNegatives;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        _counter.Update(Name, yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);

    /// <summary>The rates a result is made of.</summary>
    private protected enum Rate { Sensitivity, Specificity, Precision }

    /// <summary>A rate at threshold <paramref name="i"/>: sensitivity tp / (tp + fn), specificity tn / (tn + fp) or precision tp / (tp + fp).</summary>
    private double At(Rate rate, int i)
    {
        double tp = _counter.TruePositives[i], fp = _counter.FalsePositives[i], tn = _counter.TrueNegatives[i], fn = _counter.FalseNegatives[i];
        return rate switch
        {
            Rate.Sensitivity => MetricChecks.DivideNoNan(tp, tp + fn),
            Rate.Specificity => MetricChecks.DivideNoNan(tn, tn + fp),
            _ => MetricChecks.DivideNoNan(tp, tp + fp),
        };
    }

    /// <summary>Keras' <c>_find_max_under_constraint</c>: the largest dependent rate where the constrained one is ≥ the target, else 0.</summary>
    private protected double MaxUnderConstraint(Rate constrained, Rate dependent)
    {
        double best = 0;
        for (int i = 0; i < _counter.Thresholds.Length; i++)
            if (At(constrained, i) >= Value) best = Math.Max(best, At(dependent, i));
        return best;
    }

    /// <inheritdoc/>
    public override void ResetState() => _counter.Reset();

    internal override int StateLength => _counter.StateLength;

    internal override void CopyState(Span<double> state) => _counter.CopyState(state);

    internal override void SetState(ReadOnlySpan<double> state) => _counter.SetState(state);
}

/// <summary>The best sensitivity (recall) where specificity ≥ <c>specificity</c> (<c>keras.metrics.SensitivityAtSpecificity</c>).</summary>
/// <param name="specificity">The specificity to reach, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try.</param>
/// <param name="classId">When set, only that column of the last axis is scored.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class SensitivityAtSpecificity(double specificity, int numThresholds = 200, int? classId = null, string name = "sensitivity_at_specificity")
    : SensitivitySpecificityBase(specificity, "specificity", numThresholds, classId, name)
{
    /// <summary>Keras' <c>specificity</c>.</summary>
    public double Specificity => Value;

    /// <inheritdoc/>
    public override double Result() => MaxUnderConstraint(Rate.Specificity, Rate.Sensitivity);
}

/// <summary>The best specificity where sensitivity ≥ <c>sensitivity</c> (<c>keras.metrics.SpecificityAtSensitivity</c>).</summary>
/// <param name="sensitivity">The sensitivity to reach, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try.</param>
/// <param name="classId">When set, only that column of the last axis is scored.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class SpecificityAtSensitivity(double sensitivity, int numThresholds = 200, int? classId = null, string name = "specificity_at_sensitivity")
    : SensitivitySpecificityBase(sensitivity, "sensitivity", numThresholds, classId, name)
{
    /// <summary>Keras' <c>sensitivity</c>.</summary>
    public double Sensitivity => Value;

    /// <inheritdoc/>
    public override double Result() => MaxUnderConstraint(Rate.Sensitivity, Rate.Specificity);
}

/// <summary>The best precision where recall ≥ <c>recall</c> (<c>keras.metrics.PrecisionAtRecall</c>).</summary>
/// <param name="recall">The recall to reach, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try.</param>
/// <param name="classId">When set, only that column of the last axis is scored.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class PrecisionAtRecall(double recall, int numThresholds = 200, int? classId = null, string name = "precision_at_recall")
    : SensitivitySpecificityBase(recall, "recall", numThresholds, classId, name)
{
    /// <summary>Keras' <c>recall</c>.</summary>
    public double Recall => Value;

    /// <inheritdoc/>
    public override double Result() => MaxUnderConstraint(Rate.Sensitivity, Rate.Precision);
}

/// <summary>The best recall where precision ≥ <c>precision</c>, 0 when no threshold reaches it (<c>keras.metrics.RecallAtPrecision</c>).</summary>
/// <param name="precision">The precision to reach, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try.</param>
/// <param name="classId">When set, only that column of the last axis is scored.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class RecallAtPrecision(double precision, int numThresholds = 200, int? classId = null, string name = "recall_at_precision")
    : SensitivitySpecificityBase(precision, "precision", numThresholds, classId, name)
{
    /// <summary>Keras' <c>precision</c>.</summary>
    public double Precision => Value;

    /// <inheritdoc/>
    public override double Result() => MaxUnderConstraint(Rate.Precision, Rate.Sensitivity);
}
