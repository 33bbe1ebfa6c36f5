namespace Dendrite.Autodiff;

/// <summary>
/// The geometry of a 2-D window sliding over NHWC images (convolution and pooling): window size, strides, dilation,
/// padding and the resulting output size, computed as TensorFlow does for Keras.
/// </summary>
/// <remarks>
/// "valid": out = floor((in − dilation·(window − 1) − 1) / stride) + 1, no padding.
/// "same": out = ceil(in / stride); the padding needed, max((out − 1)·stride + dilation·(window − 1) + 1 − in, 0),
/// goes half before and the odd one after (TensorFlow's rule, which Keras inherits).
/// "causal" (1-D convolutions only): dilation·(window − 1) zeros before and none after, then "valid", so output t
/// sees inputs up to t only: out = ceil(in / stride) (Keras' <c>Conv1D</c> pads the input so and convolves "valid").
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
        if (padding == Padding.Causal) return (length < 1 ? 0 : (length - 1) / stride + 1, span - 1);
        int outLength = (length + stride - 1) / stride;
        int total = Math.Max((outLength - 1) * stride + span - length, 0);
        return (outLength, total / 2);
    }

    /// <summary>
    /// Padding after the last row: what the last window needs beyond the input and the padding before it (TensorFlow's
    /// "same" puts the odd one of its total there; "valid" and "causal" need none).
    /// </summary>
    public int PadBottom => Math.Max((OutHeight - 1) * StrideHeight + DilationHeight * (WindowHeight - 1) + 1 - Height - PadTop, 0);

    /// <summary>Padding after the last column, as <see cref="PadBottom"/>.</summary>
    public int PadRight => Math.Max((OutWidth - 1) * StrideWidth + DilationWidth * (WindowWidth - 1) + 1 - Width - PadLeft, 0);

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

    /// <summary>
    /// 1-D convolutions only (Keras' <c>Conv1D(padding: "causal")</c>): dilation·(kernel − 1) zeros before the first
    /// step and none after, so that output t depends on inputs up to t and never on later ones.
    /// </summary>
    Causal,
}

/// <summary>Parses Keras' padding strings.</summary>
internal static class PaddingNames
{
    /// <summary>"valid" or "same" (any case), and "causal" where <paramref name="allowCausal"/> (Conv1D).</summary>
    public static Padding Parse(string padding, string who, bool allowCausal = false) => padding?.ToLowerInvariant() switch
    {
        "valid" => Padding.Valid,
        "same" => Padding.Same,
        "causal" when allowCausal => Padding.Causal,
        _ => throw new ArgumentException(allowCausal
            ? $"{who}: padding must be \"valid\", \"same\" or \"causal\", got \"{padding}\"."
            : $"{who}: padding must be \"valid\" or \"same\", got \"{padding}\"."),
    };

    /// <summary>The name Keras writes in configs.</summary>
    public static string Name(Padding padding) => padding switch
    {
        Padding.Same => "same",
        Padding.Causal => "causal",
        _ => "valid",
    };
}
