using System.Buffers.Binary;
using System.Xml.Linq;
using SkiaSharp;

namespace Dendrite.Plotting.Tests;

/// <summary>Reads back the files the plots write: PNG headers and pixels, SVG text.</summary>
internal static class FigureChecks
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the PNG signature and the IHDR chunk, and returns the width and height it declares.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"'{path}' has {bytes.Length} bytes, too few for a PNG.");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>The decoded pixels of a PNG.</summary>
    public static SKBitmap DecodePng(string path) =>
        SKBitmap.Decode(path) ?? throw new Xunit.Sdk.XunitException($"SkiaSharp cannot decode '{path}' as an image.");

    /// <summary>The SVG document, parsed as XML (which fails the test when it is not well formed).</summary>
    public static XDocument Svg(string path)
    {
        var document = XDocument.Load(path);
        Assert.Equal("svg", document.Root!.Name.LocalName);
        return document;
    }

    /// <summary>Every text element's content, trimmed.</summary>
    public static List<string> SvgTexts(string path) =>
        [.. Svg(path).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim())];

    /// <summary>The pixels within <paramref name="tolerance"/> (per channel) of <paramref name="color"/>.</summary>
    public static List<(int X, int Y)> PixelsNear(SKBitmap bitmap, SKColor color, int tolerance)
    {
        var found = new List<(int, int)>();
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (Math.Abs(p.Red - color.Red) <= tolerance && Math.Abs(p.Green - color.Green) <= tolerance
                    && Math.Abs(p.Blue - color.Blue) <= tolerance)
                    found.Add((x, y));
            }
        }
        return found;
    }

    /// <summary>The number of clearly dark pixels (text, ink) in the rows [top, bottom).</summary>
    public static int DarkPixels(SKBitmap bitmap, int top, int bottom)
    {
        int count = 0;
        for (int y = top; y < bottom; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) is var p && p.Red < 110 && p.Green < 110 && p.Blue < 110) count++;
        return count;
    }
}

/// <summary>A fresh folder for one test's files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dendrite-plotting-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Temporary files the atomic writes might have left behind.</summary>
    public string[] Leftovers() => Directory.GetFiles(Path, "*.tmp");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
