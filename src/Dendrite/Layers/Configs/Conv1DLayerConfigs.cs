using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the 1-D convolution, pooling and upsampling layers (channels last only). Keras writes every size
// as a 1-tuple ([3]); an integer is read too.

public sealed partial class Conv1D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["filters"] = Filters;
        config["kernel_size"] = KerasObject.Ints(KernelSize);
        config["strides"] = KerasObject.Ints(Strides);
        config["padding"] = LayerConfigs.PaddingName(Padding);
        config["data_format"] = "channels_last";
        config["dilation_rate"] = KerasObject.Ints(DilationRate);
        config["groups"] = 1;
        LayerConfigs.AddKernelKeys(config, Activation, UseBias, KernelInitializer, BiasInitializer, activityRegularizer: true, KernelConstraint, BiasConstraint);
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>Conv1D.from_config</c>).</summary>
    public static Conv1D FromConfig(JsonObject config) => LayerConfigs.Read(config, "Conv1D", (c, name) =>
    {
        LayerConfigs.ChannelsLast(c);
        if (c.Int("groups", 1) != 1) throw c.Cannot("groups", "Dendrite has no grouped convolutions.");
        int filters = c.OptionalInt("filters") ?? throw c.Fail("\"filters\" is missing.");
        if (filters <= 0) throw c.Cannot("filters", "a positive number of filters was expected.");
        int kernel = Conv1DConfigs.Length(c, "kernel_size") ?? throw c.Fail("\"kernel_size\" is missing.");
        int strides = Conv1DConfigs.Length(c, "strides") ?? 1, dilation = Conv1DConfigs.Length(c, "dilation_rate") ?? 1;
        if (strides > 1 && dilation > 1) throw c.Cannot("dilation_rate", "strides > 1 are not supported together with dilation_rate > 1 (as in Keras).");
        var (activation, useBias, kernelInitializer, biasInitializer) = LayerConfigs.KernelKeys(c);
        var (kernelConstraint, biasConstraint) = LayerConfigs.KernelConstraints(c);
        return new Conv1D(filters, kernel, strides, LayerConfigs.Padding(c, allowCausal: true), dilation,
            activation, useBias, kernelInitializer, biasInitializer, name, kernelConstraint, biasConstraint);
    });
}

public abstract partial class Pooling1D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["pool_size"] = KerasObject.Ints(PoolSize);
        config["padding"] = LayerConfigs.PaddingName(Padding);
        config["strides"] = KerasObject.Ints(Strides);
        config["data_format"] = "channels_last";
        return config;
    }

    /// <summary>Reads the shared pooling keys and makes the layer.</summary>
    private protected static T Read<T>(JsonObject config, string className, Func<int, int?, string, string?, T> create) where T : Pooling1D =>
        LayerConfigs.Read(config, className, (c, name) =>
        {
            LayerConfigs.ChannelsLast(c);
            int pool = Conv1DConfigs.Length(c, "pool_size") ?? 2;
            return create(pool, Conv1DConfigs.Length(c, "strides"), LayerConfigs.Padding(c), name);
        });
}

public sealed partial class MaxPooling1D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static MaxPooling1D FromConfig(JsonObject config) =>
        Read(config, "MaxPooling1D", (pool, strides, padding, name) => new MaxPooling1D(pool, strides, padding, name));
}

public sealed partial class AveragePooling1D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static AveragePooling1D FromConfig(JsonObject config) =>
        Read(config, "AveragePooling1D", (pool, strides, padding, name) => new AveragePooling1D(pool, strides, padding, name));
}

public abstract partial class GlobalPooling1D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["data_format"] = "channels_last";
        config["keepdims"] = KeepDims;
        return config;
    }

    /// <summary>Reads the shared keys (<c>data_format</c>, <c>keepdims</c>) and makes the layer.</summary>
    private protected static T Read<T>(JsonObject config, string className, Func<bool, string?, T> create) where T : GlobalPooling1D =>
        LayerConfigs.Read(config, className, (c, name) =>
        {
            LayerConfigs.ChannelsLast(c);
            return create(c.Bool("keepdims", false), name);
        });
}

public sealed partial class GlobalAveragePooling1D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static GlobalAveragePooling1D FromConfig(JsonObject config) =>
        Read(config, "GlobalAveragePooling1D", (keepDims, name) => new GlobalAveragePooling1D(keepDims, name));
}

public sealed partial class GlobalMaxPooling1D
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static GlobalMaxPooling1D FromConfig(JsonObject config) =>
        Read(config, "GlobalMaxPooling1D", (keepDims, name) => new GlobalMaxPooling1D(keepDims, name));
}

public sealed partial class UpSampling1D
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["size"] = Size;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static UpSampling1D FromConfig(JsonObject config) => LayerConfigs.Read(config, "UpSampling1D", (c, name) =>
    {
        int size = c.Int("size", 2);
        if (size <= 0) throw c.Cannot("size", "a positive integer was expected.");
        return new UpSampling1D(size, name);
    });
}

/// <summary>Reading Keras' 1-tuples.</summary>
internal static class Conv1DConfigs
{
    /// <summary>A length written as <c>[3]</c> or <c>3</c>; null when absent.</summary>
    public static int? Length(ConfigReader c, string key) => c.IntTuple(key, 1) is int[] value ? value[0] : null;
}
