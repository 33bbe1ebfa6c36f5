using Dendrite.Metrics;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Metrics;

public class AucTests
{
    /// <summary>Random 0/1 targets and predictions that lean towards them, in batches of different sizes.</summary>
    private static List<(float[] T, float[] P)> Batches(int seed, params int[] sizes)
    {
        var rng = new Random(seed);
        var batches = new List<(float[], float[])>();
        foreach (int size in sizes)
        {
            var t = new float[size]; var p = new float[size];
            for (int i = 0; i < size; i++)
            {
                t[i] = rng.Next(2);
                p[i] = (float)Math.Clamp(0.5 * rng.NextDouble() + 0.35 * t[i] + 0.1 * rng.NextDouble(), 0, 1);
            }
            batches.Add((t, p));
        }
        return batches;
    }

    private static void Feed(Metric metric, IEnumerable<(float[] T, float[] P)> batches)
    {
        foreach (var (t, p) in batches) metric.UpdateState(t, new Shape(t.Length, 1), p, new Shape(p.Length, 1));
    }

    [Theory]
    [InlineData("ROC", "interpolation", 200)]
    [InlineData("ROC", "minoring", 200)]
    [InlineData("ROC", "majoring", 200)]
    [InlineData("PR", "interpolation", 200)]
    [InlineData("PR", "minoring", 200)]
    [InlineData("PR", "majoring", 200)]
    [InlineData("ROC", "interpolation", 7)]
    [InlineData("PR", "interpolation", 7)]
    public void MatchesADirectFloat64ComputationOverSeveralBatches(string curve, string summation, int numThresholds)
    {
        var batches = Batches(seed: 1, 40, 25, 64, 3);
        var auc = new AUC(numThresholds, curve, summation);
        Feed(auc, batches);
        var targets = batches.SelectMany(b => b.T).ToList();
        var predictions = batches.SelectMany(b => b.P).ToList();
        double expected = AucReference.Auc(targets, predictions, AucReference.Thresholds(numThresholds), curve, summation);
        Assert.Equal(expected, auc.Result(), 1e-12);
        Assert.InRange(expected, 0.6, 1.0);
    }

    [Fact]
    public void ManyThresholdsApproachTheExactRocArea()
    {
        var batches = Batches(seed: 2, 300);
        var auc = new AUC(numThresholds: 2000);
        Feed(auc, batches);
        Assert.Equal(AucReference.ExactRocAuc(batches[0].T, batches[0].P), auc.Result(), 3e-3);
    }

    [Fact]
    public void KerasDocstringExample()
    {
        // keras.metrics.AUC(num_thresholds=3) on [0, 0, 1, 1] vs [0, 0.5, 0.3, 0.9] → 0.75.
        var auc = new AUC(numThresholds: 3);
        auc.UpdateState([0, 0, 1, 1], new Shape(4), [0, 0.5f, 0.3f, 0.9f], new Shape(4));
        Assert.Equal(0.75, auc.Result(), 1e-12);
        Assert.Equal([-1e-7f, 0.5f, 1 + 1e-7f], auc.Thresholds);
        Assert.Equal("auc", auc.Name);
        Assert.Equal("ROC", auc.Curve);
        Assert.Equal("interpolation", auc.SummationMethod);
    }

    [Fact]
    public void DefaultsAreKeras()
    {
        var auc = new AUC();
        Assert.Equal(200, auc.NumThresholds);
        Assert.Equal(AucReference.Thresholds(200).Select(v => (float)v), auc.Thresholds);
        Assert.Equal("ROC", auc.Curve);
    }

    [Fact]
    public void PredictionsOnABucketBoundaryAreNotAboveIt()
    {
        // With 5 thresholds (…, 0.25, 0.5, 0.75, …) a prediction of exactly 0.5 is above 0.25 but not above 0.5;
        // predictions of exactly 0 and 1 are above −1e-7 and below 1 + 1e-7.
        float[] t = [1, 0, 1, 0, 1];
        float[] p = [0.5f, 0.5f, 0f, 1f, 0.75f];
        var auc = new AUC(numThresholds: 5);
        auc.UpdateState(t, new Shape(5), p, new Shape(5));
        Assert.Equal(AucReference.Auc(t, p, AucReference.Thresholds(5), "ROC", "interpolation"), auc.Result(), 1e-12);
    }

    [Fact]
    public void GivenThresholdsAreUsedWithEndPointsAdded()
    {
        var batches = Batches(seed: 3, 50, 30);
        var targets = batches.SelectMany(b => b.T).ToList();
        var predictions = batches.SelectMany(b => b.P).ToList();
        // Unevenly spaced (compared one by one) and evenly spaced (Keras' bucket formula) thresholds.
        foreach (var given in new[] { new[] { 0.9f, 0.1f, 0.35f, 0.5f }, [0.25f, 0.5f, 0.75f] })
            foreach (var curve in new[] { "ROC", "PR" })
            {
                var auc = new AUC(curve: curve, thresholds: given);
                Feed(auc, batches);
                Assert.Equal(given.Length + 2, auc.NumThresholds);
                var expected = AucReference.Auc(targets, predictions, AucReference.WithEndpoints(given.Select(v => (double)v)), curve, "interpolation");
                Assert.Equal(expected, auc.Result(), 1e-12);
            }
    }

    [Fact]
    public void OutOfRangePredictionsAreClippedOnTheEvenPathAndComparedOnTheOther()
    {
        // Keras clips predictions to [0, 1] before bucketing evenly spaced thresholds; a negative prediction then
        // counts as above −1e-7. Unevenly spaced thresholds compare the raw value, so it counts as below all.
        float[] t = [1, 0, 1, 0];
        float[] p = [-0.5f, 0.2f, 1.5f, 0.7f];
        var even = new AUC(numThresholds: 5);
        even.UpdateState(t, new Shape(4), p, new Shape(4));
        var clipped = p.Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
        Assert.Equal(AucReference.Auc(t, clipped, AucReference.Thresholds(5), "ROC", "interpolation"), even.Result(), 1e-12);
        var uneven = new AUC(thresholds: [0.3f, 0.4f]);
        uneven.UpdateState(t, new Shape(4), p, new Shape(4));
        Assert.Equal(AucReference.Auc(t, p, AucReference.WithEndpoints([0.3, 0.4]), "ROC", "interpolation"), uneven.Result(), 1e-12);
    }

    [Fact]
    public void FromLogitsAppliesASigmoidFirst()
    {
        var batches = Batches(seed: 4, 60);
        var logits = batches[0].P.Select(v => MathF.Log(Math.Max(v, 1e-3f) / Math.Max(1 - v, 1e-3f))).ToArray();
        var fromLogits = new AUC(fromLogits: true);
        fromLogits.UpdateState(batches[0].T, new Shape(60), logits, new Shape(60));
        var sigmoid = logits.Select(z => 1f / (1f + MathF.Exp(-z))).ToList();
        Assert.Equal(AucReference.Auc(batches[0].T, sigmoid, AucReference.Thresholds(200), "ROC", "interpolation"), fromLogits.Result(), 1e-12);
    }

    [Fact]
    public void ResetForgetsEverything()
    {
        var auc = new AUC(curve: "PR");
        Assert.Equal(0.0, auc.Result());
        Feed(auc, Batches(seed: 5, 30));
        Assert.NotEqual(0.0, auc.Result());
        auc.ResetState();
        Assert.Equal(0.0, auc.Result());
        var second = Batches(seed: 6, 20, 20);
        Feed(auc, second);
        var fresh = new AUC(curve: "PR");
        Feed(fresh, second);
        Assert.Equal(fresh.Result(), auc.Result());
    }

    [Fact]
    public void MultiColumnDataIsFlattened()
    {
        var batches = Batches(seed: 7, 24);
        var auc = new AUC();
        auc.UpdateState(batches[0].T, new Shape(8, 3), batches[0].P, new Shape(8, 3));
        Assert.Equal(AucReference.Auc(batches[0].T, batches[0].P, AucReference.Thresholds(200), "ROC", "interpolation"), auc.Result(), 1e-12);
    }

    [Fact]
    public void BadArgumentsAndShapesThrow()
    {
        Assert.Contains("num_thresholds", Assert.Throws<ArgumentException>(() => new AUC(numThresholds: 1)).Message);
        Assert.Contains("\"roc2\"", Assert.Throws<ArgumentException>(() => new AUC(curve: "roc2")).Message);
        Assert.Contains("summation", Assert.Throws<ArgumentException>(() => new AUC(summationMethod: "trapezoid")).Message);
        Assert.Throws<ArgumentException>(() => new AUC(thresholds: [0.5f, 1.2f]));
        Assert.Equal("PR", new AUC(curve: "pr").Curve);
        var error = Assert.Throws<ArgumentException>(() => new AUC().UpdateState(new float[6], new Shape(6), new float[6], new Shape(3, 2)));
        Assert.Contains("auc", error.Message);
        Assert.Contains("(3, 2)", error.Message);
    }
}
