using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Nadam (Adam with Nesterov momentum, Dozat 2015) with Keras 3's rule and defaults (learning rate 0.001, beta1 0.9,
/// beta2 0.999, epsilon 1e-7). Keras keeps the momentum cache u_t = beta1·(1 − 0.5·0.96^t) and the running product
/// Π u_i as state. Per update, in float32, with t = iterations + 1:
/// <code>
/// u_t = beta1·(1 − 0.5·0.96^t),   u_{t+1} = beta1·(1 − 0.5·0.96^(t+1))
/// P_t = P_{t−1}·u_t (P_0 = 1),    P_{t+1} = P_t·u_{t+1}
/// m ← m + (g − m)·(1 − beta1);    v ← v + (g² − v)·(1 − beta2)
/// m̂ = u_{t+1}·m / (1 − P_{t+1}) + (1 − u_t)·g / (1 − P_t);   v̂ = v / (1 − beta2^t)
/// w ← w − m̂·lr / (sqrt(v̂) + eps)
/// </code>
/// </summary>
/// <remarks>
/// Unlike Adam, Keras' Nadam computes <c>1 − beta1</c> and <c>1 − beta2</c> from betas already cast to float32,
/// so 1 − 0.9 is 0.100000024 here; this follows it.
/// </remarks>
public sealed partial class Nadam : Optimizer
{
    private const float CacheDecay = 0.96f;
    private readonly List<float[]> _momentums = [], _velocities = [];
    private readonly float _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _epsilon;
    // The running product of the momentum cache (a float32 variable in Keras, updated before each update); an array of
    // one so that it is saved and restored with the other state.
    private readonly float[] _uProduct = [1f];
    // This update's scalars, computed once in PrepareStep.
    private float _uNext, _oneMinusU, _oneMinusProduct, _oneMinusProductNext, _oneMinusBeta2Power;

    /// <summary>Creates Nadam; the defaults are Keras'.</summary>
    public Nadam(float learningRate = 0.001f, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7) : base(learningRate)
    {
        _beta1 = CheckDecayRate(beta1, nameof(beta1), "beta_1");
        _beta2 = CheckDecayRate(beta2, nameof(beta2), "beta_2");
        _epsilon = CheckNonNegative(epsilon, nameof(epsilon), "epsilon");
        _oneMinusBeta1 = 1f - _beta1;
        _oneMinusBeta2 = 1f - _beta2;
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>Creates Nadam whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public Nadam(LearningRateSchedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : this(0.001f, beta1, beta2, epsilon) => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "nadam";

    /// <summary>Decay of the first-moment estimate (scaled by the momentum cache).</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Added to sqrt(v̂) in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>The momentum-cache product Π u_i over the updates so far (Keras' <c>_u_product</c>).</summary>
    internal float MomentumCacheProduct => _uProduct[0];

    /// <summary>The float32 value of <c>1 − beta1</c> used by the update (for tests).</summary>
    internal float OneMinusBeta1 => _oneMinusBeta1;

    /// <inheritdoc/>
    // Keras 3's Nadam.build: every momentum, then every velocity, then the momentum-cache product u_product (a scalar).
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState =>
        Indexed(_momentums).Concat(Indexed(_velocities)).Append((-1, _uProduct));

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size)
    {
        _momentums.Add(new float[size]);
        _velocities.Add(new float[size]);
    }

    /// <inheritdoc/>
    protected override void PrepareStep(float learningRate)
    {
        float t = Iterations + 1, next = Iterations + 2;
        // Keras' _backend_update_step: u_product ← u_product · beta1 · (1 − 0.5·0.96^t), in that order.
        float cache = 1f - 0.5f * MathF.Pow(CacheDecay, t);
        _uProduct[0] = _uProduct[0] * _beta1 * cache;
        float u = _beta1 * cache;
        _uNext = _beta1 * (1f - 0.5f * MathF.Pow(CacheDecay, next));
        _oneMinusU = 1f - u;
        _oneMinusProduct = 1f - _uProduct[0];
        _oneMinusProductNext = 1f - _uProduct[0] * _uNext;
        _oneMinusBeta2Power = 1f - MathF.Pow(_beta2, t);
    }

    /// <inheritdoc/>
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        var m = _momentums[index].AsSpan(offset, w.Length);
        var v = _velocities[index].AsSpan(offset, w.Length);
        float c1 = _oneMinusBeta1, c2 = _oneMinusBeta2, eps = _epsilon;
        float uNext = _uNext, oneMinusU = _oneMinusU, d = _oneMinusProduct, dNext = _oneMinusProductNext, dV = _oneMinusBeta2Power;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            float mi = m[i] + (gi - m[i]) * c1;
            m[i] = mi;
            float vi = v[i] + (gi * gi - v[i]) * c2;
            v[i] = vi;
            float mHat = uNext * mi / dNext + oneMinusU * gi / d;
            float vHat = vi / dV;
            w[i] -= mHat * lr / (MathF.Sqrt(vHat) + eps);
        }
    }
}
