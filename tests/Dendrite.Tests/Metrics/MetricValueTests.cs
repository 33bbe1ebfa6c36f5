using Dendrite.Metrics;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Metrics;

/// <summary>Streaming values over several batches against hand computations, and reset semantics.</summary>
public class MetricValueTests
{
    private static void Update(Metric m, float[] t, int[] tShape, float[] p, int[] pShape) => m.UpdateState(t, new Shape(tShape), p, new Shape(pShape));

    [Fact]
    public void KerasDocstringExamples()
    {
        var categorical = new CategoricalAccuracy();
        Update(categorical, [0, 0, 1, 0, 1, 0], [2, 3], [0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], [2, 3]);
        Assert.Equal(0.5, categorical.Result());

        var sparse = new SparseCategoricalAccuracy();
        Update(sparse, [2, 1], [2, 1], [0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0], [2, 3]);
        Assert.Equal(0.5, sparse.Result());

        var binary = new BinaryAccuracy();
        Update(binary, [1, 1, 0, 0], [4, 1], [0.98f, 1, 0, 0.6f], [4, 1]);
        Assert.Equal(0.75, binary.Result());

        var topK = new TopKCategoricalAccuracy(k: 1);
        Update(topK, [0, 0, 1, 0, 1, 0], [2, 3], [0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], [2, 3]);
        Assert.Equal(0.5, topK.Result());

        var sparseTopK = new SparseTopKCategoricalAccuracy(k: 1);
        Update(sparseTopK, [2, 1], [2], [0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0], [2, 3]);
        Assert.Equal(0.5, sparseTopK.Result());

        var precision = new Precision();
        Update(precision, [0, 1, 1, 1], [4], [1, 0, 1, 1], [4]);
        Assert.Equal(2.0 / 3, precision.Result(), 1e-12);

        var recall = new Recall();
        Update(recall, [0, 1, 1, 1], [4], [1, 0, 1, 1], [4]);
        Assert.Equal(2.0 / 3, recall.Result(), 1e-12);
    }

    /// <summary>Random rows of probabilities and their integer labels, in batches of 7, 5 and 11 rows.</summary>
    private static List<(float[] Labels, float[] P)> ClassBatches(int seed, int classes)
    {
        var rng = new Random(seed);
        var result = new List<(float[], float[])>();
        foreach (int rows in new[] { 7, 5, 11 })
        {
            var labels = new float[rows]; var p = new float[rows * classes];
            for (int r = 0; r < rows; r++)
            {
                labels[r] = rng.Next(classes);
                for (int c = 0; c < classes; c++) p[r * classes + c] = (float)rng.NextDouble();
            }
            result.Add((labels, p));
        }
        return result;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void AccuraciesCountHitsOverEveryBatch(int k)
    {
        const int classes = 5;
        var batches = ClassBatches(seed: 1, classes);
        var sparse = new SparseCategoricalAccuracy();
        var categorical = new CategoricalAccuracy();
        var topK = new TopKCategoricalAccuracy(k);
        var sparseTopK = new SparseTopKCategoricalAccuracy(k);
        int hits = 0, topHits = 0, rows = 0;
        foreach (var (labels, p) in batches)
        {
            int n = labels.Length;
            var oneHot = Utils.ToCategorical(new NDArray<float>(labels, n), classes).ToArray();
            Update(sparse, labels, [n, 1], p, [n, classes]);
            Update(categorical, oneHot, [n, classes], p, [n, classes]);
            Update(topK, oneHot, [n, classes], p, [n, classes]);
            Update(sparseTopK, labels, [n], p, [n, classes]);
            for (int r = 0; r < n; r++)
            {
                var row = p.Skip(r * classes).Take(classes).ToArray();
                int label = (int)labels[r];
                if (Array.IndexOf(row, row.Max()) == label) hits++;
                if (row.Count(v => v > row[label]) < k) topHits++;
                rows++;
            }
        }
        Assert.Equal((double)hits / rows, sparse.Result(), 1e-12);
        Assert.Equal((double)hits / rows, categorical.Result(), 1e-12);
        Assert.Equal((double)topHits / rows, topK.Result(), 1e-12);
        Assert.Equal((double)topHits / rows, sparseTopK.Result(), 1e-12);
        if (k == classes) Assert.Equal(1.0, topK.Result());
    }

    [Fact]
    public void TopKCountsTiesAtTheBoundaryAsHitsAndNonFiniteRowsAsMisses()
    {
        var m = new SparseTopKCategoricalAccuracy(k: 1);
        Update(m, [1, 0, 0], [3], [0.5f, 0.5f, 0.1f, 0.9f, float.NaN, 0.1f, 0.9f, float.PositiveInfinity, 0f], [3, 3]);
        Assert.Equal(1.0 / 3, m.Result(), 1e-12);   // the tie is in (TensorFlow's in_top_k); NaN and ∞ rows are out
    }

    [Fact]
    public void BinaryAccuracyComparesThresholdedPredictionsWithTargetsExactly()
    {
        var m = new BinaryAccuracy(threshold: 0.7f);
        Update(m, [1, 0, 1, 0.5f], [4], [0.71f, 0.7f, 0.69f, 0.9f], [4]);   // 0.7 is not above 0.7; target 0.5 never matches
        Update(m, [0, 0], [2, 1], [0.2f, 0.8f], [2]);
        Assert.Equal(3.0 / 6, m.Result(), 1e-12);
    }

    [Fact]
    public void PrecisionAndRecallAccumulateCountsAcrossBatches()
    {
        var rng = new Random(2);
        var precision = new Precision(thresholds: 0.3f);
        var recall = new Recall(thresholds: 0.3f);
        double tp = 0, fp = 0, fn = 0;
        foreach (int n in new[] { 9, 4, 13 })
        {
            var t = Enumerable.Range(0, n).Select(_ => (float)rng.Next(2)).ToArray();
            var p = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
            Update(precision, t, [n], p, [n, 1]);
            Update(recall, t, [n], p, [n, 1]);
            for (int i = 0; i < n; i++)
            {
                if (p[i] > 0.3f && t[i] == 1) tp++;
                else if (p[i] > 0.3f) fp++;
                else if (t[i] == 1) fn++;
            }
        }
        Assert.Equal(tp / (tp + fp), precision.Result(), 1e-12);
        Assert.Equal(tp / (tp + fn), recall.Result(), 1e-12);
    }

    [Fact]
    public void PrecisionAndRecallAreZeroWithNothingToDivideBy()
    {
        var precision = new Precision();
        var recall = new Recall();
        Update(precision, [1, 1], [2], [0.1f, 0.2f], [2]);   // nothing predicted positive
        Update(recall, [0, 0], [2], [0.9f, 0.2f], [2]);      // no positive target
        Assert.Equal(0.0, precision.Result());
        Assert.Equal(0.0, recall.Result());
    }

    [Fact]
    public void ClassIdScoresOneColumn()
    {
        // Column 1 of three: targets [1, 0, 1], predictions [0.8, 0.6, 0.2] → tp 1, fp 1, fn 1.
        float[] t = [0, 1, 0, 1, 0, 0, 0, 1, 0];
        float[] p = [0.9f, 0.8f, 0.1f, 0.1f, 0.6f, 0.3f, 0.7f, 0.2f, 0.1f];
        var precision = new Precision(classId: 1);
        var recall = new Recall(classId: 1);
        Update(precision, t, [3, 3], p, [3, 3]);
        Update(recall, t, [3, 3], p, [3, 3]);
        Assert.Equal(0.5, precision.Result());
        Assert.Equal(0.5, recall.Result());
        Assert.Contains("classId 3", Assert.Throws<ArgumentException>(() => Update(new Precision(classId: 3), t, [3, 3], p, [3, 3])).Message);
    }

    [Fact]
    public void RegressionMetricsAverageOverSamples()
    {
        var mae = new MeanAbsoluteError();
        var mse = new MeanSquaredError();
        var t1 = Uniform(3, 6); var p1 = Uniform(4, 6);
        var t2 = Uniform(5, 9); var p2 = Uniform(6, 9);
        Update(mae, t1, [2, 3], p1, [2, 3]); Update(mae, t2, [3, 3], p2, [3, 3]);
        Update(mse, t1, [2, 3], p1, [2, 3]); Update(mse, t2, [3, 3], p2, [3, 3]);
        var errors = t1.Concat(t2).Zip(p1.Concat(p2), (a, b) => (double)b - a).ToArray();
        Assert.Equal(errors.Average(Math.Abs), mae.Result(), 1e-12);
        Assert.Equal(errors.Average(e => e * e), mse.Result(), 1e-12);
        // (N,) targets against (N, 1) predictions are one value per sample.
        var single = new MeanAbsoluteError();
        Update(single, [1, 2], [2], [1.5f, 1f], [2, 1]);
        Assert.Equal(0.75, single.Result(), 1e-12);
    }

    [Fact]
    public void ResetStartsOverForEveryMetric()
    {
        Func<Metric>[] makers =
        [
            () => new SparseCategoricalAccuracy(), () => new SparseTopKCategoricalAccuracy(k: 1), () => Metric.Get("accuracy"),
            () => new CategoricalAccuracy(), () => new TopKCategoricalAccuracy(k: 1), () => new Precision(), () => new Recall(),
            () => new MeanAbsoluteError(), () => new MeanSquaredError(), () => new AUC(), () => new BinaryAccuracy(),
        ];
        float[] labels1 = [0, 1, 1]; float[] p1 = [0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f];
        float[] labels2 = [1, 0]; float[] p2 = [0.3f, 0.7f, 0.55f, 0.45f];
        foreach (var make in makers)
        {
            void Feed(Metric m, float[] labels, float[] p)
            {
                int n = labels.Length;
                if (m is SparseCategoricalAccuracy or SparseTopKCategoricalAccuracy or Accuracy) Update(m, labels, [n], p, [n, 2]);
                else Update(m, Utils.ToCategorical(new NDArray<float>(labels, n), 2).ToArray(), [n, 2], p, [n, 2]);
            }
            var metric = make();
            Feed(metric, labels1, p1);
            double first = metric.Result();
            metric.ResetState();
            Assert.Equal(0.0, metric.Result());
            Feed(metric, labels2, p2);
            var fresh = make();
            Feed(fresh, labels2, p2);
            Assert.Equal(fresh.Result(), metric.Result());
            Assert.True(first != metric.Result() || metric is AUC, $"{metric.Name}: the two batches should score differently");
        }
    }
}
