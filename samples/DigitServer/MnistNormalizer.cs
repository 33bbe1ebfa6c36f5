namespace DigitServer;

/// <summary>
/// Turns a grey image of any size into a 28×28 MNIST-style input, as MNIST itself was made: the digit's bounding box
/// is scaled, keeping its aspect ratio, so that its longer side is 20 pixels, and placed in the 28×28 field so that
/// its centre of mass falls on pixel (14, 14) — MNIST's own mean centre of mass (row 14.00, column 14.01 over the
/// 60,000 training images, in pixel indices).
/// </summary>
internal static class MnistNormalizer
{
    internal const int Side = 28;
    internal const int Box = 20;
    private const float Centre = 14f;

    /// <summary>Pixels at or below this intensity (0..1) are background when finding the digit's bounding box.</summary>
    internal const float InkThreshold = 0.1f;

    /// <summary>
    /// <paramref name="ink"/>: <paramref name="width"/> × <paramref name="height"/> intensities in 0..1, row-major,
    /// 0 the background. Returns 784 values in 0..1, or null when no pixel is above <see cref="InkThreshold"/>.
    /// </summary>
    internal static float[]? Normalize(float[] ink, int width, int height)
    {
        if (!TryFindInk(ink, width, height, out int left, out int top, out int right, out int bottom))
            return null;
        int inkWidth = right - left + 1, inkHeight = bottom - top + 1;
        double scale = (double)Box / Math.Max(inkWidth, inkHeight);
        int boxWidth = Math.Clamp((int)Math.Round(inkWidth * scale), 1, Box);
        int boxHeight = Math.Clamp((int)Math.Round(inkHeight * scale), 1, Box);
        float[] digit = Resample(ink, width, left, top, inkWidth, inkHeight, boxWidth, boxHeight);
        return PlaceByCentreOfMass(digit, boxWidth, boxHeight);
    }

    private static bool TryFindInk(float[] ink, int width, int height, out int left, out int top, out int right, out int bottom)
    {
        (left, top, right, bottom) = (width, height, -1, -1);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (ink[y * width + x] > InkThreshold)
                {
                    left = Math.Min(left, x); right = Math.Max(right, x);
                    top = Math.Min(top, y); bottom = Math.Max(bottom, y);
                }
        return right >= 0;
    }

    /// <summary>
    /// The source rectangle resampled to <paramref name="outWidth"/> × <paramref name="outHeight"/>: each output pixel
    /// is the mean of the source area it covers (partial source pixels weighted by their overlap), which is exact
    /// when shrinking; when enlarging, that area is smaller than a pixel and the mean becomes the covering pixel's value.
    /// </summary>
    private static float[] Resample(float[] source, int stride, int left, int top, int width, int height, int outWidth, int outHeight)
    {
        var result = new float[outWidth * outHeight];
        double stepX = (double)width / outWidth, stepY = (double)height / outHeight;
        for (int oy = 0; oy < outHeight; oy++)
        {
            double y0 = oy * stepY, y1 = y0 + stepY;
            for (int ox = 0; ox < outWidth; ox++)
            {
                double x0 = ox * stepX, x1 = x0 + stepX;
                double sum = 0;
                for (int sy = (int)y0; sy < Math.Min(height, (int)Math.Ceiling(y1)); sy++)
                {
                    double coverY = Math.Min(y1, sy + 1) - Math.Max(y0, sy);
                    for (int sx = (int)x0; sx < Math.Min(width, (int)Math.Ceiling(x1)); sx++)
                    {
                        double coverX = Math.Min(x1, sx + 1) - Math.Max(x0, sx);
                        sum += coverX * coverY * source[(top + sy) * stride + left + sx];
                    }
                }
                result[oy * outWidth + ox] = (float)Math.Clamp(sum / (stepX * stepY), 0, 1);
            }
        }
        return result;
    }

    /// <summary>The box placed in a 28×28 field at the whole-pixel offset that brings its centre of mass nearest (14, 14).</summary>
    private static float[] PlaceByCentreOfMass(float[] box, int width, int height)
    {
        double mass = 0, sumX = 0, sumY = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = box[y * width + x];
                mass += v; sumX += x * v; sumY += y * v;
            }
        int offsetX = Math.Clamp((int)Math.Round(Centre - sumX / mass), 0, Side - width);
        int offsetY = Math.Clamp((int)Math.Round(Centre - sumY / mass), 0, Side - height);
        var field = new float[Side * Side];
        for (int y = 0; y < height; y++)
            Array.Copy(box, y * width, field, (offsetY + y) * Side + offsetX, width);
        return field;
    }
}
