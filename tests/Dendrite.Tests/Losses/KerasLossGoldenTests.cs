using Dendrite.Autodiff;
using Dendrite.Losses;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// Keras' golden values, ported case by case from keras/src/losses/losses_test.py (each test names its Keras test).
/// Tolerances are Keras': <c>assertAlmostEqual</c> is NumPy's <c>assert_almost_equal</c> (|Δ| &lt; 1.5·10^−decimal,
/// 3 decimals by default) and <c>assertAllClose</c> is atol = rtol = 1e-6 unless the test says otherwise.
/// </summary>
internal static class Keras
{
    public static void AlmostEqual(double expected, Tensor actual, int decimals = 3)
    {
        Assert.Equal(0, actual.Shape.Rank);
        double tolerance = 1.5 * Math.Pow(10, -decimals);
        Assert.True(Math.Abs(expected - actual.Values[0]) < tolerance, $"expected {expected:R}, got {actual.Values[0]:R}");
    }

    public static void AlmostEqual(double[] expected, Tensor actual, int decimals = 3)
    {
        Assert.Equal(expected.Length, actual.Size);
        double tolerance = 1.5 * Math.Pow(10, -decimals);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Values[i]) < tolerance, $"element {i}: expected {expected[i]:R}, got {actual.Values[i]:R}");
    }

    public static void AllClose(double[] expected, Tensor actual, double atol = 1e-6, double rtol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Size);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Values[i]) <= atol + rtol * Math.Abs(expected[i]), $"element {i}: expected {expected[i]:R}, got {actual.Values[i]:R}");
    }

    public static void AllClose(double expected, Tensor actual, double atol = 1e-6, double rtol = 1e-6)
    {
        Assert.Equal(0, actual.Shape.Rank);
        AllClose([expected], actual, atol, rtol);
    }

    /// <summary>A scalar sample weight, as Keras' <c>sample_weight=2.3</c>.</summary>
    public static Tensor Scalar(float w) => Const([w]);

    public static Tensor Call(Loss loss, float[] t, int[] ts, float[] p, int[] ps, Tensor? w = null) => loss.Call(Const(t, ts), Const(p, ps), w);
}

/// <summary>The [[1, 9, 2], [-5, -2, 6]] / [[4, 8, 12], [8, 1, 3]] data the regression tests share.</summary>
internal static class RegressionData
{
    public static readonly float[] T = [1, 9, 2, -5, -2, 6];
    public static readonly float[] P = [4, 8, 12, 8, 1, 3];
    public static readonly int[] S = [2, 3];
    public static readonly int[] Steps = [2, 3, 1];
    public static Tensor SampleWeights => Const([1.2f, 3.4f], 2, 1);
    public static Tensor StepWeights => Const([3, 6, 5, 0, 4, 2], 2, 3);
}

// keras/src/losses/losses_test.py::MeanSquaredErrorTest
public class KerasMeanSquaredErrorTests
{
    private static readonly float[] T = RegressionData.T, P = RegressionData.P;
    private static readonly int[] S = RegressionData.S;

    [Fact] // ::test_base_function_reduction
    public void BaseFunctionGivesOneValuePerSample() =>
        Assert.Equal(new Shape(3), new MeanSquaredError(reduction: "none").Call(Const([4, 8, 12], 3), Const([3, 0, 1], 3, 1)).Shape);

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect() => Keras.AlmostEqual(0, Keras.Call(new MeanSquaredError(), [4, 8, 12, 8, 1, 3], S, [4, 8, 12, 8, 1, 3], S));

    [Fact] // ::test_unweighted
    public void Unweighted() => Keras.AlmostEqual(49.5, Keras.Call(new MeanSquaredError(), T, S, P, S));

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted() => Keras.AlmostEqual(113.85, Keras.Call(new MeanSquaredError(), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_sample_weighted
    public void SampleWeighted() => Keras.AlmostEqual(767.8 / 6, Keras.Call(new MeanSquaredError(), T, S, P, S, RegressionData.SampleWeights));

    [Fact] // ::test_timestep_weighted
    public void TimestepWeighted() =>
        Keras.AlmostEqual(97.833336, Keras.Call(new MeanSquaredError(), T, RegressionData.Steps, P, RegressionData.Steps, RegressionData.StepWeights));

    [Fact] // ::test_zero_weighted
    public void ZeroWeighted() => Keras.AlmostEqual(0, Keras.Call(new MeanSquaredError(), T, S, P, S, Keras.Scalar(0)));

    [Fact] // ::test_no_reduction
    public void NoReduction()
    {
        var loss = Keras.Call(new MeanSquaredError(reduction: null), T, S, P, S, Keras.Scalar(2.3f));
        Assert.Equal(new Shape(2), loss.Shape);
        Keras.AlmostEqual([84.3333, 143.3666], loss);
    }

    [Fact] // ::test_sum_reduction
    public void SumReduction() => Keras.AlmostEqual(227.69998, Keras.Call(new MeanSquaredError(reduction: "sum"), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_mean_with_sample_weight_reduction
    public void MeanWithSampleWeightReduction() =>
        Keras.AlmostEqual((110.0 / 3 * 1.2 + 187.0 / 3 * 3.4) / (1.2 + 3.4), Keras.Call(new MeanSquaredError(reduction: "mean_with_sample_weight"), T, S, P, S, RegressionData.SampleWeights));

    [Fact] // "mean" is sum_over_batch_size under another name
    public void MeanReductionIsSumOverBatchSize() =>
        Keras.AlmostEqual(767.8 / 6, Keras.Call(new MeanSquaredError(reduction: "mean"), T, S, P, S, RegressionData.SampleWeights));
}

// keras/src/losses/losses_test.py::MeanAbsoluteErrorTest
public class KerasMeanAbsoluteErrorTests
{
    private static readonly float[] T = RegressionData.T, P = RegressionData.P;
    private static readonly int[] S = RegressionData.S;

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect() => Keras.AlmostEqual(0, Keras.Call(new MeanAbsoluteError(), [4, 8, 12, 8, 1, 3], S, [4, 8, 12, 8, 1, 3], S));

    [Fact] // ::test_unweighted
    public void Unweighted() => Keras.AlmostEqual(5.5, Keras.Call(new MeanAbsoluteError(), T, S, P, S));

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted() => Keras.AlmostEqual(12.65, Keras.Call(new MeanAbsoluteError(), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_sample_weighted
    public void SampleWeighted() => Keras.AlmostEqual(81.4 / 6, Keras.Call(new MeanAbsoluteError(), T, S, P, S, RegressionData.SampleWeights));

    [Fact] // ::test_timestep_weighted
    public void TimestepWeighted() =>
        Keras.AlmostEqual(13.833333, Keras.Call(new MeanAbsoluteError(), T, RegressionData.Steps, P, RegressionData.Steps, RegressionData.StepWeights));

    [Fact] // ::test_zero_weighted
    public void ZeroWeighted() => Keras.AlmostEqual(0, Keras.Call(new MeanAbsoluteError(), T, S, P, S, Keras.Scalar(0)));

    [Fact] // ::test_no_reduction
    public void NoReduction() => Keras.AlmostEqual([10.7333, 14.5666], Keras.Call(new MeanAbsoluteError(reduction: null), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_sum_reduction
    public void SumReduction() => Keras.AlmostEqual(25.29999, Keras.Call(new MeanAbsoluteError(reduction: "sum"), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_mean_with_sample_weight_reduction
    public void MeanWithSampleWeightReduction() =>
        Keras.AlmostEqual((14.0 / 3 * 1.2 + 19.0 / 3 * 3.4) / (1.2 + 3.4), Keras.Call(new MeanAbsoluteError(reduction: "mean_with_sample_weight"), T, S, P, S, RegressionData.SampleWeights));
}

// keras/src/losses/losses_test.py::MeanAbsolutePercentageErrorTest
public class KerasMeanAbsolutePercentageErrorTests
{
    private static readonly float[] T = RegressionData.T, P = RegressionData.P;
    private static readonly int[] S = RegressionData.S;

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect() => Keras.AlmostEqual(0, Keras.Call(new MeanAbsolutePercentageError(), [4, 8, 12, 8, 1, 3], S, [4, 8, 12, 8, 1, 3], S));

    [Fact] // ::test_unweighted
    public void Unweighted() => Keras.AlmostEqual(211.8518, Keras.Call(new MeanAbsolutePercentageError(), T, S, P, S));

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted() => Keras.AlmostEqual(487.259, Keras.Call(new MeanAbsolutePercentageError(), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_sample_weighted
    public void SampleWeighted() => Keras.AlmostEqual(422.8888, Keras.Call(new MeanAbsolutePercentageError(), T, S, P, S, RegressionData.SampleWeights));

    [Fact] // ::test_timestep_weighted
    public void TimestepWeighted() =>
        Keras.AlmostEqual(694.4444, Keras.Call(new MeanAbsolutePercentageError(), T, RegressionData.Steps, P, RegressionData.Steps, RegressionData.StepWeights));

    [Fact] // ::test_zero_weighted
    public void ZeroWeighted() => Keras.AlmostEqual(0, Keras.Call(new MeanAbsolutePercentageError(), T, S, P, S, Keras.Scalar(0)));

    [Fact] // ::test_no_reduction
    public void NoReduction() => Keras.AlmostEqual([621.8518, 352.6666], Keras.Call(new MeanAbsolutePercentageError(reduction: null), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_mean_with_sample_weight_reduction
    public void MeanWithSampleWeightReduction() =>
        Keras.AlmostEqual(183.865, Keras.Call(new MeanAbsolutePercentageError(reduction: "mean_with_sample_weight"), T, S, P, S, RegressionData.SampleWeights));
}

// keras/src/losses/losses_test.py::MeanSquaredLogarithmicErrorTest
public class KerasMeanSquaredLogarithmicErrorTests
{
    private static readonly float[] T = RegressionData.T, P = RegressionData.P;
    private static readonly int[] S = RegressionData.S;

    [Fact] // ::test_unweighted
    public void Unweighted() => Keras.AlmostEqual(1.4370, Keras.Call(new MeanSquaredLogarithmicError(), T, S, P, S));

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted() => Keras.AlmostEqual(3.3051, Keras.Call(new MeanSquaredLogarithmicError(), T, S, P, S, Keras.Scalar(2.3f)));

    [Fact] // ::test_sample_weighted
    public void SampleWeighted() => Keras.AlmostEqual(3.7856, Keras.Call(new MeanSquaredLogarithmicError(), T, S, P, S, RegressionData.SampleWeights));

    [Fact] // ::test_timestep_weighted
    public void TimestepWeighted() =>
        Keras.AlmostEqual(2.647374, Keras.Call(new MeanSquaredLogarithmicError(), T, RegressionData.Steps, P, RegressionData.Steps, RegressionData.StepWeights));

    [Fact] // ::test_zero_weighted
    public void ZeroWeighted() => Keras.AlmostEqual(0, Keras.Call(new MeanSquaredLogarithmicError(), T, S, P, S, Keras.Scalar(0)));

    [Fact] // ::test_mean_with_sample_weight_reduction
    public void MeanWithSampleWeightReduction() =>
        Keras.AlmostEqual(1.646, Keras.Call(new MeanSquaredLogarithmicError(reduction: "mean_with_sample_weight"), T, S, P, S, RegressionData.SampleWeights));
}

/// <summary>keras/src/losses/losses_test.py::HingeTest, SquaredHingeTest, CategoricalHingeTest: one data set, three losses.</summary>
public class KerasHingeTests
{
    private static readonly float[] T = [0, 1, 0, 0], P = [0.6f, 0.4f, 0.4f, 0.6f];
    private static readonly int[] S = [2, 2];
    private static Tensor Weights => Const([1, 0], 2);

    public static TheoryData<string, double, double, double, double> Cases() => new()
    {
        // name, sum_over_batch_size, sum, none[0], none[1]
        { "hinge", 1.3, 2.6, 1.1, 1.5 },
        { "squared_hinge", 1.86, 3.72, 1.46, 2.26 },
        { "categorical_hinge", 1.4, 2.8, 1.2, 1.6 },
    };

    private static Loss Make(string name, string? reduction) => name switch
    {
        "hinge" => new Hinge(reduction),
        "squared_hinge" => new SquaredHinge(reduction),
        _ => new CategoricalHinge(reduction),
    };

    [Theory] // ::test_unweighted
    [MemberData(nameof(Cases))]
    public void Unweighted(string name, double mean, double sum, double none0, double none1)
    {
        Keras.AlmostEqual(mean, Keras.Call(Make(name, "sum_over_batch_size"), T, S, P, S));
        Keras.AlmostEqual(sum, Keras.Call(Make(name, "sum"), T, S, P, S));
        Keras.AllClose([none0, none1], Keras.Call(Make(name, null), T, S, P, S));
        Assert.Contains("Invalid value for argument", Assert.Throws<ArgumentException>(() => Make(name, "abc")).Message);
    }

    [Theory] // ::test_weighted: weights [1, 0] keep the first sample only
    [MemberData(nameof(Cases))]
    public void Weighted(string name, double mean, double sum, double none0, double none1)
    {
        _ = (mean, sum, none1);
        Keras.AlmostEqual(none0 / 2, Keras.Call(Make(name, "sum_over_batch_size"), T, S, P, S, Weights));
        Keras.AlmostEqual(none0, Keras.Call(Make(name, "sum"), T, S, P, S, Weights));
        Keras.AlmostEqual([none0, 0.0], Keras.Call(Make(name, null), T, S, P, S, Weights));
    }

    [Theory] // ::test_zero_weighted
    [MemberData(nameof(Cases))]
    public void ZeroWeighted(string name, double mean, double sum, double none0, double none1)
    {
        _ = (mean, sum, none0, none1);
        Assert.Equal(0f, Keras.Call(Make(name, "sum_over_batch_size"), T, S, P, S, Keras.Scalar(0)).Values[0]);
    }

    [Fact] // -1/1 targets are used as they are; 0/1 ones are mapped only when all of them are 0 or 1
    public void HingeLabelsAreMappedOnlyWhenBinary()
    {
        Keras.AllClose([1.1, 1.5], Keras.Call(new Hinge(null), [-1, 1, -1, -1], S, P, S));
        // 0.5 is neither: nothing is mapped, max(1 − 0.5·0.6, 0), max(1 − 1·0.4, 0).
        Keras.AllClose([(0.7 + 0.6) / 2], Keras.Call(new Hinge(null), [0.5f, 1], [1, 2], [0.6f, 0.4f], [1, 2]));
    }
}

// keras/src/losses/losses_test.py::CosineSimilarityTest
public class KerasCosineSimilarityTests
{
    private static readonly float[] T = RegressionData.T, P = RegressionData.P;

    /// <summary>Σ t̂·p̂ per row of <paramref name="last"/> values, in float64.</summary>
    private static double[] Similarities(float[] t, float[] p, int last)
    {
        var result = new double[t.Length / last];
        for (int r = 0; r < result.Length; r++)
        {
            double tt = 0, pp = 0, tp = 0;
            for (int j = r * last; j < (r + 1) * last; j++) { tt += t[j] * t[j]; pp += p[j] * p[j]; tp += t[j] * p[j]; }
            result[r] = tp / Math.Sqrt(Math.Max(tt, 1e-12)) / Math.Sqrt(Math.Max(pp, 1e-12));
        }
        return result;
    }

    [Fact] // ::test_unweighted and ::test_axis (axis 1 of a rank-2 input is the last)
    public void Unweighted()
    {
        double expected = -Similarities(T, P, 3).Average();
        Keras.AlmostEqual(expected, Keras.Call(new CosineSimilarity(), T, [2, 3], P, [2, 3]));
        Keras.AlmostEqual(expected, Keras.Call(new CosineSimilarity(axis: 1), T, [2, 3], P, [2, 3]));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted() => Keras.AlmostEqual(-Similarities(T, P, 3).Average() * 2.3, Keras.Call(new CosineSimilarity(), T, [2, 3], P, [2, 3], Keras.Scalar(2.3f)));

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        var s = Similarities(T, P, 3);
        Keras.AlmostEqual(-(s[0] * 1.2 + s[1] * 3.4) / 2, Keras.Call(new CosineSimilarity(), T, [2, 3], P, [2, 3], Const([1.2f, 3.4f], 2)));
    }

    [Fact] // ::test_timestep_weighted: features of length 1, so each similarity is the product of signs
    public void TimestepWeighted()
    {
        var s = Similarities(T, P, 1);
        float[] w = [3, 6, 5, 0, 4, 2];
        double expected = -s.Zip(w, (a, b) => a * b).Sum() / 6;
        Keras.AlmostEqual(expected, Keras.Call(new CosineSimilarity(), T, [2, 3, 1], P, [2, 3, 1], Const(w, 2, 3)));
    }

    [Fact] // ::test_zero_weighted
    public void ZeroWeighted() => Keras.AlmostEqual(0, Keras.Call(new CosineSimilarity(), T, [2, 3], P, [2, 3], Keras.Scalar(0)));

    [Fact] // an axis other than the last: the similarity of each column
    public void AnotherAxis()
    {
        // Columns of the (2, 3) data are rows of its transpose.
        float[] tT = [1, -5, 9, -2, 2, 6], pT = [4, 8, 8, 1, 12, 3];
        var loss = Keras.Call(new CosineSimilarity(axis: 0, reduction: "none"), T, [2, 3], P, [2, 3]);
        Keras.AllClose([.. Similarities(tT, pT, 2).Select(v => -v)], loss);
    }
}

// keras/src/losses/losses_test.py::HuberLossTest and ::LogCoshTest
public class KerasHuberAndLogCoshTests
{
    private static readonly float[] HP = [0.9f, 0.2f, 0.2f, 0.8f, 0.4f, 0.6f], HT = [1, 0, 1, 1, 0, 0];

    private static double[] HuberElements(float[] t, float[] p, double delta = 1.0) =>
        [.. t.Zip(p, (a, b) =>
        {
            double e = Math.Abs((double)b - a), q = Math.Min(e, delta);
            return 0.5 * q * q + delta * (e - q);
        })];

    private static double[] LogCoshElements(float[] t, float[] p) => [.. t.Zip(p, (a, b) => Math.Log(Math.Cosh((double)b - a)))];

    [Fact] // HuberLossTest::test_all_correct, ::test_unweighted, ::test_scalar_weighted, ::test_zero_weighted
    public void Huber()
    {
        var h = new Huber();
        Keras.AlmostEqual(0, Keras.Call(h, HT, [2, 3], HT, [2, 3]));
        double sum = HuberElements(HT, HP).Sum();
        Keras.AlmostEqual(sum / 6, Keras.Call(h, HT, [2, 3], HP, [2, 3]));
        Keras.AlmostEqual(2.3 * sum / 6, Keras.Call(h, HT, [2, 3], HP, [2, 3], Keras.Scalar(2.3f)));
        Keras.AlmostEqual(0, Keras.Call(h, HT, [2, 3], HP, [2, 3], Keras.Scalar(0)));
    }

    [Fact] // HuberLossTest::test_sample_weighted, ::test_timestep_weighted ((2, 3, 1) weights), ::test_non_default_delta
    public void HuberWeighted()
    {
        var e = HuberElements(HT, HP);
        double[] w = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
        Keras.AlmostEqual(e.Zip(w, (a, b) => a * b).Sum() / 6, Keras.Call(new Huber(), HT, [2, 3], HP, [2, 3], Const([1.2f, 3.4f], 2, 1)));
        float[] steps = [3, 6, 5, 0, 4, 2];
        Keras.AlmostEqual(e.Zip(steps, (a, b) => a * b).Sum() / 6, Keras.Call(new Huber(), HT, [2, 3, 1], HP, [2, 3, 1], Const(steps, 2, 3, 1)));
        Keras.AlmostEqual(2.3 * HuberElements(HT, HP, 0.8).Sum() / 6, Keras.Call(new Huber(0.8f), HT, [2, 3], HP, [2, 3], Keras.Scalar(2.3f)));
    }

    private static readonly float[] LT = RegressionData.T, LP = RegressionData.P;

    [Fact] // LogCoshTest::test_unweighted, ::test_scalar_weighted, ::test_sample_weighted, ::test_timestep_weighted, ::test_zero_weighted
    public void LogCosh()
    {
        var e = LogCoshElements(LT, LP);
        var l = new LogCosh();
        Keras.AlmostEqual(e.Sum() / 6, Keras.Call(l, LT, [2, 3], LP, [2, 3]));
        Keras.AlmostEqual(2.3 * e.Sum() / 6, Keras.Call(l, LT, [2, 3], LP, [2, 3], Keras.Scalar(2.3f)));
        double[] w = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
        Keras.AlmostEqual(e.Zip(w, (a, b) => a * b).Sum() / 6, Keras.Call(l, LT, [2, 3], LP, [2, 3], Const([1.2f, 3.4f], 2)));
        float[] steps = [3, 6, 5, 0, 4, 2];
        Keras.AlmostEqual(e.Zip(steps, (a, b) => a * b).Sum() / 6, Keras.Call(l, LT, [2, 3, 1], LP, [2, 3, 1], Const(steps, 2, 3, 1)));
        Keras.AlmostEqual(0, Keras.Call(l, LT, [2, 3], LP, [2, 3], Keras.Scalar(0)));
    }

    [Fact] // log(cosh(x)) of large errors stays finite (cosh itself overflows float32 past 89)
    public void LogCoshOfLargeErrorsIsFinite() =>
        Keras.AllClose(1000 - Math.Log(2), Keras.Call(new LogCosh(), [0], [1, 1], [1000], [1, 1]), rtol: 1e-6);
}

// keras/src/losses/losses_test.py::KLDivergenceTest and ::PoissonTest
public class KerasKLDivergenceAndPoissonTests
{
    private static readonly float[] KP = [0.4f, 0.9f, 0.12f, 0.36f, 0.3f, 0.4f], KT = [0.5f, 0.8f, 0.12f, 0.7f, 0.43f, 0.8f];

    [Fact] // KLDivergenceTest::test_config, ::test_unweighted, ::test_scalar_weighted, ::test_sample_weighted, ::test_timestep_weighted, ::test_zero_weighted
    public void KLDivergence()
    {
        var k = new KLDivergence(reduction: "sum");
        Assert.Equal("sum", k.Reduction);
        var e = KT.Zip(KP, (t, p) => (double)t * Math.Log((double)t / p)).ToArray();
        var kl = new KLDivergence();
        Keras.AlmostEqual(e.Sum() / 2, Keras.Call(kl, KT, [2, 3], KP, [2, 3]));
        Keras.AlmostEqual(2.3 * e.Sum() / 2, Keras.Call(kl, KT, [2, 3], KP, [2, 3], Keras.Scalar(2.3f)));
        double[] w = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
        Keras.AlmostEqual(e.Zip(w, (a, b) => a * b).Sum() / 2, Keras.Call(kl, KT, [2, 3], KP, [2, 3], Const([1.2f, 3.4f], 2, 1)));
        float[] steps = [3, 6, 5, 0, 4, 2];
        Keras.AlmostEqual(e.Zip(steps, (a, b) => a * b).Sum() / 6, Keras.Call(kl, KT, [2, 3, 1], KP, [2, 3, 1], Const(steps, 2, 3)));
        Keras.AlmostEqual(0, Keras.Call(kl, KT, [2, 3], KP, [2, 3], Keras.Scalar(0)));
    }

    private static readonly float[] PP = [1, 9, 2, 5, 2, 6], PT = [4, 8, 12, 8, 1, 3];

    [Fact] // PoissonTest::test_config, ::test_unweighted, ::test_scalar_weighted, ::test_sample_weighted, ::test_timestep_weighted, ::test_zero_weighted
    public void Poisson()
    {
        Assert.Equal("sum", new Poisson(reduction: "sum").Reduction);
        var e = PT.Zip(PP, (t, p) => p - t * Math.Log(p)).ToArray();
        var po = new Poisson();
        Keras.AlmostEqual(e.Sum() / 6, Keras.Call(po, PT, [2, 3], PP, [2, 3]));
        Keras.AlmostEqual(2.3 * e.Sum() / 6, Keras.Call(po, PT, [2, 3], PP, [2, 3], Keras.Scalar(2.3f)));
        double[] w = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
        Keras.AlmostEqual(e.Zip(w, (a, b) => a * b).Sum() / 6, Keras.Call(po, PT, [2, 3], PP, [2, 3], Const([1.2f, 3.4f], 2, 1)));
        float[] steps = [3, 6, 5, 0, 4, 2];
        Keras.AlmostEqual(e.Zip(steps, (a, b) => a * b).Sum() / 6, Keras.Call(po, PT, [2, 3, 1], PP, [2, 3, 1], Const(steps, 2, 3)));
        Keras.AlmostEqual(0, Keras.Call(po, PT, [2, 3], PP, [2, 3], Keras.Scalar(0)));
    }
}

// keras/src/losses/losses_test.py::BinaryCrossentropyTest
public class KerasBinaryCrossentropyTests
{
    private static readonly float[] OneHot = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private static readonly float[] LogitT = [1, 0, 1, 0, 1, 1], Logits = [10, -10, 10, 10, 10, -10];

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect()
    {
        Keras.AlmostEqual(0, Keras.Call(new BinaryCrossentropy(), OneHot, [3, 3], OneHot, [3, 3]));
        Keras.AlmostEqual(0, Keras.Call(new BinaryCrossentropy(fromLogits: true), OneHot, [3, 3], [10, -10, -10, -10, 10, -10, -10, -10, 10], [3, 3]));
    }

    [Fact] // ::test_unweighted
    public void Unweighted()
    {
        Keras.AllClose(0.20046903, Keras.Call(new BinaryCrossentropy(), OneHot, [3, 3], [0.9f, 0.1f, 0.2f, 0.3f, 0.8f, 0.1f, 0.1f, 0.2f, 0.7f], [3, 3]));
        Keras.AlmostEqual(3.98559, Keras.Call(new BinaryCrossentropy(), [1, 0, 1, 0], [2, 2], [1, 1, 1, 0], [2, 2]));
        Keras.AlmostEqual(3.3333, Keras.Call(new BinaryCrossentropy(fromLogits: true), LogitT, [2, 3], Logits, [2, 3]));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted()
    {
        Keras.AlmostEqual(9.1668, Keras.Call(new BinaryCrossentropy(), [1, 0, 1, 0], [2, 2], [1, 1, 1, 0], [2, 2], Keras.Scalar(2.3f)));
        Keras.AlmostEqual(7.666, Keras.Call(new BinaryCrossentropy(fromLogits: true), LogitT, [2, 3], Logits, [2, 3], Keras.Scalar(2.3f)));
    }

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        Keras.AlmostEqual(4.7827, Keras.Call(new BinaryCrossentropy(), [1, 0, 1, 0], [2, 2], [1, 1, 1, 0], [2, 2], Const([1.2f, 3.4f], 2, 1)));
        Keras.AlmostEqual(10.0, Keras.Call(new BinaryCrossentropy(fromLogits: true), LogitT, [2, 3], Logits, [2, 3], Const([4, 3], 2)));
    }

    [Fact] // ::test_no_reduction
    public void NoReduction() =>
        Keras.AllClose([0.0, 6.666], Keras.Call(new BinaryCrossentropy(fromLogits: true, reduction: null), LogitT, [2, 3], Logits, [2, 3]), atol: 1e-3);

    [Fact] // ::test_label_smoothing
    public void LabelSmoothing() =>
        Keras.AlmostEqual((10.0 + 5.0 * 0.1) / 3.0, Keras.Call(new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1f), [1, 0, 1], [1, 3], [10, -10, -10], [1, 3]));

    [Fact] // ::test_shape_mismatch
    public void ShapeMismatch() =>
        Assert.Contains("expects targets of the predictions' shape", Assert.Throws<ArgumentException>(() =>
            Keras.Call(new BinaryCrossentropy(), [0, 1, 2], [3, 1], [0.9f, 0.05f, 0.05f, 0.5f, 0.89f, 0.6f, 0.05f, 0.01f, 0.94f], [3, 3])).Message);

    [Fact] // the docstring's examples: reductions sum and none, sample weights (rounded as printed there)
    public void DocstringReductions()
    {
        float[] t = [0, 1, 0, 0], z = [-18.6f, 0.51f, 2.94f, -12.8f];
        Keras.AlmostEqual(0.8654, Keras.Call(new BinaryCrossentropy(fromLogits: true), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual(0.243, Keras.Call(new BinaryCrossentropy(fromLogits: true), t, [2, 2], z, [2, 2], Const([0.8f, 0.2f], 2)));
        Keras.AlmostEqual(1.730, Keras.Call(new BinaryCrossentropy(fromLogits: true, reduction: "sum"), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual([0.235, 1.496], Keras.Call(new BinaryCrossentropy(fromLogits: true, reduction: null), t, [2, 2], z, [2, 2]));
    }

    [Fact] // axis: the mean runs over the axis named, here the first of a transposed copy of the unweighted case
    public void Axis()
    {
        float[] p = [0.9f, 0.1f, 0.2f, 0.3f, 0.8f, 0.1f, 0.1f, 0.2f, 0.7f];
        float[] pT = [0.9f, 0.3f, 0.1f, 0.1f, 0.8f, 0.2f, 0.2f, 0.1f, 0.7f];
        var byRow = Keras.Call(new BinaryCrossentropy(reduction: null), OneHot, [3, 3], p, [3, 3]);
        var byColumn = Keras.Call(new BinaryCrossentropy(axis: 0, reduction: null), OneHot, [3, 3], pT, [3, 3]);
        Keras.AllClose([.. byRow.Values.ToArray().Select(v => (double)v)], byColumn);
    }
}

// keras/src/losses/losses_test.py::CategoricalCrossentropyTest
public class KerasCategoricalCrossentropyTests
{
    private static readonly float[] T = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private static readonly float[] P = [0.9f, 0.05f, 0.05f, 0.5f, 0.89f, 0.6f, 0.05f, 0.01f, 0.94f];
    private static readonly float[] Z = [8, 1, 1, 0, 9, 1, 2, 3, 5];
    private static readonly int[] S = [3, 3];

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect()
    {
        Keras.AlmostEqual(0, Keras.Call(new CategoricalCrossentropy(), T, S, T, S));
        Keras.AlmostEqual(0, Keras.Call(new CategoricalCrossentropy(fromLogits: true), T, S, [10, 0, 0, 0, 10, 0, 0, 0, 10], S));
    }

    [Fact] // ::test_unweighted
    public void Unweighted()
    {
        Keras.AlmostEqual(0.3239, Keras.Call(new CategoricalCrossentropy(), T, S, P, S));
        Keras.AlmostEqual(0.0573, Keras.Call(new CategoricalCrossentropy(fromLogits: true), T, S, Z, S));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted()
    {
        Keras.AlmostEqual(0.7449, Keras.Call(new CategoricalCrossentropy(), T, S, P, S, Keras.Scalar(2.3f)));
        Keras.AlmostEqual(0.1317, Keras.Call(new CategoricalCrossentropy(fromLogits: true), T, S, Z, S, Keras.Scalar(2.3f)));
    }

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        var w = Const([1.2f, 3.4f, 5.6f], 3, 1);
        Keras.AlmostEqual(1.0696, Keras.Call(new CategoricalCrossentropy(), T, S, P, S, w));
        Keras.AlmostEqual(0.31829, Keras.Call(new CategoricalCrossentropy(fromLogits: true), T, S, Z, S, w));
    }

    [Fact] // ::test_no_reduction
    public void NoReduction() =>
        Keras.AllClose([0.001822, 0.000459, 0.169846], Keras.Call(new CategoricalCrossentropy(fromLogits: true, reduction: null), T, S, Z, S));

    [Fact] // ::test_label_smoothing, ::test_label_smoothing_ndarray
    public void LabelSmoothing() =>
        Keras.AlmostEqual(400.0 * 0.1 / 3.0, Keras.Call(new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1f), [1, 0, 0], [1, 3], [100, -100, -100], [1, 3]));

    [Fact] // ::test_shape_mismatch
    public void ShapeMismatch() =>
        Assert.Contains("expects targets of the predictions' shape", Assert.Throws<ArgumentException>(() => Keras.Call(new CategoricalCrossentropy(), [0, 1, 2], [3, 1], P, S)).Message);

    [Fact] // the docstring's examples: sum and none
    public void DocstringReductions()
    {
        float[] t = [0, 1, 0, 0, 0, 1], p = [0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f];
        Keras.AlmostEqual(1.177, Keras.Call(new CategoricalCrossentropy(), t, [2, 3], p, [2, 3]));
        Keras.AlmostEqual(0.814, Keras.Call(new CategoricalCrossentropy(), t, [2, 3], p, [2, 3], Const([0.3f, 0.7f], 2)));
        Keras.AlmostEqual(2.354, Keras.Call(new CategoricalCrossentropy(reduction: "sum"), t, [2, 3], p, [2, 3]));
        Keras.AlmostEqual([0.0513, 2.303], Keras.Call(new CategoricalCrossentropy(reduction: null), t, [2, 3], p, [2, 3]));
    }

    [Fact] // axis 1 of (N, C, steps) predictions: the classes along the middle axis, one value per sample and step
    public void ClassAxisInTheMiddle()
    {
        // Two samples, three classes, two steps; step s of sample n is the row (n, :, s).
        float[] t = [1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0];
        float[] z = [8, 0, 1, 9, 1, 1, 2, 2, 3, 5, 1, 0];
        var values = Keras.Call(new CategoricalCrossentropy(fromLogits: true, axis: 1, reduction: null), t, [2, 3, 2], z, [2, 3, 2]);
        Assert.Equal(new Shape(2, 2), values.Shape);
        float[] rowsT = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0], rowsZ = [8, 1, 1, 0, 9, 1, 2, 3, 1, 2, 5, 0];
        var expected = Keras.Call(new CategoricalCrossentropy(fromLogits: true, reduction: null), rowsT, [2, 2, 3], rowsZ, [2, 2, 3]);
        Keras.AllClose([.. expected.Values.ToArray().Select(v => (double)v)], values);
    }
}

// keras/src/losses/losses_test.py::SparseCategoricalCrossentropyTest
public class KerasSparseCategoricalCrossentropyTests
{
    private static readonly float[] P = [0.9f, 0.05f, 0.05f, 0.5f, 0.89f, 0.6f, 0.05f, 0.01f, 0.94f];
    private static readonly float[] Z = [8, 1, 1, 0, 9, 1, 2, 3, 5];
    private static readonly int[] S = [3, 3];

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect()
    {
        Keras.AlmostEqual(0, Keras.Call(new SparseCategoricalCrossentropy(), [0, 1, 2], [3, 1], [1, 0, 0, 0, 1, 0, 0, 0, 1], S));
        Keras.AlmostEqual(0, Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true), [0, 1, 2], [3, 1], [10, 0, 0, 0, 10, 0, 0, 0, 10], S));
    }

    [Fact] // ::test_unweighted
    public void Unweighted()
    {
        Keras.AlmostEqual(0.3239, Keras.Call(new SparseCategoricalCrossentropy(), [0, 1, 2], [3], P, S));
        Keras.AlmostEqual(0.0573, Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true), [0, 1, 2], [3], Z, S));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted()
    {
        Keras.AlmostEqual(0.7449, Keras.Call(new SparseCategoricalCrossentropy(), [0, 1, 2], [3, 1], P, S, Keras.Scalar(2.3f)));
        Keras.AlmostEqual(0.1317, Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true), [0, 1, 2], [3, 1], Z, S, Keras.Scalar(2.3f)));
    }

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        var w = Const([1.2f, 3.4f, 5.6f], 3, 1);
        Keras.AlmostEqual(1.0696, Keras.Call(new SparseCategoricalCrossentropy(), [0, 1, 2], [3, 1], P, S, w));
        Keras.AlmostEqual(0.31829, Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true), [0, 1, 2], [3, 1], Z, S, w));
    }

    [Fact] // ::test_no_reduction
    public void NoReduction() =>
        Keras.AllClose([0.001822, 0.000459, 0.169846], Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true, reduction: null), [0, 1, 2], [3, 1], Z, S));

    [Fact] // ::test_ignore_class: labels (1, 2) and (1, 2, 1), predictions (1, 2, 3)
    public void IgnoreClass()
    {
        float[] z = [0.854f, 0.698f, 0.598f, 0.088f, 0.86f, 0.018f];
        var loss = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1, reduction: null);
        var values = Keras.Call(loss, [-1, 2], [1, 2], z, [1, 2, 3]);
        Assert.Equal(new Shape(1, 2), values.Shape);
        Keras.AllClose([0.0, 1.480129], values);
        Keras.AllClose([0.0, 1.480129], Keras.Call(loss, [-1, 2], [1, 2, 1], z, [1, 2, 3]));
    }

    [Fact] // ignore_class under the reductions: ignored entries count in neither the sum nor the divisor (Keras' mask)
    public void IgnoredLabelsLeaveTheMean()
    {
        float[] z = [0.854f, 0.698f, 0.598f, 0.088f, 0.86f, 0.018f, 1, 2, 3];
        double second = 1.480129, third = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 1;
        Keras.AlmostEqual((second + third) / 2, Keras.Call(new SparseCategoricalCrossentropy(true, ignoreClass: 255), [255, 2, 0], [3], z, [3, 3]), 5);
        Keras.AlmostEqual(second + third, Keras.Call(new SparseCategoricalCrossentropy(true, ignoreClass: 255, reduction: "sum"), [255, 2, 0], [3], z, [3, 3]), 5);
        // mean_with_sample_weight divides by the weights of the entries kept: (2·second + 3·third) / (2 + 3).
        Keras.AlmostEqual((2 * second + 3 * third) / 5, Keras.Call(new SparseCategoricalCrossentropy(true, ignoreClass: 255, reduction: "mean_with_sample_weight"),
            [255, 2, 0], [3], z, [3, 3], Const([7, 2, 3], 3)), 5);
        // Without ignore_class an out-of-range label is an error, naming it.
        Assert.Contains("255", Assert.Throws<ArgumentException>(() => Keras.Call(new SparseCategoricalCrossentropy(true), [255, 2, 0], [3], z, [3, 3])).Message);
    }

    [Fact] // the docstring's examples: sum and none
    public void DocstringReductions()
    {
        float[] p = [0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f];
        Keras.AlmostEqual(1.177, Keras.Call(new SparseCategoricalCrossentropy(), [1, 2], [2], p, [2, 3]));
        Keras.AlmostEqual(0.814, Keras.Call(new SparseCategoricalCrossentropy(), [1, 2], [2], p, [2, 3], Const([0.3f, 0.7f], 2)));
        Keras.AlmostEqual(2.354, Keras.Call(new SparseCategoricalCrossentropy(reduction: "sum"), [1, 2], [2], p, [2, 3]));
        Keras.AlmostEqual([0.0513, 2.303], Keras.Call(new SparseCategoricalCrossentropy(reduction: null), [1, 2], [2], p, [2, 3]));
    }

    [Fact] // axis 1 of (N, C, steps) predictions
    public void ClassAxisInTheMiddle()
    {
        float[] z = [8, 0, 1, 9, 1, 1, 2, 2, 3, 5, 1, 0];
        var values = Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true, axis: 1, reduction: null), [0, 1, 1, 0], [2, 2], z, [2, 3, 2]);
        float[] rows = [8, 1, 1, 0, 9, 1, 2, 3, 1, 2, 5, 0];
        var expected = Keras.Call(new SparseCategoricalCrossentropy(fromLogits: true, reduction: null), [0, 1, 1, 0], [2, 2], rows, [2, 2, 3]);
        Keras.AllClose([.. expected.Values.ToArray().Select(v => (double)v)], values);
    }
}

// keras/src/losses/losses_test.py::BinaryFocalCrossentropyTest
public class KerasBinaryFocalCrossentropyTests
{
    private static readonly float[] T = [1, 0, 1, 0], P = [0.9f, 0.8f, 0.7f, 0.2f];
    private static readonly float[] LT = [1, 1, 0, 0, 1, 0], Z = [1.5f, -2.7f, 2.9f, -3.8f, 1.2f, -4.5f];

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect()
    {
        float[] eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        Keras.AlmostEqual(0, Keras.Call(new BinaryFocalCrossentropy(gamma: 1.5f), eye, [3, 3], eye, [3, 3]));
        Keras.AlmostEqual(0, Keras.Call(new BinaryFocalCrossentropy(gamma: 2f, fromLogits: true), eye, [3, 3], [100, -100, -100, -100, 100, -100, -100, -100, 100], [3, 3]));
    }

    [Fact] // ::test_unweighted
    public void Unweighted()
    {
        Keras.AlmostEqual(0.268, Keras.Call(new BinaryFocalCrossentropy(gamma: 2f), T, [2, 2], P, [2, 2]));
        Keras.AlmostEqual(0.799, Keras.Call(new BinaryFocalCrossentropy(gamma: 3f, fromLogits: true), LT, [2, 3], Z, [2, 3]));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted()
    {
        Keras.AlmostEqual(0.3296, Keras.Call(new BinaryFocalCrossentropy(gamma: 2f), T, [2, 2], P, [2, 2], Keras.Scalar(1.23f)));
        Keras.AlmostEqual(2.565, Keras.Call(new BinaryFocalCrossentropy(gamma: 3f, fromLogits: true), LT, [2, 3], Z, [2, 3], Keras.Scalar(3.21f)));
    }

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        var w = Const([1.2f, 3.4f], 2, 1);
        Keras.AlmostEqual(0.34415, Keras.Call(new BinaryFocalCrossentropy(gamma: 2f), T, [2, 2], P, [2, 2], w));
        Keras.AlmostEqual(0.95977, Keras.Call(new BinaryFocalCrossentropy(gamma: 3f, fromLogits: true), LT, [2, 3], Z, [2, 3], w));
    }

    [Fact] // ::test_no_reduction
    public void NoReduction() => Keras.AllClose([0.515547, 0.020513], Keras.Call(new BinaryFocalCrossentropy(gamma: 2f, reduction: null), T, [2, 2], P, [2, 2]));

    [Fact] // the docstring's examples, which alone exercise apply_class_balancing (rounded as printed there)
    public void DocstringClassBalancing()
    {
        float[] t = [0, 1, 0, 0], z = [-18.6f, 0.51f, 2.94f, -12.8f];
        Keras.AlmostEqual(0.691, Keras.Call(new BinaryFocalCrossentropy(gamma: 2, fromLogits: true), t, [4], z, [4]));
        Keras.AlmostEqual(0.51, Keras.Call(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 2, fromLogits: true), t, [4], z, [4]));
        Keras.AlmostEqual(0.647, Keras.Call(new BinaryFocalCrossentropy(gamma: 3, fromLogits: true), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual(0.482, Keras.Call(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 3, fromLogits: true), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual(0.133, Keras.Call(new BinaryFocalCrossentropy(gamma: 3, fromLogits: true), t, [2, 2], z, [2, 2], Const([0.8f, 0.2f], 2)));
        Keras.AlmostEqual(0.097, Keras.Call(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 3, fromLogits: true), t, [2, 2], z, [2, 2], Const([0.8f, 0.2f], 2)));
        Keras.AlmostEqual(1.222, Keras.Call(new BinaryFocalCrossentropy(gamma: 4, fromLogits: true, reduction: "sum"), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual(0.914, Keras.Call(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 4, fromLogits: true, reduction: "sum"), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual([0.0017, 1.1561], Keras.Call(new BinaryFocalCrossentropy(gamma: 5, fromLogits: true, reduction: null), t, [2, 2], z, [2, 2]));
        Keras.AlmostEqual([0.0004, 0.8670], Keras.Call(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 5, fromLogits: true, reduction: null), t, [2, 2], z, [2, 2]));
    }
}

// keras/src/losses/losses_test.py::CategoricalFocalCrossentropyTest
public class KerasCategoricalFocalCrossentropyTests
{
    private static readonly float[] T = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    private static readonly float[] P = [0.9f, 0.05f, 0.05f, 0.5f, 0.89f, 0.6f, 0.05f, 0.01f, 0.94f];
    private static readonly float[] Z = [8, 1, 1, 0, 9, 1, 2, 3, 5];
    private static readonly int[] S = [3, 3];

    [Fact] // ::test_all_correct_unweighted
    public void AllCorrect()
    {
        Keras.AlmostEqual(0, Keras.Call(new CategoricalFocalCrossentropy(alpha: 0.25f, gamma: 2f), T, S, T, S));
        Keras.AlmostEqual(0, Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true), T, S, [10, 0, 0, 0, 10, 0, 0, 0, 10], S));
    }

    [Fact] // ::test_unweighted
    public void Unweighted()
    {
        Keras.AlmostEqual(0.02059, Keras.Call(new CategoricalFocalCrossentropy(), T, S, P, S));
        Keras.AlmostEqual(0.000345, Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true), T, S, Z, S));
    }

    [Fact] // ::test_scalar_weighted
    public void ScalarWeighted()
    {
        Keras.AlmostEqual(0.047368, Keras.Call(new CategoricalFocalCrossentropy(), T, S, P, S, Keras.Scalar(2.3f)));
        Keras.AlmostEqual(0.000794, Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true), T, S, Z, S, Keras.Scalar(2.3f)), 4);
    }

    [Fact] // ::test_sample_weighted
    public void SampleWeighted()
    {
        var w = Const([1.2f, 3.4f, 5.6f], 3, 1);
        Keras.AlmostEqual(0.06987, Keras.Call(new CategoricalFocalCrossentropy(), T, S, P, S, w));
        Keras.AlmostEqual(0.001933, Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true), T, S, Z, S, w));
    }

    [Fact] // ::test_no_reduction
    public void NoReduction() =>
        Keras.AllClose([1.5096224e-09, 2.4136547e-11, 1.0360638e-03], Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true, reduction: null), T, S, Z, S));

    [Fact] // ::test_label_smoothing
    public void LabelSmoothing() =>
        Keras.AlmostEqual(0.06685, Keras.Call(new CategoricalFocalCrossentropy(fromLogits: true, labelSmoothing: 0.1f), [1, 0, 0], [1, 3], [4.9f, -0.5f, 2.05f], [1, 3]));

    [Fact] // the docstring's examples: sum and none
    public void DocstringReductions()
    {
        float[] t = [0, 1, 0, 0, 0, 1], p = [0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f];
        Keras.AlmostEqual(0.23315276, Keras.Call(new CategoricalFocalCrossentropy(), t, [2, 3], p, [2, 3]));
        Keras.AlmostEqual(0.1632, Keras.Call(new CategoricalFocalCrossentropy(), t, [2, 3], p, [2, 3], Const([0.3f, 0.7f], 2)));
        Keras.AlmostEqual(0.46631, Keras.Call(new CategoricalFocalCrossentropy(reduction: "sum"), t, [2, 3], p, [2, 3]));
        Keras.AllClose([3.2058331e-05, 4.6627346e-01], Keras.Call(new CategoricalFocalCrossentropy(reduction: null), t, [2, 3], p, [2, 3]), atol: 1e-5);
    }
}

// keras/src/losses/losses_test.py::DiceTest
public class KerasDiceTests
{
    [Fact] // ::test_correctness: no axis, one scalar for the batch
    public void Correctness() => Keras.AllClose(-0.55555546, Keras.Call(new Dice(), [1, 2, 1, 2], [2, 2], [4, 1, 6, 1], [2, 2]));

    [Fact] // ::test_binary_segmentation
    public void BinarySegmentation() =>
        Keras.AllClose(0.77777773, Keras.Call(new Dice(), [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1], [4, 4], [0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1], [4, 4]));

    [Fact] // ::test_binary_segmentation_with_axis
    public void BinarySegmentationWithAxis()
    {
        var loss = Keras.Call(new Dice(reduction: null, axis: [1, 2, 3]), [1, 1, 0, 0, 1, 1, 0, 0], [2, 2, 2, 1], [0, 1, 0, 1, 0.4f, 0, 0, 0.9f], [2, 2, 2, 1]);
        Assert.Equal(new Shape(2), loss.Shape);
        Keras.AllClose([0.5, 0.75757575], loss);
    }
}

/// <summary>Reductions as arguments: Keras' names, null for none, and a clear error for anything else.</summary>
public class LossReductionTests
{
    [Fact] // keras/src/losses/loss.py::standardize_reduction
    public void InvalidReductionsNameTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => new MeanSquaredError(reduction: "average"));
        foreach (string name in LossReduction.All) Assert.Contains(name, error.Message);
        Assert.Contains("'average'", error.Message);
        Assert.Throws<ArgumentException>(() => Loss.FromFunction((t, p) => Ops.Square(p - t), reduction: "auto"));
        Assert.Equal("none", new Hinge(null).Reduction);
    }

    public static TheoryData<string> AllLosses() =>
    [
        "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy",
        "mse", "mae", "mape", "msle", "huber", "log_cosh", "kld", "poisson", "hinge", "squared_hinge", "categorical_hinge", "cosine_similarity", "dice",
    ];

    [Theory] // every loss and every reduction: sum = mean · count, none gives the per-sample values those reduce
    [MemberData(nameof(AllLosses))]
    public void EveryReductionOfEveryLoss(string name)
    {
        var template = Loss.Get(name);
        var (t, ts, p, ps) = Data(name);
        Loss With(string? reduction) => Loss.Deserialize(Reconfigured(template, reduction));
        var w = Const([0.5f, 2f, 1f, 0f], 4);
        var none = With(null).Call(Const(t, ts), Const(p, ps), w);
        var sum = With("sum").Call(Const(t, ts), Const(p, ps), w);
        var mean = With("sum_over_batch_size").Call(Const(t, ts), Const(p, ps), w);
        var byWeight = With("mean_with_sample_weight").Call(Const(t, ts), Const(p, ps), w);
        if (name == "dice")
        {
            // No axis: one scalar for the batch; Keras returns scalars unreduced, after weighting.
            Assert.Equal(new Shape(4), none.Shape);
            return;
        }
        Assert.Equal(new Shape(4), none.Shape);
        double total = none.Values.ToArray().Sum(v => (double)v);
        Assert.Equal(total, sum.Values[0], 1e-4 * Math.Max(1, Math.Abs(total)));
        Assert.Equal(total / 4, mean.Values[0], 1e-4 * Math.Max(1, Math.Abs(total)));
        Assert.Equal(total / 3.5, byWeight.Values[0], 1e-4 * Math.Max(1, Math.Abs(total)));
    }

    private static System.Text.Json.Nodes.JsonObject Reconfigured(Loss loss, string? reduction)
    {
        var serialized = loss.Serialize();
        serialized["config"]!["reduction"] = reduction;
        return serialized;
    }

    internal static (float[] T, int[] TShape, float[] P, int[] PShape) Data(string name)
    {
        var r = new Random(3);
        float[] probs = Uniform(4, 12, 0.05, 0.95);
        float[] oneHot = new float[12];
        for (int i = 0; i < 4; i++) oneHot[i * 3 + r.Next(3)] = 1;
        return name switch
        {
            "sparse_categorical_crossentropy" => ([0, 2, 1, 1], [4], probs, [4, 3]),
            "categorical_crossentropy" or "categorical_focal_crossentropy" or "categorical_hinge" or "kld" => (oneHot, [4, 3], probs, [4, 3]),
            "binary_crossentropy" or "binary_focal_crossentropy" or "hinge" or "squared_hinge" or "dice" => ([.. oneHot], [4, 3], probs, [4, 3]),
            "poisson" or "msle" => (Uniform(5, 12, 0, 3), [4, 3], Uniform(6, 12, 0.1, 3), [4, 3]),
            _ => (Uniform(5, 12, -2, 2), [4, 3], Uniform(6, 12, -2, 2), [4, 3]),
        };
    }

    [Fact] // mean_with_sample_weight without weights is the mean; with all weights 0 it is 0, not NaN (divide_no_nan)
    public void MeanWithSampleWeightCorners()
    {
        var loss = new MeanSquaredError(reduction: "mean_with_sample_weight");
        Keras.AlmostEqual(49.5, Keras.Call(loss, RegressionData.T, RegressionData.S, RegressionData.P, RegressionData.S));
        Assert.Equal(0f, Keras.Call(loss, RegressionData.T, RegressionData.S, RegressionData.P, RegressionData.S, Const([0, 0], 2)).Values[0]);
    }

    [Fact] // Loss.FromFunction takes a reduction as Keras' LossFunctionWrapper does
    public void FunctionLossesReduceAsAsked()
    {
        var t = Const(RegressionData.T, 2, 3); var p = Const(RegressionData.P, 2, 3);
        static Tensor Mse(Tensor a, Tensor b) => Ops.Mean(Ops.Square(b - a), -1);
        Keras.AlmostEqual(227.69998, Loss.FromFunction(Mse, reduction: "sum").Call(t, p, Keras.Scalar(2.3f)));
        Keras.AlmostEqual([84.3333, 143.3666], Loss.FromFunction(Mse, reduction: null).Call(t, p, Keras.Scalar(2.3f)));
        Keras.AlmostEqual(97.833336, Loss.FromFunction(Mse).Call(Const(RegressionData.T, 2, 3, 1), Const(RegressionData.P, 2, 3, 1), RegressionData.StepWeights));
    }

    [Fact] // sample weights that fit neither the samples nor the steps are refused, naming both shapes
    public void WeightsOfAnotherShapeAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Keras.Call(new Hinge(), [0, 1, 0, 0], [2, 2], [0.6f, 0.4f, 0.4f, 0.6f], [2, 2], Const([1, 2, 3], 3)));
        Assert.Contains("(3,)", error.Message);
        Assert.Contains("one value per sample", error.Message);
        Assert.Throws<ArgumentException>(() => Keras.Call(new MeanSquaredError(reduction: "sum"), RegressionData.T, RegressionData.S, RegressionData.P, RegressionData.S, Const([1, 2, 3], 3)));
    }
}
