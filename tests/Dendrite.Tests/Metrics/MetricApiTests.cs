using Dendrite.Callbacks;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Tests.Losses;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Metrics;

/// <summary>Keras names and aliases, logged names, and the errors wrong shapes and labels give.</summary>
public class MetricApiTests
{
    [Theory]
    [InlineData("accuracy", typeof(ResolvedAccuracy))]   // the string resolves by shape (Keras' compile_utils.get_metric), unlike the class Accuracy
    [InlineData("acc", typeof(ResolvedAccuracy))]
    [InlineData("Accuracy", typeof(ResolvedAccuracy))]
    [InlineData("binary_accuracy", typeof(BinaryAccuracy))]
    [InlineData("categorical_accuracy", typeof(CategoricalAccuracy))]
    [InlineData("sparse_categorical_accuracy", typeof(SparseCategoricalAccuracy))]
    [InlineData("top_k_categorical_accuracy", typeof(TopKCategoricalAccuracy))]
    [InlineData("TopKCategoricalAccuracy", typeof(TopKCategoricalAccuracy))]
    [InlineData("sparse_top_k_categorical_accuracy", typeof(SparseTopKCategoricalAccuracy))]
    [InlineData("precision", typeof(Precision))]
    [InlineData("recall", typeof(Recall))]
    [InlineData("auc", typeof(AUC))]
    [InlineData("AUC", typeof(AUC))]
    [InlineData("mean_absolute_error", typeof(MeanAbsoluteError))]
    [InlineData("mae", typeof(MeanAbsoluteError))]
    [InlineData("mean_squared_error", typeof(MeanSquaredError))]
    [InlineData("mse", typeof(MeanSquaredError))]
    public void NamesResolveAndAreLoggedAsGiven(string name, Type type)
    {
        // Keras' compile names a metric given as a string by that string: "mae" logs as mae.
        Metric metric = name;
        Assert.IsType(type, metric);
        Assert.Equal(name, metric.Name);
    }

    [Fact]
    public void DefaultNamesAndArgumentsAreKeras()
    {
        Assert.Equal("precision", new Precision().Name);
        Assert.Equal(0.5f, new Precision().Threshold);
        Assert.Equal("recall", new Recall().Name);
        Assert.Equal("auc", new AUC().Name);
        Assert.Equal("top_k_categorical_accuracy", new TopKCategoricalAccuracy().Name);
        Assert.Equal(5, new TopKCategoricalAccuracy().K);
        Assert.Equal("sparse_top_k_categorical_accuracy", new SparseTopKCategoricalAccuracy().Name);
        Assert.Equal(5, new SparseTopKCategoricalAccuracy().K);
        Assert.Equal("mean_absolute_error", new MeanAbsoluteError().Name);
        Assert.Equal("mean_squared_error", new MeanSquaredError().Name);
        Assert.Equal(0.5f, new BinaryAccuracy().Threshold);
        Assert.Equal("accuracy", new Accuracy().Name);
    }

    [Fact]
    public void UnknownNamesAndBadArgumentsThrow()
    {
        var error = Assert.Throws<ArgumentException>(() => Metric.Get("f1"));
        Assert.Contains("'f1'", error.Message);
        Assert.Contains("auc", error.Message);
        Assert.Throws<ArgumentException>(() => new Precision(thresholds: 1.5f));
        Assert.Throws<ArgumentException>(() => new Recall(thresholds: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(classId: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKCategoricalAccuracy(k: 0));
        Assert.Throws<ArgumentException>(() => new BinaryAccuracy(threshold: 1f));
    }

    [Fact]
    public void WrongShapesThrowNamingTheMetricAndTheShapes()
    {
        var p = Uniform(1, 12, 0, 1);
        foreach (var (metric, t, tShape) in new (Metric, float[], int[])[]
        {
            (new CategoricalAccuracy(), [0, 1, 2, 0], [4]),
            (new TopKCategoricalAccuracy(), [0, 1, 2, 0], [4]),
            (new BinaryAccuracy(), new float[12], [3, 4]),
            (new Precision(), new float[6], [6]),
            (new Recall(), new float[12], [12]),
            (new MeanAbsoluteError(), new float[4], [4]),
            (new MeanSquaredError(), new float[12], [4, 3, 1, 1]),
            (new SparseCategoricalAccuracy(), new float[12], [4, 3]),
            (new SparseTopKCategoricalAccuracy(), new float[3], [3]),
        })
        {
            var error = Assert.Throws<ArgumentException>(() => metric.UpdateState(t, new Shape(tShape), p, new Shape(4, 3)));
            Assert.Contains(metric.Name, error.Message);
            Assert.Contains("(4, 3)", error.Message);
        }
        Assert.Contains("sparse_categorical_accuracy", Assert.Throws<ArgumentException>(() =>
            new CategoricalAccuracy().UpdateState([0, 1, 2, 0], new Shape(4), p, new Shape(4, 3))).Message);
        Assert.Contains("holds 11 values", Assert.Throws<ArgumentException>(() =>
            new Precision().UpdateState(new float[12], new Shape(4, 3), p.AsSpan(0, 11), new Shape(4, 3))).Message);
    }

    [Theory]
    [InlineData(3f, "3")]
    [InlineData(-1f, "-1")]
    [InlineData(1.5f, "1.5")]
    public void SparseLabelsOutsideTheClassesThrow(float label, string shown)
    {
        var p = Uniform(2, 9, 0, 1);
        foreach (var metric in new Metric[] { new SparseCategoricalAccuracy(), new SparseTopKCategoricalAccuracy(k: 2), Metric.Get("accuracy") })
        {
            var error = Assert.Throws<ArgumentException>(() => metric.UpdateState([0, label, 1], new Shape(3), p, new Shape(3, 3)));
            Assert.Contains($"label value of {shown} at index 1", error.Message);
            Assert.Contains("[0, 2]", error.Message);
        }
    }

    [Fact]
    public void AccuracyResolvesFromTheShapesUnderTheNameItWasGiven()
    {
        var acc = Metric.Get("acc");
        acc.UpdateState([1, 0], new Shape(2, 1), [0.8f, 0.7f], new Shape(2, 1));   // one column: binary
        Assert.Equal(0.5, acc.Result());
        var categorical = Metric.Get("accuracy");
        categorical.UpdateState([0, 1, 1, 0], new Shape(2, 2), [0.2f, 0.8f, 0.1f, 0.9f], new Shape(2, 2));   // one-hot: categorical
        Assert.Equal(0.5, categorical.Result());
        var sparse = Metric.Get("accuracy");
        sparse.UpdateState([1, 1], new Shape(2, 1), [0.2f, 0.8f, 0.1f, 0.9f], new Shape(2, 2));             // a label column: sparse
        Assert.Equal(1.0, sparse.Result());
        var binary = Metric.Get("accuracy");
        binary.UpdateState([1, 1], new Shape(2), [0.2f, 0.8f], new Shape(2, 1));                             // (N,) against one column: binary
        Assert.Equal(0.5, binary.Result());
    }

    [Fact]
    public void MetricsAreLoggedUnderTheirNamesThroughFitAndValidation()
    {
        var (x, y) = LossTrainingTests.BinaryBlobs(200, seed: 3);
        var model = new Sequential(
            new Dense(8, activation: "relu", kernelInitializer: new GlorotUniform(4)),
            new Dense(1, activation: "sigmoid", kernelInitializer: new GlorotUniform(5)));
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "bce",
            metrics: ["acc", new AUC(curve: "PR", name: "pr_auc"), "auc", "mae", new Recall(thresholds: 0.3f, name: "recall_at_0.3")]);
        var history = model.Fit(x, y, epochs: 3, batchSize: 32, validationSplit: 0.25, verbose: 0,
            callbacks: [new EarlyStopping(monitor: "val_mae", patience: 5)]);
        Assert.Equal(["acc", "auc", "loss", "mae", "pr_auc", "recall_at_0.3", "val_acc", "val_auc", "val_loss", "val_mae", "val_pr_auc", "val_recall_at_0.3"], history.Keys);
        var evaluation = model.Evaluate(x, y, verbose: 0);
        Assert.Equal(["loss", "acc", "pr_auc", "auc", "mae", "recall_at_0.3"], evaluation.Keys);
        Assert.All(evaluation.Values, v => Assert.InRange(v, 0, 1 + 1e-9));   // a sum of trapezoids may pass 1 by a rounding
    }

    [Fact]
    public void EvaluateScoresEveryPredictionOnce()
    {
        // Evaluate in uneven batches gives the metric of the whole set, computed here from Predict.
        var (x, y) = LossTrainingTests.BinaryBlobs(103, seed: 6);
        var model = new Sequential(new Dense(1, activation: "sigmoid", kernelInitializer: new GlorotUniform(7)));
        model.Compile(loss: "binary_crossentropy", metrics: ["auc", "precision", "mse"]);
        model.Build(2);
        var result = model.Evaluate(x, y, batchSize: 10, verbose: 0);
        var predictions = model.Predict(x, verbose: 0).ToArray();
        var targets = y.ToArray();
        Assert.Equal(AucReference.Auc(targets, predictions, AucReference.Thresholds(200), "ROC", "interpolation"), result["auc"], 1e-9);
        double tp = targets.Zip(predictions).Count(z => z.First == 1 && z.Second > 0.5f);
        double fp = targets.Zip(predictions).Count(z => z.First == 0 && z.Second > 0.5f);
        Assert.Equal(tp / (tp + fp), result["precision"], 1e-9);
        Assert.Equal(targets.Zip(predictions, (a, b) => (double)(b - a) * (b - a)).Average(), result["mse"], 1e-6);
    }
}
