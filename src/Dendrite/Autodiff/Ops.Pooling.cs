using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// Max pooling over NHWC images (Keras' <c>max_pool</c>): each output is the largest input in its window.
    /// With "same" padding the padded positions never win (they count as −∞). The gradient goes to the first
    /// maximum of each window in row-major window order (TensorFlow picks one maximum too).
    /// </summary>
    public static Tensor MaxPool2D(Tensor x, (int Height, int Width) poolSize, (int Height, int Width)? strides = null, Padding padding = Padding.Valid) =>
        Pool2D(x, poolSize, strides ?? poolSize, padding, max: true);

    /// <summary>
    /// Average pooling over NHWC images (Keras' <c>average_pool</c>). With "same" padding, a window that overhangs
    /// the border averages only the inputs it covers, as TensorFlow does.
    /// </summary>
    public static Tensor AvgPool2D(Tensor x, (int Height, int Width) poolSize, (int Height, int Width)? strides = null, Padding padding = Padding.Valid) =>
        Pool2D(x, poolSize, strides ?? poolSize, padding, max: false);

    private static Tensor Pool2D(Tensor x, (int H, int W) pool, (int H, int W) strides, Padding padding, bool max)
    {
        ArgumentNullException.ThrowIfNull(x);
        string who = max ? "MaxPool2D" : "AvgPool2D";
        if (x.Shape.Rank != 4)
            throw new ArgumentException($"{who} expects inputs of rank 4 (batch, height, width, channels), got shape {x.Shape}.");
        if (pool.H < 1 || pool.W < 1 || strides.H < 1 || strides.W < 1)
            throw new ArgumentException($"{who}: pool size and strides must be positive, got pool {pool} and strides {strides}.");
        if (padding == Padding.Causal) throw new ArgumentException($"{who}: padding must be \"valid\" or \"same\", got \"causal\".");
        var g = ConvGeometry.Create(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], pool, strides, (1, 1), padding, who);
        return Pool(x, g, max, new Shape(g.Batch, g.OutHeight, g.OutWidth, g.Channels));
    }

    /// <summary>
    /// The pooling op for a checked geometry, its output of shape <paramref name="output"/> (the elements of (batch,
    /// outHeight, outWidth, channels) in C order under any shape: the 1-D poolings' have no height axis). The op reads
    /// the input only as flat values laid out as <paramref name="g"/> says.
    /// </summary>
    private static Tensor Pool(Tensor x, in ConvGeometry g, bool max, Shape output)
    {
        // Max pooling remembers where each maximum came from, so that its backward is a scatter of the output
        // gradient instead of a second search through the (large) input.
        var ws = Workspace.Current;
        float[] winners = !max ? [] : ws is null ? new float[output.Size] : ws.Rent(output.Size);
        return Run(new Pool2DOp(x, g, max, winners), output, x.RequiresGrad);
    }

    /// <summary>
    /// Max or average pooling, one fixed range of images per thread. For max pooling, <c>winners</c> holds, for every
    /// output element, the pixel (ih·width + iw, exact in float32 for any image under 2²⁴ pixels) its maximum came from:
    /// the first maximum in row-major window order, or the first NaN, which the maximum propagates.
    /// </summary>
    private sealed class Pool2DOp(Tensor x, ConvGeometry g, bool max, float[] winners) : Op, IParallelJob
    {
        private bool _backward;
        private bool _freshGrad;

        public override void Forward()
        {
            _backward = false;
            WorkerPool.Run(this, Parts());
        }

        public override void Backward(int generation)
        {
            x.GradForWrite(generation, out _freshGrad);
            _backward = true;
            WorkerPool.Run(this, Parts());
        }

        // A fixed range of images per tile: windows may overlap, but never across images.
        private int Parts() => (long)x.Size < 1 << 15 ? 1 : WorkerPool.Tiles(g.Batch);

        public void Execute(int part, int parts)
        {
            int first = (int)((long)g.Batch * part / parts), last = (int)((long)g.Batch * (part + 1) / parts);
            int imageSize = g.Height * g.Width * g.Channels;
            for (int n = first; n < last; n++)
            {
                var image = x.Values.Slice(n * imageSize, imageSize);
                int outOffset = n * g.OutPixels * g.Channels;
                int outSize = g.OutPixels * g.Channels;
                var winner = max ? winners.AsSpan(outOffset, outSize) : default;
                if (!_backward && max && VectorPoolsDisjoint(g)) PoolImageDisjoint(g, image, Output.Values.Slice(outOffset, outSize), winner);
                else if (!_backward) PoolImage(g, max, image, Output.Values.Slice(outOffset, outSize), winner);
                else
                {
                    var dx = x.GradBuffer.AsSpan(n * imageSize, imageSize);
                    if (_freshGrad && max && VectorPoolsDisjoint(g)) PoolImageGradientDisjoint(g, winner, Output.Grad.Slice(outOffset, outSize), dx);
                    else if (_freshGrad && max && DisjointPoolWindows(g)) WriteMaxPoolGradient(g, winner, Output.Grad.Slice(outOffset, outSize), dx);
                    else
                    {
                        if (_freshGrad) dx.Clear();
                        BackwardImage(winner, Output.Grad.Slice(outOffset, outSize), dx);
                    }
                }
            }
        }

        private (int H0, int H1, int W0, int W1) Window(int oh, int ow) => PoolWindow(g, oh, ow);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
        private void BackwardImage(ReadOnlySpan<float> winner, ReadOnlySpan<float> dy, Span<float> dx)
        {
            int c = g.Channels;
            if (max)
            {
                // Each output's gradient goes to the pixel its maximum came from.
                for (int o = 0, pixel = 0; pixel < g.OutPixels; pixel++)
                    for (int ch = 0; ch < c; ch++, o++) dx[(int)winner[o] * c + ch] += dy[o];
                return;
            }
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    var (h0, h1, w0, w1) = Window(oh, ow);
                    int o = (oh * g.OutWidth + ow) * c;
                    float count = (h1 - h0) * (w1 - w0);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            int i = (ih * g.Width + iw) * c;
                            for (int ch = 0; ch < c; ch++) dx[i + ch] += dy[o + ch] / count;
                        }
                }
        }
    }

    /// <summary>The input rows and columns pooling window (oh, ow) covers, clipped to the image.</summary>
    private static (int H0, int H1, int W0, int W1) PoolWindow(in ConvGeometry g, int oh, int ow)
    {
        int h0 = oh * g.StrideHeight - g.PadTop, w0 = ow * g.StrideWidth - g.PadLeft;
        return (Math.Max(h0, 0), Math.Min(h0 + g.WindowHeight, g.Height), Math.Max(w0, 0), Math.Min(w0 + g.WindowWidth, g.Width));
    }

    /// <summary>Pools one NHWC image: each window's maximum (and, in <paramref name="winner"/>, the pixel it came from) or average.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void PoolImage(in ConvGeometry g, bool max, ReadOnlySpan<float> image, Span<float> output, Span<float> winner)
    {
        int c = g.Channels, width = Vector<float>.Count;
        for (int oh = 0; oh < g.OutHeight; oh++)
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                var (h0, h1, w0, w1) = PoolWindow(g, oh, ow);
                int o = (oh * g.OutWidth + ow) * c;
                var y = output.Slice(o, c);
                float count = (h1 - h0) * (w1 - w0);
                int ch = 0;
                for (; ch <= c - width; ch += width)
                {
                    var acc = new Vector<float>(max ? float.NegativeInfinity : 0f);
                    var where = new Vector<float>(h0 * g.Width + w0);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            var v = new Vector<float>(image.Slice((ih * g.Width + iw) * c + ch));
                            if (!max) { acc += v; continue; }
                            // A larger value, or the first NaN (the maximum then stays NaN), takes the place.
                            var take = Vector.GreaterThan(v, acc) | (~Vector.Equals(v, v) & Vector.Equals(acc, acc));
                            acc = Vector.ConditionalSelect(take, v, acc);
                            where = Vector.ConditionalSelect(take, new Vector<float>(ih * g.Width + iw), where);
                        }
                    (max ? acc : acc / count).CopyTo(y.Slice(ch));
                    if (max) where.CopyTo(winner.Slice(o + ch));
                }
                for (; ch < c; ch++)
                {
                    float acc = max ? float.NegativeInfinity : 0f;
                    int at = h0 * g.Width + w0;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            float v = image[(ih * g.Width + iw) * c + ch];
                            if (!max) { acc += v; continue; }
                            if (v > acc || (float.IsNaN(v) && !float.IsNaN(acc))) { acc = v; at = ih * g.Width + iw; }
                        }
                    y[ch] = max ? acc : acc / count;
                    if (max) winner[o + ch] = at;
                }
            }
    }

    /// <summary>Windows that neither overlap nor overhang (valid padding, stride = pool): every input pixel is in at most one.</summary>
    private static bool DisjointPoolWindows(in ConvGeometry g) => g.PadTop == 0 && g.PadLeft == 0 && g.StrideHeight == g.WindowHeight && g.StrideWidth == g.WindowWidth
        && g.OutHeight * g.WindowHeight <= g.Height && g.OutWidth * g.WindowWidth <= g.Width; // "same" may overhang at the end

    /// <summary>
    /// The max-pooling gradient of one image written in a single pass (no clearing first): with disjoint windows,
    /// each pixel of a window gets the output gradient if it was the winner, else 0; pixels past the last window are 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void WriteMaxPoolGradient(in ConvGeometry g, ReadOnlySpan<float> winner, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int c = g.Channels, width = Vector<float>.Count;
        int coveredH = g.OutHeight * g.WindowHeight, coveredW = g.OutWidth * g.WindowWidth;
        for (int ih = 0; ih < g.Height; ih++)
        {
            var row = dx.Slice(ih * g.Width * c, g.Width * c);
            if (ih >= coveredH) { row.Clear(); continue; }
            int oh = ih / g.WindowHeight;
            for (int iw = 0; iw < coveredW; iw++)
            {
                int o = (oh * g.OutWidth + iw / g.WindowWidth) * c;
                var here = new Vector<float>(ih * g.Width + iw);
                var d = row.Slice(iw * c, c);
                int ch = 0;
                for (; ch <= c - width; ch += width)
                    Vector.ConditionalSelect(Vector.Equals(new Vector<float>(winner.Slice(o + ch)), here), new Vector<float>(dy.Slice(o + ch)), Vector<float>.Zero).CopyTo(d.Slice(ch));
                for (; ch < c; ch++) d[ch] = winner[o + ch] == ih * g.Width + iw ? dy[o + ch] : 0f;
            }
            row.Slice(coveredW * c).Clear();
        }
    }

    /// <summary>Whether <see cref="PoolDisjoint"/> and <see cref="PoolGradientDisjoint"/> run this max pooling.</summary>
    private static bool VectorPoolsDisjoint(in ConvGeometry g) =>
        DisjointPoolWindows(g) && g.Channels % 8 == 0 && Vector256.IsHardwareAccelerated;

    private static unsafe void PoolImageDisjoint(in ConvGeometry g, ReadOnlySpan<float> image, Span<float> y, Span<float> winner)
    {
        fixed (float* input = image, output = y, where = winner) PoolDisjoint(input, g, output, where);
    }

    private static unsafe void PoolImageGradientDisjoint(in ConvGeometry g, ReadOnlySpan<float> winner, ReadOnlySpan<float> dy, Span<float> dx)
    {
        fixed (float* where = winner, gradient = dy, inputGradient = dx) PoolGradientDisjoint(gradient, null, where, g, inputGradient, null);
    }

    /// <summary>
    /// Max pooling of one NHWC image (<paramref name="pg"/>: disjoint windows, channels a multiple of 8) with 8-float
    /// vectors, recording each maximum's pixel with the rule of <see cref="PoolImage"/> (first maximum, or first NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PoolDisjoint(float* image, in ConvGeometry pg, float* y, float* winner)
    {
        int c = pg.Channels, width = pg.Width;
        for (int oh = 0; oh < pg.OutHeight; oh++)
            for (int ow = 0; ow < pg.OutWidth; ow++)
            {
                int firstPixel = oh * pg.WindowHeight * width + ow * pg.WindowWidth;
                long o = ((long)oh * pg.OutWidth + ow) * c;
                for (int v = 0; v < c; v += 8)
                {
                    var best = Vector256.Load(image + (long)firstPixel * c + v);
                    var where = Vector256.Create((float)firstPixel);
                    for (int i = 0; i < pg.WindowHeight; i++)
                        for (int j = i == 0 ? 1 : 0; j < pg.WindowWidth; j++)
                        {
                            int pixel = firstPixel + i * width + j;
                            var value = Vector256.Load(image + (long)pixel * c + v);
                            var take = Vector256.GreaterThan(value, best) | (~Vector256.Equals(value, value) & Vector256.Equals(best, best));
                            best = Vector256.ConditionalSelect(take, value, best);
                            where = Vector256.ConditionalSelect(take, Vector256.Create((float)pixel), where);
                        }
                    best.Store(y + o + v);
                    where.Store(winner + o + v);
                }
            }
    }

    /// <summary>
    /// One image's max-pooling gradient written in a single pass (<paramref name="pg"/> as for <see cref="PoolDisjoint"/>):
    /// at each window's winner the pooled gradient <paramref name="dy"/>, 0 everywhere else (pixels past the last window
    /// included). With <paramref name="pooled"/> (a fused ReLU before the pooling) only where the pooled value, the
    /// winner's ReLU output, is positive, and with <paramref name="channelSums"/> the passed gradients are added to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PoolGradientDisjoint(float* dy, float* pooled, float* winner, in ConvGeometry pg, float* dx, float* channelSums)
    {
        int c = pg.Channels, width = pg.Width, vectors = c / 8;
        Vector256<float>* sums = stackalloc Vector256<float>[vectors];
        for (int v = 0; v < vectors; v++) sums[v] = Vector256<float>.Zero;
        int coveredH = pg.OutHeight * pg.WindowHeight, coveredW = pg.OutWidth * pg.WindowWidth;
        for (int oh = 0; oh < pg.OutHeight; oh++)
            for (int ow = 0; ow < pg.OutWidth; ow++)
            {
                int firstPixel = oh * pg.WindowHeight * width + ow * pg.WindowWidth;
                long o = ((long)oh * pg.OutWidth + ow) * c;
                for (int v = 0; v < vectors; v++)
                {
                    var passed = Vector256.Load(dy + o + 8 * v);
                    if (pooled != null) passed &= Vector256.GreaterThan(Vector256.Load(pooled + o + 8 * v), Vector256<float>.Zero);
                    sums[v] += passed;
                    var where = Vector256.Load(winner + o + 8 * v);
                    for (int i = 0; i < pg.WindowHeight; i++)
                        for (int j = 0; j < pg.WindowWidth; j++)
                        {
                            int pixel = firstPixel + i * width + j;
                            (passed & Vector256.Equals(where, Vector256.Create((float)pixel))).Store(dx + (long)pixel * c + 8 * v);
                        }
                }
            }
        // Pixels no window covers: the last rows, and the last columns of the covered rows.
        new Span<float>(dx + (long)coveredH * width * c, (pg.Height - coveredH) * width * c).Clear();
        if (coveredW < width)
            for (int ih = 0; ih < coveredH; ih++) new Span<float>(dx + ((long)ih * width + coveredW) * c, (width - coveredW) * c).Clear();
        if (channelSums != null)
            for (int v = 0; v < vectors; v++) (Vector256.Load(channelSums + 8 * v) + sums[v]).Store(channelSums + 8 * v);
    }
    /// <summary>The mean over the spatial axes of NHWC images: (batch, height, width, channels) → (batch, channels).</summary>
    public static Tensor GlobalAvgPool2D(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank != 4)
            throw new ArgumentException($"GlobalAvgPool2D expects inputs of rank 4 (batch, height, width, channels), got shape {x.Shape}.");
        return Run(new GlobalAvgPoolOp(x), new Shape(x.Shape[0], x.Shape[3]), x.RequiresGrad);
    }

    private sealed class GlobalAvgPoolOp(Tensor x) : Op
    {
        private readonly int _pixels = x.Shape[1] * x.Shape[2], _c = x.Shape[3];

        public override void Forward()
        {
            var xs = x.Values; var ys = Output.Values;
            ys.Clear();
            for (int n = 0; n < x.Shape[0]; n++)
            {
                var y = ys.Slice(n * _c, _c);
                for (int p = 0; p < _pixels; p++) System.Numerics.Tensors.TensorPrimitives.Add(y, xs.Slice((n * _pixels + p) * _c, _c), y);
                System.Numerics.Tensors.TensorPrimitives.Multiply(y, 1f / _pixels, y);
            }
        }

        public override void Backward(int generation)
        {
            var dx = x.GradForAccumulation(generation); var dy = Output.Grad;
            float scale = 1f / _pixels;
            for (int n = 0; n < x.Shape[0]; n++)
                for (int p = 0; p < _pixels; p++)
                {
                    var d = dx.Slice((n * _pixels + p) * _c, _c);
                    for (int ch = 0; ch < _c; ch++) d[ch] += dy[n * _c + ch] * scale;
                }
        }
    }
}
