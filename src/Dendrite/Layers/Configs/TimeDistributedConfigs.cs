using System.Text.Json.Nodes;

namespace Dendrite.Layers;

// Keras' config of TimeDistributed (Keras' Wrapper.get_config): the base keys, then the wrapped layer serialized
// under "layer".

public sealed partial class TimeDistributed
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["layer"] = Layer.Serialize();
        return config;
    }

    /// <summary>Rebuilds the layer and the one it wraps from its Keras config (Keras' <c>Wrapper.from_config</c>).</summary>
    public static TimeDistributed FromConfig(JsonObject config) => LayerConfigs.Read(config, "TimeDistributed", (c, name) =>
    {
        var serialized = c.Node("layer") ?? throw c.Fail("\"layer\" (the wrapped layer) is missing.");
        var layer = LayerConfigs.Deserialize(serialized, $"{c.What} \"layer\"");
        return new TimeDistributed(layer, name);
    });
}
