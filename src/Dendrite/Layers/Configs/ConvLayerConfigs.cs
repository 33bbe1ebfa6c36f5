using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the convolution and pooling layers (channels last only).

public sealed partial class Conv2D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["filters"] = Filters;
        config["kernel_size"] = LayerConfigs.Pair(KernelSize);
        config["strides"] = LayerConfigs.Pair(Strides);
        config["padding"] = LayerConfigs.PaddingName(Padding);
        config["data_format"] = "channels_last";
        config["dilation_rate"] = LayerConfigs.Pair(DilationRate);
        config["groups"] = 1;
        LayerConfigs.AddKernelKeys(config, Activation, UseBias, KernelInitializer, BiasInitializer, activityRegularizer: true, KernelConstraint, BiasConstraint);
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>Conv2D.from_config</c>).</summary>
    public static Conv2D FromConfig(JsonObject config) => LayerConfigs.Read(config, "Conv2D", (c, name) =>
    {
        LayerConfigs.ChannelsLast(c);
        if (c.Int("groups", 1) != 1) throw c.Cannot("groups", "Dendrite has no grouped convolutions.");
        int filters = c.OptionalInt("filters") ?? throw c.Fail("\"filters\" is missing.");
        if (filters <= 0) throw c.Cannot("filters", "a positive number of filters was expected.");
        var kernel = LayerConfigs.Size(c, "kernel_size") ?? throw c.Fail("\"kernel_size\" is missing.");
        var (activation, useBias, kernelInitializer, biasInitializer) = LayerConfigs.KernelKeys(c);
        var (kernelConstraint, biasConstraint) = LayerConfigs.KernelConstraints(c);
        return new Conv2D(filters, kernel, LayerConfigs.Size(c, "strides"), LayerConfigs.Padding(c), LayerConfigs.Size(c, "dilation_rate"),
            activation, useBias, kernelInitializer, biasInitializer, name, kernelConstraint, biasConstraint);
    });
}

public abstract partial class Pooling2D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["pool_size"] = LayerConfigs.Pair(PoolSize);
        config["padding"] = LayerConfigs.PaddingName(Padding);
        config["strides"] = LayerConfigs.Pair(Strides);
        config["data_format"] = "channels_last";
        return config;
    }

    /// <summary>Reads the shared pooling keys and makes the layer.</summary>
    private protected static T Read<T>(JsonObject config, string className, Func<Size2D, Size2D?, string, string?, T> create) where T : Pooling2D =>
        LayerConfigs.Read(config, className, (c, name) =>
        {
            LayerConfigs.ChannelsLast(c);
            var pool = LayerConfigs.Size(c, "pool_size") ?? 2;
            return create(pool, LayerConfigs.Size(c, "strides"), LayerConfigs.Padding(c), name);
        });
}

public sealed partial class MaxPooling2D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static MaxPooling2D FromConfig(JsonObject config) =>
        Read(config, "MaxPooling2D", (pool, strides, padding, name) => new MaxPooling2D(pool, strides, padding, name));
}

public sealed partial class AveragePooling2D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static AveragePooling2D FromConfig(JsonObject config) =>
        Read(config, "AveragePooling2D", (pool, strides, padding, name) => new AveragePooling2D(pool, strides, padding, name));
}

public sealed partial class GlobalAveragePooling2D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["data_format"] = "channels_last";
        config["keepdims"] = false;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static GlobalAveragePooling2D FromConfig(JsonObject config) => LayerConfigs.Read(config, "GlobalAveragePooling2D", (c, name) =>
    {
        LayerConfigs.ChannelsLast(c);
        c.RequireUnset("keepdims", "Dendrite's global pooling drops the pooled axes.");
        return new GlobalAveragePooling2D(name);
    });
}
