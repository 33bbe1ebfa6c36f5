namespace Dendrite.Autodiff;

/// <summary>
/// Batch renormalization's state for one BatchNormalization layer (Keras 3's <c>renorm=True</c>): the non-trainable
/// moving_stddev, renorm_mean and renorm_stddev, the clipping bounds and the per-step corrections r and d. Per channel
/// and step, from the batch mean μ and variance σ² (s = √(σ² + ε), ŝ = max(renorm_stddev, √ε)):
/// <code>
/// r = clip(s / ŝ, rmin, rmax)        d = clip((μ − renorm_mean) / ŝ, −dmax, dmax)
/// y = x̂·(r·γ) + (d·γ + β)            (r and d are constants for the gradient)
/// renorm_mean ← renorm_mean·m_r + μ·(1 − m_r)      renorm_stddev ← renorm_stddev·m_r + s·(1 − m_r)
/// moving_mean ← moving_mean·m + μ·(1 − m)          moving_stddev ← moving_stddev·m + s·(1 − m)
/// moving_variance ← relu(moving_stddev² − ε)
/// </code>
/// </summary>
internal sealed class BatchRenorm(Tensor movingStddev, Tensor renormMean, Tensor renormStddev, double? rmin, double? rmax, double? dmax, double renormMomentum)
{
    private readonly float _renormMomentum = (float)renormMomentum, _oneMinusRenormMomentum = (float)(1 - renormMomentum);
    private float[] _r = [], _d = [], _gamma = [], _beta = [];

    /// <summary>This step's r per channel.</summary>
    public float[] R => _r;

    /// <summary>This step's d per channel.</summary>
    public float[] D => _d;

    /// <summary>Computes channel <paramref name="j"/>'s r and d from the batch moments, then moves every statistic.</summary>
    public void Step(int j, float mean, float variance, float epsilon, Span<float> movingMean, Span<float> movingVariance, float momentum, float oneMinusMomentum)
    {
        int c = movingMean.Length;
        if (_r.Length != c) { _r = new float[c]; _d = new float[c]; _gamma = new float[c]; _beta = new float[c]; }
        float stddev = MathF.Sqrt(variance + epsilon);
        var rm = renormMean.Values; var rs = renormStddev.Values; var ms = movingStddev.Values;
        float floor = MathF.Sqrt(epsilon), renormStd = MathF.Max(rs[j], floor);
        float r = stddev / renormStd, d = (mean - rm[j]) / renormStd;
        if (rmin is double lo) r = MathF.Max(r, (float)lo);
        if (rmax is double hi) r = MathF.Min(r, (float)hi);
        if (dmax is double dm) d = Math.Clamp(d, -(float)dm, (float)dm);
        _r[j] = r; _d[j] = d;
        rm[j] = rm[j] * _renormMomentum + mean * _oneMinusRenormMomentum;
        rs[j] = rs[j] * _renormMomentum + stddev * _oneMinusRenormMomentum;
        movingMean[j] = movingMean[j] * momentum + mean * oneMinusMomentum;
        float newStd = ms[j] * momentum + stddev * oneMinusMomentum;
        ms[j] = newStd;
        movingVariance[j] = MathF.Max(newStd * newStd - epsilon, 0f);
    }

    /// <summary>r·γ per channel (r without γ).</summary>
    public ReadOnlySpan<float> EffectiveGamma(Tensor? gamma)
    {
        for (int j = 0; j < _r.Length; j++) _gamma[j] = gamma is null ? _r[j] : _r[j] * gamma.Values[j];
        return _gamma;
    }

    /// <summary>d·γ + β per channel (each part only when the layer has it).</summary>
    public ReadOnlySpan<float> EffectiveBeta(Tensor? gamma, Tensor? beta)
    {
        for (int j = 0; j < _d.Length; j++)
        {
            float v = gamma is null ? _d[j] : _d[j] * gamma.Values[j];
            _beta[j] = beta is null ? v : v + beta.Values[j];
        }
        return _beta;
    }
}
