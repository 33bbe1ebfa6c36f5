using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/confusion_metrics_test.py: FalsePositivesTest, FalseNegativesTest, TrueNegativesTest, TruePositiveTest.</summary>
public class ConfusionCountTests
{
    // The 0/1 data of every test_unweighted / test_weighted.
    private static readonly (float[] V, Shape S) BinaryTrue = M([0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 1]);
    private static readonly (float[] V, Shape S) BinaryPred = M([0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1]);
    private static readonly (float[] V, Shape S) RowWeights = V(1.0f, 1.5f, 2.0f, 2.5f);

    // The data of every test_*_with_thresholds.
    private static readonly (float[] V, Shape S) ScorePred = M([0.9f, 0.2f, 0.8f, 0.1f], [0.2f, 0.9f, 0.7f, 0.6f], [0.1f, 0.2f, 0.4f, 0.3f], [0, 1, 0.7f, 0.3f]);
    private static readonly (float[] V, Shape S) ScoreTrue = M([0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]);

    private static ConfusionCountMetric Make(string kind, float[]? thresholds = null, string? name = null) => kind switch
    {
        "tp" => new TruePositives(thresholds, name ?? "true_positives"),
        "fp" => new FalsePositives(thresholds, name ?? "false_positives"),
        "tn" => new TrueNegatives(thresholds, name ?? "true_negatives"),
        _ => new FalseNegatives(thresholds, name ?? "false_negatives"),
    };

    // test_config of each class: name and thresholds survive get_config / from_config.
    [Theory]
    [InlineData("tp", "my_tp", typeof(TruePositives))]
    [InlineData("fp", "my_fp", typeof(FalsePositives))]
    [InlineData("tn", "my_tn", typeof(TrueNegatives))]
    [InlineData("fn", "my_fn", typeof(FalseNegatives))]
    public void TestConfig(string kind, string name, Type type)
    {
        var metric = Make(kind, [0.4f, 0.9f], name);
        Assert.IsType(type, metric);
        Assert.Equal(name, metric.Name);
        Assert.Equal([0.4f, 0.9f], metric.Thresholds);
        var again = (ConfusionCountMetric)RoundTrip(metric);
        Assert.Equal(name, again.Name);
        Assert.Equal([0.4f, 0.9f], again.Thresholds);
        Assert.Equal(2, again.Accumulator.Count);
        // One threshold given as a number stays a number; the default stays null.
        Assert.Equal(0.3, new TruePositives(0.3f).GetConfig()["thresholds"]!.GetValue<double>());
        Assert.Null(new TruePositives().GetConfig()["thresholds"]);
        Assert.Equal([0.5f], ((TruePositives)RoundTrip(new TruePositives())).Thresholds);
    }

    // test_unweighted and test_weighted of each class.
    [Theory]
    [InlineData("fp", 7.0, 14.0)]
    [InlineData("fn", 3.0, 5.0)]
    [InlineData("tn", 3.0, 4.0)]
    [InlineData("tp", 7.0, 12.0)]
    public void TestUnweightedAndWeighted(string kind, double unweighted, double weighted)
    {
        var metric = Make(kind);
        Update(metric, BinaryTrue, BinaryPred);
        Close(unweighted, metric.Result());
        Assert.Equal([unweighted], metric.Accumulator);
        Close(weighted, Call(Make(kind), BinaryTrue, BinaryPred, RowWeights));
    }

    // test_unweighted_with_thresholds of each class.
    [Theory]
    [InlineData("fp", new[] { 7.0, 4.0, 2.0 })]
    [InlineData("fn", new[] { 1.0, 4.0, 6.0 })]
    [InlineData("tn", new[] { 2.0, 5.0, 7.0 })]
    [InlineData("tp", new[] { 6.0, 3.0, 1.0 })]
    public void TestUnweightedWithThresholds(string kind, double[] expected)
    {
        var metric = Make(kind, [0.15f, 0.5f, 0.85f]);
        AllClose(expected, CallValues(metric, ScoreTrue, ScorePred));
        AllClose(expected, metric.Accumulator);
        Assert.Equal(expected[0], metric.Result());
    }

    [Fact]
    public void FalsePositivesTestWeightedWithThresholds()
    {
        // Per-element weights.
        var weights = M([1, 2, 3, 5], [7, 11, 13, 17], [19, 23, 29, 31], [5, 15, 10, 0]);
        AllClose([125.0, 42.0, 12.0], CallValues(new FalsePositives([0.15f, 0.5f, 0.85f]), ScoreTrue, ScorePred, weights));
    }

    [Fact]
    public void FalseNegativesTestWeightedWithThresholds()
    {
        // Weights of shape (4, 1): one per sample.
        var weights = M([3], [5], [7], [4]);
        AllClose([4.0, 16.0, 23.0], CallValues(new FalseNegatives([0.15f, 0.5f, 0.85f]), ScoreTrue, ScorePred, weights));
    }

    [Fact]
    public void TrueNegativesTestWeightedWithThresholds()
    {
        // Weights of shape (1, 4) broadcast over the rows: one per column.
        var weights = M([0, 2, 3, 5]);
        AllClose([5.0, 15.0, 23.0], CallValues(new TrueNegatives([0.15f, 0.5f, 0.85f]), ScoreTrue, ScorePred, weights));
    }

    [Fact]
    public void TruePositiveTestWeightedWithThresholds()
    {
        // A scalar weight.
        AllClose([222.0, 111.0, 37.0], CallValues(new TruePositives([0.15f, 0.5f, 0.85f]), ScoreTrue, ScorePred, Scalar(37)));
    }

    // test_threshold_limit of each class.
    [Theory]
    [InlineData("tp")]
    [InlineData("fp")]
    [InlineData("tn")]
    [InlineData("fn")]
    public void TestThresholdLimit(string kind)
    {
        var error = Assert.Throws<ArgumentException>(() => Make(kind, [-1, 0.5f, 2]));
        Assert.StartsWith("Threshold values must be in [0, 1]. Received: [-1, 2]", error.Message);
        Assert.Contains("[NaN]", Assert.Throws<ArgumentException>(() => Make(kind, [float.NaN])).Message);
    }

    [Fact]
    public void KerasDocstringExamples()
    {
        // The docstrings of FalsePositives, FalseNegatives, TrueNegatives and TruePositives.
        var fp = new FalsePositives();
        Assert.Equal(2.0, Call(fp, V(0, 1, 0, 0), V(0, 0, 1, 1)));
        fp.ResetState();
        Assert.Equal(1.0, Call(fp, V(0, 1, 0, 0), V(0, 0, 1, 1), V(0, 0, 1, 0)));
        Assert.Equal(2.0, Call(new FalseNegatives(), V(0, 1, 1, 1), V(0, 1, 0, 0)));
        Assert.Equal(2.0, Call(new TrueNegatives(), V(0, 1, 0, 0), V(1, 1, 0, 0)));
        Assert.Equal(1.0, Call(new TruePositives(), V(0, 1, 1, 1), V(1, 0, 1, 1), V(0, 0, 1, 0)));
    }

    [Fact]
    public void EvenlySpacedThresholdsTakeKerasBucketPathWithTheSameCounts()
    {
        // [0, 0.25, 0.5, 0.75, 1] is evenly distributed, so Keras counts by bucket; the counts equal direct comparisons.
        var rng = new Random(3);
        var t = Enumerable.Range(0, 60).Select(_ => (float)rng.Next(2)).ToArray();
        var p = Enumerable.Range(0, 60).Select(i => i % 7 == 0 ? 0.25f * (i % 5) : (float)rng.NextDouble()).ToArray();
        float[] thresholds = [0, 0.25f, 0.5f, 0.75f, 1];
        var tp = new TruePositives(thresholds);
        var tn = new TrueNegatives(thresholds);
        Update(tp, V(t), V(p));
        Update(tn, V(t), V(p));
        for (int k = 0; k < thresholds.Length; k++)
        {
            Assert.Equal(Enumerable.Range(0, 60).Count(i => t[i] != 0 && p[i] > thresholds[k]), tp.Accumulator[k]);
            Assert.Equal(Enumerable.Range(0, 60).Count(i => t[i] == 0 && !(p[i] > thresholds[k])), tn.Accumulator[k]);
        }
    }

    [Fact]
    public void UnsortedThresholdsKeepTheirOrderAndStateSums()
    {
        var metric = new FalsePositives([0.85f, 0.15f, 0.5f]);
        AllClose([2.0, 7.0, 4.0], CallValues(metric, ScoreTrue, ScorePred));
        // Additive state: the state of two shards summed is the state of both.
        var state = new double[metric.StateLength];
        metric.CopyState(state);
        for (int i = 0; i < state.Length; i++) state[i] *= 2;
        metric.SetState(state);
        AllClose([4.0, 14.0, 8.0], metric.ResultValues());
        metric.ResetState();
        AllClose([0.0, 0.0, 0.0], metric.ResultValues());
    }

    [Fact]
    public void BadWeightsNameTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Call(new TruePositives(), ScoreTrue, ScorePred, V(1, 2, 3)));
        Assert.Contains("(3,)", error.Message);
        Assert.Contains("(4, 4)", error.Message);
    }
}
