namespace Dendrite.Layers;

/// <summary>
/// A height and a width (a kernel, pool or stride size), written as Keras allows: one number for both
/// (<c>kernelSize: 3</c>) or a pair (<c>kernelSize: (3, 5)</c>).
/// </summary>
/// <param name="Height">Along the rows.</param>
/// <param name="Width">Along the columns.</param>
public readonly record struct Size2D(int Height, int Width)
{
    /// <summary>The same size along both axes.</summary>
    public static implicit operator Size2D(int size) => new(size, size);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2D((int Height, int Width) size) => new(size.Height, size.Width);

    internal (int H, int W) Tuple => (Height, Width);

    internal Size2D RequirePositive(string layer, string argument) =>
        Height > 0 && Width > 0 ? this : throw new ArgumentOutOfRangeException(argument, $"{layer}: {argument} must be positive, got ({Height}, {Width}).");

    /// <inheritdoc/>
    public override string ToString() => $"({Height}, {Width})";
}
