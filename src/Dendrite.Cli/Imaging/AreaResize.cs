namespace Dendrite.Cli.Imaging;

/// <summary>
/// Resizes a single-channel image by area averaging (PIL's <c>Image.BOX</c>, OpenCV's <c>INTER_AREA</c> when
/// shrinking): each output pixel is the mean of the source area it covers, partly covered source pixels weighted by
/// the covered fraction. Shrinking a drawn digit this way keeps thin strokes as grey instead of dropping them, as
/// sampling would. Enlarging degrades gracefully to nearest-neighbour with blended borders.
/// </summary>
internal static class AreaResize
{
    public static float[] Resize(ReadOnlySpan<float> source, int width, int height, int newWidth, int newHeight)
    {
        var columns = Weights(width, newWidth);
        var rows = Weights(height, newHeight);
        // Separable: the product of the row and column overlaps is the area overlap, so two passes give the area mean.
        var horizontal = new float[height * newWidth];
        for (int y = 0; y < height; y++)
        {
            var line = source.Slice(y * width, width);
            for (int x = 0; x < newWidth; x++) horizontal[y * newWidth + x] = Apply(columns[x], line, 1);
        }
        var result = new float[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++)
            for (int x = 0; x < newWidth; x++)
                result[y * newWidth + x] = Apply(rows[y], horizontal.AsSpan(x), newWidth);
        return result;
    }

    private static float Apply((int First, double[] Weights) w, ReadOnlySpan<float> values, int stride)
    {
        double sum = 0;
        for (int i = 0; i < w.Weights.Length; i++) sum += w.Weights[i] * values[(w.First + i) * stride];
        return (float)sum;
    }

    /// <summary>For each output index, the first source index it covers and the covered fraction of each source index (summing to 1).</summary>
    private static (int First, double[] Weights)[] Weights(int size, int newSize)
    {
        double scale = (double)size / newSize;
        var result = new (int, double[])[newSize];
        for (int o = 0; o < newSize; o++)
        {
            double start = o * scale, end = (o + 1) * scale;
            int first = (int)Math.Floor(start);
            int last = Math.Min((int)Math.Ceiling(end), size) - 1;
            var weights = new double[last - first + 1];
            for (int p = first; p <= last; p++)
                weights[p - first] = (Math.Min(end, p + 1) - Math.Max(start, p)) / scale;
            result[o] = (first, weights);
        }
        return result;
    }
}
