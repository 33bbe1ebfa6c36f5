using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Saving;

namespace Dendrite.Losses;

// Keras configs of the losses: Keras 3's keys (name, reduction, and each loss's arguments), read back refusing what
// Dendrite cannot honour (another reduction, ignore_class, an axis other than the last).

internal static class LossConfigs
{
    /// <summary>Keras class name → reader, for every loss Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Loss>> Builtins = new Dictionary<string, Func<JsonObject, Loss>>(StringComparer.Ordinal)
    {
        ["SparseCategoricalCrossentropy"] = SparseCategoricalCrossentropy.FromConfig,
        ["CategoricalCrossentropy"] = CategoricalCrossentropy.FromConfig,
        ["BinaryCrossentropy"] = BinaryCrossentropy.FromConfig,
        ["MeanSquaredError"] = MeanSquaredError.FromConfig,
        ["MeanAbsoluteError"] = MeanAbsoluteError.FromConfig,
        ["Huber"] = Huber.FromConfig,
        ["KLDivergence"] = KLDivergence.FromConfig,
    };

    /// <summary>A loss from a compile config: a Keras name, a serialized object, or a custom function passed by name.</summary>
    public static Loss Deserialize(JsonNode? node, string where)
    {
        if (node is JsonValue v && v.TryGetValue(out string? name)
            && LoadContext.Current.CustomObjects.TryGetValue(name, out var custom) && custom is Func<Tensor, Tensor, Tensor> function)
            return Loss.FromFunction(function, name);
        return KerasRegistry.Deserialize(node, "loss", where, Builtins, Loss.Get);
    }

    /// <summary>Reads the keys every loss has and makes the loss.</summary>
    public static T Read<T>(JsonObject config, string className, Func<ConfigReader, T> create) where T : Loss =>
        KerasRegistry.ReadConfig(config, $"loss {className}", c =>
        {
            c.OptionalString("name");
            string reduction = c.String("reduction", "sum_over_batch_size");
            if (reduction is not ("sum_over_batch_size" or "auto"))
                throw c.Cannot("reduction", "Dendrite's losses reduce by the mean over the batch (sum_over_batch_size) only.");
            c.RequireDefault("dtype", null, "Dendrite computes losses in float32.");
            return create(c);
        });

    /// <summary>The keys the categorical and binary cross-entropies share: from_logits, label_smoothing, axis.</summary>
    public static JsonObject AddSmoothingKeys(JsonObject config, bool fromLogits, float labelSmoothing)
    {
        config["from_logits"] = fromLogits;
        config["label_smoothing"] = KerasObject.Float(labelSmoothing);
        config["axis"] = -1;
        return config;
    }

    /// <summary>Reads what <see cref="AddSmoothingKeys"/> writes.</summary>
    public static (bool FromLogits, float LabelSmoothing) SmoothingKeys(ConfigReader c)
    {
        LastAxis(c);
        return (c.Bool("from_logits", false), (float)c.Double("label_smoothing", 0));
    }

    /// <summary>Refuses an axis other than the last.</summary>
    public static void LastAxis(ConfigReader c)
    {
        if (c.Int("axis", -1) != -1) throw c.Cannot("axis", "Dendrite's cross-entropies run over the last axis.");
    }
}

public sealed partial class SparseCategoricalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["ignore_class"] = null;
        return config;
    }

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static SparseCategoricalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "SparseCategoricalCrossentropy", c =>
    {
        c.RequireUnset("ignore_class", "Dendrite's sparse cross-entropy has no ignored class yet.");
        LossConfigs.LastAxis(c);
        return new SparseCategoricalCrossentropy(c.Bool("from_logits", false));
    });
}

public sealed partial class CategoricalCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing);

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static CategoricalCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "CategoricalCrossentropy", c =>
    {
        var (fromLogits, smoothing) = LossConfigs.SmoothingKeys(c);
        return new CategoricalCrossentropy(fromLogits, smoothing);
    });
}

public sealed partial class BinaryCrossentropy
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => LossConfigs.AddSmoothingKeys(base.GetConfig(), FromLogits, LabelSmoothing);

    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static BinaryCrossentropy FromConfig(JsonObject config) => LossConfigs.Read(config, "BinaryCrossentropy", c =>
    {
        var (fromLogits, smoothing) = LossConfigs.SmoothingKeys(c);
        return new BinaryCrossentropy(fromLogits, smoothing);
    });
}

public sealed partial class MeanSquaredError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanSquaredError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanSquaredError", _ => new MeanSquaredError());
}

public sealed partial class MeanAbsoluteError
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static MeanAbsoluteError FromConfig(JsonObject config) => LossConfigs.Read(config, "MeanAbsoluteError", _ => new MeanAbsoluteError());
}

public sealed partial class KLDivergence
{
    /// <summary>Rebuilds the loss from its Keras config.</summary>
    public static KLDivergence FromConfig(JsonObject config) => LossConfigs.Read(config, "KLDivergence", _ => new KLDivergence());
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
    public static Huber FromConfig(JsonObject config) => LossConfigs.Read(config, "Huber", c => new Huber((float)c.Double("delta", 1.0)));
}
