using System.Text.Json.Nodes;
using Dendrite.Metrics;
using Dendrite.Saving;

namespace Dendrite.Tests.Metrics;

/// <summary>
/// The metrics that are running means of loss functions, ported from Keras' golden tests
/// (keras/src/metrics/hinge_metrics_test.py, probabilistic_metrics_test.py, regression_metrics_test.py; each test
/// names its Keras test). Keras' <c>metric(y_true, y_pred, sample_weight)</c> is one update of a fresh metric, then its
/// result; <c>assertAllClose(..., atol)</c> adds Keras' default rtol of 1e-6.
/// </summary>
public class KerasLossMetricTests
{
    private static double Run(Metric m, float[] t, int[] ts, float[] p, int[] ps, float[]? w = null, int[]? ws = null)
    {
        if (w is null) m.UpdateState(t, new Shape(ts), p, new Shape(ps));
        else m.UpdateState(t, new Shape(ts), p, new Shape(ps), w, new Shape(ws ?? [w.Length]));
        return m.Result();
    }

    private static void Close(double expected, double actual, double atol) =>
        Assert.True(Math.Abs(expected - actual) <= atol + 1e-6 * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    private static readonly float[] HingeP = [-0.3f, 0.2f, -0.1f, 1.6f, -0.25f, -1.0f, 0.5f, 0.6f];

    [Fact] // hinge_metrics_test.py::HingeTest::test_unweighted, ::test_weighted
    public void Hinge()
    {
        Close(0.506, Run(new Hinge(), [0, 1, 0, 1, 0, 0, 1, 1], [2, 4], HingeP, [2, 4]), 1e-3);
        Close(0.493, Run(new Hinge(), [-1, 1, -1, 1, -1, -1, 1, 1], [2, 4], HingeP, [2, 4], [1.5f, 2f]), 1e-3);
    }

    [Fact] // hinge_metrics_test.py::SquaredHingeTest::test_unweighted, ::test_weighted
    public void SquaredHinge()
    {
        Close(0.364, Run(new SquaredHinge(), [0, 1, 0, 1, 0, 0, 1, 1], [2, 4], HingeP, [2, 4]), 1e-3);
        Close(0.347, Run(new SquaredHinge(), [-1, 1, -1, 1, -1, -1, 1, 1], [2, 4], HingeP, [2, 4], [1.5f, 2f]), 1e-3);
    }

    private static readonly float[] GridT = [0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1];
    private static readonly float[] GridP = [0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1];
    private static readonly int[] Grid = [4, 5];
    private static readonly float[] GridW = [1f, 1.5f, 2f, 2.5f];

    [Fact] // hinge_metrics_test.py::CategoricalHingeTest::test_unweighted, ::test_weighted
    public void CategoricalHinge()
    {
        Close(0.5, Run(new CategoricalHinge(), GridT, Grid, GridP, Grid), 1e-5);
        Close(0.5, Run(new CategoricalHinge(), GridT, Grid, GridP, Grid, GridW), 1e-5);
    }

    private static readonly float[] KP = [0.4f, 0.9f, 0.12f, 0.36f, 0.3f, 0.4f], KT = [0.5f, 0.8f, 0.12f, 0.7f, 0.43f, 0.8f];

    [Fact] // probabilistic_metrics_test.py::KLDivergenceTest::test_unweighted, ::test_weighted
    public void KLDivergence()
    {
        var e = KT.Zip(KP, (t, p) => (double)t * Math.Log((double)t / p)).ToArray();
        Close(e.Sum() / 2, Run(new KLDivergence(), KT, [2, 3], KP, [2, 3]), 1e-3);
        double weighted = e.Take(3).Sum() * 1.2 + e.Skip(3).Sum() * 3.4;
        Close(weighted / (1.2 + 3.4), Run(new KLDivergence(), KT, [2, 3], KP, [2, 3], [1.2f, 3.4f], [2, 1]), 1e-3);
    }

    [Fact] // probabilistic_metrics_test.py::PoissonTest::test_unweighted, ::test_weighted
    public void Poisson()
    {
        float[] p = [1, 9, 2, 5, 2, 6], t = [4, 8, 12, 8, 1, 3];
        var e = t.Zip(p, (a, b) => b - a * Math.Log(b)).ToArray();
        Close(e.Sum() / 6, Run(new Poisson(), t, [2, 3], p, [2, 3]), 1e-3);
        double weighted = e.Take(3).Sum() * 1.2 + e.Skip(3).Sum() * 3.4;
        Close(weighted / (3 * (1.2 + 3.4)), Run(new Poisson(), t, [2, 3], p, [2, 3], [1.2f, 3.4f], [2, 1]), 1e-3);
    }

    private static readonly float[] LogitT = [1, 0, 1, 0, 1, 1], Logits = [10, -10, 10, 10, 10, -10];

    [Fact] // probabilistic_metrics_test.py::BinaryCrossentropyTest::test_unweighted(_with_logits), ::test_weighted(_from_logits), ::test_label_smoothing
    public void BinaryCrossentropy()
    {
        Close(3.9855, Run(new BinaryCrossentropy(), [1, 0, 1, 0], [2, 2], [1, 1, 1, 0], [2, 2]), 1e-3);
        Close(3.333, Run(new BinaryCrossentropy(fromLogits: true), LogitT, [2, 3], Logits, [2, 3]), 1e-3);
        Close(3.4162, Run(new BinaryCrossentropy(), [1, 0, 1, 0], [2, 2], [1, 1, 1, 0], [2, 2], [1.5f, 2f]), 1e-3);
        Close(3.7037, Run(new BinaryCrossentropy(fromLogits: true), LogitT, [2, 3], Logits, [2, 3], [2f, 2.5f]), 1e-3);
        Close((10.0 + 5.0 * 0.1) / 3.0, Run(new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1f), [1, 0, 1], [3], [10, -10, -10], [3]), 1e-3);
    }

    private static readonly float[] OneHot = [0, 1, 0, 0, 0, 1], Probs = [0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f], Z = [1, 9, 0, 1, 8, 1];

    [Fact] // probabilistic_metrics_test.py::CategoricalCrossentropyTest (all five)
    public void CategoricalCrossentropy()
    {
        Close(1.176, Run(new CategoricalCrossentropy(), OneHot, [2, 3], Probs, [2, 3]), 1e-3);
        Close(3.5011, Run(new CategoricalCrossentropy(fromLogits: true), OneHot, [2, 3], Z, [2, 3]), 1e-3);
        Close(1.338, Run(new CategoricalCrossentropy(), OneHot, [2, 3], Probs, [2, 3], [1.5f, 2f]), 1e-3);
        Close(4.0012, Run(new CategoricalCrossentropy(fromLogits: true), OneHot, [2, 3], Z, [2, 3], [1.5f, 2f]), 1e-3);
        Close(3.667, Run(new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1f), OneHot, [2, 3], Z, [2, 3]), 1e-3);
    }

    [Fact] // probabilistic_metrics_test.py::SparseCategoricalCrossentropyTest (all seven, ignore_class included)
    public void SparseCategoricalCrossentropy()
    {
        Close(1.176, Run(new SparseCategoricalCrossentropy(), [1, 2], [2], Probs, [2, 3]), 1e-3);
        Close(3.5011, Run(new SparseCategoricalCrossentropy(fromLogits: true), [1, 2], [2], Z, [2, 3]), 1e-3);
        Close(1.338, Run(new SparseCategoricalCrossentropy(), [1, 2], [2], Probs, [2, 3], [1.5f, 2f]), 1e-3);
        Close(4.0012, Run(new SparseCategoricalCrossentropy(fromLogits: true), [1, 2], [2], Z, [2, 3], [1.5f, 2f]), 1e-3);
        float[] p3 = [0.8f, 0.1f, 0.1f, 0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f];
        // Unweighted, the ignored row counts as a 0; weighted, its weight is 0 (Keras' mask reaches Mean only with weights).
        Close(0.78462, Run(new SparseCategoricalCrossentropy(ignoreClass: 0), [0, 1, 2], [3], p3, [3, 3]), 1e-3);
        Close(1.33774646, Run(new SparseCategoricalCrossentropy(ignoreClass: 0), [0, 1, 2], [3], p3, [3, 3], [0.5f, 1.5f, 2f]), 1e-3);
        Close(2.33409, Run(new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 0), [0, 1, 2], [3], [10, 1, 1, 1, 9, 0, 1, 8, 1], [3, 3]), 1e-3);
        Assert.Contains("label value of 3", Assert.Throws<ArgumentException>(() => Run(new SparseCategoricalCrossentropy(), [1, 3], [2], Probs, [2, 3])).Message);
    }

    [Fact] // the docstrings' sample-weighted examples
    public void DocstringExamples()
    {
        Close(0.9162892, Run(new KLDivergence(), [0, 1, 0, 0], [2, 2], [0.6f, 0.4f, 0.4f, 0.6f], [2, 2], [1, 0]), 1e-5);
        Close(0.99999994, Run(new Poisson(), [0, 1, 0, 0], [2, 2], [1, 1, 0, 0], [2, 2], [1, 0]), 1e-5);
        Close(0.9162905, Run(new BinaryCrossentropy(), [0, 1, 0, 0], [2, 2], [0.6f, 0.4f, 0.4f, 0.6f], [2, 2], [1, 0]), 1e-5);
        Close(1.6271976, Run(new CategoricalCrossentropy(), OneHot, [2, 3], Probs, [2, 3], [0.3f, 0.7f]), 1e-5);
        Close(1.6271976, Run(new SparseCategoricalCrossentropy(), [1, 2], [2], Probs, [2, 3], [0.3f, 0.7f]), 1e-5);
        Close(0.24022643, Run(new MeanSquaredLogarithmicError(), [0, 1, 0, 0], [2, 2], [1, 1, 0, 0], [2, 2], [1, 0]), 1e-6);
        Close(0.21689045, Run(new LogCoshError(), [0, 1, 0, 0], [2, 2], [1, 1, 0, 0], [2, 2], [1, 0]), 1e-6);
        Close(0.6999999, Run(new CosineSimilarity(axis: 1), [0, 1, 1, 1], [2, 2], [1, 0, 1, 1], [2, 2], [0.3f, 0.7f]), 1e-6);
    }

    private static readonly float[] RT = [1, 9, 2, -5, -2, 6], RP = [4, 8, 12, 8, 1, 3];

    private static double[] Cosines(float[] t, float[] p, int last, int stride)
    {
        // Rows of `last` elements `stride` apart, starting at each offset that is not inside a row.
        int rows = t.Length / last;
        var result = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            int start = stride == 1 ? r * last : r;
            double tt = 0, pp = 0, tp = 0;
            for (int j = 0; j < last; j++)
            {
                int i = start + j * stride;
                tt += t[i] * t[i]; pp += p[i] * p[i]; tp += t[i] * p[i];
            }
            result[r] = tp / Math.Sqrt(Math.Max(tt, 1e-12)) / Math.Sqrt(Math.Max(pp, 1e-12));
        }
        return result;
    }

    [Fact] // regression_metrics_test.py::CosineSimilarityTest::test_unweighted, ::test_weighted, ::test_axis, ::test_config_preserves_axis_result
    public void CosineSimilarity()
    {
        var rows = Cosines(RT, RP, 3, 1);
        Close(rows.Average(), Run(new CosineSimilarity(), RT, [2, 3], RP, [2, 3]), 1.5e-3);
        Close((rows[0] * 1.2 + rows[1] * 3.4) / 4.6, Run(new CosineSimilarity(), RT, [2, 3], RP, [2, 3], [1.2f, 3.4f]), 1.5e-3);
        Close(rows.Average(), Run(new CosineSimilarity(axis: 1), RT, [2, 3], RP, [2, 3]), 1.5e-3);
        var columns = Cosines(RT, RP, 2, 3);
        var byColumn = new CosineSimilarity(axis: 0);
        var restored = Dendrite.Metrics.CosineSimilarity.FromConfig(byColumn.GetConfig());
        Assert.Equal(0, restored.Axis);
        Close(columns.Average(), Run(byColumn, RT, [2, 3], RP, [2, 3]), 1.5e-3);
        Close(columns.Average(), Run(restored, RT, [2, 3], RP, [2, 3]), 1.5e-3);
        Assert.True(new CosineSimilarity().HigherIsBetter);
    }

    [Fact] // regression_metrics_test.py::MeanAbsolutePercentageErrorTest::test_unweighted, ::test_weighted
    public void MeanAbsolutePercentageError()
    {
        Close(35e7, Run(new MeanAbsolutePercentageError(), GridT, Grid, GridP, Grid), 1e-5);
        Close(40e7, Run(new MeanAbsolutePercentageError(), GridT, Grid, GridP, Grid, GridW), 1e-5);
    }

    [Fact] // regression_metrics_test.py::MeanSquaredLogarithmicErrorTest::test_unweighted, ::test_weighted
    public void MeanSquaredLogarithmicError()
    {
        Close(0.24022, Run(new MeanSquaredLogarithmicError(), GridT, Grid, GridP, Grid), 1e-5);
        Close(0.26082, Run(new MeanSquaredLogarithmicError(), GridT, Grid, GridP, Grid, GridW), 1e-5);
    }

    [Fact] // regression_metrics_test.py::LogCoshErrorTest::test_unweighted, ::test_weighted
    public void LogCoshError()
    {
        var e = RT.Zip(RP, (t, p) => Math.Log(Math.Cosh((double)p - t))).ToArray();
        Close(e.Sum() / 6, Run(new LogCoshError(), RT, [2, 3], RP, [2, 3]), 1e-3);
        double weighted = e.Take(3).Sum() * 1.2 + e.Skip(3).Sum() * 3.4;
        Close(weighted / (3 * 4.6), Run(new LogCoshError(), RT, [2, 3], RP, [2, 3], [1.2f, 3.4f], [2, 1]), 1e-3);
    }

    [Fact] // per-step weights (N, steps) on sequence predictions (N, steps, C): Keras' Mean averages each sample's steps
    public void TimestepWeights()
    {
        // Two samples of three steps with one feature: values are the per-step errors; weights (2, 3).
        var m = new MeanSquaredLogarithmicError();
        float[] w = [3, 6, 5, 0, 4, 2];
        Run(m, RT, [2, 3, 1], RP, [2, 3, 1], w, [2, 3]);
        var v = RT.Zip(RP, (t, p) => Math.Pow(Math.Log(Math.Max(p, 1e-7f) + 1) - Math.Log(Math.Max(t, 1e-7f) + 1), 2)).ToArray();
        Close(v.Zip(w, (a, b) => a * b).Sum() / w.Sum(), m.Result(), 1e-9);
        // Streaming: a second batch adds to the same sums; ResetState forgets them.
        Run(m, RT, [2, 3, 1], RP, [2, 3, 1], w, [2, 3]);
        Close(v.Zip(w, (a, b) => a * b).Sum() / w.Sum(), m.Result(), 1e-9);
        m.ResetState();
        Assert.Equal(0, m.Result());
        Assert.Contains("one value per sample", Assert.Throws<ArgumentException>(() => Run(m, RT, [2, 3, 1], RP, [2, 3, 1], [1, 2, 3], [3])).Message);
    }

    public static TheoryData<string, Type, string> Names() => new()
    {
        { "hinge", typeof(Hinge), "hinge" }, { "squared_hinge", typeof(SquaredHinge), "squared_hinge" }, { "categorical_hinge", typeof(CategoricalHinge), "categorical_hinge" },
        { "poisson", typeof(Poisson), "poisson" }, { "logcosh", typeof(LogCoshError), "logcosh" }, { "LogCoshError", typeof(LogCoshError), "LogCoshError" },
        { "cosine_similarity", typeof(CosineSimilarity), "cosine_similarity" }, { "mape", typeof(MeanAbsolutePercentageError), "mape" },
        { "msle", typeof(MeanSquaredLogarithmicError), "msle" }, { "kld", typeof(KLDivergence), "kld" }, { "kl_divergence", typeof(KLDivergence), "kl_divergence" },
        { "binary_crossentropy", typeof(BinaryCrossentropy), "binary_crossentropy" }, { "categorical_crossentropy", typeof(CategoricalCrossentropy), "categorical_crossentropy" },
        { "sparse_categorical_crossentropy", typeof(SparseCategoricalCrossentropy), "sparse_categorical_crossentropy" },
    };

    [Theory] // Metric.Get: Keras' string names, logged under the name given
    [MemberData(nameof(Names))]
    public void KerasNames(string name, Type type, string logged)
    {
        var metric = Metric.Get(name);
        Assert.IsType(type, metric);
        Assert.Equal(logged, metric.Name);
    }

    public static TheoryData<string> Configured() => ["hinge", "squared", "categorical", "poisson", "logcosh", "cosine", "mape", "msle", "kld", "bce", "cce", "scce"];

    private static Metric Make(string key) => key switch
    {
        "hinge" => new Hinge("my_hinge"),
        "squared" => new SquaredHinge("sq"),
        "categorical" => new CategoricalHinge("cat_hinge"),
        "poisson" => new Poisson("p"),
        "logcosh" => new LogCoshError("lc"),
        "cosine" => new CosineSimilarity("my_cos", axis: 2),
        "mape" => new MeanAbsolutePercentageError("my_mape"),
        "msle" => new MeanSquaredLogarithmicError("my_msle"),
        "kld" => new KLDivergence("kld"),
        "bce" => new BinaryCrossentropy("bce", fromLogits: true, labelSmoothing: 0.2f),
        "cce" => new CategoricalCrossentropy("cce", fromLogits: true, labelSmoothing: 0.2f, axis: 1),
        _ => new SparseCategoricalCrossentropy("scce", fromLogits: true, axis: 1, ignoreClass: 255),
    };

    [Theory] // each test class's test_config: the name and every argument survive get_config / from_config
    [MemberData(nameof(Configured))]
    public void ConfigsRoundTrip(string key)
    {
        var metric = Make(key);
        var back = Metric.Deserialize(JsonNode.Parse(metric.Serialize().ToJsonString())!);
        Assert.IsType(metric.GetType(), back);
        Assert.Equal(metric.Name, back.Name);
        Assert.True(JsonNode.DeepEquals(metric.GetConfig(), back.GetConfig()), $"{metric.GetConfig().ToJsonString()} != {back.GetConfig().ToJsonString()}");
    }

    [Fact] // Keras' keys and refusals
    public void ConfigKeys()
    {
        var cce = new CategoricalCrossentropy().GetConfig();
        Assert.Equal(["name", "dtype", "from_logits", "label_smoothing", "axis"], cce.Select(kv => kv.Key));
        Assert.False(new SparseCategoricalCrossentropy().GetConfig().ContainsKey("ignore_class"));
        var bad = new JsonObject { ["module"] = "keras.metrics", ["class_name"] = "BinaryCrossentropy", ["config"] = new JsonObject { ["name"] = "bce", ["label_smoothing"] = 2.0 } };
        Assert.Contains("label_smoothing", Assert.Throws<ModelFormatException>(() => Metric.Deserialize(bad)).Message);
    }
}
