using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Batch normalisation over one feature axis (Keras' <c>BatchNormalization</c>). In training (<c>Fit</c>) each batch
/// is normalised by its own mean and variance and the moving statistics are updated; at inference (<c>Predict</c>,
/// <c>Evaluate</c>) the moving statistics are used. With a mask (rank one less than the inputs, e.g. after
/// <c>Embedding(maskZero: true)</c> or <c>Masking</c>), masked positions are left out of the batch statistics, as in
/// Keras 3, but are normalised like the others.
/// </summary>
/// <param name="momentum">Keras' default 0.99: <c>moving ← moving·momentum + batch·(1 − momentum)</c>.</param>
/// <param name="epsilon">Keras' default 1e-3, added to the variance.</param>
/// <param name="center">Whether to learn the offset beta.</param>
/// <param name="scale">Whether to learn the factor gamma.</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <param name="axis">
/// The feature axis of the batched input: −1 (Keras' default, the last) or any other axis but the batch axis, negative
/// ones counting from the end (axis 1 for channels-first images). Another axis than the last costs two transposes.
/// </param>
/// <param name="gammaConstraint">Projection of gamma after each optimizer update; none when null.</param>
/// <param name="betaConstraint">Projection of beta after each optimizer update; none when null.</param>
/// <param name="renorm">
/// Batch renormalization (Keras' <c>renorm</c>): in training the normalised batch is corrected towards the moving
/// statistics by r (a scale) and d (a shift), constants for the gradient, clipped by <paramref name="renormClipping"/>;
/// the layer then also keeps moving_stddev, renorm_mean and renorm_stddev. Inference is unchanged.
/// </param>
/// <param name="renormClipping">The bounds <c>rmin</c>, <c>rmax</c> and <c>dmax</c> of r and d (each optional; null: none).</param>
/// <param name="renormMomentum">Momentum of renorm_mean and renorm_stddev; Keras' default 0.99.</param>
/// <remarks>
/// Weights in Keras' order: gamma, beta (trainable), moving_mean, moving_variance (not trainable), then with renorm
/// moving_stddev, renorm_mean, renorm_stddev (not trainable).
/// </remarks>
public sealed partial class BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null, int axis = -1,
    Constraints.Constraint? gammaConstraint = null, Constraints.Constraint? betaConstraint = null,
    bool renorm = false, RenormClipping? renormClipping = null, double renormMomentum = 0.99) : Layer(name)
{
    /// <summary>Whether batch renormalization is on (Keras' <c>renorm</c>).</summary>
    public bool Renorm { get; } = renorm;

    /// <summary>The clipping of r and d (Keras' <c>renorm_clipping</c>), or null.</summary>
    public RenormClipping? RenormClipping { get; } = renorm ? renormClipping?.Checked() : renormClipping;

    /// <summary>The momentum of renorm_mean and renorm_stddev (Keras' <c>renorm_momentum</c>).</summary>
    public double RenormMomentum { get; } = renormMomentum;

    private Variable? _movingStddev, _renormMean, _renormStddev;

    /// <summary>With renorm: the moving standard deviation (moving_variance is derived from it); else null.</summary>
    public Variable? MovingStddev => _movingStddev;

    /// <summary>With renorm: the mean r and d correct towards; else null.</summary>
    public Variable? RenormMean => _renormMean;

    /// <summary>With renorm: the standard deviation r and d correct towards; else null.</summary>
    public Variable? RenormStddev => _renormStddev;

    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>Whether the offset beta is learned.</summary>
    public bool Center { get; } = center;

    /// <summary>Whether the factor gamma is learned.</summary>
    public bool Scale { get; } = scale;

    /// <summary>The feature axis as given (−1: the last).</summary>
    public int Axis { get; } = axis;

    /// <summary>Gamma's constraint (Keras' <c>gamma_constraint</c>), or null.</summary>
    public Constraints.Constraint? GammaConstraint { get; } = gammaConstraint;

    /// <summary>Beta's constraint (Keras' <c>beta_constraint</c>), or null.</summary>
    public Constraints.Constraint? BetaConstraint { get; } = betaConstraint;

    private Variable? _gamma, _beta, _movingMean, _movingVariance;

    // The axis among the batched input's (built), and the permutations that move it last and back (null when it is last).
    private int _batchedAxis = -1;
    private int[]? _toLast, _fromLast;

    /// <summary>The feature axis among the batched input's axes, once built (−1 before).</summary>
    internal int FeatureAxis => _batchedAxis;

    /// <summary>The moving-average factor.</summary>
    public double Momentum { get; } = momentum >= 0 && momentum <= 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), FormattableString.Invariant($"BatchNormalization: momentum must be in [0, 1], got {momentum}."));

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), FormattableString.Invariant($"BatchNormalization: epsilon must be positive, got {epsilon}."));

    /// <summary>The learned factor (null without <c>scale</c>).</summary>
    public Variable? Gamma => _gamma;

    /// <summary>The learned offset (null without <c>center</c>).</summary>
    public Variable? Beta => _beta;

    /// <summary>The moving mean used at inference.</summary>
    public Variable? MovingMean => _movingMean;

    /// <summary>The moving variance used at inference.</summary>
    public Variable? MovingVariance => _movingVariance;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 1) throw new ArgumentException($"BatchNormalization '{Name}' needs inputs with a feature axis, got per-sample shape {inputShape}.");
        int rank = inputShape.Rank + 1; // with the batch axis, which Keras' axis counts
        int batched = Axis < 0 ? Axis + rank : Axis;
        if (batched < 1 || batched >= rank)
            throw new ArgumentException($"BatchNormalization '{Name}': axis={Axis} is not a feature axis of inputs of rank {rank} (per-sample shape {inputShape}); it must be in [{1 - rank}, {rank - 1}] and not the batch axis 0.");
        _batchedAxis = batched;
        if (batched != rank - 1)
        {
            _toLast = [.. Enumerable.Range(0, rank).Where(a => a != batched), batched];
            _fromLast = new int[rank];
            for (int i = 0; i < rank; i++) _fromLast[_toLast[i]] = i;
        }
        var channels = new Shape(inputShape[batched - 1]);
        if (Scale) _gamma = AddWeight("gamma", channels, new Ones(), constraint: GammaConstraint);
        if (Center) _beta = AddWeight("beta", channels, new Zeros(), constraint: BetaConstraint);
        _movingMean = AddWeight("moving_mean", channels, new Zeros(), trainable: false);
        _movingVariance = AddWeight("moving_variance", channels, new Ones(), trainable: false);
        if (Renorm)
        {
            // Keras starts both standard deviations at the square root of the variance initializer's ones.
            _movingStddev = AddWeight("moving_stddev", channels, new Ones(), trainable: false);
            _renormMean = AddWeight("renorm_mean", channels, new Zeros(), trainable: false);
            _renormStddev = AddWeight("renorm_stddev", channels, new Ones(), trainable: false);
        }
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_movingMean is null || _movingVariance is null) throw new InvalidOperationException($"BatchNormalization '{Name}' is not built yet.");
        // A frozen BatchNormalization runs in inference mode even during training, as in Keras.
        bool batchStatistics = training && Trainable;
        var mask = batchStatistics ? inputs.Mask : null;
        if (mask is not null)
        {
            // Keras: "The mask provided should be one dimension less than the inputs."
            if (mask.Shape.Rank != inputs.Shape.Rank - 1)
                throw new ArgumentException($"BatchNormalization '{Name}': the mask provided should be one dimension less than the inputs. Received: mask.shape={mask.Shape}, inputs.shape={inputs.Shape}");
            if (_toLast is not null)
                throw new NotSupportedException($"BatchNormalization '{Name}': a mask is supported with the feature axis last only (axis={Axis}); Keras broadcasts such a mask along the last axis, which is not the feature axis here.");
        }
        var x = _toLast is null ? inputs : Ops.Transpose(inputs, _toLast);
        var y = batchStatistics
            ? Ops.BatchNormTraining(x, _gamma?.Value, _beta?.Value, _movingMean.Value, _movingVariance.Value, Momentum, (float)Epsilon, mask,
                Renorm ? new BatchRenorm(_movingStddev!.Value, _renormMean!.Value, _renormStddev!.Value, RenormClipping?.RMin, RenormClipping?.RMax, RenormClipping?.DMax, RenormMomentum) : null)
            : Ops.BatchNormInference(x, _gamma?.Value, _beta?.Value, _movingMean.Value, _movingVariance.Value, (float)Epsilon);
        return _fromLast is null ? y : Ops.Transpose(y, _fromLast);
    }
}

/// <summary>
/// The bounds of batch renormalization's corrections (Keras' <c>renorm_clipping</c> dictionary): r is kept in
/// [<paramref name="RMin"/>, <paramref name="RMax"/>] and d in [−<paramref name="DMax"/>, <paramref name="DMax"/>];
/// a null bound does not clip.
/// </summary>
/// <param name="RMax">The largest r (Keras' <c>rmax</c>).</param>
/// <param name="RMin">The smallest r (Keras' <c>rmin</c>).</param>
/// <param name="DMax">The largest |d| (Keras' <c>dmax</c>), non-negative.</param>
public sealed record RenormClipping(double? RMax = null, double? RMin = null, double? DMax = null)
{
    /// <summary>Keras' checks: rmax ≥ rmin, dmax ≥ 0.</summary>
    internal RenormClipping Checked() =>
        RMax is double hi && RMin is double lo && hi < lo
            ? throw new ArgumentException(FormattableString.Invariant($"rmax should be greater than rmin in the `renorm_clipping` argument. Received: rmax={hi}, rmin={lo}."))
            : DMax is double d && d < 0
                ? throw new ArgumentException(FormattableString.Invariant($"dmax should be non-negative in the `renorm_clipping` argument. Received: dmax={d}."))
                : this;
}

/// <summary>
/// Layer normalisation over the last axis (Keras' <c>LayerNormalization</c>): each sample's features are normalised
/// by their own mean and variance, the same in training and at inference.
/// </summary>
/// <param name="epsilon">Keras' default 1e-3.</param>
/// <param name="center">Whether to learn the offset beta.</param>
/// <param name="scale">Whether to learn the factor gamma.</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <param name="axis">The normalised axis of the batched input: −1 (Keras' default) or its positive index; it must be the last axis.</param>
public sealed partial class LayerNormalization(double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null, int axis = -1) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>The normalised axis as given (−1: the last).</summary>
    public int Axis { get; } = axis;

    /// <summary>Whether the offset beta is learned.</summary>
    public bool Center { get; } = center;

    /// <summary>Whether the factor gamma is learned.</summary>
    public bool Scale { get; } = scale;

    private Variable? _gamma, _beta;

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), FormattableString.Invariant($"LayerNormalization: epsilon must be positive, got {epsilon}."));

    /// <summary>The learned factor (null without <c>scale</c> or before the layer is built).</summary>
    public Variable? Gamma => _gamma;

    /// <summary>The learned offset (null without <c>center</c> or before the layer is built).</summary>
    public Variable? Beta => _beta;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 1) throw new ArgumentException($"LayerNormalization '{Name}' needs inputs with a feature axis, got per-sample shape {inputShape}.");
        if (Axis != -1 && Axis != inputShape.Rank)
            throw new ArgumentException($"LayerNormalization '{Name}' normalises the last axis; axis={Axis} is not the last axis of inputs of rank {inputShape.Rank + 1}.");
        var features = new Shape(inputShape[^1]);
        if (Scale) _gamma = AddWeight("gamma", features, new Ones());
        if (Center) _beta = AddWeight("beta", features, new Zeros());
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.LayerNorm(inputs, _gamma?.Value, _beta?.Value, (float)Epsilon);
    }
}
