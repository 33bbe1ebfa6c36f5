using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>
/// Randomly zeroes a fraction <see cref="Rate"/> of its inputs during training and scales the rest by
/// 1 / (1 − rate) (Keras' <c>Dropout</c>); at inference (<c>Predict</c>, <c>Evaluate</c>) it passes inputs through.
/// </summary>
/// <param name="rate">The fraction dropped, in [0, 1).</param>
/// <param name="seed">Seeds this layer's masks; by default they come from the global seed (<see cref="Utils.SetRandomSeed"/>).</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Dropout(double rate, int? seed = null, string? name = null) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>The fraction of inputs dropped during training.</summary>
    public double Rate { get; } = rate >= 0 && rate < 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), FormattableString.Invariant($"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}"));

    /// <summary>The seed given at construction, if any.</summary>
    public int? Seed { get; } = seed;

    // Drawn when the layer is created, like Keras' SeedGenerator, so that one global seed fixes every mask.
    private readonly RandomGenerator _random = seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork();

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return training && Rate > 0 ? Ops.Dropout(inputs, Rate, _random) : inputs;
    }
}
