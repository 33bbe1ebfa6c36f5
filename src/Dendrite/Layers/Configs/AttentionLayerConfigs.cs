using System.Text.Json.Nodes;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the attention layers (keras/src/layers/attention/*.py, get_config).

public sealed partial class MultiHeadAttention
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["num_heads"] = NumHeads;
        config["key_dim"] = KeyDim;
        config["value_dim"] = ValueDim;
        config["dropout"] = Dropout;
        config["use_bias"] = UseBias;
        config["output_shape"] = OutputShape is null ? null : KerasObject.Ints(OutputShape);
        config["attention_axes"] = AttentionAxes is null ? null : KerasObject.Ints(AttentionAxes);
        config["kernel_initializer"] = KernelInitializer.Serialize();
        config["bias_initializer"] = BiasInitializer.Serialize();
        config["kernel_regularizer"] = null;
        config["bias_regularizer"] = null;
        config["activity_regularizer"] = null;
        config["kernel_constraint"] = null;
        config["bias_constraint"] = null;
        config["seed"] = Seed;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (attention over the time axis only).</summary>
    public static MultiHeadAttention FromConfig(JsonObject config) => LayerConfigs.Read(config, "MultiHeadAttention", (c, name) =>
    {
        LayerConfigs.NoRegularizers(c, "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
        c.RequireUnset("use_gate", "Dendrite's MultiHeadAttention has no gate projection.");
        c.RequireUnset("sliding_window", "Dendrite's MultiHeadAttention attends over the whole sequence (no sliding window).");
        c.Ignore("flash_attention"); // a choice of kernel; the result is the same attention
        int numHeads = c.OptionalInt("num_heads") ?? throw c.Fail("\"num_heads\" is missing.");
        int keyDim = c.OptionalInt("key_dim") ?? throw c.Fail("\"key_dim\" is missing.");
        if (numHeads <= 0) throw c.Cannot("num_heads", "a positive number of heads was expected.");
        if (keyDim <= 0) throw c.Cannot("key_dim", "a positive head size was expected.");
        int? valueDim = c.OptionalInt("value_dim");
        if (valueDim is <= 0) throw c.Cannot("value_dim", "a positive head size was expected.");
        double dropout = c.Double("dropout", 0.0);
        if (!(dropout >= 0 && dropout < 1)) throw c.Cannot("dropout", "the rate must be in [0, 1).");
        var outputShape = Axes(c, "output_shape");
        if (outputShape is not null && outputShape.Any(d => d <= 0)) throw c.Cannot("output_shape", "positive sizes were expected.");
        var axes = Axes(c, "attention_axes");
        if (axes is not null && !(axes.Length == 1 && axes[0] is 1 or -2))
            throw c.Cannot("attention_axes", "Dendrite attends over the time axis of (batch, time, features) inputs only (null or [1]).");
        return new MultiHeadAttention(numHeads, keyDim, valueDim, dropout, c.Bool("use_bias", true), outputShape, axes,
            LayerConfigs.Initializer(c, "kernel_initializer", new GlorotUniform()), LayerConfigs.Initializer(c, "bias_initializer", new Zeros()),
            c.OptionalInt("seed"), name);
    });

    /// <summary>An integer or a list of integers (Keras turns an int into a one-element tuple), or null.</summary>
    private static int[]? Axes(ConfigReader c, string key)
    {
        var node = c.Node(key);
        if (node is null) return null;
        if (ConfigReader.ToLong(node) is long single)
            return single is >= int.MinValue and <= int.MaxValue ? [(int)single] : throw c.Cannot(key, "the integer is out of range.");
        var list = c.IntList(key, node);
        return list.Length == 0 ? null : list;
    }
}

public sealed partial class Attention
{
    /// <inheritdoc/>
    /// <remarks>Keras writes no <c>seed</c> for this layer; a loaded copy draws its dropout masks from the global seed.</remarks>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["use_scale"] = UseScale;
        config["score_mode"] = ScoreMode;
        config["dropout"] = Dropout;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Attention FromConfig(JsonObject config) => LayerConfigs.Read(config, "Attention", (c, name) =>
    {
        string mode = c.String("score_mode", "dot");
        if (mode is not ("dot" or "concat")) throw c.Cannot("score_mode", "one of \"dot\" and \"concat\" was expected.");
        double dropout = c.Double("dropout", 0.0);
        if (!(dropout >= 0 && dropout < 1)) throw c.Cannot("dropout", "the rate must be in [0, 1).");
        return new Attention(c.Bool("use_scale", false), mode, dropout, c.OptionalInt("seed"), name);
    });
}
