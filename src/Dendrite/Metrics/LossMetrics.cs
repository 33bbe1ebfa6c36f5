namespace Dendrite.Metrics;

// Keras' metrics that are the running mean of a loss function (keras/src/metrics/hinge_metrics.py,
// probabilistic_metrics.py, regression_metrics.py), each formula as in keras/src/losses/losses.py, in double
// precision with Keras' float32 clip bounds.

/// <summary>Shared formulas of the loss metrics.</summary>
internal static class LossFormulas
{
    /// <summary>Keras' epsilon (1e-7) as float32 holds it; probabilities are clipped to [ε, 1 − ε].</summary>
    public const double Epsilon = 1e-7f;

    /// <summary>1 − ε in float32.</summary>
    public const double High = 1f - 1e-7f;

    /// <summary>Whether every target is 0 or 1 (Keras' <c>convert_binary_labels_to_hinge</c> maps them to −1 and 1).</summary>
    public static bool AllBinary(ReadOnlySpan<float> yTrue)
    {
        foreach (float v in yTrue) if (v != 0f && v != 1f) return false;
        return true;
    }

    /// <summary>log(Σ e^zⱼ), computed from the maximum.</summary>
    public static double LogSumExp(ReadOnlySpan<float> z)
    {
        double max = double.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in z) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>The sum of a row.</summary>
    public static double Sum(ReadOnlySpan<float> p)
    {
        double s = 0;
        foreach (float v in p) s += v;
        return s;
    }

    /// <summary>1 / max(‖x‖, ε): Keras' L2 normalisation factor.</summary>
    public static double InverseNorm(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return 1 / Math.Sqrt(Math.Max(s, Epsilon * Epsilon));
    }
}

/// <summary>The mean hinge loss (<c>keras.metrics.Hinge</c>): mean(max(1 − t·p, 0)); 0/1 targets are mapped to −1/1.</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Hinge(string name = "hinge") : SampleLossMetric
{
    private bool _binary;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override void Prepare(ReadOnlySpan<float> yTrue) => _binary = LossFormulas.AllBinary(yTrue);

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++) sum += Math.Max(1 - (_binary ? 2.0 * t[j] - 1 : t[j]) * p[j], 0);
        return sum / p.Length;
    }
}

/// <summary>The mean squared hinge loss (<c>keras.metrics.SquaredHinge</c>): mean(max(1 − t·p, 0)²).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class SquaredHinge(string name = "squared_hinge") : SampleLossMetric
{
    private bool _binary;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override void Prepare(ReadOnlySpan<float> yTrue) => _binary = LossFormulas.AllBinary(yTrue);

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double h = Math.Max(1 - (_binary ? 2.0 * t[j] - 1 : t[j]) * p[j], 0);
            sum += h * h;
        }
        return sum / p.Length;
    }
}

/// <summary>The mean categorical hinge loss (<c>keras.metrics.CategoricalHinge</c>): max(max((1 − t)·p) − Σ t·p + 1, 0).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class CategoricalHinge(string name = "categorical_hinge") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double pos = 0, neg = double.NegativeInfinity;
        for (int j = 0; j < p.Length; j++)
        {
            pos += (double)t[j] * p[j];
            neg = Math.Max(neg, (1 - (double)t[j]) * p[j]);
        }
        return Math.Max(neg - pos + 1, 0);
    }
}

/// <summary>The mean Poisson loss (<c>keras.metrics.Poisson</c>): mean(p − t·log(p + ε)).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Poisson(string name = "poisson") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++) sum += p[j] - t[j] * Math.Log(p[j] + LossFormulas.Epsilon);
        return sum / p.Length;
    }
}

/// <summary>The mean log-cosh error (<c>keras.metrics.LogCoshError</c>, logged as <c>logcosh</c>): mean(log(cosh(p − t))).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class LogCoshError(string name = "logcosh") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double a = Math.Abs((double)p[j] - t[j]);
            sum += a + Math.Log(1 + Math.Exp(-2 * a)) - Math.Log(2);
        }
        return sum / p.Length;
    }
}

/// <summary>
/// The mean cosine similarity (<c>keras.metrics.CosineSimilarity</c>): Σ t̂·p̂ along <see cref="Axis"/>, each
/// operand L2-normalised (norm floored at ε). Larger is better.
/// </summary>
/// <param name="name">The name it is logged under.</param>
/// <param name="axis">The features axis; the last by default.</param>
public sealed partial class CosineSimilarity(string name = "cosine_similarity", int axis = -1) : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    public override int Axis { get; } = axis;

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double dot = 0;
        for (int j = 0; j < p.Length; j++) dot += (double)t[j] * p[j];
        return dot * LossFormulas.InverseNorm(t) * LossFormulas.InverseNorm(p);
    }
}

/// <summary>The mean absolute percentage error (<c>keras.metrics.MeanAbsolutePercentageError</c>): 100·mean(|t − p| / max(|t|, ε)).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++) sum += Math.Abs(((double)t[j] - p[j]) / Math.Max(Math.Abs((double)t[j]), LossFormulas.Epsilon));
        return 100 * sum / p.Length;
    }
}

/// <summary>The mean squared logarithmic error (<c>keras.metrics.MeanSquaredLogarithmicError</c>): mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²).</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double d = Math.Log(Math.Max(p[j], LossFormulas.Epsilon) + 1) - Math.Log(Math.Max(t[j], LossFormulas.Epsilon) + 1);
            sum += d * d;
        }
        return sum / p.Length;
    }
}

/// <summary>The mean Kullback–Leibler divergence (<c>keras.metrics.KLDivergence</c>): Σ t·log(t / p), both clipped to [ε, 1].</summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class KLDivergence(string name = "kl_divergence") : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double tc = Math.Clamp(t[j], LossFormulas.Epsilon, 1), pc = Math.Clamp(p[j], LossFormulas.Epsilon, 1);
            sum += tc * Math.Log(tc / pc);
        }
        return sum;
    }
}

/// <summary>
/// The mean binary cross-entropy (<c>keras.metrics.BinaryCrossentropy</c>): per sample the mean over the last axis of
/// −(t·log p + (1 − t)·log(1 − p)), probabilities clipped to [ε, 1 − ε], or from logits the stable form.
/// </summary>
/// <param name="name">The name it is logged under.</param>
/// <param name="fromLogits">Whether predictions are logits.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / 2.</param>
public sealed partial class BinaryCrossentropy(string name = "binary_crossentropy", bool fromLogits = false, float labelSmoothing = 0f) : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are squeezed towards ½.</summary>
    public float LabelSmoothing { get; } = Losses.CategoricalCrossentropy.Checked(labelSmoothing);

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double sum = 0, s = LabelSmoothing;
        for (int j = 0; j < p.Length; j++)
        {
            double target = t[j] * (1 - s) + 0.5 * s, x = p[j];
            if (FromLogits) sum += Math.Max(x, 0) - x * target + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            else
            {
                double q = Math.Clamp(x, LossFormulas.Epsilon, LossFormulas.High);
                sum -= target * Math.Log(q) + (1 - target) * Math.Log(1 - q);
            }
        }
        return sum / p.Length;
    }
}

/// <summary>
/// The mean categorical cross-entropy (<c>keras.metrics.CategoricalCrossentropy</c>): −Σ t·log q along
/// <see cref="Axis"/>, q the predictions over their sum clipped to [ε, 1 − ε], or from logits log-sum-exp minus the logits.
/// </summary>
/// <param name="name">The name it is logged under.</param>
/// <param name="fromLogits">Whether predictions are logits.</param>
/// <param name="labelSmoothing">In [0, 1]: targets become t·(1 − s) + s / C.</param>
/// <param name="axis">The class axis; the last by default.</param>
public sealed partial class CategoricalCrossentropy(string name = "categorical_crossentropy", bool fromLogits = false, float labelSmoothing = 0f, int axis = -1) : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>How far targets are smoothed towards the uniform distribution.</summary>
    public float LabelSmoothing { get; } = Losses.CategoricalCrossentropy.Checked(labelSmoothing);

    /// <inheritdoc/>
    public override int Axis { get; } = axis;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        double s = LabelSmoothing, sum = 0;
        double lse = FromLogits ? LossFormulas.LogSumExp(p) : 0, total = FromLogits ? 0 : LossFormulas.Sum(p);
        for (int j = 0; j < p.Length; j++)
        {
            double target = t[j] * (1 - s) + s / p.Length;
            if (target == 0) continue;
            sum += target * (FromLogits ? lse - p[j] : -Math.Log(Math.Clamp((float)(p[j] / total), LossFormulas.Epsilon, LossFormulas.High)));
        }
        return sum;
    }
}

/// <summary>
/// The mean sparse categorical cross-entropy (<c>keras.metrics.SparseCategoricalCrossentropy</c>) of integer labels:
/// −log q of the label's class. With <see cref="IgnoreClass"/>, rows of that label count as 0, and when weighted
/// their weight is 0 too (Keras' mask reaches the mean only through sample weights).
/// </summary>
/// <param name="name">The name it is logged under.</param>
/// <param name="fromLogits">Whether predictions are logits.</param>
/// <param name="axis">The class axis of the predictions; the last by default.</param>
/// <param name="ignoreClass">A label to leave out, or null.</param>
public sealed partial class SparseCategoricalCrossentropy(string name = "sparse_categorical_crossentropy", bool fromLogits = false, int axis = -1, int? ignoreClass = null) : SampleLossMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc/>
    public override int Axis { get; } = axis;

    /// <summary>The ignored label, or null.</summary>
    public int? IgnoreClass { get; } = ignoreClass;

    private protected override bool SparseTargets => true;

    private protected override bool Ignored(float label) => label == IgnoreClass;

    private protected override double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p)
    {
        float label = t[0];
        if (!(label >= 0 && label < p.Length) || label != MathF.Floor(label))
            throw new ArgumentException(FormattableString.Invariant($"{Name}: received a label value of {label}, which is outside the valid range of [0, {p.Length - 1}] for {p.Length} classes."));
        int y = (int)label;
        if (FromLogits) return LossFormulas.LogSumExp(p) - p[y];
        return -Math.Log(Math.Clamp((float)(p[y] / LossFormulas.Sum(p)), LossFormulas.Epsilon, LossFormulas.High));
    }
}
