namespace Dendrite.Initializers;

/// <summary>
/// Fills a new weight of a given shape (Keras' <c>keras.initializers</c>). A string converts to the initializer of
/// that Keras name: <c>"glorot_uniform"</c>, <c>"he_uniform"</c>, <c>"zeros"</c>, <c>"ones"</c>, <c>"random_uniform"</c>.
/// </summary>
public abstract class Initializer
{
    /// <summary>Returns <paramref name="shape"/>.Size values in C order.</summary>
    public abstract float[] Generate(Shape shape);

    /// <summary>The initializer registered under a Keras name (case-insensitive; CamelCase class names work too).</summary>
    public static Initializer Get(string name) => name.Replace("_", "").ToLowerInvariant() switch
    {
        "glorotuniform" => new GlorotUniform(),
        "heuniform" => new HeUniform(),
        "zeros" or "zero" => new Zeros(),
        "ones" or "one" => new Ones(),
        "randomuniform" or "uniform" => new RandomUniform(),
        _ => throw new ArgumentException($"Unknown initializer: '{name}'. Known: glorot_uniform, he_uniform, zeros, ones, random_uniform."),
    };

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
}

/// <summary>Uniform on [−limit, limit].</summary>
public class RandomUniform(float minval = -0.05f, float maxval = 0.05f, int? seed = null) : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var rng = Generator(seed);
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++) values[i] = minval + (maxval - minval) * rng.NextSingle();
        return values;
    }
}

/// <summary>
/// Keras' default kernel initializer: U(−limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
/// For a 784×512 kernel the limit is 0.0680414.
/// </summary>
public sealed class GlorotUniform(int? seed = null) : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var (fanIn, fanOut) = ComputeFans(shape);
        float limit = (float)Math.Sqrt(3.0 / Math.Max(1.0, (fanIn + fanOut) / 2.0));
        return new RandomUniform(-limit, limit, seed).Generate(shape);
    }
}

/// <summary>U(−limit, limit) with limit = sqrt(6 / fan_in), for ReLU networks.</summary>
public sealed class HeUniform(int? seed = null) : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var (fanIn, _) = ComputeFans(shape);
        float limit = (float)Math.Sqrt(6.0 / Math.Max(1.0, fanIn));
        return new RandomUniform(-limit, limit, seed).Generate(shape);
    }
}

/// <summary>All zeros; Keras' default bias initializer.</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape) => new float[shape.Size];
}

/// <summary>All ones.</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        var values = new float[shape.Size];
        values.AsSpan().Fill(1f);
        return values;
    }
}
