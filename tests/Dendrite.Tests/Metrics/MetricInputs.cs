using Dendrite.Metrics;

namespace Dendrite.Tests.Metrics;

/// <summary>Keras-test-shaped inputs: nested rows as (values, shape), and Keras' <c>metric(y_true, y_pred, sample_weight)</c> call.</summary>
internal static class MetricInputs
{
    /// <summary>A matrix from its rows.</summary>
    public static (float[] V, Shape S) M(params float[][] rows) => ([.. rows.SelectMany(r => r)], new Shape(rows.Length, rows[0].Length));

    /// <summary>A vector.</summary>
    public static (float[] V, Shape S) V(params float[] values) => (values, new Shape(values.Length));

    /// <summary>A scalar (shape ()).</summary>
    public static (float[] V, Shape S) Scalar(float value) => ([value], new Shape());

    /// <summary>Keras' <c>metric(y_true, y_pred, sample_weight)</c>: one update, then the result.</summary>
    public static double Call(Metric metric, (float[] V, Shape S) yTrue, (float[] V, Shape S) yPred, (float[] V, Shape S)? weights = null)
    {
        Update(metric, yTrue, yPred, weights);
        return metric.Result();
    }

    /// <summary>One update, weighted when <paramref name="weights"/> is given.</summary>
    public static void Update(Metric metric, (float[] V, Shape S) yTrue, (float[] V, Shape S) yPred, (float[] V, Shape S)? weights = null)
    {
        if (weights is { } w) metric.UpdateState(yTrue.V, yTrue.S, yPred.V, yPred.S, w.V, w.S);
        else metric.UpdateState(yTrue.V, yTrue.S, yPred.V, yPred.S);
    }

    /// <summary>Every value of a vector-valued metric after one update.</summary>
    public static double[] CallValues(Metric metric, (float[] V, Shape S) yTrue, (float[] V, Shape S) yPred, (float[] V, Shape S)? weights = null)
    {
        Update(metric, yTrue, yPred, weights);
        return ((IMultiValueMetric)metric).ResultValues();
    }

    /// <summary>Keras' assertAllClose: |actual − expected| ≤ atol + rtol·|expected| element by element.</summary>
    public static void AllClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double atol = 1e-6, double rtol = 1e-6)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"value {i}: expected {expected[i]}, got {actual[i]} (atol {atol}, rtol {rtol})");
    }

    /// <summary>Keras' assertAllClose on one value.</summary>
    public static void Close(double expected, double actual, double atol = 1e-6, double rtol = 1e-6) => AllClose([expected], [actual], atol, rtol);

    /// <summary>The metric rebuilt from its Keras config through JSON text (what a <c>.keras</c> file holds).</summary>
    public static Metric RoundTrip(Metric metric)
    {
        string json = metric.Serialize().ToJsonString();
        var again = Metric.Deserialize(System.Text.Json.Nodes.JsonNode.Parse(json)!);
        Assert.Equal(metric.GetType(), again.GetType());
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(metric.GetConfig(), again.GetConfig()), $"{metric.GetConfig().ToJsonString()} vs {again.GetConfig().ToJsonString()}");
        return again;
    }
}
