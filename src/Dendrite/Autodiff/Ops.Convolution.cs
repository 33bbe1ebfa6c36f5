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
    /// is the row order of the HWIO kernel) followed by the packed matrix product, with the bias (and a ReLU, for
    /// layers) in its epilogue — a few images at a time, so that the patch matrix stays in cache instead of making a
    /// round trip through memory (see <see cref="Conv2DOp"/>). A 1×1 convolution with stride 1 is a plain product.
    /// </remarks>
    public static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias = null, (int Height, int Width)? strides = null,
        Padding padding = Padding.Valid, (int Height, int Width)? dilation = null) =>
        Conv2D(x, kernel, bias, strides ?? (1, 1), padding, dilation ?? (1, 1), relu: false);

    internal static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias, (int H, int W) strides, Padding padding, (int H, int W) dilation, bool relu)
    {
        var g = Conv2DGeometry(x, kernel, bias, strides, padding, dilation);
        if (g.WindowSize == 1 && g.StrideHeight == 1 && g.StrideWidth == 1) return Dense(x, kernel, bias, relu); // pointwise: no patches
        return Conv2D(x, kernel, bias, g, relu, pool: null, new Shape(g.Batch, g.OutHeight, g.OutWidth, kernel.Shape[3]));
    }

    /// <summary>
    /// The convolution op for a checked geometry, with an output of shape <paramref name="output"/> (the elements of
    /// (batch, outHeight, outWidth, filters) in C order, under any shape: Conv1D's has no height axis); with
    /// <paramref name="pool"/> (GEMM path, ReLU, disjoint max-pooling windows: see <see cref="Conv2DReluMaxPool"/>) the
    /// output is the pooled one. The kernel's last axis is the filters; the op reads the input and the kernel only as
    /// flat values laid out as <paramref name="g"/> says, so a (batch, steps, channels) input and a (kernel, channels,
    /// filters) kernel run as an image of height 1 without being copied.
    /// </summary>
    private static Tensor Conv2D(Tensor x, Tensor kernel, Tensor? bias, in ConvGeometry g, bool relu, ConvGeometry? pool, Shape output)
    {
        int filters = kernel.LastDim, rowLength = g.WindowSize * g.Channels;
        bool direct = ShallowConvolution.Applies(g, filters);
        int imagesPerChunk = Conv2DOp.ImagesPerChunk(g);
        int chunkFloats = imagesPerChunk * g.OutPixels * rowLength;
        var ws = Workspace.Current;
        float[] Buffer(int floats) => ws is null ? new float[floats] : ws.Rent(floats);
        bool grad = x.RequiresGrad || kernel.RequiresGrad || (bias?.RequiresGrad ?? false);
        var buffers = new Conv2DBuffers(
            Patches: direct ? [] : Buffer(chunkFloats),
            PatchGrads: x.RequiresGrad ? Buffer(chunkFloats) : [],
            KernelGradTiles: !direct && kernel.RequiresGrad ? Buffer(Conv2DOp.ImageTiles * rowLength * filters) : [],
            KernelGradPartials: direct && kernel.RequiresGrad ? Buffer(Conv2DOp.Groups(g) * (ShallowConvolution.PaddedTaps(rowLength) + 1) * filters) : [],
            Winners: pool is null ? [] : Buffer(output.Size),
            BiasGradTiles: pool is not null && bias is { RequiresGrad: true } ? Buffer(Conv2DOp.ImageTiles * filters) : []);
        return Run(new Conv2DOp(x, kernel, bias, g, relu, imagesPerChunk, direct, buffers, pool), output, grad);
    }

    /// <summary>Checks a convolution's arguments and returns its geometry; the errors name the shapes that disagree.</summary>
    private static ConvGeometry Conv2DGeometry(Tensor x, Tensor kernel, Tensor? bias, (int H, int W) strides, Padding padding, (int H, int W) dilation)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        if (x.Shape.Rank != 4)
            throw new ArgumentException($"Conv2D expects inputs of rank 4 (batch, height, width, channels), got shape {x.Shape}.");
        if (kernel.Shape.Rank != 4)
            throw new ArgumentException($"Conv2D expects a kernel of rank 4 (height, width, in_channels, filters), got shape {kernel.Shape}.");
        if (kernel.Shape[2] != x.Shape[3])
            throw new ArgumentException($"Conv2D: the kernel {kernel.Shape} expects {kernel.Shape[2]} input channels, the input {x.Shape} has {x.Shape[3]}.");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Size != kernel.Shape[3]))
            throw new ArgumentException($"Conv2D needs a bias of shape ({kernel.Shape[3]},), got {bias.Shape}.");
        if (strides.H < 1 || strides.W < 1 || dilation.H < 1 || dilation.W < 1)
            throw new ArgumentException($"Conv2D: strides and dilation must be positive, got strides {strides} and dilation {dilation}.");
        if ((strides.H > 1 || strides.W > 1) && (dilation.H > 1 || dilation.W > 1))
            throw new ArgumentException($"Conv2D: strides > 1 are not supported together with dilation > 1 (as in Keras), got strides {strides} and dilation {dilation}.");
        if (padding == Padding.Causal)
            throw new ArgumentException("Conv2D: causal padding is for 1-D convolutions only (Conv1D), as in Keras; use \"valid\" or \"same\".");
        return ConvGeometry.Create(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], (kernel.Shape[0], kernel.Shape[1]), strides, dilation, padding, "Conv2D");
    }

    /// <summary>
    /// The work buffers of one convolution: the im2col patches of a chunk (GEMM path), their gradients (when the input
    /// needs one), the kernel gradient of each image tile of the chunks (GEMM path), the per-group kernel and bias gradient
    /// partials (direct path), and with a fused pooling its winners and each tile's bias gradient.
    /// </summary>
    private readonly record struct Conv2DBuffers(float[] Patches, float[] PatchGrads, float[] KernelGradTiles, float[] KernelGradPartials,
        float[] Winners, float[] BiasGradTiles);

    /// <summary>
    /// Convolution as im2col + GEMM over chunks of images, or, for shallow windows, as the direct kernels of
    /// <see cref="ShallowConvolution"/>. Forward (GEMM path): per chunk, the patches (rows: output pixels, columns:
    /// kh·kw·channels) are gathered into a cache-sized buffer and multiplied by the kernel straight into the output
    /// rows. Backward: the ReLU mask and bias sums over the whole output gradient, then per chunk the patches are
    /// gathered again (cheaper than keeping 18 MB of them from the forward), the kernel gradient accumulates Pᵀ·dZ, and
    /// the input gradient is dZ·Kᵀ scattered back onto the input pixels (col2im).
    /// </summary>
    /// <remarks>
    /// The chunk size depends only on the shapes, so the kernel gradient sums its chunks in the same order for any
    /// thread count; within a chunk the products split over threads by fixed slices as every product does. The direct
    /// path sums its kernel gradient over fixed groups of images (<see cref="Groups"/>), then adds the groups in order.
    /// </remarks>
    private sealed class Conv2DOp(Tensor x, Tensor kernel, Tensor? bias, ConvGeometry g, bool relu, int imagesPerChunk,
        bool direct, Conv2DBuffers buffers, ConvGeometry? pool = null) : Op, IParallelJob
    {
        // With a fused max pooling: its geometry (input = the convolution's output), and a per-thread buffer for the
        // convolution output (forward) or gradient (backward) of the thread's images of a chunk.
        private readonly ConvGeometry _pool = pool ?? default;
        private readonly bool _pooled = pool is not null;
        [ThreadStatic] private static PinnedBuffer? s_convRows;
        private readonly int _filters = kernel.LastDim, _rowLength = g.WindowSize * g.Channels;
        private MaskSums? _mask;

        private enum Work { Gather, Scatter, DirectForward, DirectKernelGradient, PooledForwardTiles, BackwardTiles }

        // What the worker threads do now, and on which chunk of images.
        private Work _work;
        private int _chunkFirst, _chunkImages;
        private bool _freshInputGrad, _fuseMask;

        /// <summary>
        /// Images per chunk: the whole batch when its patch matrix is small (up to 1 Mi floats, 4 MiB: it is then kept
        /// from the forward for the backward instead of gathered again), else a patch matrix of about 512 Ki floats
        /// (2 MiB: it stays in cache, and the products are long enough to run near peak; 1 MiB chunks measured about
        /// 7 % slower per MNIST-convnet step, 15 images per chunk instead of 7), at least one image.
        /// </summary>
        public static int ImagesPerChunk(in ConvGeometry g)
        {
            long perImage = Math.Max(1, (long)g.OutPixels * g.WindowSize * g.Channels);
            if (perImage * g.Batch <= 1 << 20) return Math.Max(1, g.Batch);
            return (int)Math.Clamp((1 << 19) / perImage, 1, Math.Max(1, g.Batch));
        }

        /// <summary>
        /// Whether the kernel gradient is better computed transposed, as dZᵀ·P (filters × rowLength) and transposed
        /// once at the end: when the patch rows are longer than the filter count, that product splits its wide side
        /// over the threads and packs only the small dZ panel as the transposed operand (about 215 GFLOP/s against 160
        /// for Pᵀ·dZ on the MNIST convnet's second layer, 288-long rows and 64 filters).
        /// </summary>
        public static bool TransposedKernelGradient(int rowLength, int filters) => rowLength > filters;

        /// <summary>
        /// The GEMM path's fused forward and its backward split every chunk into this many fixed tiles of its images,
        /// taken by whichever thread is free: each tile gathers its patches, multiplies them into its own kernel-gradient
        /// partial, computes its patch gradients and scatters them, all on the core whose cache holds them. (Splitting
        /// each product over both cores instead made each core read the other's patches, and both read all of them for
        /// the kernel gradient.) The partials are added in tile order at the end, so the result depends on neither the
        /// thread count nor timing. Four tiles rather than one per core: when another process takes a core for a
        /// moment, the free core takes the next tile instead of waiting for a fixed partner.
        /// </summary>
        public const int ImageTiles = 4;

        /// <summary>Fixed groups of images whose kernel-gradient partials the direct path sums in order (at most 16).</summary>
        public static int Groups(in ConvGeometry g) => Math.Clamp(g.Batch, 1, 16);

        // True while the patch buffer holds the whole batch's patches from the last forward (one chunk only).
        private bool _patchesKept;

        public override void Forward()
        {
            if (direct)
            {
                _work = Work.DirectForward;
                WorkerPool.Run(this, WorkerPool.Tiles(g.Batch));
                return;
            }
            if (_pooled)
            {
                for (int first = 0; first < g.Batch; first += imagesPerChunk)
                {
                    (_chunkFirst, _chunkImages, _work) = (first, Math.Min(imagesPerChunk, g.Batch - first), Work.PooledForwardTiles);
                    WorkerPool.Run(this, ImageTiles);
                    _patchesKept = _chunkImages == g.Batch;
                }
                return;
            }
            var y = Output.Values;
            int rowsPerImage = g.OutPixels;
            for (int first = 0; first < g.Batch; first += imagesPerChunk)
            {
                int images = Math.Min(imagesPerChunk, g.Batch - first), rows = images * rowsPerImage;
                RunOverImages(first, images, Work.Gather);
                _patchesKept = images == g.Batch;
                Gemm.Multiply(buffers.Patches.AsSpan(0, rows * _rowLength), kernel.Values, y.Slice(first * rowsPerImage * _filters, rows * _filters),
                    rows, _rowLength, _filters, false, false, 1f, 0f, bias is null ? default : bias.Values, relu ? GemmActivation.Relu : GemmActivation.None);
            }
        }

        /// <summary>
        /// One tile of a chunk's forward with the fused pooling (tiles are taken by whichever thread is free): gather the patches,
        /// multiply them (bias and ReLU in the epilogue) into this thread's buffer, and max-pool each image from there.
        /// </summary>
        private unsafe void PooledForwardTile(int h)
        {
            int perImage = g.OutPixels * _rowLength, outPerImage = g.OutPixels * _filters;
            int pooledPerImage = _pool.OutPixels * _filters;
            float* conv = (s_convRows ??= new PinnedBuffer()).Get((_chunkImages + ImageTiles - 1) / ImageTiles * outPerImage);
            int from = _chunkImages * h / ImageTiles, to = _chunkImages * (h + 1) / ImageTiles;
            if (from == to) return;
            GatherImages(from, to);
            int rows = (to - from) * g.OutPixels;
            Gemm.Multiply(buffers.Patches.AsSpan(from * perImage, rows * _rowLength), kernel.Values, new Span<float>(conv, rows * _filters),
                rows, _rowLength, _filters, false, false, 1f, 0f, bias is null ? default : bias.Values, GemmActivation.Relu);
            fixed (float* y = Output.Values, winners = buffers.Winners)
                for (int i = from; i < to; i++)
                {
                    long at = (long)(_chunkFirst + i) * pooledPerImage;
                    PoolDisjoint(conv + (long)(i - from) * outPerImage, _pool, y + at, winners + at);
                }
        }

        public override void Backward(int generation)
        {
            var dz = Output.Grad;
            // The direct path masks each image's gradient as it goes, unless the input gradient needs it masked too;
            // with a fused pooling each tile rebuilds its images' masked gradient from the pooled one.
            _fuseMask = direct && kernel.RequiresGrad && !x.RequiresGrad;
            if (!_fuseMask && !_pooled) (_mask ??= new MaskSums(Output.Size / _filters, _filters)).Run(Output, relu, bias, generation);
            if (_pooled) buffers.BiasGradTiles.AsSpan().Clear();
            if (!kernel.RequiresGrad && !x.RequiresGrad && !_pooled) return;
            bool freshKernel = false;
            Span<float> dk = default;
            if (kernel.RequiresGrad) dk = kernel.GradForWrite(generation, out freshKernel);
            // The GEMM path adds its partials at the end; a fresh gradient is cleared now, before the input (which may be
            // the same tensor: conv(x, x)) adds its part.
            if (!direct && freshKernel) dk.Clear();
            if (direct && kernel.RequiresGrad) DirectKernelGradient(dk, freshKernel, generation);
            if (x.RequiresGrad) x.GradForWrite(generation, out _freshInputGrad);
            Array.Clear(_tileWritten);
            if (!direct && imagesPerChunk >= ImageTiles)
            {
                for (int first = 0; first < g.Batch; first += imagesPerChunk)
                {
                    (_chunkFirst, _chunkImages, _work) = (first, Math.Min(imagesPerChunk, g.Batch - first), Work.BackwardTiles);
                    WorkerPool.Run(this, ImageTiles);
                }
            }
            else
            {
                // Chunks of one image (large images), or the direct path's input gradient: each step split over the threads.
                int rowsPerImage = g.OutPixels;
                for (int first = 0; first < g.Batch; first += imagesPerChunk)
                {
                    int images = Math.Min(imagesPerChunk, g.Batch - first), rows = images * rowsPerImage;
                    var dzChunk = dz.Slice(first * rowsPerImage * _filters, rows * _filters);
                    if (kernel.RequiresGrad && !direct)
                    {
                        if (!_patchesKept) RunOverImages(first, images, Work.Gather);
                        AddKernelGradientProduct(dzChunk, buffers.Patches.AsSpan(0, rows * _rowLength), rows, tile: 0);
                    }
                    if (x.RequiresGrad)
                    {
                        Gemm.Multiply(dzChunk, kernel.Values, buffers.PatchGrads.AsSpan(0, rows * _rowLength), rows, _filters, _rowLength, transposeA: false, transposeB: true, 1f, 0f);
                        RunOverImages(first, images, Work.Scatter);
                    }
                }
            }
            if (!direct && kernel.RequiresGrad) AddKernelGradTiles(dk);
            if (_pooled && bias is { RequiresGrad: true })
            {
                var db = bias.GradForWrite(generation, out bool freshBias);
                if (freshBias) db.Clear();
                AddInOrder(buffers.BiasGradTiles, ImageTiles, _filters, 0, db, overwrite: false);
            }
        }

        private readonly bool[] _tileWritten = new bool[ImageTiles];

        /// <summary>dk += the tiles' kernel-gradient partials, in tile order; transposed ones are transposed.</summary>
        private void AddKernelGradTiles(Span<float> dk)
        {
            bool transposed = TransposedKernelGradient(_rowLength, _filters);
            int size = _rowLength * _filters;
            for (int h = 0; h < ImageTiles; h++)
            {
                if (!_tileWritten[h]) continue;
                var partial = buffers.KernelGradTiles.AsSpan(h * size, size);
                if (transposed) AddTransposed(partial, dk, _filters, _rowLength);
                else System.Numerics.Tensors.TensorPrimitives.Add(dk, partial, dk);
            }
        }

        /// <summary>
        /// One tile of a chunk's backward (GEMM path): gather its images' patches (unless kept
        /// from the forward), add Pᵀ·dZ (or dZᵀ·P, see <see cref="TransposedKernelGradient"/>) to the tile's partial,
        /// then the patch gradients dZ·Kᵀ and their col2im onto the input gradient. Products called from here run on
        /// this thread alone (the pool is busy with this job).
        /// </summary>
        private unsafe void BackwardTile(int h)
        {
            int perImage = g.OutPixels * _rowLength, outPerImage = g.OutPixels * _filters;
            int from = _chunkImages * h / ImageTiles, to = _chunkImages * (h + 1) / ImageTiles;
            if (from == to) return;
            int rows = (to - from) * g.OutPixels;
            Span<float> dzRows;
            if (_pooled)
            {
                // The convolution's gradient for these images: the pooled gradient at each positive winner, else 0.
                float* conv = (s_convRows ??= new PinnedBuffer()).Get((_chunkImages + ImageTiles - 1) / ImageTiles * outPerImage);
                int pooledPerImage = _pool.OutPixels * _filters;
                fixed (float* dy = Output.Grad, y = Output.Values, winners = buffers.Winners, biasTile = buffers.BiasGradTiles)
                    for (int i = from; i < to; i++)
                    {
                        long at = (long)(_chunkFirst + i) * pooledPerImage;
                        PoolGradientDisjoint(dy + at, y + at, winners + at, _pool, conv + (long)(i - from) * outPerImage, biasTile == null ? null : biasTile + h * _filters);
                    }
                dzRows = new Span<float>(conv, rows * _filters);
            }
            else dzRows = Output.Grad.Slice((_chunkFirst + from) * outPerImage, (to - from) * outPerImage);
            if (kernel.RequiresGrad)
            {
                if (!_patchesKept) GatherImages(from, to);
                AddKernelGradientProduct(dzRows, buffers.Patches.AsSpan(from * perImage, rows * _rowLength), rows, h);
            }
            if (x.RequiresGrad)
            {
                Gemm.Multiply(dzRows, kernel.Values, buffers.PatchGrads.AsSpan(from * perImage, rows * _rowLength), rows, _filters, _rowLength,
                    transposeA: false, transposeB: true, 1f, 0f);
                ScatterImages(from, to);
            }
        }

        /// <summary>The direct path's kernel (and, when the mask is fused, bias) gradient: group partials, then their ordered sum.</summary>
        private void DirectKernelGradient(Span<float> dk, bool freshKernel, int generation)
        {
            int groups = Groups(g), paddedTaps = ShallowConvolution.PaddedTaps(_rowLength);
            _work = Work.DirectKernelGradient;
            WorkerPool.Run(this, groups); // fixed groups, each its own tile
            int partialFloats = (paddedTaps + 1) * _filters;
            AddInOrder(buffers.KernelGradPartials, groups, partialFloats, 0, dk, freshKernel);
            if (!_fuseMask || bias is not { RequiresGrad: true }) return;
            var db = bias.GradForWrite(generation, out bool freshBias);
            AddInOrder(buffers.KernelGradPartials, groups, partialFloats, paddedTaps * _filters, db, freshBias);
        }

        /// <summary>dk (cols × rows) += the transpose of the (rows × cols) <paramref name="source"/>.</summary>
        private static void AddTransposed(ReadOnlySpan<float> source, Span<float> dk, int rows, int cols)
        {
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) dk[j * rows + i] += source[i * cols + j];
        }

        private void RunOverImages(int first, int images, Work work)
        {
            (_chunkFirst, _chunkImages, _work) = (first, images, work);
            int parts = (long)images * g.OutPixels * _rowLength < 1 << 15 ? 1 : WorkerPool.Tiles(images);
            WorkerPool.Run(this, parts);
        }

        public void Execute(int part, int parts)
        {
            switch (_work)
            {
                case Work.DirectForward: DirectForward(part, parts); break;
                case Work.DirectKernelGradient: DirectKernelGradient(part, parts); break;
                case Work.PooledForwardTiles: PooledForwardTile(part); break; // parts == ImageTiles
                case Work.BackwardTiles: BackwardTile(part); break; // parts == ImageTiles
                default: GatherOrScatter(part, parts); break;
            }
        }

        // Each tile is a fixed range of the chunk's images: the col2im scatter-add never has two threads on one image.
        private void GatherOrScatter(int part, int parts)
        {
            int from = (int)((long)_chunkImages * part / parts), to = (int)((long)_chunkImages * (part + 1) / parts);
            if (_work == Work.Scatter) ScatterImages(from, to);
            else GatherImages(from, to);
        }

        /// <summary>im2col of the current chunk's images [from, to) (indices within the chunk) into their rows of the patch buffer.</summary>
        private void GatherImages(int from, int to)
        {
            int imageFloats = g.Height * g.Width * g.Channels, patchFloats = g.OutPixels * _rowLength;
            for (int i = from; i < to; i++)
                GatherImage(x.Values.Slice((_chunkFirst + i) * imageFloats, imageFloats), buffers.Patches.AsSpan(i * patchFloats, patchFloats), g);
        }

        /// <summary>col2im of the current chunk's images [from, to): their patch gradients added onto the input gradient (cleared first when fresh).</summary>
        private void ScatterImages(int from, int to)
        {
            int imageFloats = g.Height * g.Width * g.Channels, patchFloats = g.OutPixels * _rowLength;
            for (int i = from; i < to; i++)
            {
                var dx = x.GradBuffer.AsSpan((_chunkFirst + i) * imageFloats, imageFloats);
                if (_freshInputGrad) dx.Clear();
                ScatterImage(buffers.PatchGrads.AsSpan(i * patchFloats, patchFloats), dx, g);
            }
        }

        /// <summary>
        /// Adds the kernel gradient of <paramref name="rows"/> patch rows to partial <paramref name="tile"/>: Pᵀ·dZ, or
        /// dZᵀ·P (see <see cref="TransposedKernelGradient"/>); the tile's first product overwrites it.
        /// </summary>
        private void AddKernelGradientProduct(ReadOnlySpan<float> dz, ReadOnlySpan<float> patches, int rows, int tile)
        {
            var partial = buffers.KernelGradTiles.AsSpan(tile * _rowLength * _filters, _rowLength * _filters);
            float beta = _tileWritten[tile] ? 1f : 0f;
            if (TransposedKernelGradient(_rowLength, _filters))
                Gemm.Multiply(dz, patches, partial, _filters, rows, _rowLength, transposeA: true, transposeB: false, 1f, beta);
            else
                Gemm.Multiply(patches, dz, partial, _rowLength, rows, _filters, transposeA: true, transposeB: false, 1f, beta);
            _tileWritten[tile] = true;
        }

        [ThreadStatic] private static PinnedBuffer? s_scratch;

        private unsafe void DirectForward(int part, int parts)
        {
            int from = (int)((long)g.Batch * part / parts), to = (int)((long)g.Batch * (part + 1) / parts);
            int imageFloats = g.Height * g.Width * g.Channels, outFloats = g.OutPixels * _filters;
            float* scratch = (s_scratch ??= new PinnedBuffer()).Get(ShallowConvolution.PaddedScratchSize(g));
            int rowStride = ShallowConvolution.RowStride(g), paddedTaps = ShallowConvolution.PaddedTaps(_rowLength);
            int* offsets = stackalloc int[paddedTaps];
            ShallowConvolution.TapOffsets(g, new Span<int>(offsets, paddedTaps));
            fixed (float* xs = x.Values, w = kernel.Values, b = bias is null ? default : bias.Values, y = Output.Values)
                for (int n = from; n < to; n++)
                {
                    float* source = ShallowConvolution.Source(xs + (long)n * imageFloats, g, scratch);
                    ShallowConvolution.Forward(source, rowStride, offsets, _rowLength, w, bias is null ? null : b, y + (long)n * outFloats, _filters, g, relu);
                }
        }

        private unsafe void DirectKernelGradient(int part, int parts)
        {
            int groups = Groups(g), paddedTaps = ShallowConvolution.PaddedTaps(_rowLength);
            int firstGroup = (int)((long)groups * part / parts), lastGroup = (int)((long)groups * (part + 1) / parts);
            int imageFloats = g.Height * g.Width * g.Channels, outFloats = g.OutPixels * _filters;
            int partialFloats = (paddedTaps + 1) * _filters;
            int paddedFloats = ShallowConvolution.PaddedScratchSize(g);
            float* scratch = (s_scratch ??= new PinnedBuffer()).Get(paddedFloats + (_fuseMask ? outFloats : 0));
            float* masked = scratch + paddedFloats;
            int* offsets = stackalloc int[paddedTaps];
            ShallowConvolution.TapOffsets(g, new Span<int>(offsets, paddedTaps));
            int rowStride = ShallowConvolution.RowStride(g);
            bool biasSums = _fuseMask && bias is { RequiresGrad: true };
            fixed (float* xs = x.Values, y = Output.Values, dz = Output.Grad, partials = buffers.KernelGradPartials)
            {
                for (int group = firstGroup; group < lastGroup; group++)
                {
                    float* partial = partials + (long)group * partialFloats;
                    new Span<float>(partial, partialFloats).Clear();
                    int first = (int)((long)g.Batch * group / groups), last = (int)((long)g.Batch * (group + 1) / groups);
                    for (int n = first; n < last; n++)
                    {
                        float* grad = dz + (long)n * outFloats;
                        if (_fuseMask)
                        {
                            ShallowConvolution.MaskImageGradient(grad, y + (long)n * outFloats, masked, g.OutPixels, _filters, relu,
                                biasSums ? partial + paddedTaps * _filters : null);
                            grad = masked;
                        }
                        float* source = ShallowConvolution.Source(xs + (long)n * imageFloats, g, scratch);
                        ShallowConvolution.AddKernelGradient(source, rowStride, offsets, _rowLength, grad, partial, _filters, g);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="count"/> partial sums to <paramref name="target"/> in order (the first one copied when
    /// <paramref name="overwrite"/>): partial i is the <paramref name="target"/>-long run at <c>i·stride + offset</c> of
    /// <paramref name="partials"/>. A fixed order is what makes a reduction split over threads give the same bits on any
    /// thread count.
    /// </summary>
    private static void AddInOrder(ReadOnlySpan<float> partials, int count, int stride, int offset, Span<float> target, bool overwrite)
    {
        for (int i = 0; i < count; i++)
        {
            var partial = partials.Slice(i * stride + offset, target.Length);
            if (i == 0 && overwrite) partial.CopyTo(target);
            else System.Numerics.Tensors.TensorPrimitives.Add(target, partial, target);
        }
    }

    /// <summary>Copies the receptive field of every output pixel of one image into a row of <paramref name="patches"/> (zeros where the window overhangs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void GatherImage(ReadOnlySpan<float> image, Span<float> patches, in ConvGeometry g)
    {
        int c = g.Channels, rowLength = g.WindowSize * c, windowRow = g.WindowWidth * c;
        int row = 0;
        for (int oh = 0; oh < g.OutHeight; oh++)
            for (int ow = 0; ow < g.OutWidth; ow++, row++)
            {
                var dst = patches.Slice(row * rowLength, rowLength);
                int col = 0;
                int iw0 = ow * g.StrideWidth - g.PadLeft;
                // With dilation 1, a window row inside the image is kw·c contiguous floats in both places.
                bool rowInside = g.DilationWidth == 1 && iw0 >= 0 && iw0 + g.WindowWidth <= g.Width;
                for (int i = 0; i < g.WindowHeight; i++, col += windowRow)
                {
                    int ih = oh * g.StrideHeight - g.PadTop + i * g.DilationHeight;
                    if ((uint)ih >= (uint)g.Height) { dst.Slice(col, windowRow).Clear(); continue; }
                    int rowStart = ih * g.Width;
                    if (rowInside)
                    {
                        var from = image.Slice((rowStart + iw0) * c, windowRow);
                        var to = dst.Slice(col, windowRow);
                        // A few floats (a 3-wide window on one channel): a loop beats a memmove call per row.
                        if (windowRow <= 16) for (int k = 0; k < from.Length; k++) to[k] = from[k];
                        else from.CopyTo(to);
                        continue;
                    }
                    for (int j = 0; j < g.WindowWidth; j++)
                    {
                        int iw = iw0 + j * g.DilationWidth;
                        if ((uint)iw < (uint)g.Width) image.Slice((rowStart + iw) * c, c).CopyTo(dst.Slice(col + j * c, c));
                        else dst.Slice(col + j * c, c).Clear();
                    }
                }
            }
    }

    /// <summary>Adds every patch-row gradient of one image back onto the input pixels it was copied from (col2im).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: optimised from the first call, no tier-0 epoch
    private static void ScatterImage(ReadOnlySpan<float> patchGrads, Span<float> dx, in ConvGeometry g)
    {
        int c = g.Channels, rowLength = g.WindowSize * c, windowRow = g.WindowWidth * c;
        int row = 0;
        for (int oh = 0; oh < g.OutHeight; oh++)
            for (int ow = 0; ow < g.OutWidth; ow++, row++)
            {
                var src = patchGrads.Slice(row * rowLength, rowLength);
                int iw0 = ow * g.StrideWidth - g.PadLeft;
                bool rowInside = g.DilationWidth == 1 && iw0 >= 0 && iw0 + g.WindowWidth <= g.Width;
                for (int i = 0, col = 0; i < g.WindowHeight; i++, col += windowRow)
                {
                    int ih = oh * g.StrideHeight - g.PadTop + i * g.DilationHeight;
                    if ((uint)ih >= (uint)g.Height) continue;
                    int rowStart = ih * g.Width;
                    if (rowInside)
                    {
                        var d = dx.Slice((rowStart + iw0) * c, windowRow);
                        System.Numerics.Tensors.TensorPrimitives.Add(d, src.Slice(col, windowRow), d);
                        continue;
                    }
                    for (int j = 0; j < g.WindowWidth; j++)
                    {
                        int iw = iw0 + j * g.DilationWidth;
                        if ((uint)iw >= (uint)g.Width) continue;
                        var d = dx.Slice((rowStart + iw) * c, c);
                        System.Numerics.Tensors.TensorPrimitives.Add(d, src.Slice(col + j * c, c), d);
                    }
                }
            }
    }
}
