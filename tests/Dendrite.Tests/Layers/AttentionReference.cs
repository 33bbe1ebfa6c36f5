using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// Float64 references of Keras' attention layers, written from the formulas of
/// <c>keras/src/layers/attention/multi_head_attention.py</c> and <c>attention.py</c>, loop by loop.
/// </summary>
internal static class AttentionReference
{
    /// <summary>
    /// A masked score as Keras computes it in float32: <c>score + (−1e9)</c>, where the score (|s| &lt; 32) vanishes in
    /// the rounding; a row of only masked scores is therefore uniform.
    /// </summary>
    public static double Masked(double score) => (float)((float)score + -1e9f);

    /// <summary>Softmax of one row in float64, the maximum subtracted first.</summary>
    public static double[] Softmax(double[] x)
    {
        double max = x.Max(), sum = 0;
        var y = new double[x.Length];
        for (int j = 0; j < x.Length; j++) sum += y[j] = Math.Exp(x[j] - max);
        for (int j = 0; j < x.Length; j++) y[j] /= sum;
        return y;
    }

    /// <summary>1 per time step that has a nonzero feature, 0 for an all-zero (padded) step: what a Masking layer computes.</summary>
    public static bool[] StepMask(float[] x, int steps, int features, int batch)
    {
        var mask = new bool[batch * steps];
        for (int r = 0; r < mask.Length; r++) mask[r] = x.AsSpan(r * features, features).IndexOfAnyExcept(0f) >= 0;
        return mask;
    }

    /// <summary>(batch, steps, in) · (in, out…) + bias, flattened to (batch·steps, out).</summary>
    private static double[] Project(float[] x, int rows, int inputs, float[] kernel, float[]? bias, int outputs)
    {
        var y = new double[rows * outputs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias?[o] ?? 0;
                for (int i = 0; i < inputs; i++) sum += (double)x[r * inputs + i] * kernel[i * outputs + o];
                y[r * outputs + o] = sum;
            }
        return y;
    }

    /// <summary>
    /// MultiHeadAttention's output (batch, Tq, out) for the layer's weights; <paramref name="causal"/> and
    /// <paramref name="explicitMask"/> (batch·Tq·Tv, nonzero attends) as Keras' call arguments.
    /// </summary>
    public static double[] MultiHead(MultiHeadAttention layer, float[] q, float[] v, float[] k, int batch, int[] qShape, int[] vShape, int[] kShape,
        bool masked, bool separateKey, bool causal = false, float[]? explicitMask = null) =>
        MultiHeadWithScores(layer, q, v, k, batch, qShape, vShape, kShape, masked, separateKey, causal, explicitMask).Output;

    /// <summary>The output and the attention probabilities (batch, heads, Tq, Tv).</summary>
    public static (double[] Output, double[] Scores) MultiHeadWithScores(MultiHeadAttention layer, float[] q, float[] v, float[] k, int batch,
        int[] qShape, int[] vShape, int[] kShape, bool masked, bool separateKey, bool causal = false, float[]? explicitMask = null)
    {
        int heads = layer.NumHeads, keyDim = layer.KeyDim, valueDim = layer.ValueDim;
        int tq = qShape[0], tv = vShape[0], dq = qShape[1], dv = vShape[1], dk = kShape[1];
        var w = layer.Weights.Select(x => x.Value.Values.ToArray()).ToArray();
        int n = 0;
        float[] Next() => w[n++];
        float[]? NextBias() => layer.UseBias ? w[n++] : null;
        var (qKernel, qBias) = (Next(), NextBias());
        var (kKernel, kBias) = (Next(), NextBias());
        var (vKernel, vBias) = (Next(), NextBias());
        var (oKernel, oBias) = (Next(), NextBias());
        int outputs = oKernel.Length / (heads * valueDim);

        var qp = Project(q, batch * tq, dq, qKernel, qBias, heads * keyDim);
        var kp = Project(k, batch * tv, dk, kKernel, kBias, heads * keyDim);
        var vp = Project(v, batch * tv, dv, vKernel, vBias, heads * valueDim);
        var qMask = masked ? StepMask(q, tq, dq, batch) : null;
        var vMask = masked ? StepMask(v, tv, dv, batch) : null;
        var kMask = masked && separateKey ? StepMask(k, tv, dk, batch) : null;
        double scale = 1 / Math.Sqrt(keyDim);

        var scores = new double[batch * heads * tq * tv];
        var combined = new double[batch * tq * heads * valueDim];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tq; i++)
                {
                    var x = new double[tv];
                    for (int j = 0; j < tv; j++)
                    {
                        double s = 0;
                        for (int d = 0; d < keyDim; d++) s += qp[(b * tq + i) * heads * keyDim + h * keyDim + d] * kp[(b * tv + j) * heads * keyDim + h * keyDim + d];
                        s *= scale;
                        bool allowed = (qMask?[b * tq + i] ?? true) && (vMask?[b * tv + j] ?? true) && (kMask?[b * tv + j] ?? true)
                            && (!causal || j <= i) && (explicitMask is null || explicitMask[(b * tq + i) * tv + j] != 0);
                        x[j] = allowed ? s : Masked(s);
                    }
                    var p = Softmax(x);
                    p.CopyTo(scores, ((b * heads + h) * tq + i) * tv);
                    for (int e = 0; e < valueDim; e++)
                    {
                        double sum = 0;
                        for (int j = 0; j < tv; j++) sum += p[j] * vp[(b * tv + j) * heads * valueDim + h * valueDim + e];
                        combined[(b * tq + i) * heads * valueDim + h * valueDim + e] = sum;
                    }
                }
        var output = new double[batch * tq * outputs];
        for (int r = 0; r < batch * tq; r++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = oBias?[o] ?? 0;
                for (int c = 0; c < heads * valueDim; c++) sum += combined[r * heads * valueDim + c] * oKernel[c * outputs + o];
                output[r * outputs + o] = sum;
            }
        return (output, scores);
    }

    /// <summary>Attention's output (batch, Tq, valueDim): dot or concat scores, the value's mask on the keys, the query's on the result.</summary>
    public static double[] Luong(Attention layer, float[] q, float[] v, float[] k, int batch, int[] qShape, int[] vShape, int[] kShape, bool masked, bool causal = false)
    {
        int tq = qShape[0], tv = vShape[0], dim = qShape[1], dv = vShape[1];
        double scale = layer.Scale?.Value.Values[0] ?? 1.0;
        double weight = layer.ConcatScoreWeight?.Value.Values[0] ?? 1.0;
        var qMask = masked ? StepMask(q, tq, dim, batch) : null;
        var vMask = masked ? StepMask(v, tv, dv, batch) : null;
        var y = new double[batch * tq * dv];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < tq; i++)
            {
                var x = new double[tv];
                for (int j = 0; j < tv; j++)
                {
                    double s = 0;
                    for (int d = 0; d < dim; d++)
                    {
                        double qd = q[(b * tq + i) * dim + d], kd = k[(b * tv + j) * kShape[1] + d];
                        s += layer.ScoreMode == "dot" ? qd * kd : Math.Tanh(scale * (qd + kd));
                    }
                    s = layer.ScoreMode == "dot" ? s * scale : s * weight;
                    bool allowed = (vMask?[b * tv + j] ?? true) && (!causal || j <= i);
                    x[j] = allowed ? s : Masked(s);
                }
                var p = Softmax(x);
                bool keep = qMask?[b * tq + i] ?? true;
                for (int e = 0; e < dv; e++)
                {
                    double sum = 0;
                    for (int j = 0; j < tv; j++) sum += p[j] * v[(b * tv + j) * dv + e];
                    y[(b * tq + i) * dv + e] = keep ? sum : 0;
                }
            }
        return y;
    }
}
