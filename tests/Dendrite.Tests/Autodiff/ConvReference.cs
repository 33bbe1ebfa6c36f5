namespace Dendrite.Tests.Autodiff;

/// <summary>
/// Float64 nested-loop references for convolution and pooling over NHWC images, written from TensorFlow's definition
/// (not from the im2col implementation): "valid" keeps only windows inside the input; "same" gives
/// ceil(in / stride) outputs, pads pad_total = max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0) with
/// pad_total / 2 before and the rest after.
/// </summary>
internal static class ConvReference
{
    /// <summary>Output length and padding before along one axis.</summary>
    public static (int Out, int PadBefore) Axis(int input, int window, int stride, int dilation, bool same)
    {
        int effective = (window - 1) * dilation + 1;
        if (!same) return (input >= effective ? (input - effective) / stride + 1 : 0, 0);
        int output = (input + stride - 1) / stride;
        int total = Math.Max((output - 1) * stride + effective - input, 0);
        return (output, total / 2);
    }

    /// <summary>y[n, oh, ow, f] = bias[f] + Σ x[n, oh·sh − top + i·dh, ow·sw − left + j·dw, c] · k[i, j, c, f].</summary>
    public static double[] Conv2D(float[] x, int batch, int height, int width, int channels,
        float[] kernel, int kh, int kw, int filters, float[]? bias,
        (int H, int W) strides, (int H, int W) dilation, bool same, out int outH, out int outW)
    {
        var (oh, top) = Axis(height, kh, strides.H, dilation.H, same);
        var (ow, left) = Axis(width, kw, strides.W, dilation.W, same);
        outH = oh; outW = ow;
        var y = new double[batch * oh * ow * filters];
        for (int n = 0; n < batch; n++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                    for (int f = 0; f < filters; f++)
                    {
                        double sum = bias is null ? 0 : bias[f];
                        for (int i = 0; i < kh; i++)
                        {
                            int ih = r * strides.H - top + i * dilation.H;
                            if (ih < 0 || ih >= height) continue;
                            for (int j = 0; j < kw; j++)
                            {
                                int iw = s * strides.W - left + j * dilation.W;
                                if (iw < 0 || iw >= width) continue;
                                for (int c = 0; c < channels; c++)
                                    sum += (double)x[((n * height + ih) * width + iw) * channels + c] * kernel[((i * kw + j) * channels + c) * filters + f];
                            }
                        }
                        y[((n * oh + r) * ow + s) * filters + f] = sum;
                    }
        return y;
    }

    /// <summary>The gradients of Σ dy·Conv2D(x, kernel, bias) with respect to x, kernel and bias, in float64.</summary>
    public static (double[] Dx, double[] Dk, double[] Db) Conv2DBackward(float[] x, int batch, int height, int width, int channels,
        float[] kernel, int kh, int kw, int filters, float[] dy,
        (int H, int W) strides, (int H, int W) dilation, bool same)
    {
        var (oh, top) = Axis(height, kh, strides.H, dilation.H, same);
        var (ow, left) = Axis(width, kw, strides.W, dilation.W, same);
        var dx = new double[x.Length];
        var dk = new double[kernel.Length];
        var db = new double[filters];
        for (int n = 0; n < batch; n++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                    for (int f = 0; f < filters; f++)
                    {
                        double g = dy[((n * oh + r) * ow + s) * filters + f];
                        db[f] += g;
                        for (int i = 0; i < kh; i++)
                        {
                            int ih = r * strides.H - top + i * dilation.H;
                            if (ih < 0 || ih >= height) continue;
                            for (int j = 0; j < kw; j++)
                            {
                                int iw = s * strides.W - left + j * dilation.W;
                                if (iw < 0 || iw >= width) continue;
                                for (int c = 0; c < channels; c++)
                                {
                                    int xi = ((n * height + ih) * width + iw) * channels + c, ki = ((i * kw + j) * channels + c) * filters + f;
                                    dx[xi] += g * kernel[ki];
                                    dk[ki] += g * x[xi];
                                }
                            }
                        }
                    }
        return (dx, dk, db);
    }

    /// <summary>
    /// Max or average pooling; padded positions are ignored (max over the covered inputs, mean over the covered
    /// inputs only, as TensorFlow does).
    /// </summary>
    public static double[] Pool2D(float[] x, int batch, int height, int width, int channels,
        (int H, int W) pool, (int H, int W) strides, bool same, bool max, out int outH, out int outW)
    {
        var (oh, top) = Axis(height, pool.H, strides.H, 1, same);
        var (ow, left) = Axis(width, pool.W, strides.W, 1, same);
        outH = oh; outW = ow;
        var y = new double[batch * oh * ow * channels];
        for (int n = 0; n < batch; n++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                    for (int c = 0; c < channels; c++)
                    {
                        double acc = max ? double.NegativeInfinity : 0;
                        int count = 0;
                        for (int i = 0; i < pool.H; i++)
                            for (int j = 0; j < pool.W; j++)
                            {
                                int ih = r * strides.H - top + i, iw = s * strides.W - left + j;
                                if (ih < 0 || ih >= height || iw < 0 || iw >= width) continue;
                                double v = x[((n * height + ih) * width + iw) * channels + c];
                                acc = max ? Math.Max(acc, v) : acc + v;
                                count++;
                            }
                        y[((n * oh + r) * ow + s) * channels + c] = max ? acc : acc / count;
                    }
        return y;
    }

    /// <summary>
    /// The gradient of Σ dy·Pool2D(x): max pooling sends each output's gradient to the largest covered input (inputs
    /// are assumed free of ties), average pooling splits it evenly over the covered inputs.
    /// </summary>
    public static double[] Pool2DBackward(float[] x, int batch, int height, int width, int channels,
        (int H, int W) pool, (int H, int W) strides, bool same, bool max, float[] dy)
    {
        var (oh, top) = Axis(height, pool.H, strides.H, 1, same);
        var (ow, left) = Axis(width, pool.W, strides.W, 1, same);
        var dx = new double[x.Length];
        var covered = new List<int>();
        for (int n = 0; n < batch; n++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                    for (int c = 0; c < channels; c++)
                    {
                        covered.Clear();
                        for (int i = 0; i < pool.H; i++)
                            for (int j = 0; j < pool.W; j++)
                            {
                                int ih = r * strides.H - top + i, iw = s * strides.W - left + j;
                                if (ih >= 0 && ih < height && iw >= 0 && iw < width) covered.Add(((n * height + ih) * width + iw) * channels + c);
                            }
                        double g = dy[((n * oh + r) * ow + s) * channels + c];
                        if (max) dx[covered.MaxBy(i => x[i])] += g;
                        else foreach (int i in covered) dx[i] += g / covered.Count;
                    }
        return dx;
    }

    /// <summary>Asserts |actual − expected| ≤ tolerance element by element, naming the first failure.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}: element {i} is {actual[i]:G9}, reference {expected[i]:G9} (tolerance {tolerance:G3}).");
    }
}
