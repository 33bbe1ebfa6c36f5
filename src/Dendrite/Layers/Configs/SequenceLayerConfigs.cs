using System.Text.Json.Nodes;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the embedding and masking layers.

public sealed partial class Embedding
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["input_dim"] = InputDim;
        config["output_dim"] = OutputDim;
        config["embeddings_initializer"] = EmbeddingsInitializer.Serialize();
        config["embeddings_regularizer"] = null;
        config["activity_regularizer"] = null;
        config["embeddings_constraint"] = EmbeddingsConstraint?.Serialize();
        config["mask_zero"] = MaskZero;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (tf.keras' <c>input_length</c> is accepted and ignored, as Keras 3 does).</summary>
    public static Embedding FromConfig(JsonObject config) => LayerConfigs.Read(config, "Embedding", (c, name) =>
    {
        LayerConfigs.NoRegularizers(c, "embeddings_regularizer", "activity_regularizer");
        c.RequireUnset("quantization_config", "Dendrite has no quantized layers.");
        c.RequireUnset("lora_rank", "Dendrite has no LoRA layers.");
        c.RequireUnset("lora_alpha", "Dendrite has no LoRA layers.");
        c.Ignore("input_length");
        c.Ignore("sparse");
        int inputDim = c.OptionalInt("input_dim") ?? throw c.Fail("\"input_dim\" is missing.");
        int outputDim = c.OptionalInt("output_dim") ?? throw c.Fail("\"output_dim\" is missing.");
        if (inputDim <= 0) throw c.Cannot("input_dim", "a positive vocabulary size was expected.");
        if (outputDim <= 0) throw c.Cannot("output_dim", "a positive embedding size was expected.");
        return new Embedding(inputDim, outputDim, LayerConfigs.Initializer(c, "embeddings_initializer", new RandomUniform()), c.Bool("mask_zero", false), name,
            LayerConfigs.Constraint(c, "embeddings_constraint"));
    });
}

public sealed partial class Masking
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["mask_value"] = MaskValue;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Masking FromConfig(JsonObject config) => LayerConfigs.Read(config, "Masking", (c, name) => new Masking(c.Double("mask_value", 0.0), name));
}
