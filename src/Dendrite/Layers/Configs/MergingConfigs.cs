using System.Text.Json.Nodes;

namespace Dendrite.Layers;

// Keras configs of the merging layers: the base keys, and Concatenate's axis.

public sealed partial class Add
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Add FromConfig(JsonObject config) => LayerConfigs.Read(config, "Add", (_, name) => new Add(name));
}

public sealed partial class Subtract
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Subtract FromConfig(JsonObject config) => LayerConfigs.Read(config, "Subtract", (_, name) => new Subtract(name));
}

public sealed partial class Multiply
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Multiply FromConfig(JsonObject config) => LayerConfigs.Read(config, "Multiply", (_, name) => new Multiply(name));
}

public sealed partial class Average
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Average FromConfig(JsonObject config) => LayerConfigs.Read(config, "Average", (_, name) => new Average(name));
}

public sealed partial class Maximum
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Maximum FromConfig(JsonObject config) => LayerConfigs.Read(config, "Maximum", (_, name) => new Maximum(name));
}

public sealed partial class Minimum
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Minimum FromConfig(JsonObject config) => LayerConfigs.Read(config, "Minimum", (_, name) => new Minimum(name));
}

public sealed partial class Concatenate
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Concatenate FromConfig(JsonObject config) => LayerConfigs.Read(config, "Concatenate", (c, name) => new Concatenate(c.Int("axis", -1), name));
}
