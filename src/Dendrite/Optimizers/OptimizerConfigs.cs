using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Optimizers.Schedules;
using Dendrite.Saving;

namespace Dendrite.Optimizers;

// Keras configs of the optimizers: the base keys of Keras 3's BaseOptimizer.get_config, then each optimizer's own.

public abstract partial class Optimizer
{
    /// <summary>Keras' class name, written as <c>class_name</c> in configs; the C# type name by default.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>
    /// The optimizer's arguments under Keras' key names (Keras' <c>get_config</c>): the base keys (<c>name</c>,
    /// <c>learning_rate</c> as its float32 value or a serialized schedule, <c>weight_decay</c>, the clipping options,
    /// the EMA, loss-scaling and accumulation options), then each optimizer's own.
    /// </summary>
    public virtual JsonObject GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = Schedule is { } schedule ? schedule.Serialize() : JsonValue.Create((double)LearningRate),
        ["weight_decay"] = WeightDecay,
        ["clipnorm"] = Clipnorm,
        ["global_clipnorm"] = GlobalClipnorm,
        ["clipvalue"] = Clipvalue,
        ["use_ema"] = UseEma,
        ["ema_momentum"] = EmaMomentum,
        ["ema_overwrite_frequency"] = EmaOverwriteFrequency,
        ["loss_scale_factor"] = LossScaleFactor,
        ["gradient_accumulation_steps"] = GradientAccumulationSteps,
    };

    /// <summary>The optimizer as Keras serializes it: <c>{"module": "keras.optimizers", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.optimizers", ClassName, GetConfig());

    /// <summary>Rebuilds an optimizer from its serialized form or its Keras name (Keras' <c>keras.optimizers.deserialize</c>).</summary>
    /// <exception cref="ModelFormatException">The class or name is unknown, or its config holds something Dendrite cannot honour.</exception>
    public static Optimizer Deserialize(JsonNode serialized) => OptimizerConfigs.Deserialize(serialized, "an optimizer");

    /// <summary>Sets the base options read from a config (they are init-only for users).</summary>
    internal T WithOptions<T>(OptimizerConfigs.BaseOptions options) where T : Optimizer
    {
        _clipnorm = CheckClip(options.Clipnorm, nameof(Clipnorm), "clipnorm");
        _clipvalue = CheckClip(options.Clipvalue, nameof(Clipvalue), "clipvalue");
        _globalClipnorm = CheckClip(options.GlobalClipnorm, nameof(GlobalClipnorm), "global_clipnorm");
        if (options.WeightDecay is double wd && !(wd >= 0 && double.IsFinite(wd)))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), FormattableString.Invariant($"weight_decay must be a non-negative finite number. Received: weight_decay={wd}"));
        if (options.WeightDecay is not null || !RequiresWeightDecay) _weightDecay = options.WeightDecay;
        SetStepOptions(options);
        return (T)this;
    }
}

/// <summary>Reading optimizer configs: the builtin table and the base keys.</summary>
internal static class OptimizerConfigs
{
    /// <summary>The base keys Dendrite honours.</summary>
    internal sealed record BaseOptions(float Rate, LearningRateSchedule? Schedule, double? WeightDecay, double? Clipnorm, double? Clipvalue, double? GlobalClipnorm,
        bool UseEma = false, double EmaMomentum = 0.99, int? EmaOverwriteFrequency = null, int? GradientAccumulationSteps = null, double? LossScaleFactor = null);

    /// <summary>Keras class name → reader, for every optimizer Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Optimizer>> Builtins = new Dictionary<string, Func<JsonObject, Optimizer>>(StringComparer.Ordinal)
    {
        ["SGD"] = SGD.FromConfig,
        ["RMSprop"] = RMSprop.FromConfig,
        ["Adam"] = Adam.FromConfig,
        ["AdamW"] = AdamW.FromConfig,
        ["Adagrad"] = Adagrad.FromConfig,
        ["Adadelta"] = Adadelta.FromConfig,
        ["Nadam"] = Nadam.FromConfig,
    };

    /// <summary>Keras class name → reader, for every learning-rate schedule Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, LearningRateSchedule>> Schedules = new Dictionary<string, Func<JsonObject, LearningRateSchedule>>(StringComparer.Ordinal)
    {
        ["ExponentialDecay"] = ExponentialDecay.FromConfig,
        ["PiecewiseConstantDecay"] = PiecewiseConstantDecay.FromConfig,
        ["CosineDecay"] = CosineDecay.FromConfig,
    };

    public static Optimizer Deserialize(JsonNode? node, string where) => KerasRegistry.Deserialize(node, "optimizer", where, Builtins, Optimizer.Get);

    /// <summary>Reads the base keys, then <paramref name="create"/> for the optimizer's own.</summary>
    public static T Read<T>(JsonObject config, string className, Func<ConfigReader, BaseOptions, T> create) where T : Optimizer =>
        KerasRegistry.ReadConfig(config, $"optimizer {className}", c =>
        {
            c.OptionalString("name");
            var rateNode = c.Node("learning_rate") ?? c.Node("lr"); // tf.keras 1.x wrote lr
            float rate = className == "SGD" ? 0.01f : 0.001f; // Keras' defaults
            LearningRateSchedule? schedule = null;
            if (rateNode is JsonObject)
                schedule = KerasRegistry.Deserialize(rateNode, "learning-rate schedule", $"{c.What} \"learning_rate\"", Schedules);
            else if (rateNode is not null)
                rate = (float)(ConfigReader.ToDouble(rateNode) ?? throw c.Cannot("learning_rate", "a number or a schedule was expected."));
            bool useEma = c.Bool("use_ema", false);
            // Keras checks the EMA arguments only with use_ema, and reads 0 as "not set" for the two integers.
            double emaMomentum = useEma ? c.Double("ema_momentum", 0.99) : 0.99;
            int? emaFrequency = useEma ? NonZero(c.OptionalInt("ema_overwrite_frequency")) : null;
            if (!useEma) c.Ignore("ema_momentum", "ema_overwrite_frequency");
            int? accumulation = NonZero(c.OptionalInt("gradient_accumulation_steps"));
            double? lossScale = c.OptionalDouble("loss_scale_factor");
            c.Ignore("is_legacy_optimizer", "jit_compile"); // tf.keras keys without effect here
            c.RequireDefault("decay", 0.0, "tf.keras' legacy time-based decay (lr / (1 + decay·step)) is not in Dendrite; use a learning-rate schedule.");
            var options = new BaseOptions(rate, schedule, c.OptionalDouble("weight_decay"), Positive(c, "clipnorm"), Positive(c, "clipvalue"), Positive(c, "global_clipnorm"),
                useEma, emaMomentum, emaFrequency, accumulation, lossScale);
            try
            {
                return create(c, options).WithOptions<T>(options);
            }
            catch (ArgumentException e) { throw c.Fail(e.Message); }
        });

    private static int? NonZero(int? value) => value == 0 ? null : value;

    // Keras ignores clip values of 0 (they read as "not set"); so does this.
    private static double? Positive(ConfigReader c, string key) => c.OptionalDouble(key) is double v && v > 0 ? v : null;
}

public sealed partial class SGD
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["momentum"] = Momentum;
        config["nesterov"] = Nesterov;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static SGD FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "SGD", (c, o) =>
    {
        double momentum = c.Double("momentum", 0);
        bool nesterov = c.Bool("nesterov", false);
        return o.Schedule is { } s ? new SGD(s, momentum, nesterov) : new SGD(o.Rate, momentum, nesterov);
    });
}

public sealed partial class RMSprop
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["rho"] = Rho;
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["centered"] = Centered;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static RMSprop FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "RMSprop", (c, o) =>
    {
        double rho = c.Double("rho", 0.9), momentum = c.Double("momentum", 0), epsilon = c.Double("epsilon", 1e-7);
        bool centered = c.Bool("centered", false);
        return o.Schedule is { } s ? new RMSprop(s, rho, momentum, epsilon, centered) : new RMSprop(o.Rate, rho, momentum, epsilon, centered);
    });
}

public partial class Adam
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["beta_1"] = Beta1;
        config["beta_2"] = Beta2;
        config["epsilon"] = Epsilon;
        config["amsgrad"] = Amsgrad;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static Adam FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "Adam", (c, o) =>
    {
        var (beta1, beta2, epsilon, amsgrad) = ReadMoments(c);
        return o.Schedule is { } s ? new Adam(s, beta1, beta2, epsilon, amsgrad) : new Adam(o.Rate, beta1, beta2, epsilon, amsgrad);
    });

    /// <summary>The keys Adam and AdamW share, with Keras' defaults.</summary>
    private protected static (double Beta1, double Beta2, double Epsilon, bool Amsgrad) ReadMoments(ConfigReader c) =>
        (c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7), c.Bool("amsgrad", false));
}

public sealed partial class AdamW
{
    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static new AdamW FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "AdamW", (c, o) =>
    {
        var (beta1, beta2, epsilon, amsgrad) = ReadMoments(c);
        double decay = o.WeightDecay ?? 0.004;
        return o.Schedule is { } s ? new AdamW(s, decay, beta1, beta2, epsilon, amsgrad) : new AdamW(o.Rate, decay, beta1, beta2, epsilon, amsgrad);
    });
}

public sealed partial class Adagrad
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["initial_accumulator_value"] = InitialAccumulatorValue;
        config["epsilon"] = Epsilon;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static Adagrad FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "Adagrad", (c, o) =>
    {
        double initial = c.Double("initial_accumulator_value", 0.1), epsilon = c.Double("epsilon", 1e-7);
        return o.Schedule is { } s ? new Adagrad(s, initial, epsilon) : new Adagrad(o.Rate, initial, epsilon);
    });
}

public sealed partial class Adadelta
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["rho"] = Rho;
        config["epsilon"] = Epsilon;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static Adadelta FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "Adadelta", (c, o) =>
    {
        double rho = c.Double("rho", 0.95), epsilon = c.Double("epsilon", 1e-7);
        return o.Schedule is { } s ? new Adadelta(s, rho, epsilon) : new Adadelta(o.Rate, rho, epsilon);
    });
}

public sealed partial class Nadam
{
    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["beta_1"] = Beta1;
        config["beta_2"] = Beta2;
        config["epsilon"] = Epsilon;
        return config;
    }

    /// <summary>Rebuilds the optimizer from its Keras config.</summary>
    public static Nadam FromConfig(JsonObject config) => OptimizerConfigs.Read(config, "Nadam", (c, o) =>
    {
        double beta1 = c.Double("beta_1", 0.9), beta2 = c.Double("beta_2", 0.999), epsilon = c.Double("epsilon", 1e-7);
        return o.Schedule is { } s ? new Nadam(s, beta1, beta2, epsilon) : new Nadam(o.Rate, beta1, beta2, epsilon);
    });
}
