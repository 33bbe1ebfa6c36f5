using Dendrite.Cli.Hosting;
using StbImageSharp;

namespace Dendrite.Cli.Imaging;

/// <summary>An image decoded to 8-bit RGBA, row-major, top row first.</summary>
internal sealed record DecodedImage(int Width, int Height, byte[] Rgba);

/// <summary>
/// Decodes PNG, JPEG, BMP and GIF (first frame) files with StbImageSharp, a managed port of stb_image. The size is read
/// from the header first, so that a file declaring an absurd size is refused before anything is allocated for it.
/// </summary>
internal static class ImageFile
{
    /// <summary>The largest image decoded: 64 megapixels (a 256 MB RGBA buffer).</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>The extensions an image folder's files may have (case-insensitive).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif"];

    public static DecodedImage Decode(string path)
    {
        if (!File.Exists(path))
            throw Directory.Exists(path)
                ? CliException.Unreadable($"'{path}' is a folder, not an image file.")
                : CliException.NotFound($"Image file not found: '{path}'.");
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            using (var header = new MemoryStream(bytes, writable: false))
            {
                var info = ImageInfo.FromStream(header)
                    ?? throw CliException.Unreadable($"'{path}' is not an image Dendrite can read (PNG, JPEG, BMP or GIF): its content is not recognised.");
                if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
                    throw CliException.Unreadable($"'{path}' declares an image of {info.Width}×{info.Height} pixels; images up to {MaxPixels / (1024 * 1024)} megapixels are read.");
            }
            var image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlueAlpha);
            return new DecodedImage(image.Width, image.Height, image.Data);
        }
        catch (Exception e) when (e is not CliException and not OutOfMemoryException)
        {
            // stb_image reports a broken file with a plain Exception ("bad huffman code", "unknown image type", …).
            throw CliException.Unreadable($"'{path}' is not a readable image (PNG, JPEG, BMP or GIF): {e.Message}", e);
        }
    }
}
