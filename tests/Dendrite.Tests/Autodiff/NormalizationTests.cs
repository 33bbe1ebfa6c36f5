using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// The normalisation ops against float64 references (Keras' formulas: biased variance over every axis but the last,
/// epsilon inside the square root, then gamma and beta) and their gradients against finite differences, on awkward
/// shapes: one row, one channel, odd counts, more than 1024 channels, rank 2 and rank 4 (NHWC).
/// </summary>
public class NormalizationTests
{
    private const float Epsilon = 1e-3f;

    /// <summary>Shapes (channels last) the ops are checked on; "1,3" and "1,17" are batches of one sample.</summary>
    public static TheoryData<string> Shapes => new() { "1,3", "1,17", "2,3", "7,1", "7,3", "13,17", "1,3,3,2", "2,3,4,3", "3,5,5,17", "13,2,2,1", "1,1,1,1" };

    /// <summary>Per-channel mean and biased variance over every axis but the last.</summary>
    private static (double[] Mean, double[] Variance) Moments(float[] x, int channels)
    {
        int rows = x.Length / channels;
        var mean = new double[channels];
        var variance = new double[channels];
        for (int j = 0; j < channels; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += x[r * channels + j];
            mean[j] = sum / rows;
            double sq = 0;
            for (int r = 0; r < rows; r++) sq += (x[r * channels + j] - mean[j]) * (x[r * channels + j] - mean[j]);
            variance[j] = sq / rows;
        }
        return (mean, variance);
    }

    /// <summary><c>(x − mean) / sqrt(variance + ε) · gamma + beta</c> per channel, in float64.</summary>
    private static Ref Normalize(int[] shape, float[] x, double[] mean, double[] variance, float[]? gamma, float[]? beta)
    {
        int channels = shape[^1];
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % channels;
            double v = (x[i] - mean[j]) / Math.Sqrt(variance[j] + Epsilon);
            if (gamma is not null) v *= gamma[j];
            if (beta is not null) v += beta[j];
            y[i] = v;
        }
        return new Ref(shape, y);
    }

    /// <summary>Layer normalisation in float64: each row by its own mean and biased variance.</summary>
    private static Ref LayerNormReference(int[] shape, float[] x, float[]? gamma, float[]? beta)
    {
        int c = shape[^1];
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / c; r++)
        {
            var row = x.AsSpan(r * c, c).ToArray();
            double mean = row.Average(v => (double)v);
            double variance = row.Average(v => (v - mean) * (v - mean));
            for (int j = 0; j < c; j++)
            {
                double v = (row[j] - mean) / Math.Sqrt(variance + Epsilon);
                if (gamma is not null) v *= gamma[j];
                if (beta is not null) v += beta[j];
                y[r * c + j] = v;
            }
        }
        return new Ref(shape, y);
    }

    /// <summary>Inputs whose channels have different means and spreads (channel j is centred on j mod 5 − 2).</summary>
    private static float[] Inputs(int seed, int[] shape)
    {
        int c = shape[^1];
        var values = Uniform(seed, Ref.SizeOf(shape), -2, 2);
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * (1 + 0.25f * (i % c % 3)) + (i % c % 5 - 2);
        return values;
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: got {actual[i]:G9}, expected {expected[i]:G9}.");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchNormTrainingNormalisesWithTheBatchStatisticsAndFoldsThemIntoTheMovingOnes(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var xs = Inputs(1, shape);
        var gamma = Uniform(2, c, 0.5, 1.5);
        var beta = Uniform(3, c);
        var movingMean = Uniform(4, c);
        var movingVariance = Uniform(5, c, 0.5, 2);
        var mm = Const((float[])movingMean.Clone(), c);
        var mv = Const((float[])movingVariance.Clone(), c);

        var y = Ops.BatchNormTraining(Const(xs, shape), Const(gamma, c), Const(beta, c), mm, mv, momentum: 0.9, Epsilon);

        var (mean, variance) = Moments(xs, c);
        Reference.AssertClose(Normalize(shape, xs, mean, variance, gamma, beta), y);
        Assert.DoesNotContain(y.Values.ToArray(), float.IsNaN);
        AssertClose([.. movingMean.Select((m, j) => m * 0.9 + mean[j] * 0.1)], mm.Values, 1e-6, "moving_mean");
        AssertClose([.. movingVariance.Select((v, j) => v * 0.9 + variance[j] * 0.1)], mv.Values, 1e-6, "moving_variance");
    }

    [Fact]
    public void TheMovingAverageUsesKerasFloat32FactorsMomentumAndOneMinusMomentum()
    {
        // Keras: moving_mean * 0.99 + mean * (1.0 - 0.99), the Python double 1 − 0.99 rounded to float32 (0.01f),
        // not 1f − 0.99f (0.0099999905f). Bit for bit on the moving mean, whose batch mean is rounded once from float64.
        const int rows = 5, c = 4;
        var xs = Inputs(10, [rows, c]);
        var start = Uniform(11, c);
        var mm = Const((float[])start.Clone(), c);
        Ops.BatchNormTraining(Const(xs, rows, c), null, null, mm, Const([1, 1, 1, 1], c), momentum: 0.99, Epsilon);
        for (int j = 0; j < c; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += xs[r * c + j];
            float batchMean = (float)(sum / rows);
            float expected = start[j] * 0.99f + batchMean * 0.01f;
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(mm.Values[j]));
        }
    }

    [Fact]
    public void ABatchOfOneSampleHasZeroVarianceAndGivesBetaNotNaN()
    {
        var x = Param([3f, -1f, 0.5f, 250f, -7f], 1, 5);
        var gamma = Param(Uniform(20, 5, 0.5, 1.5), 5);
        var beta = Param(Uniform(21, 5), 5);
        var mv = Const([1, 2, 3, 4, 5], 5);
        var w = Uniform(22, 5);

        var y = Ops.BatchNormTraining(x, gamma, beta, Const(new float[5], 5), mv, momentum: 0.99, Epsilon);
        Assert.Equal(beta.Values.ToArray(), y.Values.ToArray()); // x − mean is exactly 0
        // The batch variance 0 is folded in like any other: moving_variance · 0.99.
        AssertClose([0.99, 1.98, 2.97, 3.96, 4.95], mv.Values, 1e-6, "moving_variance");

        var grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.BatchNormTraining(x, gamma, beta, Const(new float[5], 5), Const(new float[5], 5), 0.99, Epsilon), w), [x, gamma, beta]);
        Assert.All(grads.SelectMany(g => g), g => Assert.True(float.IsFinite(g), $"gradient {g}"));
        Assert.All(grads[0], g => Assert.Equal(0f, g)); // the output does not depend on x at all
        Assert.All(grads[1], g => Assert.Equal(0f, g)); // nor on gamma (it multiplies 0)
        Assert.Equal(w, grads[2]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchNormTrainingGradientsIncludeThePathThroughTheBatchStatistics(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var x = Param(Inputs(30, shape), shape);
        var gamma = Param(Uniform(31, c, 0.5, 1.5), c);
        var beta = Param(Uniform(32, c), c);
        var w = Uniform(33, x.Size);
        // Every evaluation recomputes the batch mean and variance from the perturbed input, so the finite differences
        // see the whole dependence of the output on x, including through the statistics.
        Tensor Loss() => TestOps.WeightedSum(Ops.BatchNormTraining(x, gamma, beta, Const(new float[c], c), Const(new float[c], c), 0.99, Epsilon), w);
        GradientCheck.Check(Loss, [x, gamma, beta]);
    }

    [Fact]
    public void TheInputGradientIsOrthogonalToTheBatchStatistics()
    {
        // Through the batch statistics, dx sums to 0 over the rows of each channel (the mean's path) and, up to the
        // ε term, is orthogonal to x̂ there (the variance's path): Σ dx·x̂ = ε·(σ² + ε)^(−3/2)·Σ γ·w·x̂. A backward that
        // treated the statistics as constants would give neither.
        const int rows = 9, c = 4;
        var x = Param(Inputs(40, [rows, c]), rows, c);
        var gamma = Param(Uniform(41, c, 0.5, 1.5), c);
        var w = Uniform(42, rows * c);
        var dx = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.BatchNormTraining(x, gamma, null, Const(new float[c], c), Const(new float[c], c), 0.99, Epsilon), w), [x, gamma])[0];
        var (mean, variance) = Moments(x.Values.ToArray(), c);
        for (int j = 0; j < c; j++)
        {
            double invStd = 1 / Math.Sqrt(variance[j] + Epsilon);
            double sum = 0, dot = 0, scale = 0, gx = 0;
            for (int r = 0; r < rows; r++)
            {
                int i = r * c + j;
                double xhat = (x.Values[i] - mean[j]) * invStd;
                sum += dx[i];
                dot += dx[i] * xhat;
                scale += Math.Abs(dx[i]);
                gx += gamma.Values[j] * w[i] * xhat;
            }
            Assert.True(scale > 0.1, $"channel {j}: the gradient is trivially small ({scale})");
            Assert.True(Math.Abs(sum) < 1e-5 * scale, $"channel {j}: Σ dx = {sum}");
            double expectedDot = invStd * Epsilon / (variance[j] + Epsilon) * gx;
            Assert.True(Math.Abs(dot - expectedDot) < 1e-5 * scale, $"channel {j}: Σ dx·x̂ = {dot}, expected {expectedDot}");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void BatchNormWithoutCenterOrScale(bool center, bool scale)
    {
        int[] shape = [7, 2, 2, 3];
        var xs = Inputs(50, shape);
        var x = Param((float[])xs.Clone(), shape);
        var gamma = scale ? Param(Uniform(51, 3, 0.5, 1.5), 3) : null;
        var beta = center ? Param(Uniform(52, 3), 3) : null;
        var (mean, variance) = Moments(xs, 3);

        var training = Ops.BatchNormTraining(Const(xs, shape), gamma, beta, Const(new float[3], 3), Const(new float[3], 3), 0.99, Epsilon);
        Reference.AssertClose(Normalize(shape, xs, mean, variance, gamma?.Values.ToArray(), beta?.Values.ToArray()), training);

        var movingMean = Uniform(53, 3);
        var movingVariance = Uniform(54, 3, 0.5, 2);
        var inference = Ops.BatchNormInference(Const(xs, shape), gamma, beta, Const(movingMean, 3), Const(movingVariance, 3), Epsilon);
        Reference.AssertClose(Normalize(shape, xs, [.. movingMean.Select(v => (double)v)], [.. movingVariance.Select(v => (double)v)],
            gamma?.Values.ToArray(), beta?.Values.ToArray()), inference);

        var w = Uniform(55, x.Size);
        Tensor[] inputs = [x, .. new[] { gamma, beta }.OfType<Tensor>()];
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.BatchNormTraining(x, gamma, beta, Const(new float[3], 3), Const(new float[3], 3), 0.99, Epsilon), w), inputs);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.BatchNormInference(x, gamma, beta, Const(movingMean, 3), Const(movingVariance, 3), Epsilon), w), inputs);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchNormInferenceUsesTheGivenStatisticsAndLeavesThemAlone(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var xs = Inputs(60, shape);
        var gamma = Uniform(61, c, 0.5, 1.5);
        var beta = Uniform(62, c);
        var movingMean = Uniform(63, c);
        var movingVariance = Uniform(64, c, 0.01, 2);
        var mm = Const((float[])movingMean.Clone(), c);
        var mv = Const((float[])movingVariance.Clone(), c);

        var y = Ops.BatchNormInference(Const(xs, shape), Const(gamma, c), Const(beta, c), mm, mv, Epsilon);

        Reference.AssertClose(Normalize(shape, xs, [.. movingMean.Select(v => (double)v)], [.. movingVariance.Select(v => (double)v)], gamma, beta), y);
        Assert.Equal(movingMean, mm.Values.ToArray());
        Assert.Equal(movingVariance, mv.Values.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchNormInferenceGradients(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var x = Param(Inputs(70, shape), shape);
        var gamma = Param(Uniform(71, c, 0.5, 1.5), c);
        var beta = Param(Uniform(72, c), c);
        var mm = Const(Uniform(73, c), c);
        var mv = Const(Uniform(74, c, 0.5, 2), c);
        var w = Uniform(75, x.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.BatchNormInference(x, gamma, beta, mm, mv, Epsilon), w), [x, gamma, beta]);
    }

    [Fact]
    public void MoreThan1024ChannelsTakeTheHeapPathWithTheSameResults()
    {
        // Channels are independent, so the 1030 channels at once (heap buffers) must give what two halves of 515
        // (stack buffers) give: the same output and the same gradients, bit for bit.
        const int rows = 3, c = 1030, half = c / 2;
        var xs = Inputs(80, [rows, c]);
        var gs = Uniform(81, c, 0.5, 1.5);
        var bs = Uniform(82, c);
        var ws = Uniform(83, rows * c);
        var mm = Const(new float[c], c);
        var x = Param((float[])xs.Clone(), rows, c);
        var gamma = Param((float[])gs.Clone(), c);
        var beta = Param((float[])bs.Clone(), c);
        var y = Ops.BatchNormTraining(x, gamma, beta, mm, Const(new float[c], c), 0.9, Epsilon);
        var (mean, variance) = Moments(xs, c);
        Reference.AssertClose(Normalize([rows, c], xs, mean, variance, gs, bs), y);
        AssertClose([.. mean.Select(m => m * 0.1)], mm.Values, 1e-6, "moving_mean");
        var whole = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.BatchNormTraining(x, gamma, beta, Const(new float[c], c), Const(new float[c], c), 0.9, Epsilon), ws), [x, gamma, beta]);

        static float[] Columns(float[] values, int width, int from, int count) =>
            [.. Enumerable.Range(0, values.Length / width).SelectMany(r => values.Skip(r * width + from).Take(count))];
        for (int part = 0; part < 2; part++)
        {
            int from = part * half;
            var xp = Param(Columns(xs, c, from, half), rows, half);
            var gp = Param(gs[from..(from + half)], half);
            var bp = Param(bs[from..(from + half)], half);
            var yp = Ops.BatchNormTraining(xp, gp, bp, Const(new float[half], half), Const(new float[half], half), 0.9, Epsilon);
            Assert.Equal(Columns(y.Values.ToArray(), c, from, half), yp.Values.ToArray());
            var wp = Columns(ws, c, from, half);
            var grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.BatchNormTraining(xp, gp, bp, Const(new float[half], half), Const(new float[half], half), 0.9, Epsilon), wp), [xp, gp, bp]);
            Assert.Equal(Columns(whole[0], c, from, half), grads[0]);
            Assert.Equal(whole[1][from..(from + half)], grads[1]);
            Assert.Equal(whole[2][from..(from + half)], grads[2]);
        }
    }

    [Fact]
    public void BatchNormChecksTheChannelVectors()
    {
        var x = Const(new float[12], 4, 3);
        var ok = Const(new float[3], 3);
        var e = Assert.Throws<ArgumentException>(() => Ops.BatchNormTraining(x, Const(new float[4], 4), ok, ok, ok, 0.99, Epsilon));
        Assert.Contains("gamma must have shape (3,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.BatchNormInference(x, ok, ok, ok, Const(new float[6], 2, 3), Epsilon));
        Assert.Contains("moving_variance must have shape (3,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.LayerNorm(x, ok, Const(new float[2], 2), Epsilon));
        Assert.Contains("beta must have shape (3,)", e.Message);
    }

    /// <summary>Shapes for layer normalisation; "7,1" has one feature per row (variance 0: the output is beta).</summary>
    public static TheoryData<string> LayerShapes => new() { "1,3", "7,1", "2,3", "13,17", "2,3,4,5", "1,1,1,4", "3,1030" };

    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void LayerNormNormalisesEachRowByItsOwnStatistics(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var xs = Inputs(90, shape);
        var gamma = Uniform(91, c, 0.5, 1.5);
        var beta = Uniform(92, c);
        var y = Ops.LayerNorm(Const(xs, shape), Const(gamma, c), Const(beta, c), Epsilon);
        Reference.AssertClose(LayerNormReference(shape, xs, gamma, beta), y);
        Assert.DoesNotContain(y.Values.ToArray(), float.IsNaN);
    }

    [Theory]
    [MemberData(nameof(LayerShapes))]
    public void LayerNormGradients(string shapeText)
    {
        var shape = Reference.ParseShape(shapeText);
        int c = shape[^1];
        var x = Param(Inputs(100, shape), shape);
        var gamma = Param(Uniform(101, c, 0.5, 1.5), c);
        var beta = Param(Uniform(102, c), c);
        var w = Uniform(103, x.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.LayerNorm(x, gamma, beta, Epsilon), w), [x, gamma, beta]);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void LayerNormWithoutCenterOrScale(bool center, bool scale)
    {
        int[] shape = [5, 3, 6];
        var xs = Inputs(110, shape);
        var x = Param((float[])xs.Clone(), shape);
        var gamma = scale ? Param(Uniform(111, 6, 0.5, 1.5), 6) : null;
        var beta = center ? Param(Uniform(112, 6), 6) : null;
        var y = Ops.LayerNorm(Const(xs, shape), gamma, beta, Epsilon);
        Reference.AssertClose(LayerNormReference(shape, xs, gamma?.Values.ToArray(), beta?.Values.ToArray()), y);
        var w = Uniform(113, x.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.LayerNorm(x, gamma, beta, Epsilon), w), [x, .. new[] { gamma, beta }.OfType<Tensor>()]);
    }
}
