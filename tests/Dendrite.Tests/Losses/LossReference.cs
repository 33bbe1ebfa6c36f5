namespace Dendrite.Tests.Losses;

/// <summary>
/// Keras' loss formulas (keras/src/losses/losses.py and backend/tensorflow/nn.py) written out in float64, one sample
/// per row of <c>last</c> values, reduced with sum_over_batch_size (the mean of the per-sample values). Keras clips in
/// float32, so the bounds are the float32 values of 1e-7 and 1 − 1e-7.
/// </summary>
internal static class LossReference
{
    public const double Eps = 1e-7f;
    public const double High = 1f - 1e-7f;

    private static double Clip(double x, double lo, double hi) => Math.Min(Math.Max(x, lo), hi);

    /// <summary>The mean over rows of f(row of targets, row of predictions).</summary>
    private static double PerSample(float[] t, float[] p, int last, Func<double[], double[], double> f)
    {
        Assert.Equal(t.Length, p.Length);
        int rows = p.Length / last;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var tr = t.Skip(r * last).Take(last).Select(v => (double)v).ToArray();
            var pr = p.Skip(r * last).Take(last).Select(v => (double)v).ToArray();
            total += f(tr, pr);
        }
        return total / rows;
    }

    public static double MeanSquaredError(float[] t, float[] p, int last) =>
        PerSample(t, p, last, (tr, pr) => tr.Zip(pr, (a, b) => (a - b) * (a - b)).Average());

    public static double MeanAbsoluteError(float[] t, float[] p, int last) =>
        PerSample(t, p, last, (tr, pr) => tr.Zip(pr, (a, b) => Math.Abs(a - b)).Average());

    public static double Huber(float[] t, float[] p, int last, double delta) =>
        PerSample(t, p, last, (tr, pr) => tr.Zip(pr, (a, b) =>
        {
            double e = b - a;
            return Math.Abs(e) <= delta ? 0.5 * e * e : delta * Math.Abs(e) - 0.5 * delta * delta;
        }).Average());

    public static double KLDivergence(float[] t, float[] p, int last) =>
        PerSample(t, p, last, (tr, pr) => tr.Zip(pr, (a, b) =>
        {
            double tc = Clip(a, Eps, 1), pc = Clip(b, Eps, 1);
            return tc * Math.Log(tc / pc);
        }).Sum());

    /// <summary>binary_crossentropy: smooth towards ½, clip to [ε, 1 − ε], −(t log p + (1 − t) log(1 − p)), mean over the row.</summary>
    public static double BinaryCrossentropy(float[] t, float[] p, int last, double smoothing = 0) =>
        PerSample(t, p, last, (tr, pr) => tr.Zip(pr, (a, b) =>
        {
            double s = a * (1 - smoothing) + 0.5 * smoothing, pc = Clip(b, Eps, High);
            return -(s * Math.Log(pc) + (1 - s) * Math.Log(1 - pc));
        }).Average());

    /// <summary>sigmoid_cross_entropy_with_logits, written as −(t log σ(x) + (1 − t) log(1 − σ(x))) in float64.</summary>
    public static double BinaryCrossentropyFromLogits(float[] t, float[] x, int last, double smoothing = 0) =>
        PerSample(t, x, last, (tr, xr) => tr.Zip(xr, (a, z) =>
        {
            double s = a * (1 - smoothing) + 0.5 * smoothing;
            double logSigmoid = -Math.Log(1 + Math.Exp(-z)), logOneMinus = -z - Math.Log(1 + Math.Exp(-z));
            return -(s * logSigmoid + (1 - s) * logOneMinus);
        }).Average());

    /// <summary>categorical_crossentropy from probabilities: smooth, normalise the row, clip, −Σ t log q.</summary>
    public static double CategoricalCrossentropy(float[] t, float[] p, int last, double smoothing = 0) =>
        PerSample(t, p, last, (tr, pr) =>
        {
            double sum = pr.Sum();
            double loss = 0;
            for (int j = 0; j < last; j++)
            {
                double s = tr[j] * (1 - smoothing) + smoothing / last;
                loss -= s * Math.Log(Clip(pr[j] / sum, Eps, High));
            }
            return loss;
        });

    /// <summary>softmax_cross_entropy_with_logits: Σ t·(log Σ e^z − z), after smoothing.</summary>
    public static double CategoricalCrossentropyFromLogits(float[] t, float[] z, int last, double smoothing = 0) =>
        PerSample(t, z, last, (tr, zr) =>
        {
            double lse = Math.Log(zr.Sum(Math.Exp));
            double loss = 0;
            for (int j = 0; j < last; j++) loss += (tr[j] * (1 - smoothing) + smoothing / last) * (lse - zr[j]);
            return loss;
        });
}
