using System.Text.Json.Nodes;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

// Keras configs of the normalization layers. Dendrite starts gamma at ones and beta (and the moving mean) at zeros,
// as Keras' defaults do; other initializers are refused rather than silently replaced.

public sealed partial class BatchNormalization
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
        config["beta_initializer"] = new Zeros().Serialize();
        config["gamma_initializer"] = new Ones().Serialize();
        config["moving_mean_initializer"] = new Zeros().Serialize();
        config["moving_variance_initializer"] = new Ones().Serialize();
        config["beta_regularizer"] = null;
        config["gamma_regularizer"] = null;
        config["beta_constraint"] = BetaConstraint?.Serialize();
        config["gamma_constraint"] = GammaConstraint?.Serialize();
        config["synchronized"] = false;
        config["renorm"] = Renorm;
        config["renorm_clipping"] = RenormClipping is { } clip ? NormalizationConfigs.ClippingNode(clip) : null;
        config["renorm_momentum"] = RenormMomentum;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static BatchNormalization FromConfig(JsonObject config) => LayerConfigs.Read(config, "BatchNormalization", (c, name) =>
    {
        LayerConfigs.NoRegularizers(c, "beta_regularizer", "gamma_regularizer");
        NormalizationConfigs.DefaultInitializers(c, ("beta_initializer", typeof(Zeros)), ("gamma_initializer", typeof(Ones)),
            ("moving_mean_initializer", typeof(Zeros)), ("moving_variance_initializer", typeof(Ones)));
        c.Ignore("synchronized"); // only changes how statistics are gathered across devices; Dendrite has one
        bool renorm = c.Bool("renorm", false);
        var clipping = NormalizationConfigs.ReadClipping(c);
        int axis = NormalizationConfigs.SingleAxis(c);
        return new BatchNormalization(c.Double("momentum", 0.99), c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true), name, axis,
            LayerConfigs.Constraint(c, "gamma_constraint"), LayerConfigs.Constraint(c, "beta_constraint"),
            renorm, clipping, c.Double("renorm_momentum", 0.99));
    });
}

public sealed partial class LayerNormalization
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
        config["rms_scaling"] = false;
        config["beta_initializer"] = new Zeros().Serialize();
        config["gamma_initializer"] = new Ones().Serialize();
        config["beta_regularizer"] = null;
        config["gamma_regularizer"] = null;
        config["beta_constraint"] = null;
        config["gamma_constraint"] = null;
        return config;
    }

    /// <summary>Rebuilds the layer from its Keras config (normalising the last axis only).</summary>
    public static LayerNormalization FromConfig(JsonObject config) => LayerConfigs.Read(config, "LayerNormalization", (c, name) =>
    {
        LayerConfigs.NoRegularizers(c, "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint");
        NormalizationConfigs.DefaultInitializers(c, ("beta_initializer", typeof(Zeros)), ("gamma_initializer", typeof(Ones)));
        c.RequireUnset("rms_scaling", "Dendrite's LayerNormalization centres the features.");
        int axis = NormalizationConfigs.SingleAxis(c); // -1, or the last axis's index (checked when the layer is built)
        return new LayerNormalization(c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true), name, axis);
    });
}

internal static class NormalizationConfigs
{
    /// <summary>Keras' <c>renorm_clipping</c> dictionary, with the keys that are set.</summary>
    public static JsonObject ClippingNode(RenormClipping clip)
    {
        var node = new JsonObject();
        if (clip.RMax is double rmax) node["rmax"] = rmax;
        if (clip.RMin is double rmin) node["rmin"] = rmin;
        if (clip.DMax is double dmax) node["dmax"] = dmax;
        return node;
    }

    /// <summary>Reads <c>renorm_clipping</c> (null, or a dictionary of rmax, rmin, dmax), refusing other keys as Keras does.</summary>
    public static RenormClipping? ReadClipping(ConfigReader c)
    {
        var node = c.Node("renorm_clipping");
        if (node is null) return null;
        if (node is not JsonObject dict) throw c.Cannot("renorm_clipping", "a dictionary of rmax, rmin and dmax was expected.");
        string[] keys = ["rmax", "rmin", "dmax"];
        if (dict.Select(p => p.Key).Except(keys).Any())
            throw c.Cannot("renorm_clipping", $"Received invalid keys for `renorm_clipping` argument. Supported values: [{string.Join(", ", keys)}].");
        double? Read(string key) => dict[key] is { } v ? ConfigReader.ToDouble(v) ?? throw c.Cannot("renorm_clipping", $"{key} should be a number.") : null;
        return new RenormClipping(Read("rmax"), Read("rmin"), Read("dmax"));
    }

    /// <summary>The axis as one integer (Keras writes <c>-1</c>, tf.keras <c>[3]</c>).</summary>
    public static int SingleAxis(ConfigReader c)
    {
        var node = c.Node("axis");
        if (node is null) return -1;
        if (ConfigReader.ToLong(node) is long single)
            return single is >= -64 and <= 64 ? (int)single : throw c.Cannot("axis", "an axis of a tensor of rank at most 64 was expected.");
        var list = c.IntList("axis", node);
        return list.Length == 1 ? list[0] : throw c.Cannot("axis", "Dendrite normalises over one axis.");
    }

    /// <summary>Accepts only the default initializers for the given keys.</summary>
    public static void DefaultInitializers(ConfigReader c, params (string Key, Type Expected)[] keys)
    {
        foreach (var (key, expected) in keys)
        {
            var initializer = LayerConfigs.Initializer(c, key, (Initializer)Activator.CreateInstance(expected)!);
            if (initializer.GetType() != expected)
                throw c.Cannot(key, $"Dendrite starts this weight with {expected.Name} only.");
        }
    }
}
