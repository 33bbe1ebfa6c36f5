using System.Runtime.CompilerServices;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution of NHWC images (Keras' <c>conv2d</c>, channels last): <paramref name="x"/> is
    /// (batch, height, width, channels), <paramref name="kernel"/> (kernelHeight, kernelWidth, channels, filters),
    /// the optional <paramref name="bias"/> (filters,); the result is (batch, outHeight, outWidth, filters).
    /// </summary>
    /// <remarks>
    /// Computed as im2col (each output pixel's receptive field copied into one row, in (kh, kw, channel) order, which
    /// is the row order of the HWIO kernel) followed by the same packed matrix product as <c>Dense</c>, with the bias
    /// (and a ReLU, for layers) in its epilogue. A 1×1 convolution with stride 1 skips the copy.
    /// </remarks>
    public static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias = null, (int Height, int Width)? strides = null,
        Padding padding = Padding.Valid, (int Height, int Width)? dilation = null) =>
        Conv2D(x, kernel, bias, strides ?? (1, 1), padding, dilation ?? (1, 1), relu: false);

    internal static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias, (int H, int W) strides, Padding padding, (int H, int W) dilation, bool relu)
    {
        if (x.Shape.Rank != 4)
            throw new ArgumentException($"Conv2D expects inputs of rank 4 (batch, height, width, channels), got shape {x.Shape}.");
        if (kernel.Shape.Rank != 4)
            throw new ArgumentException($"Conv2D expects a kernel of rank 4 (height, width, in_channels, filters), got shape {kernel.Shape}.");
        if (kernel.Shape[2] != x.Shape[3])
            throw new ArgumentException($"Conv2D: the kernel {kernel.Shape} expects {kernel.Shape[2]} input channels, the input {x.Shape} has {x.Shape[3]}.");
        if (strides.H < 1 || strides.W < 1 || dilation.H < 1 || dilation.W < 1)
            throw new ArgumentException($"Conv2D: strides and dilation must be positive, got strides {strides} and dilation {dilation}.");
        if ((strides.H > 1 || strides.W > 1) && (dilation.H > 1 || dilation.W > 1))
            throw new ArgumentException($"Conv2D: strides > 1 are not supported together with dilation > 1 (as in Keras), got strides {strides} and dilation {dilation}.");
        var g = ConvGeometry.Create(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], (kernel.Shape[0], kernel.Shape[1]), strides, dilation, padding, "Conv2D");
        bool pointwise = g.WindowSize == 1 && g.StrideHeight == 1 && g.StrideWidth == 1;
        var patches = pointwise ? x : Im2Col(x, g);
        return Dense(patches, kernel, bias, relu);
    }

    /// <summary>The (batch, outHeight, outWidth, windowSize·channels) matrix of receptive fields; zeros where the window overhangs.</summary>
    private static Tensor Im2Col(Tensor x, in ConvGeometry g) =>
        Run(new Im2ColOp(x, g), new Shape(g.Batch, g.OutHeight, g.OutWidth, g.WindowSize * g.Channels), x.RequiresGrad);

    private sealed class Im2ColOp(Tensor x, ConvGeometry g) : Op, IParallelJob
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

        // Images are independent: each thread takes a fixed range of them, so the scatter-add of the backward
        // never has two threads writing one element, and results do not depend on the thread count.
        private int Parts() => (long)Output.Size < 1 << 15 ? 1 : Math.Min(WorkerPool.MaxThreads, g.Batch);

        public void Execute(int part, int parts)
        {
            int first = (int)((long)g.Batch * part / parts), last = (int)((long)g.Batch * (part + 1) / parts);
            for (int n = first; n < last; n++)
                if (_backward) ScatterImage(n); else GatherImage(n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
        private void GatherImage(int n)
        {
            var xs = x.Values; var patches = Output.Values;
            int c = g.Channels, rowLength = g.WindowSize * c;
            int row = n * g.OutPixels;
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++, row++)
                {
                    var dst = patches.Slice(row * rowLength, rowLength);
                    int col = 0;
                    int iw0 = ow * g.StrideWidth - g.PadLeft;
                    // With dilation 1, a window row inside the image is kw·c contiguous floats in both places.
                    bool rowInside = g.DilationWidth == 1 && iw0 >= 0 && iw0 + g.WindowWidth <= g.Width;
                    for (int i = 0; i < g.WindowHeight; i++)
                    {
                        int ih = oh * g.StrideHeight - g.PadTop + i * g.DilationHeight;
                        if ((uint)ih >= (uint)g.Height)
                        {
                            dst.Slice(col, g.WindowWidth * c).Clear();
                            col += g.WindowWidth * c;
                            continue;
                        }
                        int rowStart = (n * g.Height + ih) * g.Width;
                        if (rowInside)
                        {
                            xs.Slice((rowStart + iw0) * c, g.WindowWidth * c).CopyTo(dst.Slice(col, g.WindowWidth * c));
                            col += g.WindowWidth * c;
                            continue;
                        }
                        for (int j = 0; j < g.WindowWidth; j++, col += c)
                        {
                            int iw = iw0 + j * g.DilationWidth;
                            if ((uint)iw < (uint)g.Width) xs.Slice((rowStart + iw) * c, c).CopyTo(dst.Slice(col, c));
                            else dst.Slice(col, c).Clear();
                        }
                    }
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
        private void ScatterImage(int n)
        {
            var dx = x.GradBuffer.AsSpan(n * g.Height * g.Width * g.Channels, g.Height * g.Width * g.Channels);
            if (_freshGrad) dx.Clear();
            var dp = Output.Grad;
            int c = g.Channels, rowLength = g.WindowSize * c;
            int row = n * g.OutPixels;
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++, row++)
                {
                    var src = dp.Slice(row * rowLength, rowLength);
                    int col = 0;
                    for (int i = 0; i < g.WindowHeight; i++)
                    {
                        int ih = oh * g.StrideHeight - g.PadTop + i * g.DilationHeight;
                        for (int j = 0; j < g.WindowWidth; j++, col += c)
                        {
                            int iw = ow * g.StrideWidth - g.PadLeft + j * g.DilationWidth;
                            if ((uint)ih >= (uint)g.Height || (uint)iw >= (uint)g.Width) continue;
                            var d = dx.Slice((ih * g.Width + iw) * c, c);
                            if (c == 1) d[0] += src[col];
                            else System.Numerics.Tensors.TensorPrimitives.Add(d, src.Slice(col, c), d);
                        }
                    }
                }
        }
    }
}
