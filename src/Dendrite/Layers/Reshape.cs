using Dendrite.Autodiff;

namespace Dendrite.Layers;

/// <summary>
/// Reshapes each sample to <paramref name="targetShape"/> (Keras' <c>Reshape</c>; the batch axis is kept); one
/// dimension may be −1 and is then inferred.
/// </summary>
/// <param name="targetShape">The per-sample shape, e.g. <c>[7, 7, 16]</c> or <c>[-1, 8]</c>.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Reshape(int[] targetShape, string? name = null) : Layer(name)
{
    /// <summary>The requested per-sample shape (possibly with one −1).</summary>
    public IReadOnlyList<int> TargetShape { get; } = Check(targetShape);

    private static int[] Check(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Count(d => d == -1) > 1 || shape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"Reshape needs positive dimensions and at most one -1, got ({string.Join(", ", shape)}).", nameof(shape));
        return [.. shape];
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        int known = 1, unknown = -1;
        var dims = TargetShape.ToArray();
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] == -1) unknown = i; else known *= dims[i];
        if (unknown >= 0)
        {
            if (inputShape.Size % known != 0)
                throw new ArgumentException($"Reshape '{Name}': total size of the new array must be unchanged, input_shape = {inputShape}, output_shape = ({string.Join(", ", TargetShape)}).");
            dims[unknown] = inputShape.Size / known;
        }
        else if (known != inputShape.Size)
            throw new ArgumentException($"Reshape '{Name}': total size of the new array must be unchanged, input_shape = {inputShape}, output_shape = ({string.Join(", ", TargetShape)}).");
        return new Shape(dims);
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) => ComputeOutputShape(inputShape);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var perSample = ComputeOutputShape(new Shape(inputs.Shape.ToArray()[1..]));
        return Ops.Reshape(inputs, [inputs.Shape[0], .. perSample.ToArray()]);
    }
}

/// <summary>
/// Multiplies inputs by <paramref name="scale"/> and adds <paramref name="offset"/> (Keras' <c>Rescaling</c>):
/// <c>new Rescaling(1.0 / 255)</c> puts pixels in [0, 1] inside the model.
/// </summary>
/// <param name="scale">The factor.</param>
/// <param name="offset">Added after scaling.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Rescaling(double scale, double offset = 0.0, string? name = null) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    /// <summary>The factor.</summary>
    public double Scale { get; } = double.IsFinite(scale) ? scale
        : throw new ArgumentOutOfRangeException(nameof(scale), FormattableString.Invariant($"Rescaling needs a finite scale. Received: scale={scale}"));

    /// <summary>The offset added after scaling.</summary>
    public double Offset { get; } = double.IsFinite(offset) ? offset
        : throw new ArgumentOutOfRangeException(nameof(offset), FormattableString.Invariant($"Rescaling needs a finite offset. Received: offset={offset}"));

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var y = Ops.Multiply(inputs, (float)Scale);
        return Offset == 0 ? y : Ops.Add(y, (float)Offset);
    }
}
