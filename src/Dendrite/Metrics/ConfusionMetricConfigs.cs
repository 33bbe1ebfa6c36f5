using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Metrics;

// Keras configs of the confusion-matrix metrics (Precision, Recall, TruePositives…, AUC), the F-scores, R2Score and
// the IoU metrics: Keras 3's get_config keys, read back with every option.

internal static class ConfusionMetricConfigs
{
    /// <summary>Keras' <c>thresholds</c> as given: null (the default), one number, or a list of numbers.</summary>
    public static JsonNode? Thresholds(float[]? thresholds, bool asList)
    {
        if (thresholds is null) return null;
        if (!asList) return KerasObject.Float(thresholds[0]);
        var list = new JsonArray();
        foreach (float t in thresholds) list.Add(KerasObject.Float(t));
        return list;
    }

    /// <summary>Reads <c>thresholds</c>: (null, false) when absent or null, (values, false) for one number, (values, true) for a list.</summary>
    public static (float[]? Values, bool AsList) ReadThresholds(ConfigReader c, string key = "thresholds")
    {
        var node = c.Node(key);
        if (node is null) return (null, false);
        if (ConfigReader.ToDouble(node) is double single) return ([(float)single], false);
        if (node is not JsonArray list) throw c.Cannot(key, "a number or a list of numbers was expected.");
        var values = new float[list.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = list[i] is { } n && ConfigReader.ToDouble(n) is double v ? (float)v
                : throw c.Cannot(key, $"Threshold values must be in [0, 1]. Received: [{(list[i] is null ? "None" : ConfigReader.Describe(list[i]!))}]");
        return (values, true);
    }

    /// <summary>
    /// A list of floats (AUC's <c>label_weights</c>), or null. Keras keeps label weights as a tensor, which its
    /// serializer writes as <c>{"class_name": "__tensor__", "config": {"value": [...]}}</c>: that form is read too.
    /// </summary>
    public static float[]? Floats(ConfigReader c, string key)
    {
        var node = c.Node(key);
        if (node is null) return null;
        if (node is JsonObject { } tensor && tensor["class_name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && tensor["class_name"]!.GetValue<string>() == "__tensor__")
            node = tensor["config"]?["value"] ?? throw c.Cannot(key, "the tensor has no value.");
        if (node is not JsonArray list) throw c.Cannot(key, "a list of numbers was expected.");
        return [.. list.Select(n => n is not null && ConfigReader.ToDouble(n) is double v ? (float)v : throw c.Cannot(key, "a list of numbers was expected."))];
    }

    /// <summary>A list of numbers as JSON.</summary>
    public static JsonArray FloatList(IEnumerable<float> values)
    {
        var list = new JsonArray();
        foreach (float v in values) list.Add(KerasObject.Float(v));
        return list;
    }

    /// <summary>A required integer key.</summary>
    public static int RequiredInt(ConfigReader c, string key) => c.OptionalInt(key) ?? throw c.Fail($"the key \"{key}\" is missing.");
}

public abstract partial class ThresholdMetric
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["thresholds"] = ConfusionMetricConfigs.Thresholds(InitialThresholds, ThresholdsGivenAsList);
        config["top_k"] = TopK;
        config["class_id"] = ClassId;
        return config;
    }

    /// <summary>Reads the threshold keys and makes the metric.</summary>
    private protected static T Read<T>(JsonObject config, string className, string defaultName, Func<float[]?, bool, int?, int?, string, T> create) where T : ThresholdMetric =>
        MetricConfigs.Read(config, className, defaultName, (c, name) =>
        {
            var (thresholds, asList) = ConfusionMetricConfigs.ReadThresholds(c);
            return create(thresholds, asList, c.OptionalInt("top_k"), c.OptionalInt("class_id"), name);
        });
}

public sealed partial class Precision
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static Precision FromConfig(JsonObject config) => Read(config, "Precision", "precision",
        (t, list, k, id, name) => list || t is null ? new Precision(t, k, id, name) : new Precision(t[0], k, id, name));
}

public sealed partial class Recall
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static Recall FromConfig(JsonObject config) => Read(config, "Recall", "recall",
        (t, list, k, id, name) => list || t is null ? new Recall(t, k, id, name) : new Recall(t[0], k, id, name));
}

public abstract partial class ConfusionCountMetric
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["thresholds"] = ConfusionMetricConfigs.Thresholds(InitialThresholds, ThresholdsGivenAsList);
        return config;
    }

    /// <summary>Reads the keys and makes the metric.</summary>
    private protected static T Read<T>(JsonObject config, string className, string defaultName, Func<float[]?, bool, string, T> create) where T : ConfusionCountMetric =>
        MetricConfigs.Read(config, className, defaultName, (c, name) =>
        {
            var (thresholds, asList) = ConfusionMetricConfigs.ReadThresholds(c);
            return create(thresholds, asList, name);
        });
}

public sealed partial class TruePositives
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static TruePositives FromConfig(JsonObject config) => Read(config, "TruePositives", "true_positives",
        (t, list, name) => list || t is null ? new TruePositives(t, name) : new TruePositives(t[0], name));
}

public sealed partial class FalsePositives
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static FalsePositives FromConfig(JsonObject config) => Read(config, "FalsePositives", "false_positives",
        (t, list, name) => list || t is null ? new FalsePositives(t, name) : new FalsePositives(t[0], name));
}

public sealed partial class TrueNegatives
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static TrueNegatives FromConfig(JsonObject config) => Read(config, "TrueNegatives", "true_negatives",
        (t, list, name) => list || t is null ? new TrueNegatives(t, name) : new TrueNegatives(t[0], name));
}

public sealed partial class FalseNegatives
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static FalseNegatives FromConfig(JsonObject config) => Read(config, "FalseNegatives", "false_negatives",
        (t, list, name) => list || t is null ? new FalseNegatives(t, name) : new FalseNegatives(t[0], name));
}

public sealed partial class AUC
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["num_thresholds"] = NumThresholds;
        config["curve"] = Curve;
        config["summation_method"] = SummationMethod;
        config["multi_label"] = MultiLabel;
        config["num_labels"] = NumLabels;
        config["label_weights"] = LabelWeights is null ? null : ConfusionMetricConfigs.FloatList(LabelWeights);
        config["from_logits"] = FromLogits;
        if (ThresholdsGiven) config["thresholds"] = ConfusionMetricConfigs.FloatList(Thresholds.Skip(1).Take(Thresholds.Count - 2));
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static AUC FromConfig(JsonObject config) => MetricConfigs.Read(config, "AUC", "auc", (c, name) =>
    {
        var thresholds = ConfusionMetricConfigs.Floats(c, "thresholds");
        int count = c.Node("num_thresholds") is null ? 200 : c.Int("num_thresholds", 200);
        return new AUC(thresholds is null ? count : thresholds.Length + 2, c.String("curve", "ROC"), c.String("summation_method", "interpolation"), name,
            thresholds, c.Bool("multi_label", false), c.OptionalInt("num_labels"), ConfusionMetricConfigs.Floats(c, "label_weights"), c.Bool("from_logits", false));
    });
}

public partial class FBetaScore
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["average"] = Average;
        config["beta"] = Beta;
        config["threshold"] = Threshold is float t ? KerasObject.Float(t) : null;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static FBetaScore FromConfig(JsonObject config) => MetricConfigs.Read(config, "FBetaScore", "fbeta_score", (c, name) =>
        new FBetaScore(c.OptionalString("average"), c.Double("beta", 1.0), (float?)c.OptionalDouble("threshold"), name));
}

public sealed partial class F1Score
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config.Remove("beta");
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static new F1Score FromConfig(JsonObject config) => MetricConfigs.Read(config, "F1Score", "f1_score", (c, name) =>
        new F1Score(c.OptionalString("average"), (float?)c.OptionalDouble("threshold"), name));
}

public sealed partial class R2Score
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["class_aggregation"] = ClassAggregation;
        config["num_regressors"] = NumRegressors;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static R2Score FromConfig(JsonObject config) => MetricConfigs.Read(config, "R2Score", "r2_score", (c, name) =>
        new R2Score(c.Has("class_aggregation") ? c.OptionalString("class_aggregation") : "uniform_average", c.Int("num_regressors", 0), name));
}

public partial class IoU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["num_classes"] = NumClasses;
        config["target_class_ids"] = KerasObject.Ints([.. TargetClassIds]);
        config["ignore_class"] = IgnoreClass;
        config["sparse_y_true"] = SparseYTrue;
        config["sparse_y_pred"] = SparseYPred;
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static IoU FromConfig(JsonObject config) => MetricConfigs.Read(config, "IoU", "io_u", (c, name) =>
        new IoU(ConfusionMetricConfigs.RequiredInt(c, "num_classes"), c.IntList("target_class_ids", c.Node("target_class_ids")), name,
            c.OptionalInt("ignore_class"), c.Bool("sparse_y_true", true), c.Bool("sparse_y_pred", true), c.Int("axis", -1)));
}

public partial class MeanIoU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config.Remove("target_class_ids");
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static new MeanIoU FromConfig(JsonObject config) => MetricConfigs.Read(config, "MeanIoU", "mean_io_u", (c, name) =>
        new MeanIoU(ConfusionMetricConfigs.RequiredInt(c, "num_classes"), name, c.OptionalInt("ignore_class"), c.Bool("sparse_y_true", true),
            c.Bool("sparse_y_pred", true), c.Int("axis", -1)));
}

public sealed partial class BinaryIoU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["target_class_ids"] = KerasObject.Ints([.. TargetClassIds]),
        ["threshold"] = KerasObject.Float(Threshold),
        ["name"] = Name,
        ["dtype"] = "float32",
    };

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static new BinaryIoU FromConfig(JsonObject config) => MetricConfigs.Read(config, "BinaryIoU", "binary_io_u", (c, name) =>
        new BinaryIoU(c.Node("target_class_ids") is { } ids ? c.IntList("target_class_ids", ids) : null, (float)c.Double("threshold", 0.5), name));
}

public sealed partial class OneHotIoU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config.Remove("sparse_y_true");
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static new OneHotIoU FromConfig(JsonObject config) => MetricConfigs.Read(config, "OneHotIoU", "one_hot_io_u", (c, name) =>
        new OneHotIoU(ConfusionMetricConfigs.RequiredInt(c, "num_classes"), c.IntList("target_class_ids", c.Node("target_class_ids")), name,
            c.OptionalInt("ignore_class"), c.Bool("sparse_y_pred", false), c.Int("axis", -1)));
}

public sealed partial class OneHotMeanIoU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config.Remove("sparse_y_true");
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static new OneHotMeanIoU FromConfig(JsonObject config) => MetricConfigs.Read(config, "OneHotMeanIoU", "one_hot_mean_io_u", (c, name) =>
        new OneHotMeanIoU(ConfusionMetricConfigs.RequiredInt(c, "num_classes"), name, c.OptionalInt("ignore_class"), c.Bool("sparse_y_pred", false), c.Int("axis", -1)));
}

public abstract partial class SensitivitySpecificityBase
{
    /// <summary>The Keras key of the target value (<c>specificity</c>, <c>sensitivity</c>, <c>recall</c>, <c>precision</c>).</summary>
    private protected abstract string ValueKey { get; }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["class_id"] = ClassId;
        config["num_thresholds"] = NumThresholds;
        config[ValueKey] = Value;
        return config;
    }

    /// <summary>Reads the keys and makes the metric.</summary>
    private protected static T Read<T>(JsonObject config, string className, string defaultName, string valueKey, Func<double, int, int?, string, T> create) where T : SensitivitySpecificityBase =>
        MetricConfigs.Read(config, className, defaultName, (c, name) =>
            create(c.OptionalDouble(valueKey) ?? throw c.Fail($"the key \"{valueKey}\" is missing."), c.Int("num_thresholds", 200), c.OptionalInt("class_id"), name));
}

public sealed partial class SensitivityAtSpecificity
{
    private protected override string ValueKey => "specificity";

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SensitivityAtSpecificity FromConfig(JsonObject config) =>
        Read(config, "SensitivityAtSpecificity", "sensitivity_at_specificity", "specificity", (v, n, id, name) => new SensitivityAtSpecificity(v, n, id, name));
}

public sealed partial class SpecificityAtSensitivity
{
    private protected override string ValueKey => "sensitivity";

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SpecificityAtSensitivity FromConfig(JsonObject config) =>
        Read(config, "SpecificityAtSensitivity", "specificity_at_sensitivity", "sensitivity", (v, n, id, name) => new SpecificityAtSensitivity(v, n, id, name));
}

public sealed partial class PrecisionAtRecall
{
    private protected override string ValueKey => "recall";

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static PrecisionAtRecall FromConfig(JsonObject config) =>
        Read(config, "PrecisionAtRecall", "precision_at_recall", "recall", (v, n, id, name) => new PrecisionAtRecall(v, n, id, name));
}

public sealed partial class RecallAtPrecision
{
    private protected override string ValueKey => "precision";

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static RecallAtPrecision FromConfig(JsonObject config) =>
        Read(config, "RecallAtPrecision", "recall_at_precision", "precision", (v, n, id, name) => new RecallAtPrecision(v, n, id, name));
}
