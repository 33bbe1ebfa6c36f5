using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dendrite.Autodiff;

namespace Dendrite.Kernels;

/// <summary>
/// Direct convolution for shallow windows — a patch row (kh·kw·channels) of at most <see cref="MaxRowLength"/>
/// floats, as in a first layer on grey or RGB images. There im2col copies as much as the product computes (a 9-float
/// row per output pixel for 32 filters) and the product is too thin (k = 9) to run near peak, so both the forward and
/// the kernel gradient were 5–10× slower than their arithmetic. Here every tap is read straight from the image through
/// a table of offsets: the forward keeps a 4-pixel × 16-filter tile of sums in registers, the kernel gradient a
/// 3-tap × 16-filter tile while it streams over an image's pixels.
/// </summary>
/// <remarks>
/// Windows that overhang the border ("same" padding) read a zero-padded copy of the image, so that every tap of every
/// pixel is an in-bounds read with no test. Sums run in tap order from zero, the bias added last, as the GEMM path
/// does.
/// </remarks>
internal static unsafe class ShallowConvolution
{
    /// <summary>The longest patch row (kh·kw·channels) taken by the direct path; longer rows go to im2col + GEMM.</summary>
    public const int MaxRowLength = 32;

    /// <summary>Switches the direct path off (tests compare it with im2col).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Whether a convolution of this geometry and filter count runs here.</summary>
    public static bool Applies(in ConvGeometry g, int filters) =>
        Enabled && Fma.IsSupported && Vector256.IsHardwareAccelerated && filters % 8 == 0 && g.WindowSize * g.Channels <= MaxRowLength;

    /// <summary>Taps rounded up to the 3 a kernel-gradient tile computes at once; the extra taps read offset 0 and land in rows past the real ones.</summary>
    /// <remarks>3 rather than 4: a 3×3 window on one channel (9 taps) then wastes nothing, and 3 taps × 16 filters keep the FMAs busy.</remarks>
    public static int PaddedTaps(int taps) => (taps + 2) / 3 * 3;

    /// <summary>Rows and columns of input the windows of every output pixel span (from the first padded position).</summary>
    private static (int Height, int Width) Extent(in ConvGeometry g) =>
        ((g.OutHeight - 1) * g.StrideHeight + (g.WindowHeight - 1) * g.DilationHeight + 1,
         (g.OutWidth - 1) * g.StrideWidth + (g.WindowWidth - 1) * g.DilationWidth + 1);

    /// <summary>Floats of the zero-padded copy of one image (0 when no window overhangs: the image is read in place).</summary>
    public static int PaddedScratchSize(in ConvGeometry g)
    {
        var (needH, needW) = Extent(g);
        bool inside = g.PadTop == 0 && g.PadLeft == 0 && needH <= g.Height && needW <= g.Width;
        return inside ? 0 : needH * needW * g.Channels;
    }

    /// <summary>Floats per image row of what <see cref="Source"/> returns: the image's, or the padded copy's.</summary>
    public static int RowStride(in ConvGeometry g) => PaddedScratchSize(g) == 0 ? g.Width * g.Channels : Extent(g).Width * g.Channels;

    /// <summary>
    /// The image as the kernels read it: the image itself when no window overhangs, else a zero-padded copy written
    /// to <paramref name="scratch"/> (<see cref="PaddedScratchSize"/> floats), with rows of <see cref="RowStride"/> floats.
    /// </summary>
    public static float* Source(float* image, in ConvGeometry g, float* scratch)
    {
        if (PaddedScratchSize(g) == 0) return image;
        var (needH, needW) = Extent(g);
        int c = g.Channels, stride = needW * c;
        for (int r = 0; r < needH; r++)
        {
            var row = new Span<float>(scratch + r * stride, stride);
            int ih = r - g.PadTop;
            if ((uint)ih >= (uint)g.Height) { row.Clear(); continue; }
            int w0 = g.PadLeft, copied = Math.Min(g.Width, needW - w0);
            row[..(w0 * c)].Clear();
            new ReadOnlySpan<float>(image + ih * g.Width * c, copied * c).CopyTo(row[(w0 * c)..]);
            row[((w0 + copied) * c)..].Clear();
        }
        return scratch;
    }

    /// <summary>
    /// Fills <paramref name="offsets"/> (at least <see cref="PaddedTaps"/> entries) with each tap's distance, in floats,
    /// from the window's top-left input value in what <see cref="Source"/> returns, in the kernel's (kh, kw, channel)
    /// row order; padding taps get 0.
    /// </summary>
    public static void TapOffsets(in ConvGeometry g, Span<int> offsets)
    {
        int rowStride = RowStride(g);
        int t = 0;
        for (int i = 0; i < g.WindowHeight; i++)
            for (int j = 0; j < g.WindowWidth; j++)
                for (int ch = 0; ch < g.Channels; ch++)
                    offsets[t++] = i * g.DilationHeight * rowStride + j * g.DilationWidth * g.Channels + ch;
        offsets[t..].Clear();
    }

    /// <summary>
    /// One image's output: <c>y[p, f] = act(Σ_t source[p + off[t]] · w[t, f] + bias[f])</c> for every output pixel p.
    /// <paramref name="w"/> is the (taps, filters) kernel, <paramref name="bias"/> may be null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* source, int rowStride, int* offsets, int taps, float* w, float* bias, float* y, int filters, in ConvGeometry g, bool relu)
    {
        int pixels = g.OutPixels, c = g.Channels;
        float* tail = stackalloc float[4 * filters];
        float** from = stackalloc float*[4];
        int oh = 0, ow = 0; // the position of pixel p, advanced without dividing
        for (int p = 0; p < pixels; p += 4)
        {
            int count = Math.Min(4, pixels - p);
            for (int k = 0; k < 4; k++)
            {
                from[k] = source + oh * g.StrideHeight * rowStride + ow * g.StrideWidth * c;
                if (k < count - 1 || (k == count - 1 && count == 4)) { if (++ow == g.OutWidth) { ow = 0; oh++; } } // a short last group repeats its last pixel
            }
            float* dst = count == 4 ? y + (long)p * filters : tail;
            for (int f = 0; f < filters; f += 16)
            {
                if (filters - f >= 16) Tile4x16(from, offsets, taps, w + f, filters, bias == null ? null : bias + f, dst + f, relu);
                else Tile4x8(from, offsets, taps, w + f, filters, bias == null ? null : bias + f, dst + f, relu);
            }
            if (count < 4) new Span<float>(tail, count * filters).CopyTo(new Span<float>(y + (long)p * filters, count * filters));
        }
    }

    private static void Tile4x16(float** from, int* offsets, int taps, float* w, int filters, float* bias, float* y, bool relu)
    {
        float* s0 = from[0], s1 = from[1], s2 = from[2], s3 = from[3];
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int t = 0; t < taps; t++, w += filters)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 8);
            int o = offsets[t];
            var x = Vector256.Create(s0[o]); a00 = Fma.MultiplyAdd(x, w0, a00); a01 = Fma.MultiplyAdd(x, w1, a01);
            x = Vector256.Create(s1[o]); a10 = Fma.MultiplyAdd(x, w0, a10); a11 = Fma.MultiplyAdd(x, w1, a11);
            x = Vector256.Create(s2[o]); a20 = Fma.MultiplyAdd(x, w0, a20); a21 = Fma.MultiplyAdd(x, w1, a21);
            x = Vector256.Create(s3[o]); a30 = Fma.MultiplyAdd(x, w0, a30); a31 = Fma.MultiplyAdd(x, w1, a31);
        }
        Store(a00, bias, y, relu); Store(a01, bias == null ? null : bias + 8, y + 8, relu);
        Store(a10, bias, y + filters, relu); Store(a11, bias == null ? null : bias + 8, y + filters + 8, relu);
        Store(a20, bias, y + 2 * filters, relu); Store(a21, bias == null ? null : bias + 8, y + 2 * filters + 8, relu);
        Store(a30, bias, y + 3 * filters, relu); Store(a31, bias == null ? null : bias + 8, y + 3 * filters + 8, relu);
    }

    private static void Tile4x8(float** from, int* offsets, int taps, float* w, int filters, float* bias, float* y, bool relu)
    {
        float* s0 = from[0], s1 = from[1], s2 = from[2], s3 = from[3];
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int t = 0; t < taps; t++, w += filters)
        {
            var w0 = Vector256.Load(w);
            int o = offsets[t];
            a0 = Fma.MultiplyAdd(Vector256.Create(s0[o]), w0, a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(s1[o]), w0, a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(s2[o]), w0, a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(s3[o]), w0, a3);
        }
        Store(a0, bias, y, relu); Store(a1, bias, y + filters, relu); Store(a2, bias, y + 2 * filters, relu); Store(a3, bias, y + 3 * filters, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> sum, float* bias, float* y, bool relu)
    {
        if (bias != null) sum += Vector256.Load(bias);
        if (relu) sum = Vector256.Max(sum, Vector256<float>.Zero);
        sum.Store(y);
    }

    /// <summary>
    /// Adds one image's share of the kernel gradient, <c>dw[t, f] += Σ_p source[p + off[t]] · dz[p, f]</c>, to
    /// <paramref name="dw"/> (<see cref="PaddedTaps"/> rows of <paramref name="filters"/>; the padding rows collect
    /// junk). <paramref name="dz"/> is the image's (pixels, filters) output gradient, already masked.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddKernelGradient(float* source, int rowStride, int* offsets, int taps, float* dz, float* dw, int filters, in ConvGeometry g)
    {
        int c = g.Channels, paddedTaps = PaddedTaps(taps);
        int stepH = g.StrideHeight * rowStride, stepW = g.StrideWidth * c;
        for (int f = 0; f < filters; f += 16)
        {
            bool wide = filters - f >= 16;
            for (int t = 0; t < paddedTaps; t += 3)
            {
                int o0 = offsets[t], o1 = offsets[t + 1], o2 = offsets[t + 2];
                float* d = dw + t * filters + f;
                if (wide)
                {
                    Vector256<float> a00 = Vector256.Load(d), a01 = Vector256.Load(d + 8);
                    Vector256<float> a10 = Vector256.Load(d + filters), a11 = Vector256.Load(d + filters + 8);
                    Vector256<float> a20 = Vector256.Load(d + 2 * filters), a21 = Vector256.Load(d + 2 * filters + 8);
                    float* grad = dz + f;
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        float* s = source + oh * stepH;
                        for (int ow = 0; ow < g.OutWidth; ow++, s += stepW, grad += filters)
                        {
                            var g0 = Vector256.Load(grad);
                            var g1 = Vector256.Load(grad + 8);
                            var x = Vector256.Create(s[o0]); a00 = Fma.MultiplyAdd(x, g0, a00); a01 = Fma.MultiplyAdd(x, g1, a01);
                            x = Vector256.Create(s[o1]); a10 = Fma.MultiplyAdd(x, g0, a10); a11 = Fma.MultiplyAdd(x, g1, a11);
                            x = Vector256.Create(s[o2]); a20 = Fma.MultiplyAdd(x, g0, a20); a21 = Fma.MultiplyAdd(x, g1, a21);
                        }
                    }
                    a00.Store(d); a01.Store(d + 8);
                    a10.Store(d + filters); a11.Store(d + filters + 8);
                    a20.Store(d + 2 * filters); a21.Store(d + 2 * filters + 8);
                }
                else
                {
                    Vector256<float> a0 = Vector256.Load(d), a1 = Vector256.Load(d + filters), a2 = Vector256.Load(d + 2 * filters);
                    float* grad = dz + f;
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        float* s = source + oh * stepH;
                        for (int ow = 0; ow < g.OutWidth; ow++, s += stepW, grad += filters)
                        {
                            var g0 = Vector256.Load(grad);
                            a0 = Fma.MultiplyAdd(Vector256.Create(s[o0]), g0, a0);
                            a1 = Fma.MultiplyAdd(Vector256.Create(s[o1]), g0, a1);
                            a2 = Fma.MultiplyAdd(Vector256.Create(s[o2]), g0, a2);
                        }
                    }
                    a0.Store(d); a1.Store(d + filters); a2.Store(d + 2 * filters);
                }
            }
        }
    }

    /// <summary>
    /// Copies one image's output gradient into <paramref name="masked"/>, zeroed where the ReLU output
    /// <paramref name="y"/> is not positive (when <paramref name="relu"/>), and adds each filter's sum to
    /// <paramref name="biasSums"/> (when not null).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaskImageGradient(float* dz, float* y, float* masked, int pixels, int filters, bool relu, float* biasSums)
    {
        int vectors = filters / 8;
        Vector256<float>* sums = stackalloc Vector256<float>[vectors];
        for (int v = 0; v < vectors; v++) sums[v] = Vector256<float>.Zero;
        long end = (long)pixels * filters;
        for (long i = 0; i < end; i += filters)
            for (int v = 0; v < vectors; v++)
            {
                var d = Vector256.Load(dz + i + 8 * v);
                if (relu) d &= Vector256.GreaterThan(Vector256.Load(y + i + 8 * v), Vector256<float>.Zero);
                d.Store(masked + i + 8 * v);
                sums[v] += d;
            }
        if (biasSums != null)
            for (int v = 0; v < vectors; v++) (Vector256.Load(biasSums + 8 * v) + sums[v]).Store(biasSums + 8 * v);
    }
}
