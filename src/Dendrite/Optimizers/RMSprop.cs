using System.Runtime.CompilerServices;
using System.Numerics;
using Dendrite.Optimizers.Schedules;
using System.Runtime.Intrinsics;

namespace Dendrite.Optimizers;

/// <summary>
/// RMSprop with Keras 3's update rule and defaults (learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7,
/// not centered). Per element, in float32:
/// <code>
/// v ← rho·v + (1 − rho)·g²
/// denom = v + eps                  (centered: v − a² + eps, with a ← rho·a + (1 − rho)·g)
/// inc = lr·g / sqrt(denom)          (epsilon INSIDE the square root, unlike PyTorch)
/// w ← w − inc                       (momentum: m ← momentum·m + inc; w ← w − m)
/// </code>
/// </summary>
public sealed partial class RMSprop : Optimizer
{
    private readonly List<float[]> _velocities = [];
    private readonly List<float[]> _averageGradients = [];
    private readonly List<float[]> _momentums = [];

    /// <summary>Creates RMSprop; the defaults are Keras'.</summary>
    /// <remarks>
    /// <paramref name="rho"/>, <paramref name="momentum"/> and <paramref name="epsilon"/> are doubles, like Python's
    /// floats in Keras: <c>1 − rho</c> is computed in double and only then rounded to float32 (0.1 → 0.100000001),
    /// which is what Keras does; <c>1f − 0.9f</c> would give 0.100000024 and drift from Keras' numbers.
    /// </remarks>
    public RMSprop(float learningRate = 0.001f, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false)
        : base(learningRate)
    {
        _rho = CheckDecayRate(rho, nameof(rho), "rho");
        _momentum = CheckDecayRate(momentum, nameof(momentum), "momentum");
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), FormattableString.Invariant($"epsilon must be >= 0. Received: epsilon={epsilon}"));
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
        _oneMinusRho = (float)(1.0 - rho);
        _epsilon = (float)epsilon;
    }

    /// <summary>Creates RMSprop whose learning rate follows <paramref name="learningRate"/>; the other defaults are Keras'.</summary>
    public RMSprop(LearningRateSchedule learningRate, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false)
        : this(0.001f, rho, momentum, epsilon, centered) => Schedule = learningRate;

    // The float32 coefficients the update uses, each rounded once from the double arguments.
    private readonly float _rho, _oneMinusRho, _momentum, _epsilon;

    /// <summary>The float32 value of <c>1 − rho</c> used by the update (for tests).</summary>
    internal float OneMinusRho => _oneMinusRho;

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <summary>Decay of the moving average of squared gradients.</summary>
    public double Rho { get; }

    /// <summary>Momentum factor (0 for none).</summary>
    public double Momentum { get; }

    /// <summary>Added to the denominator, inside the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether gradients are normalised by their estimated variance rather than second moment.</summary>
    public bool Centered { get; }

    /// <summary>Keras' order: every velocity, then every momentum (momentum &gt; 0), then every average gradient (centered).</summary>
    internal override IEnumerable<(int Variable, float[] Values)>? KerasState =>
        Indexed(_velocities).Concat(Momentum > 0 ? Indexed(_momentums) : []).Concat(Centered ? Indexed(_averageGradients) : []);

    /// <inheritdoc/>
    protected override void BuildSlots(int index, int size)
    {
        _velocities.Add(new float[size]);
        _averageGradients.Add(Centered ? new float[size] : []);
        _momentums.Add(Momentum > 0 ? new float[size] : []);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    protected override void UpdateStep(int index, int offset, Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        var v = _velocities[index].AsSpan(offset, w.Length);
        float rho = _rho, oneMinusRho = _oneMinusRho, eps = _epsilon;
        if (Centered || Momentum > 0)
        {
            UpdateGeneral(index, offset, w, g, v, lr, rho, oneMinusRho, eps);
            return;
        }
        int i = 0;
        // The same operations in the same order at every width (and in the scalar tail), so all paths give identical bits.
        if (Vector512.IsHardwareAccelerated)
        {
            var vRho = Vector512.Create(rho); var vOne = Vector512.Create(oneMinusRho);
            var vLr = Vector512.Create(lr); var vEps = Vector512.Create(eps);
            for (; i <= w.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var gi = Vector512.Create(g.Slice(i));
                var vi = vRho * Vector512.Create(v.Slice(i)) + vOne * (gi * gi);
                vi.CopyTo(v.Slice(i));
                (Vector512.Create(w.Slice(i)) - vLr * gi / Vector512.Sqrt(vi + vEps)).CopyTo(w.Slice(i));
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            var vRho = new Vector<float>(rho); var vOne = new Vector<float>(oneMinusRho);
            var vLr = new Vector<float>(lr); var vEps = new Vector<float>(eps);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = new Vector<float>(g.Slice(i));
                var vi = vRho * new Vector<float>(v.Slice(i)) + vOne * (gi * gi);
                vi.CopyTo(v.Slice(i));
                var wi = new Vector<float>(w.Slice(i)) - vLr * gi / Vector.SquareRoot(vi + vEps);
                wi.CopyTo(w.Slice(i));
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            float vi = rho * v[i] + oneMinusRho * (gi * gi);
            v[i] = vi;
            w[i] -= lr * gi / MathF.Sqrt(vi + eps);
        }
    }

    private void UpdateGeneral(int index, int offset, Span<float> w, ReadOnlySpan<float> g, Span<float> v, float lr, float rho, float oneMinusRho, float eps)
    {
        var a = Centered ? _averageGradients[index].AsSpan(offset, w.Length) : default;
        var m = Momentum > 0 ? _momentums[index].AsSpan(offset, w.Length) : default;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            float vi = rho * v[i] + oneMinusRho * (gi * gi);
            v[i] = vi;
            float denom;
            if (Centered)
            {
                float ai = rho * a[i] + oneMinusRho * gi;
                a[i] = ai;
                denom = vi - ai * ai + eps;
            }
            else denom = vi + eps;
            float inc = lr * gi / MathF.Sqrt(denom);
            if (Momentum > 0)
            {
                float mi = _momentum * m[i] + inc;
                m[i] = mi;
                w[i] -= mi;
            }
            else w[i] -= inc;
        }
    }
}
