using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// <c>MaxPool2D(relu(Conv2D(x, kernel) + bias))</c>, the block convnets repeat, computed a few images at a time so
    /// that the convolution's output never leaves the cache, when the pooling windows are disjoint ("valid", strides =
    /// pool size): for a shallow first convolution (see <see cref="ShallowConvolution"/>, input without gradient) by
    /// the op below, for a deeper one by the im2col + GEMM op with the pooling in its per-thread halves
    /// (<see cref="Conv2DOp"/>). Otherwise it is the two ops. The result is the same either way.
    /// </summary>
    /// <remarks>
    /// On the MNIST convnet the first convolution writes 11 MB per batch of 128 that the pooling reads back, and the
    /// backward writes and reads as much again (the pooling's gradient, then the ReLU mask): that traffic, not the
    /// arithmetic, was most of those two layers' time. Fused, only the pooled output and its winners are stored. The
    /// ReLU mask needs no stored activation either: a pooled value is the convolution's output at its winner, so the
    /// winner's gradient passes exactly when the pooled value is positive.
    /// </remarks>
    internal static Tensor Conv2DReluMaxPool(Tensor x, Tensor kernel, Tensor? bias, (int H, int W) strides, Padding padding, (int H, int W) dilation,
        (int H, int W) pool, (int H, int W) poolStrides, Padding poolPadding)
    {
        var g = Conv2DGeometry(x, kernel, bias, strides, padding, dilation);
        int filters = kernel.Shape[3];
        bool disjointPool = poolPadding == Padding.Valid && poolStrides == pool && pool.H >= 1 && pool.W >= 1
            && g.OutHeight >= pool.H && g.OutWidth >= pool.W;
        bool shallow = ShallowConvolution.Applies(g, filters) && !x.RequiresGrad;
        // The GEMM path fuses when its backward runs in image tiles of each chunk (at least one image per tile) and the
        // pooling runs on 8-float vectors.
        bool gemmPath = !ShallowConvolution.Applies(g, filters) && !(g.WindowSize == 1 && g.StrideHeight == 1 && g.StrideWidth == 1)
            && filters % 8 == 0 && Vector256.IsHardwareAccelerated && Conv2DOp.ImagesPerChunk(g) >= Conv2DOp.ImageTiles;
        if (!disjointPool || !(shallow || gemmPath)) return MaxPool2D(Conv2D(x, kernel, bias, strides, padding, dilation, relu: true), pool, poolStrides, poolPadding);
        var pg = ConvGeometry.Create(g.Batch, g.OutHeight, g.OutWidth, filters, pool, poolStrides, (1, 1), Padding.Valid, "MaxPool2D");
        var output = new Shape(g.Batch, pg.OutHeight, pg.OutWidth, filters);
        if (gemmPath) return Conv2D(x, kernel, bias, g, relu: true, pool: pg, output);
        var ws = Workspace.Current;
        float[] Buffer(int floats) => ws is null ? new float[floats] : ws.Rent(floats);
        bool grad = kernel.RequiresGrad || (bias?.RequiresGrad ?? false);
        int partials = grad ? Conv2DOp.Groups(g) * (ShallowConvolution.PaddedTaps(g.WindowSize * g.Channels) + 1) * filters : 0;
        return Run(new ConvReluMaxPoolOp(x, kernel, bias, g, pg, Buffer(output.Size), Buffer(partials)), output, grad);
    }

    /// <summary>
    /// The fused block. Forward, per image: the direct convolution with ReLU into a per-thread buffer, then max pooling
    /// into the output, recording each maximum's pixel. Backward, per fixed group of images: each image's convolution
    /// gradient rebuilt in a per-thread buffer from the pooled gradient (zero except at positive winners), then its
    /// share of the kernel and bias gradients; the groups' partials are summed in order (same bits on any thread count).
    /// </summary>
    private sealed unsafe class ConvReluMaxPoolOp(Tensor x, Tensor kernel, Tensor? bias, ConvGeometry g, ConvGeometry pg,
        float[] winners, float[] partials) : Op, IParallelJob
    {
        private readonly int _filters = kernel.Shape[3], _taps = g.WindowSize * g.Channels;
        private bool _backward;

        [ThreadStatic] private static PinnedBuffer? s_scratch;

        public override void Forward()
        {
            _backward = false;
            WorkerPool.Run(this, WorkerPool.Tiles(g.Batch));
        }

        public override void Backward(int generation)
        {
            _backward = true;
            int groups = Conv2DOp.Groups(g);
            WorkerPool.Run(this, groups); // fixed groups, each its own tile
            int paddedTaps = ShallowConvolution.PaddedTaps(_taps), partialFloats = (paddedTaps + 1) * _filters;
            if (kernel.RequiresGrad) AddInOrder(partials, groups, partialFloats, 0, kernel.GradForWrite(generation, out bool fresh), fresh);
            if (bias is { RequiresGrad: true }) AddInOrder(partials, groups, partialFloats, paddedTaps * _filters, bias.GradForWrite(generation, out bool fresh), fresh);
        }

        public void Execute(int part, int parts)
        {
            int paddedTaps = ShallowConvolution.PaddedTaps(_taps);
            int imageFloats = g.Height * g.Width * g.Channels, convFloats = g.OutPixels * _filters, pooledFloats = pg.OutPixels * _filters;
            int paddedFloats = ShallowConvolution.PaddedScratchSize(g);
            // Per thread: the zero-padded image (if any), then the image's convolution output or gradient.
            float* scratch = (s_scratch ??= new PinnedBuffer()).Get(paddedFloats + convFloats);
            float* conv = scratch + paddedFloats;
            int* offsets = stackalloc int[paddedTaps];
            ShallowConvolution.TapOffsets(g, new Span<int>(offsets, paddedTaps));
            int rowStride = ShallowConvolution.RowStride(g);
            fixed (float* xs = x.Values, w = kernel.Values, b = bias is null ? default : bias.Values, y = Output.Values, win = winners)
            {
                if (!_backward)
                {
                    int from = (int)((long)g.Batch * part / parts), to = (int)((long)g.Batch * (part + 1) / parts);
                    for (int n = from; n < to; n++)
                    {
                        float* source = ShallowConvolution.Source(xs + (long)n * imageFloats, g, scratch);
                        ShallowConvolution.Forward(source, rowStride, offsets, _taps, w, bias is null ? null : b, conv, _filters, g, relu: true);
                        PoolDisjoint(conv, pg, y + (long)n * pooledFloats, win + (long)n * pooledFloats);
                    }
                    return;
                }
                int groups = Conv2DOp.Groups(g), partialFloats = (paddedTaps + 1) * _filters;
                int firstGroup = (int)((long)groups * part / parts), lastGroup = (int)((long)groups * (part + 1) / parts);
                fixed (float* partialsStart = partials, dy = Output.Grad)
                {
                    for (int group = firstGroup; group < lastGroup; group++)
                    {
                        float* partial = partialsStart + (long)group * partialFloats;
                        new Span<float>(partial, partialFloats).Clear();
                        float* biasSums = partial + paddedTaps * _filters;
                        int first = (int)((long)g.Batch * group / groups), last = (int)((long)g.Batch * (group + 1) / groups);
                        for (int n = first; n < last; n++)
                        {
                            long at = (long)n * pooledFloats;
                            PoolGradientDisjoint(dy + at, y + at, win + at, pg, conv, biasSums);
                            if (!kernel.RequiresGrad) continue;
                            float* source = ShallowConvolution.Source(xs + (long)n * imageFloats, g, scratch);
                            ShallowConvolution.AddKernelGradient(source, rowStride, offsets, _taps, conv, partial, _filters, g);
                        }
                    }
                }
            }
        }
    }
}
