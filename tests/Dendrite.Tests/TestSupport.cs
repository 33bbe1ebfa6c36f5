using System.Globalization;
using Dendrite.Autodiff;
using Dendrite.Training;

namespace Dendrite.Tests;

/// <summary>
/// Tests that change process-wide state (the global random seed, <c>Gemm.MaxThreads</c>) or depend on no other test
/// drawing from the global generator meanwhile. xunit runs this collection on its own, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStateCollection
{
    public const string Name = "Global state (not parallel)";
}

/// <summary>Seeded test data, built without NDArray arithmetic.</summary>
internal static class TestData
{
    public static float[] Uniform(int seed, int count, double low = -1, double high = 1)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * rng.NextDouble());
        return values;
    }

    /// <summary>Uniform values whose magnitude is in [minAbs, maxAbs] with a random sign (kept away from 0, e.g. relu's kink).</summary>
    public static float[] AwayFromZero(int seed, int count, double minAbs, double maxAbs)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double magnitude = minAbs + (maxAbs - minAbs) * rng.NextDouble();
            values[i] = (float)(rng.Next(2) == 0 ? -magnitude : magnitude);
        }
        return values;
    }

    /// <summary>A tensor that requires a gradient, like a trainable weight.</summary>
    public static Tensor Param(float[] values, params int[] shape) => new(values, new Shape(shape), requiresGrad: true, borrowed: false);

    /// <summary>A constant tensor (no gradient).</summary>
    public static Tensor Const(float[] values, params int[] shape) => new(values, shape);

    /// <summary>
    /// Three well separated Gaussian blobs in 2-D, labels interleaved (i % 3) so every slice of the data holds all classes.
    /// </summary>
    public static (NDArray<float> X, NDArray<int> Y) Blobs(int n, int seed, double spread = 0.6)
    {
        double[,] centers = { { 0, 3 }, { -3, -2 }, { 3, -2 } };
        var rng = new Random(seed);
        var x = new float[n * 2];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % 3;
            y[i] = label;
            for (int d = 0; d < 2; d++) x[i * 2 + d] = (float)(centers[label, d] + spread * Gaussian(rng));
        }
        return (new NDArray<float>(x, n, 2), new NDArray<int>(y, n));
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>
    /// A culture that writes decimals with a comma, like de-DE. (The build sets InvariantGlobalization, so named cultures
    /// such as de-DE cannot be created; a modified clone of the invariant culture has the same effect on number formatting.)
    /// </summary>
    public static CultureInfo CommaCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.PercentDecimalSeparator = ",";
        return culture;
    }

    /// <summary>Runs <paramref name="action"/> under <paramref name="culture"/> and restores the previous culture.</summary>
    public static void WithCulture(CultureInfo culture, Action action)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try { action(); }
        finally { CultureInfo.CurrentCulture = previous; }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with progress captured in a string. The AsyncLocal settings are made inside a
    /// separate task, so they never leak into other tests.
    /// </summary>
    public static string CaptureProgress(ProgressMode mode, Action action)
    {
        var writer = new StringWriter();
        Task.Run(() =>
        {
            ProgressDisplay.Output = writer;
            ProgressDisplay.Mode = mode;
            action();
        }).GetAwaiter().GetResult();
        return writer.ToString();
    }
}

/// <summary>Test-only differentiable reductions, so that any op's output can be turned into a scalar for the tape.</summary>
internal static class TestOps
{
    /// <summary>Σᵢ wᵢ·xᵢ as a one-element tensor, recorded on the tape.</summary>
    public static Tensor WeightedSum(Tensor x, float[] weights)
    {
        Assert.Equal(x.Size, weights.Length);
        return Ops.Run(new WeightedSumOp(x, weights), new Shape(), x.RequiresGrad);
    }

    private sealed class WeightedSumOp(Tensor x, float[] weights) : Op
    {
        public override void Forward()
        {
            double sum = 0;
            var values = x.Values;
            for (int i = 0; i < values.Length; i++) sum += (double)weights[i] * values[i];
            Output.Values[0] = (float)sum;
        }

        public override void Backward(int generation)
        {
            float dy = Output.Grad[0];
            var dx = x.GradForAccumulation(generation);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy * weights[i];
        }
    }
}
