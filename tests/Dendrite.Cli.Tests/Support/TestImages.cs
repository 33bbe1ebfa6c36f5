using Dendrite.Datasets;
using StbImageWriteSharp;

namespace Dendrite.Cli.Tests.Support;

/// <summary>Real MNIST test digits, and image files drawn from them in the formats <c>dendrite predict</c> reads.</summary>
internal static class TestImages
{
    private static readonly Lazy<(NDArray<byte> Images, NDArray<byte> Labels)> s_test = new(() =>
    {
        var (_, (images, labels)) = Mnist.LoadData(TestPaths.SharedMnist);
        return (images, labels);
    });

    private static readonly Lazy<(NDArray<byte> Images, NDArray<byte> Labels)> s_train = new(() =>
    {
        var ((images, labels), _) = Mnist.LoadData(TestPaths.SharedMnist);
        return (images, labels);
    });

    /// <summary>MNIST's test images (10000, 28, 28) and labels, read from ../shared/data/mnist.</summary>
    public static (NDArray<byte> Images, NDArray<byte> Labels) MnistTest => s_test.Value;

    /// <summary>MNIST's training images (60000, 28, 28) and labels.</summary>
    public static (NDArray<byte> Images, NDArray<byte> Labels) MnistTrain => s_train.Value;

    /// <summary>Test digit <paramref name="index"/>'s 784 grey pixels, white on black.</summary>
    public static byte[] Digit(int index) => MnistTest.Images[index].ToArray();

    /// <summary>Each pixel repeated <paramref name="factor"/>×<paramref name="factor"/> times (an exact upscale).</summary>
    public static byte[] Upscale(byte[] grey, int size, int factor)
    {
        int big = size * factor;
        var result = new byte[big * big];
        for (int y = 0; y < big; y++)
            for (int x = 0; x < big; x++) result[y * big + x] = grey[(y / factor) * size + x / factor];
        return result;
    }

    /// <summary>255 − each pixel: black on white, as a scan or a drawing.</summary>
    public static byte[] Invert(byte[] grey) => [.. grey.Select(p => (byte)(255 - p))];

    /// <summary>The grey image as RGB triples (R = G = B).</summary>
    public static byte[] ToRgb(byte[] grey) => [.. grey.SelectMany(p => new[] { p, p, p })];

    public static void WritePng(string path, byte[] grey, int size) =>
        Write(path, s => new ImageWriter().WritePng(grey, size, size, ColorComponents.Grey, s));

    public static void WriteJpeg(string path, byte[] grey, int size, int quality = 95) =>
        Write(path, s => new ImageWriter().WriteJpg(grey, size, size, ColorComponents.Grey, s, quality));

    /// <summary>A 24-bit RGB BMP.</summary>
    public static void WriteBmp(string path, byte[] grey, int size) =>
        Write(path, s => new ImageWriter().WriteBmp(ToRgb(grey), size, size, ColorComponents.RedGreenBlue, s));

    private static void Write(string path, Action<Stream> write)
    {
        using var file = File.Create(path);
        write(file);
    }
}
