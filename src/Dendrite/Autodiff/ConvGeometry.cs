namespace Dendrite.Autodiff;

/// <summary>
/// The geometry of a 2-D window sliding over NHWC images (convolution and pooling): window size, strides, dilation,
/// padding and the resulting output size, computed as TensorFlow does for Keras.
/// </summary>
/// <remarks>
/// "valid": out = floor((in − dilation·(window − 1) − 1) / stride) + 1, no padding.
/// "same": out = ceil(in / stride); the padding needed, max((out − 1)·stride + dilation·(window − 1) + 1 − in, 0),
/// goes half before and the odd one after (TensorFlow's rule, which Keras inherits).
/// </remarks>
internal readonly record struct ConvGeometry(
    int Batch, int Height, int Width, int Channels,
    int WindowHeight, int WindowWidth, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth,
    int PadTop, int PadLeft, int OutHeight, int OutWidth)
{
    /// <summary>The geometry for inputs (batch, height, width, channels) and a window; throws when no output fits.</summary>
    public static ConvGeometry Create(int batch, int height, int width, int channels, (int H, int W) window,
        (int H, int W) strides, (int H, int W) dilation, Padding padding, string who)
    {
        var (outH, padTop) = Axis(height, window.H, strides.H, dilation.H, padding);
        var (outW, padLeft) = Axis(width, window.W, strides.W, dilation.W, padding);
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"{who}: a {window.H}×{window.W} window (dilation {dilation.H}×{dilation.W}) does not fit input {height}×{width} with padding \"{padding.ToString().ToLowerInvariant()}\" (the output would be {outH}×{outW}).");
        return new ConvGeometry(batch, height, width, channels, window.H, window.W, strides.H, strides.W, dilation.H, dilation.W, padTop, padLeft, outH, outW);
    }

    /// <summary>Output length and padding before, along one axis.</summary>
    public static (int Out, int PadBefore) Axis(int length, int window, int stride, int dilation, Padding padding)
    {
        int span = dilation * (window - 1) + 1;
        if (padding == Padding.Valid) return (length < span ? 0 : (length - span) / stride + 1, 0);
        int outLength = (length + stride - 1) / stride;
        int total = Math.Max((outLength - 1) * stride + span - length, 0);
        return (outLength, total / 2);
    }

    /// <summary>Padding after the last row: TensorFlow's "same" puts the odd one of its total there ("valid": none).</summary>
    public int PadBottom => Math.Max((OutHeight - 1) * StrideHeight + DilationHeight * (WindowHeight - 1) + 1 - Height, 0) - PadTop;

    /// <summary>Padding after the last column, as <see cref="PadBottom"/>.</summary>
    public int PadRight => Math.Max((OutWidth - 1) * StrideWidth + DilationWidth * (WindowWidth - 1) + 1 - Width, 0) - PadLeft;

    /// <summary>Window positions per output pixel (the im2col row length is this times the channels).</summary>
    public int WindowSize => WindowHeight * WindowWidth;

    /// <summary>Output pixels per image.</summary>
    public int OutPixels => OutHeight * OutWidth;
}

/// <summary>How a sliding window treats the borders (Keras' <c>padding</c>).</summary>
public enum Padding
{
    /// <summary>No padding: only windows that fit entirely inside the input.</summary>
    Valid,

    /// <summary>Zero padding (−∞ for max pooling) so that the output has ceil(input / stride) positions.</summary>
    Same,
}

/// <summary>Parses Keras' padding strings.</summary>
internal static class PaddingNames
{
    public static Padding Parse(string padding, string who) => padding?.ToLowerInvariant() switch
    {
        "valid" => Padding.Valid,
        "same" => Padding.Same,
        _ => throw new ArgumentException($"{who}: padding must be \"valid\" or \"same\", got \"{padding}\"."),
    };
}
