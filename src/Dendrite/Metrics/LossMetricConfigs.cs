using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Metrics;

// Keras configs of the loss metrics: name and dtype, and the arguments Keras' get_config writes.

public sealed partial class Hinge
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static Hinge FromConfig(JsonObject config) => MetricConfigs.Read(config, "Hinge", "hinge", (_, name) => new Hinge(name));
}

public sealed partial class SquaredHinge
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SquaredHinge FromConfig(JsonObject config) => MetricConfigs.Read(config, "SquaredHinge", "squared_hinge", (_, name) => new SquaredHinge(name));
}

public sealed partial class CategoricalHinge
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static CategoricalHinge FromConfig(JsonObject config) => MetricConfigs.Read(config, "CategoricalHinge", "categorical_hinge", (_, name) => new CategoricalHinge(name));
}

public sealed partial class Poisson
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static Poisson FromConfig(JsonObject config) => MetricConfigs.Read(config, "Poisson", "poisson", (_, name) => new Poisson(name));
}

public sealed partial class LogCoshError
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static LogCoshError FromConfig(JsonObject config) => MetricConfigs.Read(config, "LogCoshError", "logcosh", (_, name) => new LogCoshError(name));
}

public sealed partial class MeanAbsolutePercentageError
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static MeanAbsolutePercentageError FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "MeanAbsolutePercentageError", "mean_absolute_percentage_error", (_, name) => new MeanAbsolutePercentageError(name));
}

public sealed partial class MeanSquaredLogarithmicError
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static MeanSquaredLogarithmicError FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", (_, name) => new MeanSquaredLogarithmicError(name));
}

public sealed partial class KLDivergence
{
    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static KLDivergence FromConfig(JsonObject config) => MetricConfigs.Read(config, "KLDivergence", "kl_divergence", (_, name) => new KLDivergence(name));
}

public sealed partial class CosineSimilarity
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static CosineSimilarity FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "CosineSimilarity", "cosine_similarity", (c, name) => new CosineSimilarity(name, c.Int("axis", -1)));
}

public sealed partial class BinaryCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = KerasObject.Float(LabelSmoothing);
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static BinaryCrossentropy FromConfig(JsonObject config) => MetricConfigs.Read(config, "BinaryCrossentropy", "binary_crossentropy", (c, name) =>
    {
        try
        {
            return new BinaryCrossentropy(name, c.Bool("from_logits", false), (float)c.Double("label_smoothing", 0));
        }
        catch (ArgumentException e) { throw c.Cannot("label_smoothing", e.Message); }
    });
}

public sealed partial class CategoricalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = KerasObject.Float(LabelSmoothing);
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static CategoricalCrossentropy FromConfig(JsonObject config) => MetricConfigs.Read(config, "CategoricalCrossentropy", "categorical_crossentropy", (c, name) =>
    {
        try
        {
            return new CategoricalCrossentropy(name, c.Bool("from_logits", false), (float)c.Double("label_smoothing", 0), c.Int("axis", -1));
        }
        catch (ArgumentException e) { throw c.Cannot("label_smoothing", e.Message); }
    });
}

public sealed partial class SparseCategoricalCrossentropy
{
    /// <summary>The metric's Keras config: name, dtype, from_logits, axis, and ignore_class when one is set.</summary>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["axis"] = Axis;
        if (IgnoreClass is int ignored) config["ignore_class"] = ignored;
        return config;
    }

    /// <summary>Rebuilds the metric from its Keras config.</summary>
    public static SparseCategoricalCrossentropy FromConfig(JsonObject config) =>
        MetricConfigs.Read(config, "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", (c, name) =>
            new SparseCategoricalCrossentropy(name, c.Bool("from_logits", false), c.Int("axis", -1), c.OptionalInt("ignore_class")));
}
