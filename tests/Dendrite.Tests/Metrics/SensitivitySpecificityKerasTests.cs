using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>
/// keras/src/metrics/confusion_metrics_test.py: SensitivityAtSpecificityTest, SpecificityAtSensitivityTest,
/// PrecisionAtRecallTest and RecallAtPrecisionTest, case by case (assertAlmostEqual: 7 places).
/// </summary>
public class SensitivitySpecificityKerasTests
{
    private static readonly float[] LowPred = [0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.01f, 0.02f, 0.25f, 0.26f, 0.26f];
    private static readonly float[] Labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    private static readonly float[] RecallPred = [0.0f, 0.1f, 0.2f, 0.5f, 0.6f, 0.2f, 0.5f, 0.6f, 0.8f, 0.9f];
    private static readonly float[] PrecisionPred = [0.05f, 0.1f, 0.2f, 0.3f, 0.3f, 0.35f, 0.4f, 0.45f, 0.5f, 0.6f, 0.9f, 0.95f];
    private static readonly float[] PrecisionLabels = [0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1];

    /// <summary>The values repeated in 3 columns, and one-hot targets of class 2 where the label is set (test_unweighted_class_id).</summary>
    private static ((float[] V, Shape S) T, (float[] V, Shape S) P) ClassTwo(float[] predictions, float[] labels)
    {
        int n = predictions.Length;
        var p = new float[n * 3];
        var t = new float[n * 3];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++) p[i * 3 + c] = predictions[i];
            t[i * 3 + (labels[i] != 0 ? 2 : 0)] = 1;
        }
        return ((t, new Shape(n, 3)), (p, new Shape(n, 3)));
    }

    private static (float[] V, Shape S) RandomZeroOne(int seed)
    {
        var rng = new Random(seed);
        return ([.. Enumerable.Range(0, 100).Select(_ => (float)rng.Next(2))], new Shape(100, 1));
    }

    [Fact]
    public void TestConfig()
    {
        var s = (SensitivityAtSpecificity)RoundTrip(new SensitivityAtSpecificity(0.4, numThresholds: 100, classId: 12, name: "sensitivity_at_specificity_1"));
        Assert.Equal("sensitivity_at_specificity_1", s.Name);
        Assert.Equal(0.4, s.Specificity);
        Assert.Equal(100, s.NumThresholds);
        Assert.Equal(12, s.ClassId);
        var t = (SpecificityAtSensitivity)RoundTrip(new SpecificityAtSensitivity(0.4, 100, 12, "specificity_at_sensitivity_1"));
        Assert.Equal(0.4, t.Sensitivity);
        var p = (PrecisionAtRecall)RoundTrip(new PrecisionAtRecall(0.4, 100, 12, "precision_at_recall_1"));
        Assert.Equal(0.4, p.Recall);
        Assert.Equal(100, p.NumThresholds);
        var r = (RecallAtPrecision)RoundTrip(new RecallAtPrecision(0.4, 100, 12, "recall_at_precision_1"));
        Assert.Equal(0.4, r.Precision);
        Assert.Equal(12, r.ClassId);
    }

    [Fact]
    public void TestUnweightedAllCorrect()
    {
        var inputs = RandomZeroOne(1);
        Assert.Equal(1, Call(new SensitivityAtSpecificity(0.7), inputs, inputs), 7);
        Assert.Equal(1, Call(new SpecificityAtSensitivity(0.7), inputs, inputs), 7);
        Assert.Equal(1, Call(new PrecisionAtRecall(0.7), inputs, inputs), 7);
        Assert.Equal(1, Call(new RecallAtPrecision(0.7), inputs, inputs), 7);
    }

    [Fact]
    public void SensitivityAtSpecificityTestUnweightedHighSpecificity() =>
        Assert.Equal(0.8, Call(new SensitivityAtSpecificity(0.8), V(Labels), V(0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.45f, 0.5f, 0.8f, 0.9f)), 7);

    [Fact]
    public void SensitivityAtSpecificityTestUnweightedLowSpecificity() =>
        Assert.Equal(0.6, Call(new SensitivityAtSpecificity(0.4), V(Labels), V(LowPred)), 7);

    [Fact]
    public void SensitivityAtSpecificityTestUnweightedClassId()
    {
        // Keras' test builds a SpecificityAtSensitivity here.
        var (t, p) = ClassTwo(LowPred, Labels);
        Assert.Equal(0.6, Call(new SpecificityAtSensitivity(0.4, classId: 2), t, p), 7);
    }

    [Fact]
    public void SensitivityAtSpecificityTestWeighted() =>
        Assert.Equal(0.675, Call(new SensitivityAtSpecificity(0.4), V(Labels), V(LowPred), V(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), 7);

    [Fact]
    public void SpecificityAtSensitivityTestUnweightedHighSensitivity() =>
        Assert.Equal(0.2, Call(new SpecificityAtSensitivity(1.0), V(Labels), V(LowPred)), 7);

    [Fact]
    public void SpecificityAtSensitivityTestUnweightedLowSensitivity() =>
        Assert.Equal(0.6, Call(new SpecificityAtSensitivity(0.4), V(Labels), V(LowPred)), 7);

    [Fact]
    public void SpecificityAtSensitivityTestWeighted() =>
        Assert.Equal(0.4, Call(new SpecificityAtSensitivity(0.4), V(Labels), V(LowPred), V(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), 7);

    [Fact]
    public void PrecisionAtRecallTestUnweightedHighRecall() => Assert.Equal(2.0 / 3, Call(new PrecisionAtRecall(0.8), V(Labels), V(RecallPred)), 7);

    [Fact]
    public void PrecisionAtRecallTestUnweightedLowRecall() => Assert.Equal(0.75, Call(new PrecisionAtRecall(0.6), V(Labels), V(RecallPred)), 7);

    [Fact]
    public void PrecisionAtRecallTestUnweightedClassId()
    {
        var (t, p) = ClassTwo(RecallPred, Labels);
        Assert.Equal(0.75, Call(new PrecisionAtRecall(0.6, classId: 2), t, p), 7);
    }

    [Fact]
    public void PrecisionAtRecallTestWeighted() =>
        Assert.Equal(0.7, Call(new PrecisionAtRecall(7.0 / 8), V(Labels), V(RecallPred), V(2, 1, 2, 1, 2, 1, 2, 2, 1, 2)), 7);

    [Fact]
    public void RecallAtPrecisionTestUnweightedHighPrecision() => Assert.Equal(0.5, Call(new RecallAtPrecision(0.75), V(PrecisionLabels), V(PrecisionPred)), 7);

    [Fact]
    public void RecallAtPrecisionTestUnweightedLowPrecision() => Assert.Equal(5.0 / 6, Call(new RecallAtPrecision(2.0 / 3), V(PrecisionLabels), V(PrecisionPred)), 7);

    [Fact]
    public void RecallAtPrecisionTestUnweightedClassId()
    {
        var (t, p) = ClassTwo(PrecisionPred, PrecisionLabels);
        Assert.Equal(5.0 / 6, Call(new RecallAtPrecision(2.0 / 3, classId: 2), t, p), 7);
    }

    [Fact]
    public void RecallAtPrecisionTestWeighted() =>
        Assert.Equal(0.6, Call(new RecallAtPrecision(0.75), V(0, 1, 0, 0, 0, 1, 1), V(0.1f, 0.2f, 0.3f, 0.5f, 0.6f, 0.9f, 0.9f), V(1, 2, 1, 2, 1, 2, 1)), 7);

    [Fact]
    public void RecallAtPrecisionTestUnachievablePrecision() => Assert.Equal(0, Call(new RecallAtPrecision(2.0 / 3), V(1, 1, 0, 0), V(0.1f, 0.2f, 0.3f, 0.9f)), 7);

    [Fact]
    public void TestInvalidValuesAndNumThresholds()
    {
        // test_invalid_specificity / test_invalid_sensitivity / test_invalid_num_thresholds of each class.
        Assert.Contains("`specificity` must be in the range [0, 1].", Assert.Throws<ArgumentException>(() => new SensitivityAtSpecificity(-1)).Message);
        Assert.Contains("`sensitivity` must be in the range [0, 1].", Assert.Throws<ArgumentException>(() => new SpecificityAtSensitivity(-1)).Message);
        Assert.Contains("`recall` must be in the range [0, 1].", Assert.Throws<ArgumentException>(() => new PrecisionAtRecall(-1)).Message);
        Assert.Contains("`precision` must be in the range [0, 1].", Assert.Throws<ArgumentException>(() => new RecallAtPrecision(-1)).Message);
        Assert.Contains("Argument `num_thresholds` must be an integer > 0", Assert.Throws<ArgumentException>(() => new SensitivityAtSpecificity(0.4, numThresholds: -1)).Message);
        Assert.Contains("Argument `num_thresholds` must be an integer > 0", Assert.Throws<ArgumentException>(() => new RecallAtPrecision(0.4, numThresholds: -1)).Message);
    }

    [Fact]
    public void ThresholdsAreKeras()
    {
        Assert.Equal([0.5f], new PrecisionAtRecall(0.5, numThresholds: 1).Thresholds);
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], new PrecisionAtRecall(0.5, numThresholds: 5).Thresholds);
        Assert.Equal(200, new SensitivityAtSpecificity(0.5).Thresholds.Count);
    }
}
