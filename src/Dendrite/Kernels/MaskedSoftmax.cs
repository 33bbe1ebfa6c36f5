using System.Numerics;
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
        // Three passes over the row, each one vector loop (rows are short, ~64: one call per pass, not one per
        // operation): scale, mask and running maximum; exponential and sum; normalisation.
        int n = scores.Length, w = Vector<float>.Count, j = 0;
        var x = probabilities[..n];
        var vScale = new Vector<float>(scale);
        var vMax = new Vector<float>(float.NegativeInfinity);
        bool masked = !allowed.IsEmpty;
        for (; j <= n - w; j += w)
        {
            var v = new Vector<float>(scores[j..]) * vScale;
            // One float32 addition of −1e9 where masked (Keras' `inputs += adder`); adding 0 elsewhere changes nothing.
            if (masked) v += Vector.ConditionalSelect(Vector.Equals(new Vector<float>(allowed[j..]), Vector<float>.Zero), new Vector<float>(LargeNegative), Vector<float>.Zero);
            v.CopyTo(x[j..]);
            vMax = Vector.Max(vMax, v);
        }
        float max = float.NegativeInfinity;
        for (int lane = 0; lane < w; lane++) max = MathF.Max(max, vMax[lane]);
        for (; j < n; j++)
        {
            float v = scores[j] * scale;
            if (masked && allowed[j] == 0f) v += LargeNegative;
            x[j] = v;
            max = MathF.Max(max, v);
        }

        var vTop = new Vector<float>(max);
        var vSum = Vector<float>.Zero;
        j = 0;
        for (; j <= n - w; j += w)
        {
            var e = Vector.Exp(new Vector<float>(x[j..]) - vTop);
            e.CopyTo(x[j..]);
            vSum += e;
        }
        float sum = Vector.Sum(vSum);
        for (; j < n; j++) sum += x[j] = MathF.Exp(x[j] - max);

        var vTotal = new Vector<float>(sum);
        j = 0;
        for (; j <= n - w; j += w) (new Vector<float>(x[j..]) / vTotal).CopyTo(x[j..]);
        for (; j < n; j++) x[j] /= sum;
    }

    /// <summary>
    /// <paramref name="dScores"/> = the gradient of the scores from <paramref name="dProbabilities"/>, given the
    /// forward's <paramref name="probabilities"/>: <c>scale·p·(dp − Σ p·dp)</c> at real positions, 0 at masked ones.
    /// <paramref name="dScores"/> may be <paramref name="dProbabilities"/>' own span.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> dProbabilities, ReadOnlySpan<float> allowed, float scale, Span<float> dScores)
    {
        int n = probabilities.Length, w = Vector<float>.Count, j = 0;
        var ds = dScores[..n];
        float dot = TensorPrimitives.Dot(probabilities, dProbabilities);
        var vDot = new Vector<float>(dot);
        var vScale = new Vector<float>(scale);
        bool masked = !allowed.IsEmpty;
        for (; j <= n - w; j += w)
        {
            var g = (new Vector<float>(dProbabilities[j..]) - vDot) * new Vector<float>(probabilities[j..]) * vScale;
            if (masked) g = Vector.ConditionalSelect(Vector.Equals(new Vector<float>(allowed[j..]), Vector<float>.Zero), Vector<float>.Zero, g);
            g.CopyTo(ds[j..]);
        }
        for (; j < n; j++) ds[j] = masked && allowed[j] == 0f ? 0f : (dProbabilities[j] - dot) * probabilities[j] * scale;
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
