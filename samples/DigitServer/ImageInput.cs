using StbImageSharp;

namespace DigitServer;

/// <summary>
/// An uploaded picture of a digit (PNG, JPEG, BMP, GIF…) made into an MNIST-style 28×28 input: decoded with
/// StbImageSharp to grey, transparent areas shown over white (as a browser shows them), inverted when the background
/// is light (dark ink on paper becomes MNIST's white on black), the background level taken off, then cropped,
/// scaled and centred by <see cref="MnistNormalizer"/>.
/// </summary>
internal static class ImageInput
{
    /// <summary>Images larger than this on either side are refused before decoding (a small file can decode huge).</summary>
    internal const int MaxSide = 4096;

    /// <summary>784 values in 0..1, or <see cref="BadInputException"/> saying why the upload cannot be read as a digit.</summary>
    internal static float[] ToMnistPixels(byte[] file, string fileName)
    {
        if (file.Length == 0)
            throw new BadInputException($"The uploaded file '{fileName}' is empty.");
        var info = ImageInfo.FromStream(new MemoryStream(file, writable: false))
            ?? throw new BadInputException($"The uploaded file '{fileName}' is not an image (PNG, JPEG, BMP or GIF expected); it starts with bytes {Convert.ToHexString(file.AsSpan(0, Math.Min(8, file.Length)))}.");
        if (info.Width <= 0 || info.Height <= 0 || info.Width > MaxSide || info.Height > MaxSide)
            throw new BadInputException($"The image '{fileName}' is {info.Width}×{info.Height} pixels; at most {MaxSide}×{MaxSide} is accepted.");

        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(file, ColorComponents.GreyAlpha);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadInputException($"The image '{fileName}' could not be decoded: {e.Message}.");
        }

        float[] ink = InkIntensities(image.Data, image.Width, image.Height);
        return MnistNormalizer.Normalize(ink, image.Width, image.Height)
            ?? throw new BadInputException($"The image '{fileName}' is blank: nothing stands out from its background, so there is no digit to read.");
    }

    /// <summary>Per pixel, how far it is from the background, 0..1: 0 the background, 1 the strongest ink.</summary>
    private static float[] InkIntensities(byte[] greyAlpha, int width, int height)
    {
        var grey = new float[width * height];
        for (int i = 0; i < grey.Length; i++)
        {
            float alpha = greyAlpha[2 * i + 1] / 255f;
            grey[i] = (greyAlpha[2 * i] / 255f) * alpha + (1 - alpha);   // over white
        }
        float border = BorderMedian(grey, width, height);
        bool lightBackground = border > 0.5f;
        float background = lightBackground ? 1 - border : border;
        float range = Math.Max(1 - background, 1e-3f);
        for (int i = 0; i < grey.Length; i++)
        {
            float ink = lightBackground ? 1 - grey[i] : grey[i];
            grey[i] = Math.Clamp((ink - background) / range, 0, 1);
        }
        return grey;
    }

    /// <summary>The median grey level of the outermost ring of pixels: the background, for a digit that does not fill the frame.</summary>
    private static float BorderMedian(float[] grey, int width, int height)
    {
        var ring = new List<float>(2 * (width + height));
        for (int x = 0; x < width; x++)
        {
            ring.Add(grey[x]);
            ring.Add(grey[(height - 1) * width + x]);
        }
        for (int y = 1; y < height - 1; y++)
        {
            ring.Add(grey[y * width]);
            ring.Add(grey[y * width + width - 1]);
        }
        ring.Sort();
        return ring[ring.Count / 2];
    }
}
