using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Adagrad with Keras 3's rule and defaults (learning rate 0.001, initial accumulator 0.1, epsilon 1e-7). Per
/// element, in float32, with the accumulator starting at the initial value:
/// <code>
/// a ← a + g²
/// w ← w − lr·g / sqrt(a + eps)        (epsilon inside the square root)
/// </code>
/// </summary>
public sealed partial class Adagrad : Optimizer
{
    private readonly List<float[]> _accumulators = [];
    private readonly float _initialAccumulator, _epsilon;

    /// <summary>Creates Adagrad; the defaults are Keras'.</summary>
    public Adagrad(float learningRate = 0.001f, double initialAccumulatorValue = 0.1, double epsilon = 1e-7) : base(learningRate)
    {
        _initialAccumulator = CheckNonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue), "initial_accumulator_value");
        _epsilon = CheckNonNegative(epsilon, nameof(epsilon), "epsilon");
        InitialAccumulatorValue = initialAccumulatorValue; Epsilon = epsilon;
    }

    /// <summary>Creates Adagrad whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public Adagrad(LearningRateSchedule learningRate, double initialAccumulatorValue = 0.1, double epsilon = 1e-7)
        : this(0.001f, initialAccumulatorValue, epsilon) => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "adagrad";

    /// <summary>The value every accumulator starts from.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>Added to the accumulator, inside the square root.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState => Indexed(_accumulators);

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size)
    {
        var accumulator = new float[size];
        accumulator.AsSpan().Fill(_initialAccumulator);
        _accumulators.Add(accumulator);
    }

    /// <inheritdoc/>
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        var a = _accumulators[index].AsSpan(offset, w.Length);
        float eps = _epsilon;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            float ai = a[i] + gi * gi;
            a[i] = ai;
            w[i] -= lr * gi / MathF.Sqrt(ai + eps);
        }
    }
}
