using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Saving;

namespace Dendrite.Losses;

// Keras configs of the losses: Keras 3's keys (name, reduction, and each loss's arguments), read back refusing what
// Dendrite cannot honour (a list of per-class alphas, a dtype other than float32).

internal static class LossConfigs
{
    /// <summary>Keras class name → reader, for every loss Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Loss>> Builtins = new Dictionary<string, Func<JsonObject, Loss>>(StringComparer.Ordinal)
    {
        ["SparseCategoricalCrossentropy"] = SparseCategoricalCrossentropy.FromConfig,
        ["CategoricalCrossentropy"] = CategoricalCrossentropy.FromConfig,
        ["BinaryCrossentropy"] = BinaryCrossentropy.FromConfig,
        ["BinaryFocalCrossentropy"] = BinaryFocalCrossentropy.FromConfig,
        ["CategoricalFocalCrossentropy"] = CategoricalFocalCrossentropy.FromConfig,
        ["MeanSquaredError"] = MeanSquaredError.FromConfig,
        ["MeanAbsoluteError"] = MeanAbsoluteError.FromConfig,
        ["MeanAbsolutePercentageError"] = MeanAbsolutePercentageError.FromConfig,
        ["MeanSquaredLogarithmicError"] = MeanSquaredLogarithmicError.FromConfig,
        ["Huber"] = Huber.FromConfig,
        ["LogCosh"] = LogCosh.FromConfig,
        ["KLDivergence"] = KLDivergence.FromConfig,
        ["Poisson"] = Poisson.FromConfig,
        ["Hinge"] = Hinge.FromConfig,
        ["SquaredHinge"] = SquaredHinge.FromConfig,
        ["CategoricalHinge"] = CategoricalHinge.FromConfig,
        ["CosineSimilarity"] = CosineSimilarity.FromConfig,
        ["Dice"] = Dice.FromConfig,
    };

    /// <summary>A loss from a compile config: a Keras name, a serialized object, or a custom function passed by name.</summary>
    public static Loss Deserialize(JsonNode? node, string where)
    {
        if (node is JsonValue v && v.TryGetValue(out string? name)
            && LoadContext.Current.CustomObjects.TryGetValue(name, out var custom) && custom is Func<Tensor, Tensor, Tensor> function)
            return Loss.FromFunction(function, name);
        return KerasRegistry.Deserialize(node, "loss", where, Builtins, Loss.Get);
    }

    /// <summary>Reads the keys every loss has and makes the loss, which receives the reduction.</summary>
    public static T Read<T>(JsonObject config, string className, Func<ConfigReader, string, T> create) where T : Loss =>
        KerasRegistry.ReadConfig(config, $"loss {className}", c =>
        {
            c.OptionalString("name");
            string reduction = Reduction(c);
            c.RequireDefault("dtype", null, "Dendrite computes losses in float32.");
            try
            {
                return create(c, reduction);
            }
            catch (ArgumentException e) { throw c.Fail(e.Message); }
        });

    /// <summary>
    /// Keras' reduction key: a name, <c>null</c> (Keras' <c>None</c>, no reduction), or absent (the default);
    /// tf.keras' <c>"auto"</c> meant <c>sum_over_batch_size</c>.
    /// </summary>
    private static string Reduction(ConfigReader c)
    {
        if (!c.Has("reduction")) return LossReduction.SumOverBatchSize;
        if (c.Node("reduction") is null) return LossReduction.None;
        string name = c.String("reduction");
        if (name == "auto") return LossReduction.SumOverBatchSize;
        try
        {
            return LossReduction.Standardize(name);
        }
        catch (ArgumentException e) { throw c.Cannot("reduction", e.Message); }
    }

    /// <summary>The keys the categorical and binary cross-entropies share: from_logits, label_smoothing, axis.</summary>
    public static JsonObject AddSmoothingKeys(JsonObject config, bool fromLogits, float labelSmoothing, int axis)
    {
        config["from_logits"] = fromLogits;
        config["label_smoothing"] = KerasObject.Float(labelSmoothing);
        config["axis"] = axis;
        return config;
    }

    /// <summary>Reads what <see cref="AddSmoothingKeys"/> writes.</summary>
    public static (bool FromLogits, float LabelSmoothing, int Axis) SmoothingKeys(ConfigReader c) =>
        (c.Bool("from_logits", false), (float)c.Double("label_smoothing", 0), c.Int("axis", -1));
}

public sealed partial class SparseCategoricalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["ignore_class"] = IgnoreClass;
        if (Axis != -1) config["axis"] = Axis; // Keras' class has no axis; written only when it matters
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static SparseCategoricalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "SparseCategoricalCrossentropy", (c, reduction) =>
        new SparseCategoricalCrossentropy(c.Bool("from_logits", false), c.OptionalInt("ignore_class"), c.Int("axis", -1), reduction));
}

public sealed partial class CategoricalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing, Axis);

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static CategoricalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "CategoricalCrossentropy", (c, reduction) =>
    {
        var (fromLogits, smoothing, axis) = LossConfigs.SmoothingKeys(c);
        return new CategoricalCrossentropy(fromLogits, smoothing, axis, reduction);
    });
}

public sealed partial class BinaryCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing, Axis);

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static BinaryCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "BinaryCrossentropy", (c, reduction) =>
    {
        var (fromLogits, smoothing, axis) = LossConfigs.SmoothingKeys(c);
        return new BinaryCrossentropy(fromLogits, smoothing, axis, reduction);
    });
}

public sealed partial class BinaryFocalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing, Axis);
        config["apply_class_balancing"] = ApplyClassBalancing;
        config["alpha"] = KerasObject.Float(Alpha);
        config["gamma"] = KerasObject.Float(Gamma);
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static BinaryFocalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "BinaryFocalCrossentropy", (c, reduction) =>
    {
        var (fromLogits, smoothing, axis) = LossConfigs.SmoothingKeys(c);
        return new BinaryFocalCrossentropy(c.Bool("apply_class_balancing", false), (float)c.Double("alpha", 0.25), (float)c.Double("gamma", 2.0),
            fromLogits, smoothing, axis, reduction);
    });
}

public sealed partial class CategoricalFocalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing, Axis);
        config["alpha"] = KerasObject.Float(Alpha);
        config["gamma"] = KerasObject.Float(Gamma);
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static CategoricalFocalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "CategoricalFocalCrossentropy", (c, reduction) =>
    {
        if (c.Has("alpha") && c.Config["alpha"] is JsonArray)
            throw c.Cannot("alpha", "Dendrite's categorical focal cross-entropy takes one alpha for all classes, not a list.");
        var (fromLogits, smoothing, axis) = LossConfigs.SmoothingKeys(c);
        return new CategoricalFocalCrossentropy((float)c.Double("alpha", 0.25), (float)c.Double("gamma", 2.0), fromLogits, smoothing, axis, reduction);
    });
}

public sealed partial class MeanSquaredError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanSquaredError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanSquaredError", (_, r) => new MeanSquaredError(r));
}

public sealed partial class MeanAbsoluteError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanAbsoluteError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanAbsoluteError", (_, r) => new MeanAbsoluteError(r));
}

public sealed partial class MeanAbsolutePercentageError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanAbsolutePercentageError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanAbsolutePercentageError", (_, r) => new MeanAbsolutePercentageError(r));
}

public sealed partial class MeanSquaredLogarithmicError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanSquaredLogarithmicError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanSquaredLogarithmicError", (_, r) => new MeanSquaredLogarithmicError(r));
}

public sealed partial class KLDivergence
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static KLDivergence FromConfig(JsonObject config) => LossConfigs.Read(config, "KLDivergence", (_, r) => new KLDivergence(r));
}

public sealed partial class LogCosh
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static LogCosh FromConfig(JsonObject config) => LossConfigs.Read(config, "LogCosh", (_, r) => new LogCosh(r));
}

public sealed partial class Poisson
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static Poisson FromConfig(JsonObject config) => LossConfigs.Read(config, "Poisson", (_, r) => new Poisson(r));
}

public sealed partial class Hinge
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static Hinge FromConfig(JsonObject config) => LossConfigs.Read(config, "Hinge", (_, r) => new Hinge(r));
}

public sealed partial class SquaredHinge
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static SquaredHinge FromConfig(JsonObject config) => LossConfigs.Read(config, "SquaredHinge", (_, r) => new SquaredHinge(r));
}

public sealed partial class CategoricalHinge
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static CategoricalHinge FromConfig(JsonObject config) => LossConfigs.Read(config, "CategoricalHinge", (_, r) => new CategoricalHinge(r));
}

public sealed partial class CosineSimilarity
{
    /// <summary>
    /// The loss's Keras config. Keras' <c>CosineSimilarity.get_config</c> writes only name and reduction (its axis is
    /// lost on a round trip); Dendrite adds <c>axis</c> when it is not -1, so that a Dendrite file keeps it.
    /// </summary>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        if (Axis != -1) config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static CosineSimilarity FromConfig(JsonObject config) => LossConfigs.Read(config, "CosineSimilarity", (c, r) => new CosineSimilarity(c.Int("axis", -1), r));
}

public sealed partial class Dice
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis is null ? null : KerasObject.Ints([.. Axis]);
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config: <c>axis</c> null, one integer, or a list.</summary>
    public static Dice FromConfig(JsonObject config) => LossConfigs.Read(config, "Dice", (c, r) =>
    {
        var node = c.Node("axis");
        int[]? axis = node is null ? null : ConfigReader.ToLong(node) is long one ? [(int)one] : c.IntList("axis", node);
        return new Dice(r, axis);
    });
}

public sealed partial class Huber
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["delta"] = KerasObject.Float(Delta);
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static Huber FromConfig(JsonObject config) => LossConfigs.Read(config, "Huber", (c, r) => new Huber((float)c.Double("delta", 1.0), r));
}
