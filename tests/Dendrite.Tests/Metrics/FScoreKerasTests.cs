using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/f_score_metrics_test.py: FBetaScoreTest and F1ScoreTest, case by case (atol 1e-6).</summary>
public class FScoreKerasTests
{
    private static readonly (float[] V, Shape S) ThreeRowsPred = M([0.7f, 0.7f, 0.7f], [1, 0, 0], [0.9f, 0.8f, 0]);
    private static readonly (float[] V, Shape S) SixRowsTrue = M([1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1]);
    private static readonly (float[] V, Shape S) SixRowsPred = M([0.9f, 0.1f, 0], [0.2f, 0.6f, 0.2f], [0, 0, 1], [0.4f, 0.3f, 0.3f], [0, 0.9f, 0.1f], [0, 0, 1]);

    /// <summary>FBetaScoreTest._run_test: one update, every value of the result within 1e-6.</summary>
    private static void RunTest((float[] V, Shape S) yTrue, (float[] V, Shape S) yPred, float[]? sampleWeights, string? average, double beta, float? threshold, double[] expected)
    {
        var fbeta = new FBetaScore(average, beta, threshold);
        var weights = sampleWeights is null ? ((float[] V, Shape S)?)null : V(sampleWeights);
        AllClose(expected, CallValues(fbeta, yTrue, yPred, weights), atol: 1e-6, rtol: 1e-6);
        Close(expected[0], fbeta.Result(), atol: 1e-6);
    }

    [Fact]
    public void FBetaScoreTestConfig()
    {
        var fbeta = new FBetaScore(beta: 0.5, threshold: 0.3f, average: null);
        Assert.Equal(0.5, fbeta.Beta);
        Assert.Null(fbeta.Average);
        Assert.Equal(0.3f, fbeta.Threshold);
        var again = (FBetaScore)RoundTrip(fbeta);
        Assert.Equal(0.5, again.Beta);
        Assert.Null(again.Average);
        Assert.Equal(0.3f, again.Threshold);
        Assert.Equal("fbeta_score", again.Name);
    }

    [Theory]
    [InlineData("micro", 0.5)] [InlineData("micro", 1.0)] [InlineData("micro", 2.0)]
    [InlineData("macro", 0.5)] [InlineData("macro", 1.0)] [InlineData("macro", 2.0)]
    [InlineData("weighted", 0.5)] [InlineData("weighted", 1.0)] [InlineData("weighted", 2.0)]
    public void TestFbetaPerfectScore(string average, double beta) =>
        RunTest(M([1, 1, 1], [1, 0, 0], [1, 1, 0]), ThreeRowsPred, null, average, beta, 0.66f, [1.0]);

    [Theory]
    [InlineData("micro", 0.5)] [InlineData("micro", 1.0)] [InlineData("micro", 2.0)]
    [InlineData("macro", 0.5)] [InlineData("macro", 1.0)] [InlineData("macro", 2.0)]
    [InlineData("weighted", 0.5)] [InlineData("weighted", 1.0)] [InlineData("weighted", 2.0)]
    public void TestFbetaWorstScore(string average, double beta) =>
        RunTest(M([0, 0, 0], [0, 1, 0], [0, 0, 1]), ThreeRowsPred, null, average, beta, 0.66f, [0.0]);

    [Theory]
    [InlineData(null, 0.5, new[] { 0.71428573, 0.5, 0.833334 })]
    [InlineData(null, 1.0, new[] { 0.8, 0.5, 0.6666667 })]
    [InlineData(null, 2.0, new[] { 0.9090904, 0.5, 0.555556 })]
    [InlineData("micro", 0.5, new[] { 0.6666667 })]
    [InlineData("micro", 1.0, new[] { 0.6666667 })]
    [InlineData("micro", 2.0, new[] { 0.6666667 })]
    [InlineData("macro", 0.5, new[] { 0.6825397 })]
    [InlineData("macro", 1.0, new[] { 0.6555555 })]
    [InlineData("macro", 2.0, new[] { 0.6548822 })]
    [InlineData("weighted", 0.5, new[] { 0.6825397 })]
    [InlineData("weighted", 1.0, new[] { 0.6555555 })]
    [InlineData("weighted", 2.0, new[] { 0.6548822 })]
    public void TestFbetaRandomScore(string? average, double beta, double[] result) =>
        RunTest(M([0, 0, 1], [1, 1, 0], [1, 1, 1]), ThreeRowsPred, null, average, beta, 0.66f, result);

    [Theory]
    [InlineData(null, 0.5, new[] { 0.9090904, 0.555556, 1.0 })]
    [InlineData(null, 1.0, new[] { 0.8, 0.6666667, 1.0 })]
    [InlineData(null, 2.0, new[] { 0.71428573, 0.833334, 1.0 })]
    [InlineData("micro", 0.5, new[] { 0.833334 })]
    [InlineData("micro", 1.0, new[] { 0.833334 })]
    [InlineData("micro", 2.0, new[] { 0.833334 })]
    [InlineData("macro", 0.5, new[] { 0.821549 })]
    [InlineData("macro", 1.0, new[] { 0.822222 })]
    [InlineData("macro", 2.0, new[] { 0.849206 })]
    [InlineData("weighted", 0.5, new[] { 0.880471 })]
    [InlineData("weighted", 1.0, new[] { 0.844445 })]
    [InlineData("weighted", 2.0, new[] { 0.829365 })]
    public void TestFbetaRandomScoreNone(string? average, double beta, double[] result) =>
        RunTest(SixRowsTrue, SixRowsPred, null, average, beta, null, result);

    [Theory]
    [InlineData(null, 0.5, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.909091, 0.555556, 1.0 })]
    [InlineData(null, 0.5, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0, 0.0, 1.0 })]
    [InlineData(null, 0.5, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.9375, 0.714286, 1.0 })]
    [InlineData(null, 1.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.8, 0.666667, 1.0 })]
    [InlineData(null, 1.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0, 0.0, 1.0 })]
    [InlineData(null, 1.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.857143, 0.8, 1.0 })]
    [InlineData(null, 2.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.714286, 0.833333, 1.0 })]
    [InlineData(null, 2.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0, 0.0, 1.0 })]
    [InlineData(null, 2.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.789474, 0.909091, 1.0 })]
    [InlineData("micro", 0.5, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.833333 })]
    [InlineData("micro", 0.5, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("micro", 0.5, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.9 })]
    [InlineData("micro", 1.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.833333 })]
    [InlineData("micro", 1.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("micro", 1.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.9 })]
    [InlineData("micro", 2.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.833333 })]
    [InlineData("micro", 2.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("micro", 2.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.9 })]
    [InlineData("macro", 0.5, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.821549 })]
    [InlineData("macro", 0.5, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 0.666667 })]
    [InlineData("macro", 0.5, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.883929 })]
    [InlineData("macro", 1.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.822222 })]
    [InlineData("macro", 1.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 0.666667 })]
    [InlineData("macro", 1.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.885714 })]
    [InlineData("macro", 2.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.849206 })]
    [InlineData("macro", 2.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 0.666667 })]
    [InlineData("macro", 2.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.899522 })]
    [InlineData("weighted", 0.5, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.880471 })]
    [InlineData("weighted", 0.5, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("weighted", 0.5, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.917857 })]
    [InlineData("weighted", 1.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.844444 })]
    [InlineData("weighted", 1.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("weighted", 1.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.902857 })]
    [InlineData("weighted", 2.0, new float[] { 1, 1, 1, 1, 1, 1 }, new[] { 0.829365 })]
    [InlineData("weighted", 2.0, new float[] { 1, 0, 1, 1, 0, 1 }, new[] { 1.0 })]
    [InlineData("weighted", 2.0, new float[] { 0.5f, 1, 1, 1, 0.5f, 1 }, new[] { 0.897608 })]
    public void TestFbetaWeightedRandomScoreNone(string? average, double beta, float[] sampleWeights, double[] result) =>
        RunTest(SixRowsTrue, SixRowsPred, sampleWeights, average, beta, null, result);

    [Fact]
    public void TestInvalidArgumentsRaise()
    {
        // test_invalid_average_raises_value_error, test_beta_*_raises_value_error, test_threshold_*_raises_value_error
        // (Python's type checks on beta and threshold are C#'s types).
        Assert.Contains("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. Received: average=invalid_average",
            Assert.Throws<ArgumentException>(() => new FBetaScore(average: "invalid_average")).Message);
        Assert.Contains("Invalid `beta` argument value. It should be > 0. Received: beta=0", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", 0.0)).Message);
        Assert.Contains("Received: beta=-1", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", -1.0)).Message);
        Assert.Contains("Received: beta=-0.5", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", -0.5)).Message);
        Assert.Contains("It should verify 0 < threshold <= 1. Received: threshold=1.1", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", 1.0, 1.1f)).Message);
        Assert.Contains("Received: threshold=0", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", 1.0, 0f)).Message);
        Assert.Contains("Received: threshold=-0.5", Assert.Throws<ArgumentException>(() => new FBetaScore("macro", 1.0, -0.5f)).Message);
    }

    [Fact]
    public void TestNon2dInputShapesRaisesValueError()
    {
        var error = Assert.Throws<ArgumentException>(() => Call(new FBetaScore(beta: 1.0), (new float[24], new Shape(2, 3, 4)), (new float[24], new Shape(2, 3, 4))));
        Assert.Contains("FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=(2, 3, 4) and y_true.shape=(2, 3, 4).", error.Message);
    }

    [Fact]
    public void F1ScoreTestConfig()
    {
        var f1 = new F1Score();
        Assert.False(f1.GetConfig().ContainsKey("beta"));
        var again = (F1Score)RoundTrip(f1);
        Assert.Null(again.Average);
        Assert.Equal("f1_score", again.Name);
        var micro = (F1Score)RoundTrip(new F1Score("micro", 0.4f, "f1"));
        Assert.Equal("micro", micro.Average);
        Assert.Equal(0.4f, micro.Threshold);
    }

    [Fact]
    public void F1ScoreTestCorrectness()
    {
        var f1 = new F1Score();
        var fbeta = new FBetaScore(beta: 1.0);
        AllClose(CallValues(fbeta, SixRowsTrue, SixRowsPred), CallValues(f1, SixRowsTrue, SixRowsPred), atol: 1e-6);
    }

    [Fact]
    public void KerasDocstringExamples()
    {
        var y = M([1, 1, 1], [1, 0, 0], [1, 1, 0]);
        var p = M([0.2f, 0.6f, 0.7f], [0.2f, 0.6f, 0.6f], [0.6f, 0.8f, 0]);
        AllClose([0.3846154, 0.90909094, 0.8333334], CallValues(new FBetaScore(beta: 2.0, threshold: 0.5f), y, p), atol: 1e-6);
        AllClose([0.5, 0.8, 0.6666667], CallValues(new F1Score(threshold: 0.5f), y, p), atol: 1e-6);
    }

    [Fact]
    public void StateSumsAcrossShards()
    {
        // Two halves counted apart and summed give the whole batch's scores.
        var whole = new F1Score("weighted");
        Update(whole, SixRowsTrue, SixRowsPred);
        var first = new F1Score("weighted");
        var second = new F1Score("weighted");
        Update(first, M([1, 0, 0], [0, 1, 0], [0, 0, 1]), M([0.9f, 0.1f, 0], [0.2f, 0.6f, 0.2f], [0, 0, 1]));
        Update(second, M([1, 0, 0], [1, 0, 0], [0, 0, 1]), M([0.4f, 0.3f, 0.3f], [0, 0.9f, 0.1f], [0, 0, 1]));
        var a = new double[first.StateLength];
        var b = new double[second.StateLength];
        first.CopyState(a);
        second.CopyState(b);
        for (int i = 0; i < a.Length; i++) a[i] += b[i];
        first.SetState(a);
        Assert.Equal(whole.Result(), first.Result(), 12);
        Assert.Equal(0, new F1Score().ResultCount);
    }
}
