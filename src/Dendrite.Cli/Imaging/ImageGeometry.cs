namespace Dendrite.Cli.Imaging;

/// <summary>The image a model takes: height, width and channels (1 grey, 3 RGB).</summary>
internal readonly record struct ImageGeometry(int Height, int Width, int Channels)
{
    /// <summary>Values per image.</summary>
    public int Size => Height * Width * Channels;

    /// <summary>
    /// Reads the image size from a model's per-sample input shape: (H, W, C) with C 1 or 3, (H, W) as grey, or a flat
    /// (N) when N is a square (grey, MNIST's 784 = 28×28) or three times one (RGB); null for anything else.
    /// </summary>
    public static ImageGeometry? FromInputShape(Shape? shape)
    {
        if (shape is not Shape s || s.ToArray().Any(d => d <= 0)) return null;
        return s.Rank switch
        {
            3 when s[2] is 1 or 3 => new ImageGeometry(s[0], s[1], s[2]),
            2 => new ImageGeometry(s[0], s[1], 1),
            1 when SquareSide(s[0]) is int side => new ImageGeometry(side, side, 1),
            1 when s[0] % 3 == 0 && SquareSide(s[0] / 3) is int side => new ImageGeometry(side, side, 3),
            _ => null,
        };
    }

    private static int? SquareSide(int n)
    {
        int side = (int)Math.Round(Math.Sqrt(n));
        return side * side == n ? side : null;
    }

    /// <summary>"28×28 grey" or "32×32 RGB".</summary>
    public override string ToString() => $"{Height}×{Width} {(Channels == 1 ? "grey" : "RGB")}";
}
