namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Binary cross-entropy (<c>keras.losses.BinaryCrossentropy</c>), averaged over the last axis and then the batch.
    /// Targets are first smoothed towards ½: t·(1 − s) + ½s. From probabilities (the default), predictions are
    /// clipped to [1e-7, 1 − 1e-7] and the loss is −(t·log p + (1 − t)·log(1 − p)); where the clip is active the
    /// prediction's gradient is 0. From logits x it is max(x, 0) − x·t + log(1 + e^−|x|), which never overflows.
    /// When <paramref name="yPred"/> came straight out of <see cref="Sigmoid"/>, the loss is computed from the logits
    /// behind it, as Keras does on TensorFlow (whatever <paramref name="fromLogits"/> says, as there).
    /// </summary>
    /// <param name="yTrue">Targets in [0, 1] (usually 0 or 1), of the predictions' shape up to a trailing 1.</param>
    /// <param name="yPred">Probabilities, or logits when <paramref name="fromLogits"/>.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param>
    /// <param name="sampleWeight">
    /// A scalar, one weight per sample ((N,) or (N, 1)), or one per step of a sequence ((N, steps)), or null: the loss is
    /// Σ wᵣ·lossᵣ / rows, as Keras' sum_over_batch_size.
    /// </param>
    /// <exception cref="ArgumentException">The shapes do not pair up, or the smoothing is outside [0, 1].</exception>
    public static Tensor BinaryCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, float labelSmoothing = 0f, Tensor? sampleWeight = null)
    {
        CheckLabelSmoothing(labelSmoothing);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yPred.SigmoidLogits is { } logits)
            return ElementwiseLoss("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromLogits(labelSmoothing), sumsLastAxis: false, computeFrom: logits, sampleWeight: sampleWeight);
        return fromLogits
            ? ElementwiseLoss("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromLogits(labelSmoothing), sumsLastAxis: false, sampleWeight: sampleWeight)
            : ElementwiseLoss("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromProbabilities(labelSmoothing), sumsLastAxis: false, sampleWeight: sampleWeight);
    }

    /// <summary>Per-sample <see cref="BinaryCrossentropy"/> (the mean over the last axis), unreduced.</summary>
    internal static Tensor BinaryCrossentropyValues(Tensor yTrue, Tensor yPred, bool fromLogits, float labelSmoothing)
    {
        CheckLabelSmoothing(labelSmoothing);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yPred.SigmoidLogits is { } logits)
            return ElementwiseLossValues("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromLogits(labelSmoothing), sumsLastAxis: false, computeFrom: logits);
        return fromLogits
            ? ElementwiseLossValues("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromLogits(labelSmoothing), sumsLastAxis: false)
            : ElementwiseLossValues("binary_crossentropy", yTrue, yPred, new BinaryCrossEntropyFromProbabilities(labelSmoothing), sumsLastAxis: false);
    }

    internal static void CheckLabelSmoothing(float labelSmoothing)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException(FormattableString.Invariant($"labelSmoothing must be in [0, 1], got {labelSmoothing}."), nameof(labelSmoothing));
    }

    /// <summary>−(t·log p + (1 − t)·log(1 − p)) with p clipped to [ε, 1 − ε] in float32, as Keras clips.</summary>
    private readonly struct BinaryCrossEntropyFromProbabilities(float smoothing) : IElementwiseLoss
    {
        private const float High = 1f - Epsilon;

        private float Smooth(float t) => t * (1f - smoothing) + 0.5f * smoothing;

        public double Value(float t, float p)
        {
            double s = Smooth(t), pc = Math.Clamp(p, Epsilon, High);
            return -(s * Math.Log(pc) + (1 - s) * Math.Log(1 - pc));
        }

        public float GradPrediction(float t, float p)
        {
            if (!PassesClip(p, Epsilon, High)) return 0f;
            double s = Smooth(t);
            return (float)((p - s) / ((double)p * (1 - (double)p)));
        }

        public float GradTarget(float t, float p)
        {
            double pc = Math.Clamp(p, Epsilon, High);
            return (float)((Math.Log(1 - pc) - Math.Log(pc)) * (1 - smoothing));
        }
    }

    /// <summary>TensorFlow's <c>sigmoid_cross_entropy_with_logits</c>: max(x, 0) − x·t + log(1 + e^−|x|).</summary>
    private readonly struct BinaryCrossEntropyFromLogits(float smoothing) : IElementwiseLoss
    {
        private float Smooth(float t) => t * (1f - smoothing) + 0.5f * smoothing;

        public double Value(float t, float x)
        {
            double s = Smooth(t);
            return Math.Max(x, 0.0) - x * s + Math.Log(1 + Math.Exp(-Math.Abs((double)x)));
        }

        // d/dx = σ(x) − t, computed without overflow for either sign of x.
        public float GradPrediction(float t, float x)
        {
            double e = Math.Exp(-Math.Abs((double)x));
            double sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
            return (float)(sigmoid - Smooth(t));
        }

        public float GradTarget(float t, float x) => -x * (1f - smoothing);
    }
}
