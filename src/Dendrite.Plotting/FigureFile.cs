using ScottPlot;
using SkiaSharp;

namespace Dendrite.Plotting;

/// <summary>The two file formats a figure is written in, chosen by the path's extension.</summary>
internal enum FigureFormat { Png, Svg }

/// <summary>
/// Writes a drawn figure to a PNG or SVG file, atomically: the bytes go to a temporary file in the same folder, which
/// then replaces the target in one rename, so a reader never sees half a picture and a failure leaves no stray file.
/// </summary>
internal static class FigureFile
{
    /// <summary>The largest width or height accepted, in pixels (Skia's surfaces stay well below memory limits).</summary>
    internal const int MaxPixels = 16_384;

    /// <summary>The format named by <paramref name="path"/>'s extension (.png or .svg, any case).</summary>
    /// <exception cref="ArgumentException">Any other extension; the message names the path.</exception>
    internal static FigureFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => FigureFormat.Png,
            ".svg" => FigureFormat.Svg,
            _ => throw new ArgumentException($"A figure is written as .png or .svg, chosen by the file's extension; got '{path}'.", nameof(path)),
        };
    }

    /// <summary>Checks a requested figure size, naming the parameter and the accepted range.</summary>
    internal static void CheckSize(int width, int height)
    {
        if (width is < 16 or > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The figure's width must be between 16 and {MaxPixels} pixels.");
        if (height is < 16 or > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"The figure's height must be between 16 and {MaxPixels} pixels.");
    }

    /// <summary>Draws a figure of <paramref name="width"/> × <paramref name="height"/> pixels with <paramref name="draw"/> and writes it to <paramref name="path"/>.</summary>
    internal static void Write(string path, int width, int height, Action<SKCanvas, PixelRect> draw)
    {
        var format = FormatOf(path);
        CheckSize(width, height);
        string target = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot write the figure '{path}': the folder '{folder}' does not exist.");

        string temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                var area = new PixelRect(0, width, height, 0);
                if (format == FigureFormat.Png) WritePng(stream, width, height, canvas => draw(canvas, area));
                else WriteSvg(stream, width, height, canvas => draw(canvas, area));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); }
            catch (IOException) { } // the original error matters more than a leftover temporary file
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void WritePng(Stream stream, int width, int height, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Skia could not create a {width} × {height} drawing surface.");
        draw(surface.Canvas);
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("Skia could not encode the figure as PNG.");
        png.SaveTo(stream);
    }

    private static void WriteSvg(Stream stream, int width, int height, Action<SKCanvas> draw)
    {
        // ScottPlot lays a figure out during its first render and draws it a second time when the layout moved. A raster
        // canvas just paints over the first drawing, but an SVG canvas would keep both, so the first goes to a throwaway.
        using (var layout = SKSurface.Create(new SKImageInfo(width, height)))
            draw(layout.Canvas);

        var svg = new MemoryStream();
        using (var managed = new SKManagedWStream(svg, disposeManagedStream: false))
        {
            // The SVG canvas writes its document when it is disposed, so it must be closed before the stream is read.
            using (var canvas = SKSvgCanvas.Create(SKRect.Create(width, height), managed))
                draw(canvas);
            managed.Flush();
        }
        var document = System.Text.Encoding.UTF8.GetString(svg.GetBuffer(), 0, (int)svg.Length);
        var bytes = System.Text.Encoding.UTF8.GetBytes(SharpenImages(document));
        stream.Write(bytes);
    }

    /// <summary>
    /// Bitmaps (a 28 × 28 digit, the colour bar) are embedded at their own size and scaled up by the viewer, which
    /// smooths them into a blur unless told to keep the pixels square, as the PNG does.
    /// </summary>
    internal static string SharpenImages(string svg) =>
        svg.Replace("<image ", "<image image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" ", StringComparison.Ordinal);
}
