using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// The softmax of one row of attention scores with a mask, as Keras' <c>Softmax</c> layer computes it
/// (<c>keras/src/layers/activations/softmax.py</c>): <c>softmax(scale·s + (1 − allowed)·(−1e9))</c>, the maximum
/// subtracted before the exponential. Masked positions of a row that has real ones get exactly 0 (e^(−1e9 − max)
/// underflows). In a row with no real position every entry is −1e9 plus a score far below float32's spacing there
/// (64), so they are all equal and the row comes out uniform, 1/length, as in Keras.
/// </summary>
/// <remarks>
/// The backward is the derivative of what the forward computes in float32: masked positions get no gradient (their
/// score was swamped by −1e9, so changing it changes nothing), real ones the softmax's
/// <c>scale·p·(dp − Σ p·dp)</c>. In a row with real positions the two agree, since there the masked p are 0.
/// </remarks>
internal static class MaskedSoftmax
{
    /// <summary>Keras' <c>_large_negative_number</c> for float32.</summary>
    public const float LargeNegative = -1e9f;

    /// <summary>
    /// <paramref name="probabilities"/> = softmax(<paramref name="scale"/>·<paramref name="scores"/> + mask term);
    /// <paramref name="allowed"/> holds 1 (attend) or 0 (masked) per position, or is empty when nothing is masked.
    /// The output may be the scores' own span.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> scores, ReadOnlySpan<float> allowed, float scale, Span<float> probabilities)
    {
        int n = scores.Length;
        var x = probabilities[..n];
        if (scale == 1f) scores.CopyTo(x);
        else TensorPrimitives.Multiply(scores, scale, x);
        if (!allowed.IsEmpty)
            for (int j = 0; j < n; j++)
                if (allowed[j] == 0f) x[j] += LargeNegative; // one float32 addition, as Keras' `inputs += adder`
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        float sum = TensorPrimitives.Sum(x);
        TensorPrimitives.Divide(x, sum, x);
    }

    /// <summary>
    /// <paramref name="dScores"/> = the gradient of the scores from <paramref name="dProbabilities"/>, given the
    /// forward's <paramref name="probabilities"/>: <c>scale·p·(dp − Σ p·dp)</c> at real positions, 0 at masked ones.
    /// <paramref name="dScores"/> may be <paramref name="dProbabilities"/>' own span.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> dProbabilities, ReadOnlySpan<float> allowed, float scale, Span<float> dScores)
    {
        int n = probabilities.Length;
        var ds = dScores[..n];
        float dot = TensorPrimitives.Dot(probabilities, dProbabilities);
        TensorPrimitives.Subtract(dProbabilities, dot, ds);
        TensorPrimitives.Multiply(ds, probabilities, ds);
        if (scale != 1f) TensorPrimitives.Multiply(ds, scale, ds);
        if (!allowed.IsEmpty)
            for (int j = 0; j < n; j++)
                if (allowed[j] == 0f) ds[j] = 0f;
    }

    /// <summary>
    /// The float64 reference of <see cref="Forward"/>: the masked term is added in float32 (that rounding is Keras'
    /// arithmetic, and what makes a fully masked row uniform), everything after it in double.
    /// </summary>
    public static void ForwardReference(ReadOnlySpan<float> scores, ReadOnlySpan<float> allowed, float scale, Span<double> probabilities)
    {
        int n = scores.Length;
        double max = double.NegativeInfinity;
        for (int j = 0; j < n; j++)
        {
            double x = (double)scores[j] * scale;
            if (!allowed.IsEmpty && allowed[j] == 0f) x = (float)((float)x + LargeNegative);
            probabilities[j] = x;
            max = Math.Max(max, x);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) sum += probabilities[j] = Math.Exp(probabilities[j] - max);
        for (int j = 0; j < n; j++) probabilities[j] /= sum;
    }

    /// <summary>The float64 reference of <see cref="Backward"/>.</summary>
    public static void BackwardReference(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> dProbabilities, ReadOnlySpan<float> allowed, double scale, Span<double> dScores)
    {
        int n = probabilities.Length;
        double dot = 0;
        for (int j = 0; j < n; j++) dot += probabilities[j] * dProbabilities[j];
        for (int j = 0; j < n; j++)
            dScores[j] = !allowed.IsEmpty && allowed[j] == 0f ? 0 : scale * probabilities[j] * (dProbabilities[j] - dot);
    }
}
