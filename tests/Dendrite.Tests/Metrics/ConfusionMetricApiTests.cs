using Dendrite.Metrics;
using static Dendrite.Tests.Metrics.MetricInputs;

namespace Dendrite.Tests.Metrics;

/// <summary>Keras names of the confusion, F-score, R² and IoU metrics, their allocation-free updates, and vector results.</summary>
public class ConfusionMetricApiTests
{
    [Theory]
    [InlineData("true_positives", typeof(TruePositives))]
    [InlineData("TruePositives", typeof(TruePositives))]
    [InlineData("false_positives", typeof(FalsePositives))]
    [InlineData("true_negatives", typeof(TrueNegatives))]
    [InlineData("false_negatives", typeof(FalseNegatives))]
    [InlineData("f1_score", typeof(F1Score))]
    [InlineData("F1Score", typeof(F1Score))]
    [InlineData("f_beta_score", typeof(FBetaScore))]
    [InlineData("FBetaScore", typeof(FBetaScore))]
    [InlineData("r2_score", typeof(R2Score))]
    [InlineData("R2Score", typeof(R2Score))]
    [InlineData("binary_io_u", typeof(BinaryIoU))]
    [InlineData("BinaryIoU", typeof(BinaryIoU))]
    public void KerasNamesResolve(string name, Type type)
    {
        // Keras' metrics.get: ALL_OBJECTS_DICT holds each class name and its to_snake_case form.
        Metric metric = name;
        Assert.IsType(type, metric);
        Assert.Equal(name, metric.Name);
    }

    [Fact]
    public void DefaultNamesAreKeras()
    {
        Assert.Equal("true_positives", new TruePositives().Name);
        Assert.Equal("false_negatives", new FalseNegatives().Name);
        Assert.Equal("f1_score", new F1Score().Name);
        Assert.Equal("fbeta_score", new FBetaScore().Name);
        Assert.Equal("r2_score", new R2Score().Name);
        Assert.Equal("io_u", new IoU(2, [0]).Name);
        Assert.Equal("mean_io_u", new MeanIoU(2).Name);
        Assert.Equal("binary_io_u", new BinaryIoU().Name);
        Assert.Equal("one_hot_io_u", new OneHotIoU(2, [0]).Name);
        Assert.Equal("one_hot_mean_io_u", new OneHotMeanIoU(2).Name);
        Assert.Throws<ArgumentException>(() => Metric.Get("mean_io_u")); // needs num_classes, as in Keras
    }

    [Fact]
    public void VectorResultsAreReadWithoutAllocating()
    {
        var f1 = new F1Score();
        Update(f1, M([1, 0], [0, 1]), M([0.9f, 0.1f], [0.2f, 0.8f]));
        Assert.Equal(2, f1.ResultCount);
        Span<double> values = stackalloc double[2];
        f1.CopyResults(values);
        Assert.Equal(f1.Result(), values[0]);
        Assert.Throws<ArgumentException>(() => f1.CopyResults(new double[1]));
        Assert.Equal(1, new F1Score("macro").Let(m => { Update(m, M([1, 0]), M([1, 0])); return m.ResultCount; }));
    }

    public static TheoryData<string> Metrics => ["precision list top-k", "recall class", "tp list", "auc multi-label", "auc flat label weights", "f1 macro", "fbeta none", "r2", "mean iou dense", "binary iou", "recall at precision"];

    private static Metric Make(string kind) => kind switch
    {
        "precision list top-k" => new Precision([0.2f, 0.5f, 0.9f], topK: 2),
        "recall class" => new Recall(classId: 1),
        "tp list" => new TruePositives([0, 0.25f, 0.5f, 0.75f, 1]),
        "auc multi-label" => new AUC(multiLabel: true, curve: "PR"),
        "auc flat label weights" => new AUC(labelWeights: [1, 2, 3, 4], fromLogits: true),
        "f1 macro" => new F1Score("macro"),
        "fbeta none" => new FBetaScore(beta: 2, threshold: 0.5f),
        "r2" => new R2Score("variance_weighted_average", numRegressors: 1),
        "mean iou dense" => new MeanIoU(4, sparseYTrue: false, sparseYPred: false),
        "recall at precision" => new RecallAtPrecision(0.3, classId: 2),
        _ => new BinaryIoU(),
    };

    [Theory]
    [MemberData(nameof(Metrics))]
    public void SteadyUpdatesAllocateNothing(string kind)
    {
        var metric = Make(kind);
        var rng = new Random(5);
        int rows = 32;
        var t = new float[rows * 4];
        for (int r = 0; r < rows; r++) t[r * 4 + rng.Next(4)] = 1;
        var p = Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble()).ToArray();
        // IoU weighs each label after flattening (Keras), so BinaryIoU takes one weight per element.
        int perRow = kind == "binary iou" ? 4 : 1;
        var w = Enumerable.Range(0, rows * perRow).Select(_ => (float)rng.NextDouble()).ToArray();
        var shape = new Shape(rows, 4);
        var weightShape = perRow == 1 ? new Shape(rows) : shape;
        void Step()
        {
            metric.UpdateState(t, shape, p, shape, w, weightShape);
            metric.UpdateState(t, shape, p, shape);
            metric.Result();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(metric.StateLength > 0);
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void AdditiveStatesSumAcrossShards(string kind)
    {
        // Data-parallel training sums states across ranks: two shards summed give the metric of the whole batch.
        var rng = new Random(9);
        int rows = 24;
        var t = new float[rows * 4];
        for (int r = 0; r < rows; r++) t[r * 4 + rng.Next(4)] = 1;
        var p = Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble()).ToArray();
        int perRow = kind == "binary iou" ? 4 : 1;
        var w = Enumerable.Range(0, rows * perRow).Select(_ => (float)rng.NextDouble() + 0.1f).ToArray();
        Shape WeightShape(int n) => perRow == 1 ? new Shape(n) : new Shape(n, 4);
        var whole = Make(kind);
        whole.UpdateState(t, new Shape(rows, 4), p, new Shape(rows, 4), w, WeightShape(rows));
        var first = Make(kind);
        var second = Make(kind);
        int half = rows / 2;
        first.UpdateState(t.AsSpan(0, half * 4), new Shape(half, 4), p.AsSpan(0, half * 4), new Shape(half, 4), w.AsSpan(0, half * perRow), WeightShape(half));
        second.UpdateState(t.AsSpan(half * 4), new Shape(half, 4), p.AsSpan(half * 4), new Shape(half, 4), w.AsSpan(half * perRow), WeightShape(half));
        var a = new double[first.StateLength];
        var b = new double[second.StateLength];
        first.CopyState(a);
        second.CopyState(b);
        for (int i = 0; i < a.Length; i++) a[i] += b[i];
        first.SetState(a);
        Assert.Equal(whole.Result(), first.Result(), 10);
        Assert.NotEqual(0.0, whole.Result());
    }
}
