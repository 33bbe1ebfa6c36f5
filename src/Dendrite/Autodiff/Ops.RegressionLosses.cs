namespace Dendrite.Autodiff;

// Keras' regression losses as fused scalar ops, each reduced with sum_over_batch_size: the per-sample value (the mean
// over the last axis, or for KL the sum) averaged over the samples. Targets and predictions must have the same shape,
// up to a trailing axis of length 1 (Keras' squeeze_or_expand_to_same_rank).
public static partial class Ops
{
    /// <summary>
    /// Mean squared error, mean((yPred − yTrue)²) over the last axis and then over the batch
    /// (<c>keras.losses.MeanSquaredError</c>). The gradient flows to both operands when they need it.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not pair up.</exception>
    public static Tensor MeanSquaredError(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
        ElementwiseLoss("mean_squared_error", yTrue, yPred, new SquaredError(), sumsLastAxis: false, sampleWeight: sampleWeight);

    /// <summary>
    /// Mean absolute error, mean(|yPred − yTrue|) (<c>keras.losses.MeanAbsoluteError</c>); the gradient at a zero error
    /// is 0, as TensorFlow's sign.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not pair up.</exception>
    public static Tensor MeanAbsoluteError(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
        ElementwiseLoss("mean_absolute_error", yTrue, yPred, new AbsoluteError(), sumsLastAxis: false, sampleWeight: sampleWeight);

    /// <summary>
    /// Huber loss (<c>keras.losses.Huber</c>): for e = yPred − yTrue, ½e² where |e| ≤ δ and δ|e| − ½δ² beyond,
    /// averaged like the mean squared error.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="delta"/> is not positive, or the shapes do not pair up.</exception>
    public static Tensor Huber(Tensor yTrue, Tensor yPred, float delta = 1f, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (!(delta > 0)) throw new ArgumentException(FormattableString.Invariant($"Huber needs a positive delta, got {delta}."), nameof(delta));
        return ElementwiseLoss("huber_loss", yTrue, yPred, new HuberError(delta), sumsLastAxis: false, sampleWeight: sampleWeight);
    }

    /// <summary>
    /// Kullback–Leibler divergence (<c>keras.losses.KLDivergence</c>): both operands clipped to [1e-7, 1], then
    /// Σ yTrue · log(yTrue / yPred) over the last axis, averaged over the batch. Where a clip is active, that operand's
    /// gradient is 0.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not pair up.</exception>
    public static Tensor KLDivergence(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
        ElementwiseLoss("kl_divergence", yTrue, yPred, new KullbackLeibler(), sumsLastAxis: true, sampleWeight: sampleWeight);

    /// <summary>Per-sample <see cref="MeanSquaredError"/>: shape <see cref="LossValuesShape"/>, unreduced.</summary>
    internal static Tensor MeanSquaredErrorValues(Tensor yTrue, Tensor yPred) =>
        ElementwiseLossValues("mean_squared_error", yTrue, yPred, new SquaredError(), sumsLastAxis: false);

    /// <summary>Per-sample <see cref="MeanAbsoluteError"/>, unreduced.</summary>
    internal static Tensor MeanAbsoluteErrorValues(Tensor yTrue, Tensor yPred) =>
        ElementwiseLossValues("mean_absolute_error", yTrue, yPred, new AbsoluteError(), sumsLastAxis: false);

    /// <summary>Per-sample <see cref="Huber"/>, unreduced.</summary>
    internal static Tensor HuberValues(Tensor yTrue, Tensor yPred, float delta) =>
        ElementwiseLossValues("huber_loss", yTrue, yPred, new HuberError(delta), sumsLastAxis: false);

    /// <summary>Per-sample <see cref="KLDivergence"/>, unreduced.</summary>
    internal static Tensor KLDivergenceValues(Tensor yTrue, Tensor yPred) =>
        ElementwiseLossValues("kl_divergence", yTrue, yPred, new KullbackLeibler(), sumsLastAxis: true);

    private readonly struct SquaredError : IElementwiseLoss
    {
        public double Value(float t, float p) { double e = (double)p - t; return e * e; }
        public float GradPrediction(float t, float p) => 2f * (p - t);
        public float GradTarget(float t, float p) => 2f * (t - p);
    }

    private readonly struct AbsoluteError : IElementwiseLoss
    {
        public double Value(float t, float p) => Math.Abs((double)p - t);
        public float GradPrediction(float t, float p) => MathF.Sign(p - t);
        public float GradTarget(float t, float p) => MathF.Sign(t - p);
    }

    private readonly struct HuberError(float delta) : IElementwiseLoss
    {
        public double Value(float t, float p)
        {
            double e = (double)p - t, a = Math.Abs(e);
            return a <= delta ? 0.5 * e * e : delta * a - 0.5 * delta * delta;
        }

        public float GradPrediction(float t, float p)
        {
            float e = p - t;
            return MathF.Abs(e) <= delta ? e : delta * MathF.Sign(e);
        }

        public float GradTarget(float t, float p) => -GradPrediction(t, p);
    }

    private readonly struct KullbackLeibler : IElementwiseLoss
    {
        public double Value(float t, float p)
        {
            double tc = Math.Clamp(t, Epsilon, 1f), pc = Math.Clamp(p, Epsilon, 1f);
            return tc * Math.Log(tc / pc);
        }

        public float GradPrediction(float t, float p) =>
            PassesClip(p, Epsilon, 1f) ? -Math.Clamp(t, Epsilon, 1f) / p : 0f;

        public float GradTarget(float t, float p) =>
            PassesClip(t, Epsilon, 1f) ? (float)(Math.Log(t / (double)Math.Clamp(p, Epsilon, 1f)) + 1) : 0f;
    }
}
