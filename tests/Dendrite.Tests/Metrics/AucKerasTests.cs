using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/confusion_metrics_test.py: AUCTest and MultiAUCTest, case by case.</summary>
public class AucKerasTests
{
    // AUCTest.setUp
    private static readonly (float[] V, Shape S) YPred = V(0, 0.5f, 0.3f, 0.9f);
    private static readonly (float[] V, Shape S) YTrue = V(0, 0, 1, 1);
    private static readonly (float[] V, Shape S) YPredMultiLabel = M([0, 0.4f], [0.5f, 0.7f], [0.3f, 0.2f], [0.9f, 0.3f]);
    private static readonly (float[] V, Shape S) YTrueMultiLabel = M([0, 0], [1, 1], [1, 1], [1, 0]);
    private static readonly (float[] V, Shape S) SampleWeight = V(1, 2, 3, 4);

    /// <summary>-log(1 / (p + 1e-12) − 1) in float32, as the Keras tests make their logits.</summary>
    private static (float[] V, Shape S) Logits((float[] V, Shape S) p) =>
        ([.. p.V.Select(v => -MathF.Log(1f / (v + 1e-12f) - 1f))], p.S);

    // MultiAUCTest.setUp: columns [0, 0.5, 0.3, 0.9] and [0.1, 0.2, 0.3, 0.4].
    private static readonly (float[] V, Shape S) MultiPred = M([0, 0.1f], [0.5f, 0.2f], [0.3f, 0.3f], [0.9f, 0.4f]);
    private static readonly (float[] V, Shape S) MultiTrueGood = M([0, 0], [0, 0], [1, 1], [1, 1]);
    private static readonly (float[] V, Shape S) MultiTrueBad = M([0, 1], [0, 1], [1, 0], [1, 0]);

    [Fact]
    public void AucTestConfig()
    {
        var auc = new AUC(numThresholds: 100, curve: "PR", summationMethod: "majoring", name: "auc_1", multiLabel: true, numLabels: 2, fromLogits: true);
        Update(auc, YTrueMultiLabel, YPredMultiLabel);
        Assert.Equal("auc_1", auc.Name);
        Assert.Equal(100, auc.NumThresholds);
        Assert.Equal("PR", auc.Curve);
        Assert.Equal("majoring", auc.SummationMethod);
        Assert.True(auc.MultiLabel);
        Assert.Equal(2, auc.NumLabels);
        Assert.True(auc.FromLogits);
        Assert.False(auc.GetConfig().ContainsKey("thresholds"));
        var again = (AUC)RoundTrip(auc);
        Update(again, YTrueMultiLabel, YPredMultiLabel);
        Assert.Equal("auc_1", again.Name);
        Assert.Equal(100, again.NumThresholds);
        Assert.Equal("PR", again.Curve);
        Assert.Equal("majoring", again.SummationMethod);
        Assert.True(again.MultiLabel);
        Assert.Equal(2, again.NumLabels);
        Assert.True(again.FromLogits);
        Assert.Equal(auc.Thresholds, again.Thresholds);
        Assert.Equal(auc.Result(), again.Result());
    }

    [Fact]
    public void AucTestConfigManualThresholds()
    {
        var auc = new AUC(curve: "PR", summationMethod: "majoring", name: "auc_1", thresholds: [0.3f, 0.5f]);
        Update(auc, YTrue, YPred);
        Assert.Equal(4, auc.NumThresholds);
        AllClose([0.0, 0.3, 0.5, 1.0], [.. auc.Thresholds.Select(v => (double)v)], atol: 1e-6, rtol: 1e-6);
        var again = (AUC)RoundTrip(auc);
        Update(again, YTrue, YPred);
        Assert.Equal(4, again.NumThresholds);
        Assert.Equal(auc.Thresholds, again.Thresholds);
        Assert.Equal(auc.Result(), again.Result());
    }

    [Fact]
    public void LabelWeightsReadFromKerasTensorForm()
    {
        // Keras keeps label_weights as a tensor; its serializer writes it as a "__tensor__" object.
        var config = new AUC(multiLabel: true, labelWeights: [0.75f, 0.25f]).GetConfig();
        config["label_weights"] = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "__tensor__", "config": {"value": [0.75, 0.25], "dtype": "float32"}}""");
        var auc = AUC.FromConfig(config);
        Assert.Equal([0.75f, 0.25f], auc.LabelWeights!);
        Close((0.875 * 0.75 + 1.0 * 0.25) / (0.75 + 0.25), Call(new AUC(numThresholds: 5, multiLabel: true, labelWeights: [.. auc.LabelWeights!]), MultiTrueGood, MultiPred), atol: 1e-3);
    }

    [Fact]
    public void AucTestUnweightedAllCorrect() => Assert.Equal(1.0, Call(new AUC(), YTrue, YTrue));

    [Fact]
    public void AucTestUnweighted() => Close(0.75 * 1 + 0.25 * 0, Call(new AUC(numThresholds: 3), YTrue, YPred), atol: 1e-3);

    [Fact]
    public void AucTestUnweightedFromLogits() => Close(0.75, Call(new AUC(numThresholds: 3, fromLogits: true), YTrue, Logits(YPred)), atol: 1e-3);

    [Fact]
    public void AucTestManualThresholds()
    {
        var auc = new AUC(numThresholds: 2, thresholds: [0.5f]);
        Assert.Equal(3, auc.NumThresholds);
        AllClose([0.0, 0.5, 1.0], [.. auc.Thresholds.Select(v => (double)v)]);
        Close(0.75, Call(auc, YTrue, YPred), atol: 1e-3);
    }

    [Theory]
    [InlineData("ROC", "interpolation", 0.7855 * 1 + 0.2855 * 0)]
    [InlineData("ROC", "majoring", 1 * 1 + 0.571 * 0)]
    [InlineData("ROC", "minoring", 0.571 * 1 + 0 * 0)]
    [InlineData("PR", "majoring", 1 * 0.429 + 1 * 0.571)]
    [InlineData("PR", "minoring", 0.7 * 0.429 + 0 * 0.571)]
    [InlineData("PR", "interpolation", 2.416 / 7 + 4.0 / 7)]
    public void AucTestWeighted(string curve, string summation, double expected)
    {
        // test_weighted_roc_interpolation, _roc_majoring, _roc_minoring, _pr_majoring, _pr_minoring, _pr_interpolation.
        Close(expected, Call(new AUC(numThresholds: 3, curve: curve, summationMethod: summation), YTrue, YPred, SampleWeight), atol: 1e-3);
    }

    [Fact]
    public void AucTestWeightedPrInterpolationNegativeWeights() =>
        Close(0.0, Call(new AUC(numThresholds: 3, curve: "PR"), YTrue, YPred, V(-1, -2, -3, -4)), atol: 1e-3);

    [Fact]
    public void AucTestInvalidArguments()
    {
        // test_invalid_num_thresholds, test_invalid_curve, test_invalid_summation_method
        Assert.Contains("Argument `num_thresholds` must be an integer > 1", Assert.Throws<ArgumentException>(() => new AUC(numThresholds: -1)).Message);
        Assert.Contains("Argument `num_thresholds` must be an integer > 1.", Assert.Throws<ArgumentException>(() => new AUC(numThresholds: 1)).Message);
        Assert.Contains("Invalid AUC curve value: \"Invalid\".", Assert.Throws<ArgumentException>(() => new AUC(curve: "Invalid")).Message);
        Assert.Contains("Invalid AUC summation method value: \"Invalid\".", Assert.Throws<ArgumentException>(() => new AUC(summationMethod: "Invalid")).Message);
        Assert.Contains("PR-gain", Assert.Throws<ArgumentException>(() => new AUC(curve: "PRGAIN")).Message);
        Assert.Contains("num_labels", Assert.Throws<ArgumentException>(() => new AUC(numLabels: 2)).Message);
    }

    [Fact]
    public void AucTestExtraDims()
    {
        // expit(−logits) of a (2, 2, 3) batch; flattened, the AUC is exactly 0.5.
        float[] logits = [-10, 10, -10, 10, -10, 10, -12, 12, -12, 12, -12, 12];
        var probabilities = logits.Select(z => (float)(1 / (1 + Math.Exp(z)))).ToArray();
        float[] labels = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1];
        Assert.Equal(0.5, Call(new AUC(), (labels, new Shape(2, 2, 3)), (probabilities, new Shape(2, 2, 3))));
    }

    [Fact]
    public void MultiAucTestUnweightedAllCorrect()
    {
        Assert.Equal(1.0, Call(new AUC(multiLabel: true), MultiTrueGood, MultiTrueGood));
        Assert.Equal(1.0, Call(new AUC(multiLabel: false), MultiTrueGood, MultiTrueGood)); // test_unweighted_all_correct_flat
    }

    [Fact]
    public void MultiAucTestUnweighted() => Close((0.875 + 1.0) / 2.0, Call(new AUC(numThresholds: 5, multiLabel: true), MultiTrueGood, MultiPred), atol: 1e-3);

    [Fact]
    public void MultiAucTestUnweightedFromLogits() =>
        Close((0.875 + 1.0) / 2.0, Call(new AUC(numThresholds: 5, multiLabel: true, fromLogits: true), MultiTrueGood, Logits(MultiPred)), atol: 1e-3);

    [Fact]
    public void MultiAucTestSampleWeightFlat() =>
        Close(1.0 - (0.3333 * (1.0 - 0.2857) / 2.0), Call(new AUC(numThresholds: 5), MultiTrueGood, MultiPred, SampleWeight), atol: 1e-3);

    [Fact]
    public void MultiAucTestFullSampleWeightFlat()
    {
        var weights = M([0, 1], [2, 3], [4, 5], [6, 7]);
        Close(1.0 - (0.3333 * (1.0 - 0.2727) / 2.0), Call(new AUC(numThresholds: 5), MultiTrueGood, MultiPred, weights), atol: 1e-3);
    }

    [Fact]
    public void MultiAucTestLabelWeights() =>
        Close((0.875 * 0.75 + 1.0 * 0.25) / (0.75 + 0.25), Call(new AUC(numThresholds: 5, multiLabel: true, labelWeights: [0.75f, 0.25f]), MultiTrueGood, MultiPred), atol: 1e-3);

    [Fact]
    public void MultiAucTestLabelWeightsFlat() =>
        Close(1.0 - ((1.0 - 0.375) * 0.375 / 2.0), Call(new AUC(numThresholds: 5, labelWeights: [0.75f, 0.25f]), MultiTrueGood, MultiPred), atol: 1e-2);

    [Fact]
    public void MultiAucTestUnweightedFlat() => Close(1.0 - (3.0 / 32.0), Call(new AUC(numThresholds: 5), MultiTrueGood, MultiPred), atol: 1e-3);

    [Fact]
    public void MultiAucTestUnweightedFlatFromLogits() =>
        Close(1.0 - (3.0 / 32.0), Call(new AUC(numThresholds: 5, fromLogits: true), MultiTrueGood, Logits(MultiPred)), atol: 1e-3);

    [Fact]
    public void MultiAucTestManualThresholds()
    {
        var auc = new AUC(numThresholds: 2, thresholds: [0.5f], multiLabel: true);
        Assert.Equal(3, auc.NumThresholds);
        Close((0.75 + 0.5) / 2.0, Call(auc, MultiTrueGood, MultiPred), atol: 1e-3);
    }

    [Fact]
    public void MultiAucTestWeightedRocInterpolation() =>
        Close(1.0 - 0.5 * 0.43 * 0.67, Call(new AUC(numThresholds: 5, multiLabel: true), MultiTrueGood, MultiPred, SampleWeight), atol: 1e-1);

    [Fact]
    public void MultiAucTestPrInterpolationUnweighted()
    {
        // Keras calls the same metric twice, so the "bad" result covers both batches.
        var auc = new AUC(numThresholds: 5, curve: "PR", multiLabel: true);
        Close((0.91667 + 1.0) / 2.0, Call(auc, MultiTrueGood, MultiPred), atol: 1e-1);
        Close((0.91667 + 0.5) / 2.0, Call(auc, MultiTrueBad, MultiPred), atol: 1e-1);
    }

    [Fact]
    public void MultiAucTestPrInterpolation() =>
        Close((0.939 + 1.0) / 2.0, Call(new AUC(numThresholds: 5, curve: "PR", multiLabel: true), MultiTrueGood, MultiPred, SampleWeight), atol: 1e-1);

    [Fact]
    public void MultiAucTestResetState()
    {
        var auc = new AUC(numThresholds: 5, multiLabel: true);
        Call(auc, MultiTrueGood, MultiPred);
        Assert.Equal(2 * (2 * 5) + 2 * 2, auc.StateLength); // per label: positive and negative buckets, positive and negative totals
        auc.ResetState();
        var state = new double[auc.StateLength];
        auc.CopyState(state);
        Assert.All(state, v => Assert.Equal(0.0, v));
        Assert.Equal(0.0, auc.Result());
    }

    [Fact]
    public void KerasDocstringWeightedExample() =>
        Assert.Equal(1.0, Call(new AUC(numThresholds: 3), YTrue, YPred, V(1, 0, 0, 1)), 12);

    [Fact]
    public void MultiLabelAucIsTheMeanOfPerColumnAucs()
    {
        // Each column's multi-label curve equals a flat AUC of that column alone, for every curve and summation.
        var rng = new Random(11);
        int rows = 40, labels = 3;
        var t = Enumerable.Range(0, rows * labels).Select(_ => (float)rng.Next(2)).ToArray();
        var p = Enumerable.Range(0, rows * labels).Select(i => (float)Math.Clamp(0.6 * rng.NextDouble() + 0.3 * t[i], 0, 1)).ToArray();
        var w = Enumerable.Range(0, rows).Select(_ => (float)rng.NextDouble()).ToArray();
        foreach (var (curve, summation) in new[] { ("ROC", "interpolation"), ("PR", "interpolation"), ("PR", "minoring"), ("ROC", "majoring") })
        {
            var multi = new AUC(numThresholds: 17, curve: curve, summationMethod: summation, multiLabel: true, labelWeights: [1, 2, 3]);
            multi.UpdateState(t, new Shape(rows, labels), p, new Shape(rows, labels), w, new Shape(rows));
            double expected = 0;
            for (int c = 0; c < labels; c++)
            {
                var single = new AUC(numThresholds: 17, curve: curve, summationMethod: summation);
                var tc = Enumerable.Range(0, rows).Select(r => t[r * labels + c]).ToArray();
                var pc = Enumerable.Range(0, rows).Select(r => p[r * labels + c]).ToArray();
                single.UpdateState(tc, new Shape(rows), pc, new Shape(rows), w, new Shape(rows));
                expected += (c + 1) * single.Result();
            }
            Assert.Equal(expected / 6, multi.Result(), 12);
        }
    }

    [Fact]
    public void MultiLabelShapesAreChecked()
    {
        var error = Assert.Throws<ArgumentException>(() => Call(new AUC(multiLabel: true), YTrue, YPred));
        Assert.Contains("rank 2", error.Message);
        var auc = new AUC(multiLabel: true);
        Call(auc, MultiTrueGood, MultiPred);
        Assert.Contains("(4, 3)", Assert.Throws<ArgumentException>(() => Call(auc, (new float[12], new Shape(4, 3)), (new float[12], new Shape(4, 3)))).Message);
        Assert.Contains("label_weights", Assert.Throws<ArgumentException>(() => Call(new AUC(labelWeights: [1, 2, 3]), MultiTrueGood, MultiPred)).Message);
    }
}
