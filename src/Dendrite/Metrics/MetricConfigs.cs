using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Metrics;

// Keras configs of the metrics: Keras 3's keys (name, dtype, and each metric's arguments), read back refusing what
// Dendrite cannot honour.

internal static class MetricConfigs
{
    /// <summary>Keras class name → reader, for every metric Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Metric>> Builtins = new Dictionary<string, Func<JsonObject, Metric>>(StringComparer.Ordinal)
    {
        ["Accuracy"] = Accuracy.FromConfig,
        ["SparseCategoricalAccuracy"] = SparseCategoricalAccuracy.FromConfig,
        ["CategoricalAccuracy"] = CategoricalAccuracy.FromConfig,
        ["BinaryAccuracy"] = BinaryAccuracy.FromConfig,
        ["TopKCategoricalAccuracy"] = TopKCategoricalAccuracy.FromConfig,
        ["SparseTopKCategoricalAccuracy"] = SparseTopKCategoricalAccuracy.FromConfig,
        ["Precision"] = Precision.FromConfig,
        ["Recall"] = Recall.FromConfig,
        ["AUC"] = AUC.FromConfig,
        ["MeanAbsoluteError"] = MeanAbsoluteError.FromConfig,
        ["MeanSquaredError"] = MeanSquaredError.FromConfig,
        ["MeanAbsolutePercentageError"] = MeanAbsolutePercentageError.FromConfig,
        ["MeanSquaredLogarithmicError"] = MeanSquaredLogarithmicError.FromConfig,
        ["LogCoshError"] = LogCoshError.FromConfig,
        ["CosineSimilarity"] = CosineSimilarity.FromConfig,
        ["Poisson"] = Poisson.FromConfig,
        ["KLDivergence"] = KLDivergence.FromConfig,
        ["Hinge"] = Hinge.FromConfig,
        ["SquaredHinge"] = SquaredHinge.FromConfig,
        ["CategoricalHinge"] = CategoricalHinge.FromConfig,
        ["BinaryCrossentropy"] = BinaryCrossentropy.FromConfig,
        ["CategoricalCrossentropy"] = CategoricalCrossentropy.FromConfig,
        ["SparseCategoricalCrossentropy"] = SparseCategoricalCrossentropy.FromConfig,
        ["MeanMetricWrapper"] = FromWrapper,
        // Confusion-matrix, F-score, R² and IoU metrics (ConfusionMetricConfigs.cs).
        ["TruePositives"] = TruePositives.FromConfig,
        ["FalsePositives"] = FalsePositives.FromConfig,
        ["TrueNegatives"] = TrueNegatives.FromConfig,
        ["FalseNegatives"] = FalseNegatives.FromConfig,
        ["FBetaScore"] = FBetaScore.FromConfig,
        ["F1Score"] = F1Score.FromConfig,
        ["R2Score"] = R2Score.FromConfig,
        ["IoU"] = IoU.FromConfig,
        ["MeanIoU"] = MeanIoU.FromConfig,
        ["BinaryIoU"] = BinaryIoU.FromConfig,
        ["OneHotIoU"] = OneHotIoU.FromConfig,
        ["OneHotMeanIoU"] = OneHotMeanIoU.FromConfig,
        ["SensitivityAtSpecificity"] = SensitivityAtSpecificity.FromConfig,
        ["SpecificityAtSensitivity"] = SpecificityAtSensitivity.FromConfig,
        ["PrecisionAtRecall"] = PrecisionAtRecall.FromConfig,
        ["RecallAtPrecision"] = RecallAtPrecision.FromConfig,
    };

    /// <summary>tf.keras' <c>MeanMetricWrapper</c> around a metric function, as legacy files write compiled metrics: the function's metric under the wrapper's name.</summary>
    private static Metric FromWrapper(JsonObject config) => Read(config, "MeanMetricWrapper", "mean_metric_wrapper", (c, name) =>
    {
        string fn = c.OptionalString("fn") ?? throw c.Fail("\"fn\" is missing.");
        // Logged under the wrapper's name, computed as the function says.
        try
        {
            return fn switch
            {
                "categorical_accuracy" => new CategoricalAccuracy(name),
                "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(name),
                "binary_accuracy" => new BinaryAccuracy(name),
                "accuracy" => new Accuracy(name), // the function keras.metrics.accuracy: exact matches (the string "accuracy" was resolved to one of the above before it was wrapped)
                _ => Metric.Get(fn),
            };
        }
        catch (ArgumentException e) { throw c.Cannot("fn", e.Message); }
    });

    /// <summary>A metric from a compile config: a Keras name, a serialized object, or a custom object passed by name.</summary>
    public static Metric Deserialize(JsonNode? node, string where) => KerasRegistry.Deserialize(node, "metric", where, Builtins, Metric.Get);

    /// <summary>Reads the keys every metric has and makes the metric (which receives its name).</summary>
    public static T Read<T>(JsonObject config, string className, string defaultName, Func<ConfigReader, string, T> create) where T : Metric =>
        KerasRegistry.ReadConfig(config, $"metric {className}", c =>
        {
            string name = c.String("name", defaultName);
            var dtype = c.Node("dtype");
            if (dtype is not null && ConfigReader.Describe(dtype) is not ("\"float32\"" or "null"))
                throw c.Cannot("dtype", "Dendrite keeps metric state in float32 and double only.");
            return create(c, name);
        });
}

public sealed partial class Accuracy
{
    /// <summary>Rebuilds the metric from its Keras config (<c>class_name</c> "Accuracy": Keras' exact-match class).</summary>
    public static Accuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "Accuracy", "accuracy", (_, name) => new Accuracy(name));
}

public sealed partial class SparseCategoricalAccuracy
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SparseCategoricalAccuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "SparseCategoricalAccuracy", "sparse_categorical_accuracy", (_, name) => new SparseCategoricalAccuracy(name));
}

public sealed partial class CategoricalAccuracy
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static CategoricalAccuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "CategoricalAccuracy", "categorical_accuracy", (_, name) => new CategoricalAccuracy(name));
}

public sealed partial class BinaryAccuracy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["threshold"] = KerasObject.Float(Threshold);
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static BinaryAccuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "BinaryAccuracy", "binary_accuracy", (c, name) => new BinaryAccuracy(name, (float)c.Double("threshold", 0.5)));
}

public sealed partial class TopKCategoricalAccuracy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["k"] = K;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static TopKCategoricalAccuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "TopKCategoricalAccuracy", "top_k_categorical_accuracy", (c, name) => new TopKCategoricalAccuracy(c.Int("k", 5), name));
}

public sealed partial class SparseTopKCategoricalAccuracy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["k"] = K;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SparseTopKCategoricalAccuracy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", (c, name) =>
        {
            c.RequireUnset("from_sorted_ids", "Dendrite's top-k accuracy reads scores, not sorted class ids.");
            return new SparseTopKCategoricalAccuracy(c.Int("k", 5), name);
        });
}

public sealed partial class MeanAbsoluteError
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static MeanAbsoluteError FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "MeanAbsoluteError", "mean_absolute_error", (_, name) => new MeanAbsoluteError(name));
}

public sealed partial class MeanSquaredError
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static MeanSquaredError FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "MeanSquaredError", "mean_squared_error", (_, name) => new MeanSquaredError(name));
}
