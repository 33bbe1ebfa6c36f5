using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>keras/src/metrics/regression_metrics_test.py: R2ScoreTest, case by case (atol 1e-6).</summary>
public class R2ScoreKerasTests
{
    private static readonly (float[] V, Shape S) OneHot = M([0, 0, 1], [0, 1, 0], [1, 0, 0]);

    private static void RunTest((float[] V, Shape S) yTrue, (float[] V, Shape S) yPred, float[]? sampleWeights, string? classAggregation, int numRegressors, double[] expected)
    {
        var r2 = new R2Score(classAggregation, numRegressors);
        var weights = sampleWeights is null ? ((float[] V, Shape S)?)null : V(sampleWeights);
        AllClose(expected, CallValues(r2, yTrue, yPred, weights), atol: 1e-6, rtol: 1e-6);
        Close(expected[0], r2.Result(), atol: 1e-6);
    }

    [Fact]
    public void TestConfig()
    {
        var r2 = new R2Score(classAggregation: null, numRegressors: 2);
        Assert.Null(r2.ClassAggregation);
        Assert.Equal(2, r2.NumRegressors);
        var again = (R2Score)RoundTrip(r2);
        Assert.Null(again.ClassAggregation);
        Assert.Equal(2, again.NumRegressors);
        Assert.Equal("variance_weighted_average", ((R2Score)RoundTrip(new R2Score("variance_weighted_average"))).ClassAggregation);
        Assert.Equal("uniform_average", new R2Score().ClassAggregation);
    }

    [Theory]
    [InlineData(null, 0, new[] { 0.37, -1.295, 0.565 })]
    [InlineData("uniform_average", 0, new[] { -0.12 })]
    [InlineData("variance_weighted_average", 0, new[] { -0.12 })]
    public void TestR2SklearnComparison(string? classAggregation, int numRegressors, double[] result) =>
        RunTest(OneHot, M([0.4f, 0.5f, 0.6f], [0.1f, 0.2f, 0.3f], [0.5f, 0.8f, 0.2f]), null, classAggregation, numRegressors, result);

    [Theory]
    [InlineData(null, 0, new[] { 0.17305559, -8.836666, -0.521 })]
    [InlineData(null, 1, new[] { 0.054920673, -10.241904, -0.7382858 })]
    [InlineData(null, 2, new[] { -0.10259259, -12.115555, -1.0280001 })]
    [InlineData("uniform_average", 0, new[] { -3.0615367889404297 })]
    [InlineData("uniform_average", 1, new[] { -3.641756534576416 })]
    [InlineData("uniform_average", 2, new[] { -4.415382385253906 })]
    [InlineData("variance_weighted_average", 0, new[] { -1.3710224628448486 })]
    [InlineData("variance_weighted_average", 1, new[] { -1.7097399234771729 })]
    [InlineData("variance_weighted_average", 2, new[] { -2.161363363265991 })]
    public void TestR2TfaComparison(string? classAggregation, int numRegressors, double[] result) =>
        RunTest(OneHot, M([0.4f, 0.9f, 1.6f], [0.1f, 1.2f, 0.6f], [1.5f, 0.8f, 0.6f]), [0.8f, 0.1f, 0.4f], classAggregation, numRegressors, result);

    [Fact]
    public void TestErrors()
    {
        Assert.Contains("Invalid value for argument `class_aggregation`", Assert.Throws<ArgumentException>(() => new R2Score(classAggregation: "wrong")).Message);
        Assert.Contains("Invalid value for argument `num_regressors`", Assert.Throws<ArgumentException>(() => new R2Score(numRegressors: -1)).Message);
        Assert.Contains("expects 2D inputs with shape", Assert.Throws<ArgumentException>(() => Call(new R2Score(), V(0, 1), V(0, 1))).Message);
    }

    [Fact]
    public void KerasDocstringExample() => Close(0.57142854, Call(new R2Score(), M([1], [4], [3]), M([2], [4], [4])), atol: 1e-6);

    [Fact]
    public void VectorTargetsAgainstAColumnAreExpandedAndStateSums()
    {
        // (N,) targets against (N, 1) predictions, as Keras' squeeze_or_expand_to_same_rank; two batches = one.
        var once = new R2Score();
        Update(once, V(1, 4, 3, 2), M([2], [4], [4], [1]));
        var twice = new R2Score();
        Update(twice, V(1, 4), M([2], [4]));
        var other = new R2Score();
        Update(other, V(3, 2), M([4], [1]));
        var a = new double[twice.StateLength];
        var b = new double[other.StateLength];
        twice.CopyState(a);
        other.CopyState(b);
        for (int i = 0; i < a.Length; i++) a[i] += b[i];
        twice.SetState(a);
        Assert.Equal(once.Result(), twice.Result(), 12);
        Assert.Equal(1 - (1 + 0 + 1 + 1) / 5.0, once.Result(), 12);
    }
}
