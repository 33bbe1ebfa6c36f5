using Dendrite.Layers;
using Dendrite.Metrics;
using Dendrite.Tests.Datasets;

namespace Dendrite.Tests.Metrics;

/// <summary>The new metrics inside Fit and a saved <c>.keras</c> file: logged by name, compiled configs read back with every option.</summary>
public sealed class ConfusionMetricTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MetricsTrainLogAndRoundTripThroughAModelFile()
    {
        var (x, labels) = TestData.Blobs(120, seed: 2);
        var y = Utils.ToCategorical(labels);
        Metric[] metrics =
        [
            new Precision([0.3f, 0.6f], topK: 2, name: "p"), new Recall(classId: 1), new TruePositives([0.2f, 0.8f]),
            new AUC(multiLabel: true, numLabels: 3, labelWeights: [1, 2, 1], curve: "PR", name: "ml_auc"),
            new F1Score("macro", name: "f1_macro"), new FBetaScore(beta: 0.5, threshold: 0.4f), new R2Score(name: "r2"),
            new MeanIoU(3, sparseYTrue: false, sparseYPred: false), new OneHotIoU(3, [0, 2]), new RecallAtPrecision(0.5),
            "f1_score", "r2_score",
        ];
        var model = new Sequential(new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: metrics);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, verbose: 0);
        foreach (string name in new[] { "p", "recall", "true_positives", "ml_auc", "f1_macro", "f1_score", "fbeta_score", "r2", "r2_score", "mean_io_u", "one_hot_io_u", "recall_at_precision" })
            Assert.True(history.ContainsKey(name), $"{name} was not logged: {string.Join(", ", history.Keys)}");
        Assert.InRange(history["ml_auc"][^1], 0.0, 1.0);

        string path = _dir.Sub("metrics.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Metrics.Count, loaded.Metrics.Count);
        for (int i = 0; i < model.Metrics.Count; i++)
        {
            Assert.Equal(model.Metrics[i].GetType(), loaded.Metrics[i].GetType());
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(model.Metrics[i].GetConfig(), loaded.Metrics[i].GetConfig()), model.Metrics[i].Name);
        }
        var auc = Assert.IsType<AUC>(loaded.Metrics.Single(m => m.Name == "ml_auc"));
        Assert.True(auc.MultiLabel);
        Assert.Equal([1f, 2f, 1f], auc.LabelWeights!);
    }
}
