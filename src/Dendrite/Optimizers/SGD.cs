using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Stochastic gradient descent with Keras 3's rule and defaults (learning rate 0.01, momentum 0, no Nesterov).
/// Per element, in float32: without momentum <c>w ← w − g·lr</c>; with it <c>m ← m·μ − g·lr</c>, then
/// <c>w ← w + m</c> (Nesterov: <c>w ← w + m·μ − g·lr</c>, with the new m).
/// </summary>
public sealed partial class SGD : Optimizer
{
    private readonly List<float[]> _momentums = [];
    private readonly float _momentum;

    /// <summary>Creates SGD; the defaults are Keras'. <paramref name="momentum"/> must be in [0, 1] (Keras' check).</summary>
    public SGD(float learningRate = 0.01f, double momentum = 0.0, bool nesterov = false) : base(learningRate)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), FormattableString.Invariant($"momentum must be a float between [0, 1]. Received: momentum={momentum}"));
        Momentum = momentum; Nesterov = nesterov;
        _momentum = (float)momentum;
    }

    /// <summary>Creates SGD whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public SGD(LearningRateSchedule learningRate, double momentum = 0.0, bool nesterov = false) : this(0.01f, momentum, nesterov)
        => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "sgd";

    /// <summary>Momentum factor μ (0 for plain gradient descent).</summary>
    public double Momentum { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>Keras' order: every momentum, and nothing without momentum.</summary>
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState => Momentum != 0 ? Indexed(_momentums) : [];

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size) => _momentums.Add(Momentum != 0 ? new float[size] : []);

    /// <inheritdoc/>
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        if (Momentum == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= g[i] * lr;
            return;
        }
        var m = _momentums[index].AsSpan(offset, w.Length);
        float mu = _momentum;
        for (int i = 0; i < w.Length; i++)
        {
            float mi = m[i] * mu - g[i] * lr;
            m[i] = mi;
            w[i] += Nesterov ? mi * mu - g[i] * lr : mi;
        }
    }
}
