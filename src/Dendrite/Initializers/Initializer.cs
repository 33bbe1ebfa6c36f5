using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Initializers;

/// <summary>
/// Fills a new weight of a given shape (Keras' <c>keras.initializers</c>). A string converts to the initializer of
/// that Keras name: <c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"zeros"</c>, …; see <see cref="Get"/>.
/// </summary>
/// <remarks>
/// Every initializer describes itself with <see cref="GetConfig"/> (Keras' key names) and is rebuilt from that by the
/// class's <c>FromConfig</c>, so that models save and load with their initializers.
/// </remarks>
public abstract class Initializer
{
    /// <summary>Returns <paramref name="shape"/>.Size values in C order.</summary>
    public abstract float[] Generate(Shape shape);

    /// <summary>Keras' class name (<c>GlorotUniform</c>), as written in configs.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The constructor arguments under Keras' key names (Keras' <c>get_config</c>).</summary>
    public virtual JsonObject GetConfig() => [];

    /// <summary>The object as Keras serializes it: <c>{"module": "keras.initializers", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.initializers", ClassName, GetConfig());

    /// <summary>The Keras names <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
        ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "random_uniform", "random_normal", "truncated_normal", "orthogonal", "zeros", "ones"];

    /// <summary>The initializer registered under a Keras name (case-insensitive; CamelCase class names work too).</summary>
    public static Initializer Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace("_", "").ToLowerInvariant() switch
        {
            "glorotuniform" => new GlorotUniform(),
            "glorotnormal" => new GlorotNormal(),
            "heuniform" => new HeUniform(),
            "henormal" => new HeNormal(),
            "lecununiform" => new LecunUniform(),
            "lecunnormal" => new LecunNormal(),
            "zeros" or "zero" => new Zeros(),
            "ones" or "one" => new Ones(),
            "randomuniform" or "uniform" => new RandomUniform(),
            "randomnormal" or "normal" => new RandomNormal(),
            "truncatednormal" => new TruncatedNormal(),
            "orthogonal" or "orthogonalinitializer" => new Orthogonal(),
            _ => throw new ArgumentException($"Unknown initializer: '{name}'. Known: {string.Join(", ", KnownNames)}."),
        };
    }

    /// <summary>Lets a Keras name stand for the initializer: <c>kernelInitializer: "zeros"</c>.</summary>
    public static implicit operator Initializer(string name) => Get(name);

    /// <summary>Keras' <c>compute_fans</c>: (fan_in, fan_out) of a kernel shape.</summary>
    internal static (double FanIn, double FanOut) ComputeFans(Shape shape)
    {
        if (shape.Rank == 0) return (1, 1);
        if (shape.Rank == 1) return (shape[0], shape[0]);
        if (shape.Rank == 2) return (shape[0], shape[1]);
        double receptive = 1;
        for (int i = 0; i < shape.Rank - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }

    internal static RandomGenerator Generator(int? seed) => seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork();

    /// <summary>The seed as Keras writes it (an integer or null).</summary>
    private protected static JsonObject SeedConfig(int? seed) => new() { ["seed"] = seed };

    /// <summary>Reads an initializer's optional integer seed.</summary>
    private protected static int? ReadSeed(ConfigReader c) => c.OptionalInt("seed");

    /// <summary>Reads one initializer config for a class that takes only a seed.</summary>
    private protected static T FromSeedConfig<T>(JsonObject config, Func<int?, T> create) where T : Initializer =>
        KerasRegistry.ReadConfig(config, $"initializer {typeof(T).Name}", c => create(ReadSeed(c)));
}

/// <summary>Uniform on [minval, maxval) (Keras' <c>RandomUniform</c>; defaults −0.05 and 0.05).</summary>
public class RandomUniform(float minval = -0.05f, float maxval = 0.05f, int? seed = null) : Initializer
{
    /// <summary>The lower bound.</summary>
    public float Minval { get; } = minval;

    /// <summary>The upper bound.</summary>
    public float Maxval { get; } = maxval;

    /// <summary>The seed, or null to draw from the global generator.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var rng = Generator(Seed);
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++) values[i] = Minval + (Maxval - Minval) * rng.NextSingle();
        return values;
    }

    /// <inheritdoc/>
    public override string ClassName => "RandomUniform";

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["minval"] = KerasObject.Float(Minval), ["maxval"] = KerasObject.Float(Maxval), ["seed"] = Seed };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static RandomUniform FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer RandomUniform",
        c => new RandomUniform((float)c.Double("minval", -0.05), (float)c.Double("maxval", 0.05), ReadSeed(c)));
}

/// <summary>Normal with the given mean and standard deviation (Keras' <c>RandomNormal</c>; defaults 0 and 0.05).</summary>
public sealed class RandomNormal(float mean = 0f, float stddev = 0.05f, int? seed = null) : Initializer
{
    /// <summary>The mean.</summary>
    public float Mean { get; } = mean;

    /// <summary>The standard deviation.</summary>
    public float Stddev { get; } = stddev;

    /// <summary>The seed, or null to draw from the global generator.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape) => VarianceScaling.Normal(shape, Mean, Stddev, truncated: false, Seed);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["mean"] = KerasObject.Float(Mean), ["stddev"] = KerasObject.Float(Stddev), ["seed"] = Seed };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static RandomNormal FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer RandomNormal",
        c => new RandomNormal((float)c.Double("mean", 0), (float)c.Double("stddev", 0.05), ReadSeed(c)));
}

/// <summary>
/// Normal with the given mean and standard deviation, values further than two deviations redrawn (Keras'
/// <c>TruncatedNormal</c>; defaults 0 and 0.05).
/// </summary>
public sealed class TruncatedNormal(float mean = 0f, float stddev = 0.05f, int? seed = null) : Initializer
{
    /// <summary>The mean.</summary>
    public float Mean { get; } = mean;

    /// <summary>The standard deviation before truncation.</summary>
    public float Stddev { get; } = stddev;

    /// <summary>The seed, or null to draw from the global generator.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape) => VarianceScaling.Normal(shape, Mean, Stddev, truncated: true, Seed);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["mean"] = KerasObject.Float(Mean), ["stddev"] = KerasObject.Float(Stddev), ["seed"] = Seed };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static TruncatedNormal FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer TruncatedNormal",
        c => new TruncatedNormal((float)c.Double("mean", 0), (float)c.Double("stddev", 0.05), ReadSeed(c)));
}

/// <summary>
/// Keras' <c>VarianceScaling</c>: values whose variance is <c>scale / n</c>, n being fan_in, fan_out or their mean
/// (<paramref name="mode"/>), drawn uniformly on ±sqrt(3·scale/n), from a normal truncated at two deviations
/// (standard deviation sqrt(scale/n) / 0.8796…), or from a plain normal (<paramref name="distribution"/>).
/// </summary>
/// <param name="scale">Positive.</param>
/// <param name="mode"><c>fan_in</c>, <c>fan_out</c> or <c>fan_avg</c>.</param>
/// <param name="distribution"><c>truncated_normal</c>, <c>untruncated_normal</c> or <c>uniform</c>.</param>
/// <param name="seed">The seed, or null to draw from the global generator.</param>
public class VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", int? seed = null) : Initializer
{
    /// <summary>The variance scale.</summary>
    public double Scale { get; } = scale > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), FormattableString.Invariant($"Argument `scale` must be positive float. Received: scale={scale}"));

    /// <summary>Which fan divides the scale.</summary>
    public string Mode { get; } = mode is "fan_in" or "fan_out" or "fan_avg" ? mode
        : throw new ArgumentException($"Invalid `mode` argument: {mode}. Expected one of fan_in, fan_out, fan_avg.", nameof(mode));

    /// <summary>The distribution drawn from.</summary>
    public string Distribution { get; } = (distribution == "normal" ? "truncated_normal" : distribution) is "truncated_normal" or "untruncated_normal" or "uniform"
        ? (distribution == "normal" ? "truncated_normal" : distribution)
        : throw new ArgumentException($"Invalid `distribution` argument: {distribution}. Expected one of truncated_normal, untruncated_normal, uniform.", nameof(distribution));

    /// <summary>The seed, or null to draw from the global generator.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var (fanIn, fanOut) = ComputeFans(shape);
        double n = Mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2.0 };
        double scale = Scale / Math.Max(1.0, n);
        return Distribution switch
        {
            "uniform" => UniformValues(shape, (float)Math.Sqrt(3.0 * scale)),
            "truncated_normal" => Normal(shape, 0f, (float)(Math.Sqrt(scale) / 0.87962566103423978), truncated: true, Seed),
            _ => Normal(shape, 0f, (float)Math.Sqrt(scale), truncated: false, Seed),
        };
    }

    private float[] UniformValues(Shape shape, float limit) => new RandomUniform(-limit, limit, Seed).Generate(shape);

    /// <summary>Normal samples, redrawn beyond two deviations when <paramref name="truncated"/>.</summary>
    internal static float[] Normal(Shape shape, float mean, float stddev, bool truncated, int? seed)
    {
        var rng = Generator(seed);
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++)
        {
            double z;
            do z = rng.NextGaussian(); while (truncated && Math.Abs(z) > 2.0);
            values[i] = (float)(mean + stddev * z);
        }
        return values;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["scale"] = Scale, ["mode"] = Mode, ["distribution"] = Distribution, ["seed"] = Seed };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static VarianceScaling FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer VarianceScaling",
        c => new VarianceScaling(c.Double("scale", 1.0), c.String("mode", "fan_in"), c.String("distribution", "truncated_normal"), ReadSeed(c)));
}

/// <summary>
/// Keras' default kernel initializer: U(−limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
/// For a 784×512 kernel the limit is 0.0680414.
/// </summary>
public sealed class GlorotUniform(int? seed = null) : VarianceScaling(1.0, "fan_avg", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new GlorotUniform FromConfig(JsonObject config) => FromSeedConfig(config, s => new GlorotUniform(s));
}

/// <summary>A normal truncated at two deviations, variance 2 / (fan_in + fan_out) (Keras' <c>GlorotNormal</c>).</summary>
public sealed class GlorotNormal(int? seed = null) : VarianceScaling(1.0, "fan_avg", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new GlorotNormal FromConfig(JsonObject config) => FromSeedConfig(config, s => new GlorotNormal(s));
}

/// <summary>U(−limit, limit) with limit = sqrt(6 / fan_in), for ReLU networks (Keras' <c>HeUniform</c>).</summary>
public sealed class HeUniform(int? seed = null) : VarianceScaling(2.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new HeUniform FromConfig(JsonObject config) => FromSeedConfig(config, s => new HeUniform(s));
}

/// <summary>A normal truncated at two deviations, variance 2 / fan_in (Keras' <c>HeNormal</c>).</summary>
public sealed class HeNormal(int? seed = null) : VarianceScaling(2.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new HeNormal FromConfig(JsonObject config) => FromSeedConfig(config, s => new HeNormal(s));
}

/// <summary>U(−limit, limit) with limit = sqrt(3 / fan_in) (Keras' <c>LecunUniform</c>).</summary>
public sealed class LecunUniform(int? seed = null) : VarianceScaling(1.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new LecunUniform FromConfig(JsonObject config) => FromSeedConfig(config, s => new LecunUniform(s));
}

/// <summary>A normal truncated at two deviations, variance 1 / fan_in (Keras' <c>LecunNormal</c>).</summary>
public sealed class LecunNormal(int? seed = null) : VarianceScaling(1.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override JsonObject GetConfig() => SeedConfig(Seed);

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static new LecunNormal FromConfig(JsonObject config) => FromSeedConfig(config, s => new LecunNormal(s));
}

/// <summary>All zeros; Keras' default bias initializer.</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape) => new float[shape.Size];

    /// <summary>Rebuilds the initializer from its (empty) Keras config.</summary>
    public static Zeros FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer Zeros", _ => new Zeros());
}

/// <summary>All ones.</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape) => new Constant(1f).Generate(shape);

    /// <summary>Rebuilds the initializer from its (empty) Keras config.</summary>
    public static Ones FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer Ones", _ => new Ones());
}

/// <summary>Every value the same (Keras' <c>Constant</c>).</summary>
public sealed class Constant(float value = 0f) : Initializer
{
    /// <summary>The value.</summary>
    public float Value { get; } = value;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var values = new float[shape.Size];
        values.AsSpan().Fill(Value);
        return values;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["value"] = KerasObject.Float(Value) };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static Constant FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer Constant", c => new Constant((float)c.Double("value", 0)));
}
