using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Batch normalisation over the last axis (Keras' <c>BatchNormalization</c>, channels last). In training
/// (<c>Fit</c>) each batch is normalised by its own mean and variance and the moving statistics are updated;
/// at inference (<c>Predict</c>, <c>Evaluate</c>) the moving statistics are used.
/// </summary>
/// <param name="momentum">Keras' default 0.99: <c>moving ← moving·momentum + batch·(1 − momentum)</c>.</param>
/// <param name="epsilon">Keras' default 1e-3, added to the variance.</param>
/// <param name="center">Whether to learn the offset beta.</param>
/// <param name="scale">Whether to learn the factor gamma.</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <param name="axis">The feature axis of the batched input: −1 (Keras' default) or its positive index; it must be the last axis (channels last).</param>
/// <remarks>Weights in Keras' order: gamma, beta (trainable), moving_mean, moving_variance (not trainable).</remarks>
public sealed partial class BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null, int axis = -1) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>Whether the offset beta is learned.</summary>
    public bool Center { get; } = center;

    /// <summary>Whether the factor gamma is learned.</summary>
    public bool Scale { get; } = scale;

    /// <summary>The feature axis as given (−1: the last).</summary>
    public int Axis { get; } = axis;

    private Variable? _gamma, _beta, _movingMean, _movingVariance;

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
        if (Axis != -1 && Axis != inputShape.Rank)
            throw new ArgumentException($"BatchNormalization '{Name}' normalises the last axis (channels last); axis={Axis} is not the last axis of inputs of rank {inputShape.Rank + 1}.");
        var channels = new Shape(inputShape[^1]);
        if (Scale) _gamma = AddWeight("gamma", channels, new Ones());
        if (Center) _beta = AddWeight("beta", channels, new Zeros());
        _movingMean = AddWeight("moving_mean", channels, new Zeros(), trainable: false);
        _movingVariance = AddWeight("moving_variance", channels, new Ones(), trainable: false);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_movingMean is null || _movingVariance is null) throw new InvalidOperationException($"BatchNormalization '{Name}' is not built yet.");
        // A frozen BatchNormalization runs in inference mode even during training, as in Keras.
        return training && Trainable
            ? Ops.BatchNormTraining(inputs, _gamma?.Value, _beta?.Value, _movingMean.Value, _movingVariance.Value, Momentum, (float)Epsilon)
            : Ops.BatchNormInference(inputs, _gamma?.Value, _beta?.Value, _movingMean.Value, _movingVariance.Value, (float)Epsilon);
    }
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
