using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>The shared shape logic of the 2-D pooling layers (channels last).</summary>
public abstract partial class Pooling2D : Layer
{
    private protected Pooling2D(Size2D poolSize, Size2D? strides, string padding, string? name) : base(name)
    {
        string layer = GetType().Name;
        PoolSize = poolSize.RequirePositive(layer, nameof(poolSize));
        Strides = (strides ?? poolSize).RequirePositive(layer, nameof(strides));
        Padding = PaddingNames.Parse(padding, layer);
    }

    /// <summary>The window size.</summary>
    public Size2D PoolSize { get; }

    /// <summary>The step between windows (Keras' default: the pool size).</summary>
    public Size2D Strides { get; }

    /// <summary>Valid or same.</summary>
    public Padding Padding { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 3)
            throw new ArgumentException($"{GetType().Name} '{Name}' expects images of shape (height, width, channels) per sample, i.e. batches of rank 4; got per-sample shape {inputShape}.");
        var g = ConvGeometry.Create(1, inputShape[0], inputShape[1], inputShape[2], PoolSize.Tuple, Strides.Tuple, (1, 1), Padding, $"{GetType().Name} '{Name}'");
        return new Shape(g.OutHeight, g.OutWidth, inputShape[2]);
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);
}

/// <summary>Max pooling over channels-last images (Keras' <c>MaxPooling2D</c>).</summary>
/// <param name="poolSize">Window size; Keras' default 2.</param>
/// <param name="strides">Step between windows; defaults to the pool size.</param>
/// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c>.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class MaxPooling2D(Size2D? poolSize = null, Size2D? strides = null, string padding = "valid", string? name = null)
    : Pooling2D(poolSize ?? 2, strides, padding, name)
{
    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.MaxPool2D(inputs, PoolSize.Tuple, Strides.Tuple, Padding);
    }
}

/// <summary>Average pooling over channels-last images (Keras' <c>AveragePooling2D</c>).</summary>
/// <param name="poolSize">Window size; Keras' default 2.</param>
/// <param name="strides">Step between windows; defaults to the pool size.</param>
/// <param name="padding"><c>"valid"</c> (default) or <c>"same"</c> (border windows average only what they cover).</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class AveragePooling2D(Size2D? poolSize = null, Size2D? strides = null, string padding = "valid", string? name = null)
    : Pooling2D(poolSize ?? 2, strides, padding, name)
{
    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.AvgPool2D(inputs, PoolSize.Tuple, Strides.Tuple, Padding);
    }
}

/// <summary>The mean of each channel over all positions (Keras' <c>GlobalAveragePooling2D</c>): (h, w, c) → (c).</summary>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class GlobalAveragePooling2D(string? name = null) : Layer(name)
{
    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) =>
        inputShape.Rank == 3 ? new Shape(inputShape[2])
        : throw new ArgumentException($"GlobalAveragePooling2D '{Name}' expects images of shape (height, width, channels) per sample; got per-sample shape {inputShape}.");

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.GlobalAvgPool2D(inputs);
    }
}
