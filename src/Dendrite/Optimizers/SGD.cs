namespace Dendrite.Optimizers;

/// <summary>
/// Stochastic gradient descent with Keras 3's rule and defaults (learning rate 0.01, momentum 0, no Nesterov):
/// without momentum <c>w ← w − lr·g</c>; with it <c>m ← μ·m − lr·g</c>, then <c>w ← w + m</c>
/// (Nesterov: <c>w ← w + μ·m − lr·g</c>).
/// </summary>
public sealed class SGD : Optimizer
{
    private readonly List<float[]> _momentums = [];

    /// <summary>Creates SGD; the defaults are Keras'.</summary>
    public SGD(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false) : base(learningRate)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), FormattableString.Invariant($"momentum must be in [0, 1]. Received: momentum={momentum}"));
        Momentum = momentum; Nesterov = nesterov;
    }

    /// <inheritdoc/>
    public override string Name => "sgd";

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>Keras' order: every momentum, and nothing without momentum.</summary>
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState => Momentum != 0 ? Indexed(_momentums) : [];

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size) => _momentums.Add(Momentum > 0 ? new float[size] : []);

    /// <inheritdoc/>
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        float lr = LearningRate;
        if (Momentum == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= g[i] * lr;
            return;
        }
        var m = _momentums[index].AsSpan(offset, w.Length);
        for (int i = 0; i < w.Length; i++)
        {
            float mi = m[i] * Momentum - g[i] * lr;
            m[i] = mi;
            w[i] += Nesterov ? mi * Momentum - g[i] * lr : mi;
        }
    }
}
