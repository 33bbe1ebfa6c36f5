using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the core layers: each writes Keras 3's keys, in Keras' order, and reads them back refusing what
// it cannot honour.

public sealed partial class InputLayer
{
    /// <inheritdoc/>
    /// <remarks>Keras' InputLayer config has no <c>trainable</c> key and a plain <c>"float32"</c> dtype.</remarks>
    public override JsonObject GetConfig() => new()
    {
        ["batch_shape"] = KerasObject.BatchShape(Shape),
        ["dtype"] = "float32",
        ["sparse"] = false,
        ["ragged"] = false,
        ["name"] = Name,
    };

    /// <summary>Rebuilds the layer from its Keras config (<c>batch_shape</c>, or tf.keras' <c>batch_input_shape</c>).</summary>
    public static InputLayer FromConfig(JsonObject config) => LayerConfigs.Read(config, "InputLayer", (c, name) =>
    {
        c.RequireUnset("sparse", "Dendrite has no sparse tensors.");
        c.RequireUnset("ragged", "Dendrite has no ragged tensors.");
        c.RequireUnset("optional", "Dendrite has no optional inputs.");
        c.Ignore("input_tensor");
        Shape shape;
        if (c.Node("batch_shape") is { } batch) shape = LayerConfigs.PerSampleShape(c, "batch_shape", batch);
        else if (c.Config["batch_input_shape"] is { } legacy) shape = LayerConfigs.PerSampleShape(c, "batch_input_shape", legacy); // tf.keras 2.x
        else if (c.Node("shape") is { } perSample)
        {
            var dims = c.IntList("shape", perSample);
            if (dims.Length == 0 || dims.Any(d => d <= 0)) throw c.Cannot("shape", "Dendrite needs known, positive sizes.");
            shape = new Shape(dims);
        }
        else throw c.Fail("the input shape is missing (no \"batch_shape\").");
        return new InputLayer(shape.ToArray(), name);
    });
}

public sealed partial class Dense
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        LayerConfigs.AddKernelKeys(config, Activation, UseBias, KernelInitializer, BiasInitializer, activityRegularizer: false, KernelConstraint, BiasConstraint);
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>Dense.from_config</c>).</summary>
    public static Dense FromConfig(JsonObject config) => LayerConfigs.Read(config, "Dense", (c, name) =>
    {
        c.RequireUnset("quantization_config", "Dendrite has no quantized layers.");
        int units = c.OptionalInt("units") ?? throw c.Fail("\"units\" is missing.");
        if (units <= 0) throw c.Cannot("units", "a positive number of units was expected.");
        var (activation, useBias, kernel, bias) = LayerConfigs.KernelKeys(c);
        var (kernelConstraint, biasConstraint) = LayerConfigs.KernelConstraints(c);
        return new Dense(units, activation, useBias, kernel, bias, name, kernelConstraint, biasConstraint);
    });
}

public sealed partial class Activation
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["activation"] = Function.Name;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Activation FromConfig(JsonObject config) => LayerConfigs.Read(config, "Activation", (c, name) => new Activation(LayerConfigs.Activation(c), name));
}

public sealed partial class Dropout
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["rate"] = Rate;
        config["seed"] = Seed;
        config["noise_shape"] = null;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Dropout FromConfig(JsonObject config) => LayerConfigs.Read(config, "Dropout", (c, name) =>
    {
        c.RequireUnset("noise_shape", "Dendrite's dropout draws an independent mask for every element.");
        double rate = c.OptionalDouble("rate") ?? throw c.Fail("\"rate\" is missing.");
        if (!(rate >= 0 && rate < 1)) throw c.Cannot("rate", "the rate must be in [0, 1).");
        return new Dropout(rate, c.OptionalInt("seed"), name);
    });
}

public sealed partial class Flatten
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["data_format"] = "channels_last";
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Flatten FromConfig(JsonObject config) => LayerConfigs.Read(config, "Flatten", (c, name) =>
    {
        LayerConfigs.ChannelsLast(c);
        return new Flatten(name);
    });
}

public sealed partial class Reshape
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["target_shape"] = KerasObject.Ints([.. TargetShape]);
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Reshape FromConfig(JsonObject config) => LayerConfigs.Read(config, "Reshape", (c, name) =>
    {
        var target = c.IntList("target_shape", c.Node("target_shape"));
        if (target.Length == 0 || target.Count(d => d == -1) > 1 || target.Any(d => d == 0 || d < -1))
            throw c.Cannot("target_shape", "positive sizes and at most one -1 were expected.");
        return new Reshape(target, name);
    });
}

public sealed partial class Rescaling
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["scale"] = Scale;
        config["offset"] = Offset;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Rescaling FromConfig(JsonObject config) => LayerConfigs.Read(config, "Rescaling", (c, name) =>
    {
        double scale = c.OptionalDouble("scale") ?? throw c.Cannot("scale", "one number was expected (Dendrite has no per-channel rescaling).");
        return new Rescaling(scale, c.Double("offset", 0.0), name);
    });
}
