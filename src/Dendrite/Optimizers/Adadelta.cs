using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Adadelta with Keras 3's rule and defaults (learning rate 0.001, rho 0.95, epsilon 1e-7). Per element, in float32,
/// with both accumulators starting at zero and rms(x) = sqrt(x + eps):
/// <code>
/// Eg  ← rho·Eg + (1 − rho)·g²
/// Δ   = −rms(EΔ)·g / rms(Eg)
/// EΔ  ← rho·EΔ + (1 − rho)·Δ²
/// w   ← w + lr·Δ
/// </code>
/// Keras keeps a learning rate (the paper has none; 1.0 gives the paper's form).
/// </summary>
/// <remarks><c>1 − rho</c> is computed in double and rounded to float32 once, as Keras does with a Python float.</remarks>
public sealed partial class Adadelta : Optimizer
{
    private readonly List<float[]> _accumulatedGrads = [], _accumulatedDeltas = [];
    private readonly float _rho, _oneMinusRho, _epsilon;

    /// <summary>Creates Adadelta; the defaults are Keras'.</summary>
    public Adadelta(float learningRate = 0.001f, double rho = 0.95, double epsilon = 1e-7) : base(learningRate)
    {
        _rho = CheckDecayRate(rho, nameof(rho), "rho");
        _epsilon = CheckNonNegative(epsilon, nameof(epsilon), "epsilon");
        _oneMinusRho = (float)(1.0 - rho);
        Rho = rho; Epsilon = epsilon;
    }

    /// <summary>Creates Adadelta whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public Adadelta(LearningRateSchedule learningRate, double rho = 0.95, double epsilon = 1e-7)
        : this(0.001f, rho, epsilon) => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "adadelta";

    /// <summary>Decay of both running averages.</summary>
    public double Rho { get; }

    /// <summary>Added inside both square roots.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    // Keras adds both slots per variable: accumulated_grad, then accumulated_delta_var.
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState =>
        Interleaved(_accumulatedGrads, _accumulatedDeltas);

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size)
    {
        _accumulatedGrads.Add(new float[size]);
        _accumulatedDeltas.Add(new float[size]);
    }

    /// <inheritdoc/>
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        var eg = _accumulatedGrads[index].AsSpan(offset, w.Length);
        var ed = _accumulatedDeltas[index].AsSpan(offset, w.Length);
        float rho = _rho, oneMinusRho = _oneMinusRho, eps = _epsilon;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            float egi = rho * eg[i] + oneMinusRho * (gi * gi);
            eg[i] = egi;
            float delta = -(MathF.Sqrt(ed[i] + eps) * gi / MathF.Sqrt(egi + eps));
            ed[i] = rho * ed[i] + oneMinusRho * (delta * delta);
            w[i] += lr * delta;
        }
    }
}
