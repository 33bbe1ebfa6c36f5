using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Optimizers.Schedules;

// Keras configs of the learning-rate schedules.

public abstract partial class LearningRateSchedule
{
    /// <summary>Keras' class name, written as <c>class_name</c> in configs; the C# type name by default.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The schedule's arguments under Keras' key names (Keras' <c>get_config</c>); a custom schedule overrides it to save.</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name };

    /// <summary>The schedule as Keras serializes it: <c>{"module": "keras.optimizers.schedules", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.optimizers.schedules", ClassName, GetConfig());
}

public sealed partial class ExponentialDecay
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["initial_learning_rate"] = KerasObject.Float(InitialLearningRate),
        ["decay_steps"] = DecaySteps,
        ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase,
        ["name"] = Name,
    };

    /// <summary>Rebuilds the schedule from its Keras config.</summary>
    public static ExponentialDecay FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "schedule ExponentialDecay", c =>
    {
        try
        {
            return new ExponentialDecay((float)c.Double("initial_learning_rate", double.NaN), c.Long("decay_steps", 0), c.Double("decay_rate", double.NaN),
                c.Bool("staircase", false), c.String("name", "ExponentialDecay"));
        }
        catch (ArgumentException e) { throw c.Fail(e.Message); }
    });
}

public sealed partial class PiecewiseConstantDecay
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var boundaries = new JsonArray();
        foreach (long b in Boundaries) boundaries.Add(b);
        var values = new JsonArray();
        foreach (float v in Values) values.Add(KerasObject.Float(v));
        return new() { ["boundaries"] = boundaries, ["values"] = values, ["name"] = Name };
    }

    /// <summary>Rebuilds the schedule from its Keras config.</summary>
    public static PiecewiseConstantDecay FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "schedule PiecewiseConstantDecay", c =>
    {
        if (c.Node("boundaries") is not JsonArray boundaries || c.Node("values") is not JsonArray values)
            throw c.Fail("\"boundaries\" and \"values\" must be lists of numbers.");
        try
        {
            return new PiecewiseConstantDecay(
                [.. boundaries.Select(b => b is null ? throw c.Cannot("boundaries", "numbers were expected.") : ConfigReader.ToLong(b) ?? throw c.Cannot("boundaries", "integers were expected."))],
                [.. values.Select(v => v is null ? throw c.Cannot("values", "numbers were expected.") : (float)(ConfigReader.ToDouble(v) ?? throw c.Cannot("values", "numbers were expected.")))],
                c.String("name", "PiecewiseConstant"));
        }
        catch (ArgumentException e) { throw c.Fail(e.Message); }
    });
}

public sealed partial class CosineDecay
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["initial_learning_rate"] = KerasObject.Float(InitialLearningRate),
        ["decay_steps"] = DecaySteps,
        ["alpha"] = Alpha,
        ["name"] = Name,
        ["warmup_target"] = WarmupTarget is float t ? KerasObject.Float(t) : null,
        ["warmup_steps"] = WarmupSteps,
    };

    /// <summary>Rebuilds the schedule from its Keras config.</summary>
    public static CosineDecay FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "schedule CosineDecay", c =>
    {
        try
        {
            double? target = c.OptionalDouble("warmup_target");
            return new CosineDecay((float)c.Double("initial_learning_rate", double.NaN), c.Long("decay_steps", 0), c.Double("alpha", 0.0),
                c.String("name", "CosineDecay"), target is double t ? (float)t : null, c.Long("warmup_steps", 0));
        }
        catch (ArgumentException e) { throw c.Fail(e.Message); }
    });
}
