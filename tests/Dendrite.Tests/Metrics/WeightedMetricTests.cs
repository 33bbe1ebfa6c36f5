using System.Text.Json.Nodes;
using Dendrite.Metrics;

namespace Dendrite.Tests.Metrics;

/// <summary>
/// Keras' golden metric tests with sample weights (keras/src/metrics/accuracy_metrics_test.py,
/// regression_metrics_test.py, reduction_metrics_test.py), through the NDArray overload users write, plus the
/// per-step weights and masks of sequence outputs.
/// </summary>
public class WeightedMetricTests
{
    private static NDArray<float> A(float[] values, params int[] shape) => new(values, shape);

    // --- accuracy_metrics_test.py::AccuracyTest ---

    [Fact]
    public void Accuracy_test_unweighted_CountsExactMatches()
    {
        // accuracy_metrics_test.py::AccuracyTest::test_unweighted
        var m = new Accuracy(name: "accuracy");
        m.UpdateState(A([1, 2, 3, 4], 4, 1), A([0, 2, 3, 4], 4, 1));
        Assert.Equal(0.75, m.Result(), 1e-3);
    }

    [Fact]
    public void Accuracy_test_weighted()
    {
        // accuracy_metrics_test.py::AccuracyTest::test_weighted
        var m = new Accuracy(name: "accuracy");
        m.UpdateState(A([1, 2, 3, 4], 4, 1), A([0, 2, 3, 4], 4, 1), A([1, 1, 0, 0], 4));
        Assert.Equal(0.5, m.Result(), 1e-3);
    }

    [Fact]
    public void Accuracy_test_config_RoundTripsAsKerasExactMatchClass()
    {
        // accuracy_metrics_test.py::AccuracyTest::test_config
        var m = new Accuracy(name: "accuracy");
        var config = m.GetConfig();
        Assert.Equal("accuracy", (string?)config["name"]);
        Assert.Equal("float32", (string?)config["dtype"]);
        var back = Metric.Deserialize(m.Serialize());
        Assert.IsType<Accuracy>(back);
        Assert.Equal("accuracy", back.Name);
        Assert.Equal("Accuracy", (string?)m.Serialize()["class_name"]);
        // The class name in a config is Keras' exact-match class, not the shape-resolved string.
        var fromKeras = Metric.Deserialize(JsonNode.Parse("""{"module": "keras.metrics", "class_name": "Accuracy", "config": {"name": "acc", "dtype": "float32"}, "registered_name": null}""")!);
        Assert.IsType<Accuracy>(fromKeras);
        fromKeras.UpdateState(A([1, 2, 3, 4], 4, 1), A([0, 2, 3, 4], 4, 1));
        Assert.Equal(0.75, fromKeras.Result(), 1e-12);
    }

    [Fact]
    public void AccuracyClassAndAccuracyStringDiffer()
    {
        // The class compares values; the string (compile_utils.get_metric) picks categorical accuracy for one-hot targets.
        var yTrue = A([0, 1, 1, 0], 2, 2);
        var yPred = A([0.2f, 0.8f, 0.9f, 0.1f], 2, 2);
        var exact = new Accuracy();
        exact.UpdateState(yTrue, yPred);
        Assert.Equal(0.0, exact.Result());
        var resolved = Metric.Get("accuracy");
        resolved.UpdateState(yTrue, yPred);
        Assert.Equal(1.0, resolved.Result());
    }

    // --- accuracy_metrics_test.py::BinaryAccuracyTest ---

    [Fact]
    public void BinaryAccuracy_test_unweighted()
    {
        // accuracy_metrics_test.py::BinaryAccuracyTest::test_unweighted (with its broadcasting case)
        var m = new BinaryAccuracy();
        m.UpdateState(A([1, 1, 0, 0], 4, 1), A([0.98f, 1, 0, 0.6f], 4, 1));
        Assert.Equal(0.75, m.Result(), 1e-3);
        var broadcast = new BinaryAccuracy();
        broadcast.UpdateState(A([1, 1, 0, 0], 4), A([0.98f, 1, 0, 0.6f], 4, 1));
        Assert.Equal(0.75, broadcast.Result(), 1e-3);
    }

    [Fact]
    public void BinaryAccuracy_test_weighted()
    {
        // accuracy_metrics_test.py::BinaryAccuracyTest::test_weighted
        var m = new BinaryAccuracy();
        m.UpdateState(A([1, 1, 0, 0], 4, 1), A([0.98f, 1, 0, 0.6f], 4, 1), A([1, 0, 0, 1], 4));
        Assert.Equal(0.5, m.Result(), 1e-3);
    }

    // --- accuracy_metrics_test.py::CategoricalAccuracyTest, TopK, SparseTopK ---

    [Fact]
    public void CategoricalAccuracy_test_weighted()
    {
        // accuracy_metrics_test.py::CategoricalAccuracyTest::test_weighted
        var m = new CategoricalAccuracy();
        m.UpdateState(A([0, 0, 1, 0, 1, 0], 2, 3), A([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], 2, 3), A([0.7f, 0.3f], 2));
        Assert.Equal(0.3, m.Result(), 1e-3);
    }

    [Fact]
    public void TopKCategoricalAccuracy_test_weighted()
    {
        // accuracy_metrics_test.py::TopKCategoricalAccuracyTest::test_weighted
        var m = new TopKCategoricalAccuracy(k: 1);
        m.UpdateState(A([0, 0, 1, 0, 1, 0], 2, 3), A([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], 2, 3), A([0.7f, 0.3f], 2));
        Assert.Equal(0.3, m.Result(), 1e-3);
    }

    [Fact]
    public void SparseTopKCategoricalAccuracy_test_weighted()
    {
        // accuracy_metrics_test.py::SparseTopKCategoricalAccuracyTest::test_weighted
        var m = new SparseTopKCategoricalAccuracy(k: 1);
        m.UpdateState(A([2, 1], 2), A([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], 2, 3), A([0.7f, 0.3f], 2));
        Assert.Equal(0.3, m.Result(), 1e-3);
    }

    // --- accuracy_metrics_test.py::SparseCategoricalAccuracyTest ---

    [Fact]
    public void SparseCategoricalAccuracy_test_weighted()
    {
        // accuracy_metrics_test.py::SparseCategoricalAccuracyTest::test_weighted
        var m = new SparseCategoricalAccuracy();
        m.UpdateState(A([2, 1], 2, 1), A([0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0], 2, 3), A([0.7f, 0.3f], 2));
        Assert.Equal(0.3, m.Result(), 1e-3);
    }

    [Fact]
    public void SparseCategoricalAccuracy_test_squeeze_y_true_and_matching_shapes()
    {
        // accuracy_metrics_test.py::SparseCategoricalAccuracyTest::test_squeeze_y_true,
        // ::test_squeeze_y_true_shape, ::test_cast_y_pred_dtype, ::test_matching_shapes_without_squeeze
        var m = new SparseCategoricalAccuracy();
        m.UpdateState(A([0, 1, 2], 3, 1), A([0.9f, 0.05f, 0.05f, 0.05f, 0.9f, 0.05f, 0.05f, 0.05f, 0.9f], 3, 3));
        Assert.Equal(1.0, m.Result(), 1e-4);
        m = new SparseCategoricalAccuracy();
        m.UpdateState(new NDArray<long>([0, 1], 2), new NDArray<double>([0.9, 0.1, 0.1, 0.9], 2, 2));
        Assert.Equal(1.0, m.Result(), 1e-4);
        m = new SparseCategoricalAccuracy();
        m.UpdateState(new NDArray<int>([2, 1, 0], 3), A([0, 0, 1, 0, 1, 0, 1, 0, 0], 3, 3));
        Assert.Equal(1.0, m.Result(), 1e-4);
    }

    [Fact]
    public void SparseCategoricalAccuracy_test_reshape_matches()
    {
        // accuracy_metrics_test.py::SparseCategoricalAccuracyTest::test_reshape_matches: labels (2, 1) against
        // predictions (1, 2, 3) broadcast against the (1, 2) arg-maxes, as Keras does.
        var m = new SparseCategoricalAccuracy();
        m.UpdateState(new NDArray<long>([0, 0], 2, 1), A([0.9f, 0.1f, 0.0f, 0.8f, 0.15f, 0.05f], 1, 2, 3));
        Assert.Equal(1.0, m.Result(), 1e-6);
        // The grid of matches is Keras' too: labels [0, 1] against arg-maxes [0, 1] hit on the diagonal only.
        var grid = new SparseCategoricalAccuracy();
        grid.UpdateState(A([0, 1], 2, 1), A([0.9f, 0.1f, 0.0f, 0.15f, 0.8f, 0.05f], 1, 2, 3));
        Assert.Equal(0.5, grid.Result(), 1e-6);
        // Shapes that do not broadcast still throw, naming both.
        var error = Assert.Throws<ArgumentException>(() => new SparseCategoricalAccuracy().UpdateState(A([0, 1, 2], 3), A(new float[12], 1, 4, 3)));
        Assert.Contains("(1, 4, 3)", error.Message);
    }

    // --- regression_metrics_test.py ---

    private static readonly float[] RegressionTrue = [0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1];
    private static readonly float[] RegressionPred = [0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1];

    [Fact]
    public void MeanSquaredError_test_unweighted_and_test_weighted()
    {
        // regression_metrics_test.py::MeanSquaredErrorTest::test_unweighted, ::test_weighted
        var m = new MeanSquaredError();
        m.UpdateState(A(RegressionTrue, 4, 5), A(RegressionPred, 4, 5));
        Assert.Equal(0.5, m.Result(), 1e-5);
        var w = new MeanSquaredError();
        w.UpdateState(A(RegressionTrue, 4, 5), A(RegressionPred, 4, 5), A([1.0f, 1.5f, 2.0f, 2.5f], 4));
        Assert.Equal(0.54285, w.Result(), 1e-5);
    }

    [Fact]
    public void MeanAbsoluteError_test_unweighted_and_test_weighted()
    {
        // regression_metrics_test.py::MeanAbsoluteErrorTest::test_unweighted, ::test_weighted
        var m = new MeanAbsoluteError();
        m.UpdateState(A(RegressionTrue, 4, 5), A(RegressionPred, 4, 5));
        Assert.Equal(0.5, m.Result(), 1e-5);
        var w = new MeanAbsoluteError();
        w.UpdateState(A(RegressionTrue, 4, 5), A(RegressionPred, 4, 5), A([1.0f, 1.5f, 2.0f, 2.5f], 4));
        Assert.Equal(0.54285, w.Result(), 1e-5);
    }

    // --- reduction_metrics_test.py::MeanTest, MetricWrapperTest ---

    [Fact]
    public void Mean_test_unweighted_weighted_and_negative_weights()
    {
        // reduction_metrics_test.py::MeanTest::test_unweighted, ::test_weighted, ::test_weighted_negative_weights
        var m = new Mean();
        m.UpdateState(A([1, 3, 5, 7], 4));
        Assert.Equal(4.0, m.Result(), 1e-3);
        m = new Mean();
        m.UpdateState(A([1, 3, 5, 7], 4), A([1, 1, 0, 0], 4));
        Assert.Equal(2.0, m.Result(), 1e-3);
        m = new Mean();
        m.UpdateState(A([1, 3, 5, 7], 4), A([-1, -1, 0, 0], 4));
        Assert.Equal(2.0, m.Result(), 1e-3);
    }

    [Fact]
    public void Mean_test_weighted_nd_and_nd_broadcast()
    {
        // reduction_metrics_test.py::MeanTest::test_weighted_nd, ::test_weighted_nd_broadcast
        var m = new Mean();
        m.UpdateState(A([1, 3, 5, 7], 2, 2), A([1, 1, 1, 0], 2, 2));
        Assert.Equal(3.0, m.Result(), 1e-3);
        m = new Mean();
        m.UpdateState(A([1, 3, 5, 7], 2, 2), A([1, 0], 1, 2));
        Assert.Equal(3.0, m.Result(), 1e-3);
    }

    [Fact]
    public void MetricWrapper_test_weighted_broadcast_ThroughMean()
    {
        // reduction_metrics_test.py::MetricWrapperTest::test_weighted_broadcast: MeanMetricWrapper(fn=(t - p)²) is a
        // Mean of the element-wise squared errors, here with weights (1, 5) broadcast over the rows.
        var squared = RegressionTrue.Zip(RegressionPred, (t, p) => (t - p) * (t - p)).ToArray();
        var m = new Mean();
        m.UpdateState(A(squared, 4, 5), A([1.0f, 0.0f, 0.5f, 0.0f, 1.0f], 1, 5));
        Assert.Equal(0.45, m.Result(), 1e-5);
        // And reduction_metrics_test.py::MetricWrapperTest::test_weighted (per-sample weights).
        m = new Mean();
        m.UpdateState(A(squared, 4, 5), A([1.0f, 1.5f, 2.0f, 2.5f], 4));
        Assert.Equal(0.54285, m.Result(), 1e-5);
    }

    // --- sequences: per-step weights and masks ---

    /// <summary>Two sequences of three steps over three classes; the arg-maxes are [0, 1, 2] and [2, 2, 0].</summary>
    private static readonly float[] SequencePred = [0.8f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.8f, 0.2f, 0.2f, 0.6f, 0.7f, 0.2f, 0.1f];
    private static readonly float[] SequenceLabels = [0, 1, 0, 2, 1, 0];   // hits: [1, 1, 0], [1, 0, 1]

    [Fact]
    public void PerStepWeightsWeighEachStep()
    {
        // Keras' reduce_to_samplewise_values with a (N, steps) weight on (N, steps) values: Σ w·hit / Σ w.
        var m = new SparseCategoricalAccuracy();
        m.UpdateState(A(SequenceLabels, 2, 3), A(SequencePred, 2, 3, 3), A([1, 2, 3, 4, 5, 6], 2, 3));
        Assert.Equal((1 + 2 + 0 + 4 + 0 + 6) / 21.0, m.Result(), 1e-12);
        // Per-sample weights on a sequence weigh the sample's mean over its steps: (2/3·1 + 2/3·3) / 4.
        var perSample = new SparseCategoricalAccuracy();
        perSample.UpdateState(A(SequenceLabels, 2, 3), A(SequencePred, 2, 3, 3), A([1, 3], 2));
        Assert.Equal(2.0 / 3, perSample.Result(), 1e-12);
        var column = new SparseCategoricalAccuracy();
        column.UpdateState(A(SequenceLabels, 2, 3), A(SequencePred, 2, 3, 3), A([1, 0], 2, 1));
        Assert.Equal(2.0 / 3, column.Result(), 1e-12);
    }

    [Fact]
    public void AMaskMultipliesIntoTheWeights()
    {
        // Keras' apply_mask(sample_weight, mask, reduction="sum"): the mask alone acts as 0/1 weights, and with
        // weights it multiplies them.
        float[] mask = [1, 1, 0, 1, 0, 0];
        var masked = new SparseCategoricalAccuracy();
        masked.UpdateState(SequenceLabels, new Shape(2, 3), SequencePred, new Shape(2, 3, 3), mask);
        Assert.Equal(3.0 / 3, masked.Result(), 1e-12);
        var both = new SparseCategoricalAccuracy();
        float[] weights = [1, 2, 3, 4, 5, 6];
        both.UpdateState(SequenceLabels, new Shape(2, 3), SequencePred, new Shape(2, 3, 3), weights, new Shape(2, 3), mask);
        Assert.Equal((1 + 2 + 4) / 7.0, both.Result(), 1e-12);
        var perSample = new MeanAbsoluteError();
        float[] t = [0, 0, 0, 0, 0, 0], p = [1, 2, 3, 4, 5, 6];
        perSample.UpdateState(t, new Shape(2, 3, 1), p, new Shape(2, 3, 1), [2, 1], new Shape(2), mask);
        // Steps kept: (sample 0: 1, 2 at weight 2) and (sample 1: 4 at weight 1).
        Assert.Equal((2 * 1 + 2 * 2 + 1 * 4) / 5.0, perSample.Result(), 1e-12);
    }

    [Fact]
    public void WeightsOfTheWrongShapeThrowNamingBothShapes()
    {
        var m = new SparseCategoricalAccuracy();
        var error = Assert.Throws<ArgumentException>(() => m.UpdateState(A(SequenceLabels, 2, 3), A(SequencePred, 2, 3, 3), A([1, 2, 3], 3)));
        Assert.Contains("(3,)", error.Message);
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("sparse_categorical_accuracy", error.Message);
        error = Assert.Throws<ArgumentException>(() => new MeanSquaredError().UpdateState(A([0, 1], 2, 1), A([0, 1], 2, 1), A([1, 2, 3, 4], 2, 2)));
        Assert.Contains("(2, 2)", error.Message);
    }

    [Fact]
    public void StateAddsUpAcrossBatchesAsKeras()
    {
        // Keras' Mean keeps Σ weighted per-sample values and Σ weights: two weighted batches are one batch of both.
        var split = new CategoricalAccuracy();
        split.UpdateState(A([0, 0, 1], 1, 3), A([0.1f, 0.9f, 0.8f], 1, 3), A([0.7f], 1));
        split.UpdateState(A([0, 1, 0], 1, 3), A([0.05f, 0.95f, 0], 1, 3), A([0.3f], 1));
        Assert.Equal(0.3, split.Result(), 1e-6);
        split.ResetState();
        Assert.Equal(0.0, split.Result());
    }
}
