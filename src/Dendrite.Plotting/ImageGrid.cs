using System.Numerics;

namespace Dendrite.Plotting;

/// <summary>
/// A batch of grey-scale images seen as N pictures of height × width pixels, from the shapes the datasets and models
/// use: (N, H, W) as MNIST loads, (N, H, W, 1) as a convnet takes it, or (N, H·W) flattened for a Dense model
/// (square images only, since a flat row does not say its width).
/// </summary>
internal sealed class ImageGrid<T> where T : unmanaged, INumber<T>
{
    private readonly NDArray<T> _images;

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Rows of pixels per image.</summary>
    public int Height { get; }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    public ImageGrid(NDArray<T> images, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        _images = images;
        var shape = images.Shape;
        switch (shape.Rank)
        {
            case 3:
                (Count, Height, Width) = (shape[0], shape[1], shape[2]);
                break;
            case 4 when shape[3] == 1:
                (Count, Height, Width) = (shape[0], shape[1], shape[2]);
                break;
            case 2 when IsSquare(shape[1], out int side):
                (Count, Height, Width) = (shape[0], side, side);
                break;
            default:
                throw new ArgumentException(
                    $"Expected grey-scale images of shape (N, height, width), (N, height, width, 1) or (N, side × side) such as (N, 784), got {shape}.", name);
        }
        if (Height == 0 || Width == 0)
            throw new ArgumentException($"Expected images of at least one pixel, got shape {shape}.", name);
    }

    /// <summary>
    /// The range of pixel values that maps to white … black: 0 to 255 for bytes, else the smallest and largest pixel of
    /// the images drawn (matplotlib's <c>imshow</c> scales to the data in the same way).
    /// </summary>
    public (double Min, double Max) ValueRange(IEnumerable<int> indices)
    {
        if (typeof(T) == typeof(byte)) return (0, 255);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (int i in indices)
        {
            foreach (double v in Pixels(i))
            {
                if (!double.IsFinite(v)) continue;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        return min <= max ? (min, max) : (0, 1);
    }

    /// <summary>Image <paramref name="index"/> as rows of pixels, row 0 the top of the picture.</summary>
    public double[,] Image(int index)
    {
        var pixels = Pixels(index);
        var grid = new double[Height, Width];
        for (int r = 0; r < Height; r++)
            for (int c = 0; c < Width; c++)
                grid[r, c] = pixels[r * Width + c];
        return grid;
    }

    private double[] Pixels(int index) => _images[index].AsType<double>().ToArray();

    private static bool IsSquare(int length, out int side)
    {
        side = (int)Math.Round(Math.Sqrt(length));
        return side > 0 && side * side == length;
    }
}
