using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/confusion_metrics_test.py: PrecisionTest and RecallTest, case by case.</summary>
public class PrecisionRecallKerasTests
{
    private static readonly (float[] V, Shape S) OneHotPred = M([0.1f, 0.2f, 0.7f], [0.5f, 0.3f, 0.2f], [0.2f, 0.6f, 0.2f], [0.7f, 0.2f, 0.1f], [0.1f, 0.1f, 0.8f]);
    private static readonly (float[] V, Shape S) OneHotTrue = M([0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]);

    [Fact]
    public void PrecisionTestConfig()
    {
        var p = new Precision([0.4f, 0.9f], topK: 15, classId: 12, name: "my_precision");
        Assert.Equal("my_precision", p.Name);
        Assert.Equal([0.4f, 0.9f], p.Thresholds);
        Assert.Equal(15, p.TopK);
        Assert.Equal(12, p.ClassId);
        var again = (Precision)RoundTrip(p);
        Assert.Equal("my_precision", again.Name);
        Assert.Equal([0.4f, 0.9f], again.Thresholds);
        Assert.Equal(15, again.TopK);
        Assert.Equal(12, again.ClassId);
    }

    [Fact]
    public void RecallTestConfig()
    {
        var r = new Recall([0.4f, 0.9f], topK: 15, classId: 12, name: "my_recall");
        var again = (Recall)RoundTrip(r);
        Assert.Equal("my_recall", again.Name);
        Assert.Equal([0.4f, 0.9f], again.Thresholds);
        Assert.Equal(15, again.TopK);
        Assert.Equal(12, again.ClassId);
        // A single threshold stays a number, the default stays null (Keras' init_thresholds).
        Assert.Equal(0.3, new Recall(0.3f).GetConfig()["thresholds"]!.GetValue<double>());
        Assert.Null(new Recall().GetConfig()["thresholds"]);
    }

    [Fact]
    public void TestUnweighted()
    {
        Assert.Equal(0.5, Call(new Precision(), V(0, 1, 1, 0), V(1, 0, 1, 0)), 7);
        Assert.Equal(0.5, Call(new Recall(), V(0, 1, 1, 0), V(1, 0, 1, 0)), 7);
    }

    [Fact]
    public void TestUnweightedAllIncorrect()
    {
        var rng = new Random(0);
        var inputs = Enumerable.Range(0, 100).Select(_ => (float)rng.Next(2)).ToArray();
        var flipped = inputs.Select(v => 1 - v).ToArray();
        var shape = new Shape(100, 1);
        Assert.Equal(0, Call(new Precision([0.5f]), (flipped, shape), (inputs, shape)), 7);
        Assert.Equal(0, Call(new Recall([0.5f]), (flipped, shape), (inputs, shape)), 7);
    }

    [Fact]
    public void PrecisionTestWeighted()
    {
        double result = Call(new Precision(), M([0, 1, 1, 0], [1, 0, 0, 1]), M([1, 0, 1, 0], [1, 0, 1, 0]), M([1, 2, 3, 4], [4, 3, 2, 1]));
        Assert.Equal((3.0 + 4.0) / ((1.0 + 3.0) + (4.0 + 2.0)), result, 7);
    }

    [Fact]
    public void RecallTestWeighted()
    {
        double result = Call(new Recall(), M([0, 1, 1, 0], [1, 0, 0, 1]), M([1, 0, 1, 0], [0, 1, 0, 1]), M([1, 2, 3, 4], [4, 3, 2, 1]));
        Assert.Equal((3.0 + 1.0) / ((2.0 + 3.0) + (4.0 + 1.0)), result, 7);
    }

    [Fact]
    public void TestDivByZero()
    {
        Assert.Equal(0.0, Call(new Precision(), V(0, 0, 0, 0), V(0, 0, 0, 0)));
        Assert.Equal(0.0, Call(new Recall(), V(0, 0, 0, 0), V(0, 0, 0, 0)));
    }

    [Fact]
    public void TestUnweightedWithThreshold()
    {
        // assertAlmostEqual(..., 0) / assertAllClose(..., 0): exact.
        AllClose([0.5, 0.0], CallValues(new Precision([0.5f, 0.7f]), V(0, 1, 1, 0), V(1, 0, 0.6f, 0)), atol: 0, rtol: 0);
        AllClose([0.5, 0.0], CallValues(new Recall([0.5f, 0.7f]), V(0, 1, 1, 0), V(1, 0, 0.6f, 0)), atol: 0, rtol: 0);
    }

    [Fact]
    public void PrecisionTestWeightedWithThreshold()
    {
        var p = new Precision([0.5f, 1.0f]);
        var result = CallValues(p, M([0, 1], [1, 0]), M([1, 0], [0.6f, 0]), M([4, 0], [3, 1]));
        AllClose([3.0 / (3.0 + 4.0), 0], result, atol: 1e-3);
        Assert.Equal(result[0], p.Result());
    }

    [Fact]
    public void RecallTestWeightedWithThreshold()
    {
        var result = CallValues(new Recall([0.5f, 1.0f]), M([0, 1], [1, 0]), M([1, 0], [0.6f, 0]), M([1, 4], [3, 2]));
        AllClose([3.0 / (3.0 + 4.0), 0], result, atol: 1e-3);
    }

    [Fact]
    public void TestMultipleUpdates()
    {
        var p = new Precision([0.5f, 1.0f]);
        var r = new Recall([0.5f, 1.0f]);
        for (int i = 0; i < 2; i++)
        {
            Update(p, M([0, 1], [1, 0]), M([1, 0], [0.6f, 0]), M([4, 0], [3, 1]));
            Update(r, M([0, 1], [1, 0]), M([1, 0], [0.6f, 0]), M([1, 4], [3, 2]));
        }
        AllClose([6.0 / 14.0, 0], p.ResultValues(), atol: 1e-3);
        AllClose([6.0 / 14.0, 0], r.ResultValues(), atol: 1e-3);
    }

    [Fact]
    public void TestUnweightedTopK()
    {
        Assert.Equal(1.0 / 3, Call(new Precision(topK: 3), V(0, 1, 1, 0, 0), V(0.2f, 0.1f, 0.5f, 0, 0.2f)), 7);
        Assert.Equal(0.5, Call(new Recall(topK: 3), V(0, 1, 1, 0, 0), V(0.2f, 0.1f, 0.5f, 0, 0.2f)), 7);
    }

    [Fact]
    public void PrecisionTestWeightedTopK()
    {
        var p = new Precision(topK: 3);
        Update(p, M([0, 1, 1, 0, 1]), M([0.2f, 0.1f, 0.4f, 0, 0.2f]), M([1, 4, 2, 3, 5]));
        double result = Call(p, V(1, 0, 1, 1, 1), V(0.2f, 0.6f, 0.4f, 0.2f, 0.2f), Scalar(3));
        Assert.Equal((2.0 + 5 + 3 + 3) / (1.0 + 2 + 5 + 3 + 3 + 3), result, 7);
    }

    [Fact]
    public void RecallTestWeightedTopK()
    {
        var r = new Recall(topK: 3);
        Update(r, M([0, 1, 1, 0, 1]), M([0.2f, 0.1f, 0.4f, 0, 0.2f]), M([1, 4, 2, 3, 5]));
        double result = Call(r, V(1, 0, 1, 1, 1), V(0.2f, 0.6f, 0.4f, 0.2f, 0.2f), Scalar(3));
        Assert.Equal((2.0 + 5 + 3 + 3) / (4.0 + 2 + 5 + 3 + 3 + 3 + 3), result, 7);
    }

    [Fact]
    public void TestUnweightedClassIdShouldThrowError1d()
    {
        foreach (Metric m in new Metric[] { new Precision(classId: 2), new Recall(classId: 2) })
        {
            var error = Assert.Throws<ArgumentException>(() => Call(m, V(0, 1, 1, 0, 0), V(0.2f, 0.1f, 0.6f, 0, 0.2f)));
            Assert.Matches(@"When class_id is provided, y_pred must be a 2D array with shape \(num_samples, num_classes\), found shape:.*", error.Message);
        }
    }

    [Fact]
    public void TestUnweightedClassIdMulticlass()
    {
        var p = new Precision(classId: 1);
        Assert.Equal(1.0, Call(p, OneHotTrue, OneHotPred), 7);
        Assert.Equal(1.0, p.TruePositives[0], 7);
        Assert.Equal(0.0, p.FalsePositives[0], 7);
        var r = new Recall(classId: 1);
        Assert.Equal(1.0, Call(r, OneHotTrue, OneHotPred), 7);
        Assert.Equal(1.0, r.TruePositives[0], 7);
        Assert.Equal(0.0, r.FalseNegatives[0], 7);
    }

    [Fact]
    public void TestUnweightedTopKAndThreshold()
    {
        var p = new Precision(0.7f, topK: 2);
        Assert.Equal(1, Call(p, V(0, 1, 1, 0, 1), V(0.2f, 0.8f, 0.6f, 0, 0.2f)), 7);
        Assert.Equal(1, p.TruePositives[0], 7);
        Assert.Equal(0, p.FalsePositives[0], 7);
        var r = new Recall(0.7f, topK: 2);
        Assert.Equal(0.25, Call(r, V(1, 1, 1, 0, 1), V(0.2f, 0.8f, 0.6f, 0, 0.2f)), 7);
        Assert.Equal(1, r.TruePositives[0], 7);
        Assert.Equal(3, r.FalseNegatives[0], 7);
    }

    [Fact]
    public void KerasDocstringExamples()
    {
        // keras.metrics.Precision docstring: 0.6666667, weighted 1.0, top_k=2 → 0, top_k=4 → 0.5.
        var p = new Precision();
        Assert.Equal(2.0 / 3, Call(p, V(0, 1, 1, 1), V(1, 0, 1, 1)), 7);
        p.ResetState();
        Assert.Equal(1.0, Call(p, V(0, 1, 1, 1), V(1, 0, 1, 1), V(0, 0, 1, 0)));
        Assert.Equal(0.0, Call(new Precision(topK: 2), V(0, 0, 1, 1), V(1, 1, 1, 1)));
        Assert.Equal(0.5, Call(new Precision(topK: 4), V(0, 0, 1, 1), V(1, 1, 1, 1)));
        Assert.Equal(2.0 / 3, Call(new Recall(), V(0, 1, 1, 1), V(1, 0, 1, 1)), 7);
    }

    [Fact]
    public void DefaultsAndArgumentChecksAreKeras()
    {
        Assert.Equal([0.5f], new Precision().Thresholds);
        Assert.Equal([-1e10f], new Precision(topK: 1).Thresholds);
        Assert.Null(new Recall().TopK);
        Assert.StartsWith("Threshold values must be in [0, 1]. Received: [1.5]", Assert.Throws<ArgumentException>(() => new Precision([0.2f, 1.5f])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Recall(topK: 0));
        var error = Assert.Throws<ArgumentException>(() => Call(new Precision(classId: 3), OneHotTrue, OneHotPred));
        Assert.Contains("(5, 3)", error.Message);
    }
}
