using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>The shared shape logic of the 1-D pooling layers (channels last). Like Keras', they drop a mask.</summary>
public abstract partial class Pooling1D : Layer
{
    private protected Pooling1D(int poolSize, int? strides, string padding, string? name) : base(name)
    {
        string layer = GetType().Name;
        PoolSize = poolSize > 0 ? poolSize : throw new ArgumentOutOfRangeException(nameof(poolSize), $"{layer}: poolSize must be positive, got {poolSize}.");
        Strides = strides ?? poolSize;
        if (Strides <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"{layer}: strides must be positive, got {Strides}.");
        Padding = PaddingNames.Parse(padding, layer);
    }

    /// <summary>The window length.</summary>
    public int PoolSize { get; }

    /// <summary>The step between windows (Keras' default: the pool size).</summary>
    public int Strides { get; }

    /// <summary>Valid or same.</summary>
    public Padding Padding { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 2)
            throw new ArgumentException($"{GetType().Name} '{Name}' expects sequences of shape (steps, channels) per sample, i.e. batches of rank 3; got per-sample shape {inputShape}.");
        var (outSteps, _) = ConvGeometry.Axis(inputShape[0], PoolSize, Strides, 1, Padding);
        if (outSteps <= 0)
            throw new ArgumentException($"{GetType().Name} '{Name}': a pool of {PoolSize} does not fit {inputShape[0]} steps with padding \"{PaddingNames.Name(Padding)}\".");
        return new Shape(outSteps, inputShape[1]);
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);
}

/// <summary>Max pooling over channels-last sequences (Keras' <c>MaxPooling1D</c>): (steps, c) → (outSteps, c).</summary>
/// <param name="poolSize">Window length; Keras' default 2.</param>
/// <param name="strides">Step between windows; defaults to the pool size.</param>
/// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null)
    : Pooling1D(poolSize, strides, padding, name)
{
    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.MaxPool1D(inputs, PoolSize, Strides, Padding);
    }
}

/// <summary>Average pooling over channels-last sequences (Keras' <c>AveragePooling1D</c>): (steps, c) → (outSteps, c).</summary>
/// <param name="poolSize">Window length; Keras' default 2.</param>
/// <param name="strides">Step between windows; defaults to the pool size.</param>
/// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c> (a window overhanging the end averages the steps it covers).</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class AveragePooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null)
    : Pooling1D(poolSize, strides, padding, name)
{
    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.AvgPool1D(inputs, PoolSize, Strides, Padding);
    }
}

/// <summary>The shared shape logic of the global 1-D poolings: (steps, c) → (c), or (1, c) with <see cref="KeepDims"/>.</summary>
public abstract partial class GlobalPooling1D : Layer
{
    private protected GlobalPooling1D(bool keepDims, string? name) : base(name) => KeepDims = keepDims;

    /// <summary>Whether the steps axis stays, with length 1 (Keras' <c>keepdims</c>, default false).</summary>
    public bool KeepDims { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) =>
        inputShape.Rank != 2
            ? throw new ArgumentException($"{GetType().Name} '{Name}' expects sequences of shape (steps, channels) per sample, i.e. batches of rank 3; got per-sample shape {inputShape}.")
            : KeepDims ? new Shape(1, inputShape[1]) : new Shape(inputShape[1]);

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);
}

/// <summary>
/// The mean of each channel over the steps (Keras' <c>GlobalAveragePooling1D</c>). With a mask on its input (after an
/// <see cref="Embedding"/> with <c>maskZero</c> or a <see cref="Masking"/> layer) it averages the real steps only, as
/// Keras does; its output has no mask.
/// </summary>
/// <param name="keepDims">Whether to keep the steps axis with length 1; Keras' default false.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class GlobalAveragePooling1D(bool keepDims = false, string? name = null) : GlobalPooling1D(keepDims, name)
{
    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.GlobalAvgPool1D(inputs, inputs.Mask, KeepDims);
    }

    /// <summary>None: the steps the mask describes are pooled away (Keras' <c>compute_mask</c> returns None).</summary>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;
}

/// <summary>
/// The maximum of each channel over the steps (Keras' <c>GlobalMaxPooling1D</c>). Like Keras', it does not support
/// masking: padded steps take part (and a mask on its input is dropped).
/// </summary>
/// <param name="keepDims">Whether to keep the steps axis with length 1; Keras' default false.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class GlobalMaxPooling1D(bool keepDims = false, string? name = null) : GlobalPooling1D(keepDims, name)
{
    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Shape.Rank != 3)
            throw new ArgumentException($"GlobalMaxPooling1D '{Name}' expects inputs of rank 3 (batch, steps, channels), got shape {inputs.Shape}.");
        return Ops.Max(inputs, 1, KeepDims);
    }
}
