using System.Text.Json.Nodes;
using Dendrite.Activations;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the recurrent layers: Keras 3's keys in its order (the RNN base's, then the cell's), read back
// refusing what Dendrite cannot honour (regularizers, constraints, stateful, time_major).

public abstract partial class RecurrentLayer
{
    /// <summary>The RNN base's keys (after name, trainable and dtype), as Keras' <c>RNN.get_config</c> writes them.</summary>
    private protected JsonObject RecurrentConfig()
    {
        var config = base.GetConfig();
        config["return_sequences"] = ReturnSequences;
        config["return_state"] = ReturnState;
        config["go_backwards"] = GoBackwards;
        config["stateful"] = Stateful;
        config["unroll"] = Unroll;
        config["zero_output_for_mask"] = ZeroOutputForMask;
        config["units"] = Units;
        config["activation"] = Activation.Name;
        return config;
    }

    /// <summary>The initializers and the regularizer and constraint keys (null: Dendrite has none), in Keras' order.</summary>
    private protected void AddInitializerKeys(JsonObject config, bool? unitForgetBias = null)
    {
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.Serialize();
        config["recurrent_initializer"] = RecurrentInitializer.Serialize();
        config["bias_initializer"] = BiasInitializer.Serialize();
        if (unitForgetBias is bool forget) config["unit_forget_bias"] = forget; // the LSTM's, right after the initializers
        foreach (string key in RegularizerKeys) config[key] = null;
        config["kernel_constraint"] = KernelConstraint?.Serialize();
        config["recurrent_constraint"] = RecurrentConstraint?.Serialize();
        config["bias_constraint"] = BiasConstraint?.Serialize();
        config["dropout"] = Dropout;
        config["recurrent_dropout"] = RecurrentDropout;
    }

    private static readonly string[] RegularizerKeys =
        ["kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint"];

    /// <summary>The keys every recurrent layer's config has, read once for the constructors.</summary>
    private protected sealed record CommonKeys(int Units, ActivationFunction Activation, ActivationFunction RecurrentActivation, bool UseBias,
        Initializer Kernel, Initializer Recurrent, Initializer Bias, double Dropout, double RecurrentDropout, int? Seed,
        bool ReturnSequences, bool ReturnState, bool GoBackwards, bool Unroll, bool ZeroOutputForMask,
        Constraints.Constraint? KernelConstraint, Constraints.Constraint? RecurrentConstraint, Constraints.Constraint? BiasConstraint);

    private protected static CommonKeys ReadCommon(ConfigReader c, bool hasRecurrentActivation)
    {
        LayerConfigs.NoRegularizers(c, ["kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer"]);
        c.RequireUnset("time_major", "Dendrite's recurrent layers take (batch, time, features) inputs.");
        if (c.Bool("stateful", false))
            throw c.Cannot("stateful", "Dendrite's recurrent layers are not stateful: every batch starts from zeros or from the initial states passed to the call.");
        c.Ignore("implementation", "use_cudnn"); // how Keras computes, not what
        int units = c.OptionalInt("units") ?? throw c.Fail("\"units\" is missing.");
        if (units <= 0) throw c.Cannot("units", "a positive number of units was expected.");
        var activation = GateFunction(c, "activation", ActivationFunction.Tanh);
        var recurrent = hasRecurrentActivation ? GateFunction(c, "recurrent_activation", ActivationFunction.Sigmoid) : ActivationFunction.Linear;
        double dropout = c.Double("dropout", 0), recurrentDropout = c.Double("recurrent_dropout", 0);
        if (!double.IsFinite(dropout)) throw c.Cannot("dropout", "a rate in [0, 1] was expected.");
        if (!double.IsFinite(recurrentDropout)) throw c.Cannot("recurrent_dropout", "a rate in [0, 1] was expected.");
        return new CommonKeys(units, activation, recurrent, c.Bool("use_bias", true),
            LayerConfigs.Initializer(c, "kernel_initializer", new GlorotUniform()),
            LayerConfigs.Initializer(c, "recurrent_initializer", new Orthogonal()),
            LayerConfigs.Initializer(c, "bias_initializer", new Zeros()),
            dropout, recurrentDropout, c.OptionalInt("seed"),
            c.Bool("return_sequences", false), c.Bool("return_state", false), c.Bool("go_backwards", false),
            c.Bool("unroll", false), c.Bool("zero_output_for_mask", false),
            LayerConfigs.Constraint(c, "kernel_constraint"), LayerConfigs.Constraint(c, "recurrent_constraint"), LayerConfigs.Constraint(c, "bias_constraint"));
    }

    /// <summary>An activation key: absent means Keras' default, null means linear (as Keras reads None).</summary>
    private static ActivationFunction GateFunction(ConfigReader c, string key, ActivationFunction defaultValue)
    {
        if (!c.Has(key)) return defaultValue;
        var function = LayerConfigs.Activation(c, key);
        if (function != ActivationFunction.Tanh && function != ActivationFunction.Sigmoid && function != ActivationFunction.Relu && function != ActivationFunction.Linear)
            throw c.Cannot(key, "Dendrite's recurrent layers support tanh, sigmoid, relu and linear.");
        return function;
    }
}

public sealed partial class LSTM
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = RecurrentConfig();
        config["recurrent_activation"] = RecurrentActivation.Name;
        AddInitializerKeys(config, UnitForgetBias);
        config["seed"] = Seed;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>LSTM.from_config</c>).</summary>
    public static LSTM FromConfig(JsonObject config) => LayerConfigs.Read(config, "LSTM", (c, name) =>
    {
        var k = ReadCommon(c, hasRecurrentActivation: true);
        return new LSTM(k.Units, k.Activation, k.RecurrentActivation, k.UseBias, k.Kernel, k.Recurrent, k.Bias, c.Bool("unit_forget_bias", true),
            k.Dropout, k.RecurrentDropout, k.Seed, k.ReturnSequences, k.ReturnState, k.GoBackwards, stateful: false, k.Unroll, k.ZeroOutputForMask, name)
            .WithConstraints<LSTM>(k.KernelConstraint, k.RecurrentConstraint, k.BiasConstraint);
    });
}

public sealed partial class GRU
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = RecurrentConfig();
        config["recurrent_activation"] = RecurrentActivation.Name;
        AddInitializerKeys(config);
        config["reset_after"] = ResetAfter;
        config["seed"] = Seed;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>GRU.from_config</c>).</summary>
    public static GRU FromConfig(JsonObject config) => LayerConfigs.Read(config, "GRU", (c, name) =>
    {
        var k = ReadCommon(c, hasRecurrentActivation: true);
        return new GRU(k.Units, k.Activation, k.RecurrentActivation, k.UseBias, k.Kernel, k.Recurrent, k.Bias, k.Dropout, k.RecurrentDropout, k.Seed,
            k.ReturnSequences, k.ReturnState, k.GoBackwards, stateful: false, k.Unroll, c.Bool("reset_after", true), k.ZeroOutputForMask, name)
            .WithConstraints<GRU>(k.KernelConstraint, k.RecurrentConstraint, k.BiasConstraint);
    });
}

public sealed partial class SimpleRNN
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the seed is not part of SimpleRNN's config.</remarks>
    public override JsonObject GetConfig()
    {
        var config = RecurrentConfig();
        AddInitializerKeys(config);
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (Keras' <c>SimpleRNN.from_config</c>).</summary>
    public static SimpleRNN FromConfig(JsonObject config) => LayerConfigs.Read(config, "SimpleRNN", (c, name) =>
    {
        var k = ReadCommon(c, hasRecurrentActivation: false);
        return new SimpleRNN(k.Units, k.Activation, k.UseBias, k.Kernel, k.Recurrent, k.Bias, k.Dropout, k.RecurrentDropout,
            k.ReturnSequences, k.ReturnState, k.GoBackwards, stateful: false, k.Unroll, k.Seed, k.ZeroOutputForMask, name)
            .WithConstraints<SimpleRNN>(k.KernelConstraint, k.RecurrentConstraint, k.BiasConstraint);
    });
}

public sealed partial class Bidirectional
{
    /// <inheritdoc/>
    /// <remarks>
    /// Keras' keys: <c>merge_mode</c>, then both layers serialized (<c>layer</c> is the forward layer, named
    /// <c>forward_…</c>). Keras also writes each inner layer's <c>build_config</c>; Dendrite leaves it out (the wrapper
    /// builds both layers itself), so the config is the same before and after building.
    /// </remarks>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["merge_mode"] = MergeMode;
        config["layer"] = ForwardLayer.Serialize();
        config["backward_layer"] = BackwardLayer.Serialize();
        return config;
    }

    /// <summary>Rebuilds the wrapper and both layers from its Keras config (Keras' <c>Bidirectional.from_config</c>).</summary>
    public static Bidirectional FromConfig(JsonObject config) => LayerConfigs.Read(config, "Bidirectional", (c, name) =>
    {
        c.RequireUnset("weights", "Dendrite sets a Bidirectional layer's weights from the weights file, not from its config.");
        string? mergeMode = c.Has("merge_mode") ? c.OptionalString("merge_mode") : "concat";
        var layer = Inner(c, "layer") ?? throw c.Fail("\"layer\" (the wrapped layer) is missing.");
        var backward = Inner(c, "backward_layer");
        return new Bidirectional(layer, mergeMode, backward, name);
    });

    private static RecurrentLayer? Inner(ConfigReader c, string key)
    {
        var node = c.Node(key);
        if (node is null) return null;
        return LayerConfigs.Deserialize(node, $"{c.What} \"{key}\"") as RecurrentLayer
            ?? throw c.Cannot(key, "Dendrite's Bidirectional wraps SimpleRNN, LSTM and GRU layers.");
    }
}
