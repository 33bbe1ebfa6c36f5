namespace Dendrite.Cli.Imaging;

/// <summary>When <c>predict</c> inverts an image: MNIST is white digits on black, photos and scans are usually the reverse.</summary>
internal enum InvertMode
{
    /// <summary>Invert a grey image whose mean brightness (0–1) is above 0.5, i.e. a light background.</summary>
    Auto,
    Yes,
    No,
}

/// <summary>
/// Turns a decoded image into what a model trained on MNIST-like data expects: composited over white (transparent
/// pixels become background), grey by luma (0.299 R + 0.587 G + 0.114 B, ITU-R BT.601, as PIL's "L" mode and
/// stb_image) or kept RGB for a 3-channel model, resized to the model's size by area averaging (the whole image,
/// aspect ratio not kept), scaled to 0–1, and inverted when asked.
/// </summary>
internal static class ImageConverter
{
    /// <summary>The values in height × width × channels order, and whether they were inverted.</summary>
    public static (float[] Values, bool Inverted) ToModelInput(DecodedImage image, ImageGeometry geometry, InvertMode invert)
    {
        var planes = Planes(image, geometry.Channels);
        var resized = planes.Select(p => AreaResize.Resize(p, image.Width, image.Height, geometry.Width, geometry.Height)).ToArray();
        int pixels = geometry.Height * geometry.Width;
        var values = new float[geometry.Size];
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < geometry.Channels; c++)
                values[i * geometry.Channels + c] = Math.Clamp(resized[c][i], 0f, 1f);
        bool inverted = invert switch
        {
            InvertMode.Yes => true,
            InvertMode.No => false,
            _ => geometry.Channels == 1 && values.Average() > 0.5f,
        };
        if (inverted)
            for (int i = 0; i < values.Length; i++) values[i] = 1f - values[i];
        return (values, inverted);
    }

    /// <summary>One plane of 0–1 values per output channel: luma for grey, else R, G, B.</summary>
    private static float[][] Planes(DecodedImage image, int channels)
    {
        int pixels = image.Width * image.Height;
        var planes = new float[channels][];
        for (int c = 0; c < channels; c++) planes[c] = new float[pixels];
        var rgba = image.Rgba;
        for (int i = 0; i < pixels; i++)
        {
            float alpha = rgba[4 * i + 3] / 255f;
            // Over white: a transparent background reads as paper, the usual case for digits drawn in an editor.
            float r = Composite(rgba[4 * i], alpha), g = Composite(rgba[4 * i + 1], alpha), b = Composite(rgba[4 * i + 2], alpha);
            if (channels == 1) planes[0][i] = 0.299f * r + 0.587f * g + 0.114f * b;
            else { planes[0][i] = r; planes[1][i] = g; planes[2][i] = b; }
        }
        return planes;
    }

    private static float Composite(byte value, float alpha) => value / 255f * alpha + (1f - alpha);
}
