using System.Numerics;
using System.Runtime.CompilerServices;
using Dendrite.Optimizers.Schedules;

namespace Dendrite.Optimizers;

/// <summary>
/// Adam with Keras 3's update rule and defaults (learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no
/// AMSGrad). Keras uses the "epsilon-hat" form: the bias correction goes into the step size and epsilon is added to
/// sqrt(v), not to sqrt(v̂). Per update, in float32, with t = iterations + 1:
/// <code>
/// alpha = lr·sqrt(1 − beta2^t) / (1 − beta1^t)
/// m ← m + (g − m)·(1 − beta1)
/// v ← v + (g² − v)·(1 − beta2)          (AMSGrad: v̂ ← max(v̂, v), and v̂ replaces v below)
/// w ← w − m·alpha / (sqrt(v) + eps)
/// </code>
/// </summary>
/// <remarks>
/// The betas and epsilon are doubles, like Python's floats in Keras: <c>1 − beta1</c> is computed in double and only
/// then rounded to float32 (0.1 → 0.100000001, where <c>1f − 0.9f</c> gives 0.100000024), while the powers
/// beta^t use the float32 betas, as Keras casts them to the variable's dtype first.
/// </remarks>
public partial class Adam : Optimizer
{
    private readonly List<float[]> _momentums = [], _velocities = [], _velocityHats = [];
    private readonly float _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _epsilon;
    private float _alpha;

    /// <summary>Creates Adam; the defaults are Keras'.</summary>
    public Adam(float learningRate = 0.001f, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : base(learningRate)
    {
        _beta1 = CheckDecayRate(beta1, nameof(beta1), "beta_1");
        _beta2 = CheckDecayRate(beta2, nameof(beta2), "beta_2");
        _epsilon = CheckNonNegative(epsilon, nameof(epsilon), "epsilon");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
        _oneMinusBeta1 = (float)(1.0 - beta1);
        _oneMinusBeta2 = (float)(1.0 - beta2);
    }

    /// <summary>Creates Adam whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public Adam(LearningRateSchedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : this(0.001f, beta1, beta2, epsilon, amsgrad) => Schedule = learningRate;

    /// <inheritdoc/>
    public override string Name => "adam";

    /// <summary>Decay of the first-moment (mean) estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment (uncentered variance) estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Added to sqrt(v) in the denominator ("epsilon hat").</summary>
    public double Epsilon { get; }

    /// <summary>Whether to use the AMSGrad variant (the running maximum of v).</summary>
    public bool Amsgrad { get; }

    /// <summary>The float32 value of <c>1 − beta1</c> used by the update (for tests).</summary>
    internal float OneMinusBeta1 => _oneMinusBeta1;

    /// <inheritdoc/>
    // Keras adds the slots per variable, momentum then velocity (then every velocity_hat with amsgrad).
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState =>
        Interleaved(_momentums, _velocities).Concat(Amsgrad ? Indexed(_velocityHats) : []);

    /// <inheritdoc/>
    protected sealed override void BuildSlots(int index, int size)
    {
        _momentums.Add(new float[size]);
        _velocities.Add(new float[size]);
        _velocityHats.Add(Amsgrad ? new float[size] : []);
    }

    /// <inheritdoc/>
    protected sealed override void PrepareStep(float learningRate)
    {
        float t = Iterations + 1;
        float beta1Power = MathF.Pow(_beta1, t), beta2Power = MathF.Pow(_beta2, t);
        _alpha = learningRate * MathF.Sqrt(1f - beta2Power) / (1f - beta1Power);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call
    protected sealed override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float learningRate)
    {
        var m = _momentums[index].AsSpan(offset, w.Length);
        var v = _velocities[index].AsSpan(offset, w.Length);
        var vHat = Amsgrad ? _velocityHats[index].AsSpan(offset, w.Length) : default;
        float alpha = _alpha, c1 = _oneMinusBeta1, c2 = _oneMinusBeta2, eps = _epsilon;
        int i = 0;
        // The same operations in the same order in the vector loop and the scalar tail, so both give identical bits.
        if (Vector.IsHardwareAccelerated)
        {
            var vAlpha = new Vector<float>(alpha); var vC1 = new Vector<float>(c1);
            var vC2 = new Vector<float>(c2); var vEps = new Vector<float>(eps);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = new Vector<float>(g.Slice(i));
                var mi = new Vector<float>(m.Slice(i));
                mi += (gi - mi) * vC1;
                mi.CopyTo(m.Slice(i));
                var vi = new Vector<float>(v.Slice(i));
                vi += (gi * gi - vi) * vC2;
                vi.CopyTo(v.Slice(i));
                if (Amsgrad)
                {
                    vi = Vector.Max(new Vector<float>(vHat.Slice(i)), vi);
                    vi.CopyTo(vHat.Slice(i));
                }
                (new Vector<float>(w.Slice(i)) - mi * vAlpha / (Vector.SquareRoot(vi) + vEps)).CopyTo(w.Slice(i));
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            float mi = m[i] + (gi - m[i]) * c1;
            m[i] = mi;
            float vi = v[i] + (gi * gi - v[i]) * c2;
            v[i] = vi;
            if (Amsgrad)
            {
                vi = MathF.Max(vHat[i], vi);
                vHat[i] = vi;
            }
            w[i] -= mi * alpha / (MathF.Sqrt(vi) + eps);
        }
    }
}
