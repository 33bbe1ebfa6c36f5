using Dendrite.Autodiff;

namespace Dendrite.Optimizers;

// Keras' base-optimizer options that change what a step does around the update rule: loss scaling, gradient
// accumulation and the exponential moving average (EMA) of the weights. Their state lives in fields of the optimizer
// (never in the recorded training step), so a replayed step sees it like an eager one.
public abstract partial class Optimizer
{
    private bool _useEma;
    private double _emaMomentum = 0.99;
    private int? _emaOverwriteFrequency, _gradientAccumulationSteps;
    private double? _lossScaleFactor;

    // Per-variable state, created at build time when the option is on (else empty).
    private float[][] _averages = [], _accumulators = [], _unscaled = [];

    /// <summary>
    /// Whether to keep an exponential moving average of every trainable variable (Keras' <c>use_ema</c>), updated after
    /// each step as <c>average ← m·average + (1 − m)·w</c> in float32, with m = <see cref="EmaMomentum"/> (0 while
    /// <see cref="Iterations"/> is 0, so the first average is the weights themselves). The weights take the averages
    /// every <see cref="EmaOverwriteFrequency"/> steps, and at the end of <c>Fit</c> (Keras'
    /// <c>finalize_variable_values</c>, here <see cref="FinalizeVariableValues"/>).
    /// </summary>
    public bool UseEma
    {
        get => _useEma;
        init => _useEma = value;
    }

    /// <summary>The EMA momentum (Keras' <c>ema_momentum</c>, default 0.99); must be in [0, 1].</summary>
    public double EmaMomentum
    {
        get => _emaMomentum;
        init => _emaMomentum = CheckEmaMomentum(value);
    }

    /// <summary>
    /// If set (with <see cref="UseEma"/>), the weights are overwritten by their averages whenever
    /// <c>(<see cref="Iterations"/> + 1) % frequency == 0</c> after a step (Keras' <c>ema_overwrite_frequency</c>);
    /// must be at least 1. Null: only <see cref="FinalizeVariableValues"/> does it.
    /// </summary>
    public int? EmaOverwriteFrequency
    {
        get => _emaOverwriteFrequency;
        init => _emaOverwriteFrequency = CheckEmaFrequency(value);
    }

    /// <summary>
    /// If set, the variables change only every that many calls of <c>Apply</c>, with the mean of the gradients since the
    /// last change (Keras' <c>gradient_accumulation_steps</c>, at least 2): the other calls add the gradient to an
    /// accumulator. Clipping and weight decay act on the mean, at the update. <see cref="Iterations"/> then counts
    /// updates (calls divided by the steps, as Keras' <c>iterations</c>), while a schedule sees the calls.
    /// </summary>
    public int? GradientAccumulationSteps
    {
        get => _gradientAccumulationSteps;
        init => _gradientAccumulationSteps = CheckAccumulationSteps(value);
    }

    /// <summary>
    /// If set, training multiplies the loss by this factor before the backward pass (Keras' <c>scale_loss</c>) and
    /// every update divides the gradients by it first (Keras' <c>loss_scale_factor</c>), which keeps small gradients
    /// away from float underflow. Must be positive and finite. <see cref="Apply(IReadOnlyList{Variable})"/> always
    /// divides, so gradients computed by hand must come from the scaled loss.
    /// </summary>
    public double? LossScaleFactor
    {
        get => _lossScaleFactor;
        init => _lossScaleFactor = CheckLossScale(value);
    }

    /// <summary>The loss times <see cref="LossScaleFactor"/> (Keras' <c>scale_loss</c>); the loss itself when not set.</summary>
    public float ScaleLoss(float loss) => _lossScaleFactor is double s ? loss * (float)s : loss;

    /// <summary>The gradient that seeds the training step's backward pass: the loss-scale factor, or 1.</summary>
    internal float LossSeed => _lossScaleFactor is double s ? (float)s : 1f;

    /// <summary>
    /// Sets each of <paramref name="variables"/> to its moving average when <see cref="UseEma"/> is on (Keras'
    /// <c>finalize_variable_values</c>); <c>Fit</c> calls it after its last epoch. Nothing without EMA or before the
    /// first update.
    /// </summary>
    /// <exception cref="ArgumentException">The number of variables differs from the number of averages.</exception>
    public void FinalizeVariableValues(IReadOnlyList<Variable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (!_useEma || _variables is null) return;
        if (variables.Count != _averages.Length)
            throw new ArgumentException($"The length of model variables ({variables.Count}) to override does not match the length of model variables stored in the optimizer ({_averages.Length}). Please check if the optimizer was called on your model.", nameof(variables));
        for (int i = 0; i < variables.Count; i++) variables[i].Assign(_averages[i]);
    }

    /// <summary>The moving averages, one per built variable (empty without <see cref="UseEma"/>), for tests and saving.</summary>
    internal IReadOnlyList<float[]> MovingAverages => _averages;

    /// <summary>The gradient accumulators, one per built variable (empty without accumulation), for tests and saving.</summary>
    internal IReadOnlyList<float[]> AccumulatedGradients => _accumulators;

    private static double CheckEmaMomentum(double value) =>
        value >= 0 && value <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(EmaMomentum), FormattableString.Invariant($"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={value}"));

    private static int? CheckEmaFrequency(int? value) =>
        value is not int f || f >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(EmaOverwriteFrequency), FormattableString.Invariant($"`ema_overwrite_frequency` must be an integer >= 1 or None. Received: ema_overwrite_frequency={f}"));

    private static int? CheckAccumulationSteps(int? value) =>
        value is not int s || s >= 2 ? value
            : throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), FormattableString.Invariant($"`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps={s}"));

    private static double? CheckLossScale(double? value) =>
        value is not double s || (s > 0 && double.IsFinite(s)) ? value
            : throw new ArgumentOutOfRangeException(nameof(LossScaleFactor), FormattableString.Invariant($"loss_scale_factor must be a positive finite number. Received: loss_scale_factor={s}"));

    private void BuildStepOptions(Variable[] variables)
    {
        _averages = _useEma ? [.. variables.Select(v => new float[v.Shape.Size])] : [];
        _accumulators = _gradientAccumulationSteps is not null ? [.. variables.Select(v => new float[v.Shape.Size])] : [];
        _unscaled = _lossScaleFactor is not null && _gradientAccumulationSteps is null ? [.. variables.Select(v => new float[v.Shape.Size])] : [];
    }

    /// <summary>
    /// Keras' averages then accumulators (each in variable order), which come before the optimizer's own slots in its
    /// variable list.
    /// </summary>
    private IEnumerable<(int Variable, float[] Values)> StepOptionState() =>
        _averages.Select((a, i) => (i, a)).Concat(_accumulators.Select((a, i) => (i, a)));

    /// <summary>
    /// The gradient the update of variable <paramref name="index"/> uses: the backward pass's own, or (with loss
    /// scaling or accumulation) the one <see cref="PrepareGradients"/> left in the optimizer's buffer.
    /// </summary>
    private ReadOnlySpan<float> GradientOf(int index, Tensor value) =>
        _accumulators.Length > 0 ? _accumulators[index] : _unscaled.Length > 0 ? _unscaled[index] : value.Grad;

    /// <summary>
    /// Unscales (g / loss scale) and accumulates the gradients, in float32 in Keras' order; returns whether this call
    /// updates the variables (false: the gradients only went into the accumulators).
    /// </summary>
    private bool PrepareGradients(IReadOnlyList<Variable> variables, int? generation)
    {
        if (_accumulators.Length == 0 && _unscaled.Length == 0) return true;
        float scale = _lossScaleFactor is double s ? (float)s : 1f;
        bool unscale = _lossScaleFactor is not null;
        bool update = _gradientAccumulationSteps is not int steps || (StepCount + 1) % steps == 0;
        float divisor = _gradientAccumulationSteps ?? 1;
        for (int i = 0; i < variables.Count; i++)
        {
            var value = variables[i].Value;
            if (!HasGradient(value, generation)) continue;
            ReadOnlySpan<float> g = value.Grad;
            if (_accumulators.Length == 0)
            {
                var target = _unscaled[i].AsSpan();
                for (int k = 0; k < g.Length; k++) target[k] = g[k] / scale;
                continue;
            }
            var acc = _accumulators[i].AsSpan();
            for (int k = 0; k < g.Length; k++)
            {
                float gk = unscale ? g[k] / scale : g[k];
                acc[k] = update ? (gk + acc[k]) / divisor : gk + acc[k];
            }
        }
        return update;
    }

    /// <summary>After an update from accumulated gradients: every accumulator back to zero (Keras resets them all).</summary>
    private void ResetAccumulators()
    {
        foreach (var acc in _accumulators) Array.Clear(acc);
    }

    /// <summary>Keras' EMA step after every call (updating or accumulating), over all the variables the optimizer was built for.</summary>
    private void UpdateMovingAverages()
    {
        if (!_useEma) return;
        var variables = _variables!;
        // Keras: momentum = cast(iterations != 0) · ema_momentum, in float32.
        float m = Iterations != 0 ? (float)_emaMomentum : 0f, oneMinusM = 1f - m;
        for (int i = 0; i < variables.Length; i++)
        {
            var average = _averages[i].AsSpan();
            ReadOnlySpan<float> w = variables[i].Value.Values;
            for (int k = 0; k < average.Length; k++) average[k] = m * average[k] + oneMinusM * w[k];
        }
        if (_emaOverwriteFrequency is int frequency && (Iterations + 1) % frequency == 0)
            for (int i = 0; i < variables.Length; i++) variables[i].Assign(_averages[i]);
    }

    /// <summary>Keras applies each updated variable's constraint after the update: <c>w ← constraint(w)</c>.</summary>
    private static void ApplyConstraints(IReadOnlyList<Variable> variables, int? generation)
    {
        for (int i = 0; i < variables.Count; i++)
            if (variables[i].Constraint is { } constraint && HasGradient(variables[i].Value, generation))
                constraint.Apply(variables[i].Value.Values, variables[i].Shape);
    }

    /// <summary>Sets the step options read from a config.</summary>
    private void SetStepOptions(OptimizerConfigs.BaseOptions options)
    {
        _useEma = options.UseEma;
        _emaMomentum = CheckEmaMomentum(options.EmaMomentum);
        _emaOverwriteFrequency = CheckEmaFrequency(options.EmaOverwriteFrequency);
        _gradientAccumulationSteps = CheckAccumulationSteps(options.GradientAccumulationSteps);
        _lossScaleFactor = CheckLossScale(options.LossScaleFactor);
    }
}
