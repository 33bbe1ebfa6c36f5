using Dendrite.Autodiff;
using Dendrite.Kernels;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>One convolution configuration: NHWC input, HWIO kernel, strides, dilation, padding, bias.</summary>
public readonly record struct ConvCase(int Batch, int Height, int Width, int Channels, int Filters, int Kh, int Kw,
    (int H, int W) Strides, (int H, int W) Dilation, bool Same, bool Bias)
{
    public override string ToString() =>
        $"x ({Batch},{Height},{Width},{Channels}) k ({Kh},{Kw},{Channels},{Filters}) strides {Strides} dilation {Dilation} {(Same ? "same" : "valid")}{(Bias ? " bias" : "")}";
}

/// <summary>
/// <see cref="Ops.Conv2D(Tensor, Tensor, Tensor?, ValueTuple{int, int}?, Padding, ValueTuple{int, int}?)"/> against a
/// direct float64 convolution (forward and backward) on awkward sizes, finite differences, and TensorFlow's padding rule.
/// </summary>
public class ConvolutionTests
{
    /// <summary>
    /// Kernels 1×1, 3×3, 2×5 × strides 1, 2, (2, 3) and dilation 2 × valid/same × bias or not, three inputs each,
    /// cycling through batch 1 and 3, heights and widths 1..9 (7 included), channels 1, 3, 17 and filters 1, 5, 33.
    /// </summary>
    internal static IEnumerable<ConvCase> Cases()
    {
        int[] batches = [1, 3];
        (int H, int W)[] sizes = [(7, 7), (1, 1), (9, 4), (3, 8), (2, 9), (5, 6), (8, 1), (4, 4), (6, 9), (7, 3), (1, 7)];
        int[] channels = [1, 3, 17];
        int[] filters = [1, 5, 33];
        (int, int)[] kernels = [(1, 1), (3, 3), (2, 5)];
        ((int, int) Strides, (int, int) Dilation)[] steps = [((1, 1), (1, 1)), ((2, 2), (1, 1)), ((2, 3), (1, 1)), ((1, 1), (2, 2))];
        int i = 0;
        foreach (var (kh, kw) in kernels)
            foreach (var (strides, dilation) in steps)
                foreach (bool same in new[] { false, true })
                    foreach (bool bias in new[] { false, true })
                        for (int rep = 0; rep < 3; rep++, i++)
                        {
                            var (h, w) = sizes[i % sizes.Length];
                            yield return new ConvCase(batches[i % 2], h, w, channels[(i / 2) % 3], filters[(i / 6) % 3], kh, kw, strides, dilation, same, bias);
                        }
    }

    private sealed record Inputs(float[] X, float[] K, float[]? B);

    private static Inputs Make(ConvCase c, int seed) => new(
        Uniform(seed, c.Batch * c.Height * c.Width * c.Channels),
        Uniform(seed + 1, c.Kh * c.Kw * c.Channels * c.Filters),
        c.Bias ? Uniform(seed + 2, c.Filters) : null);

    private static Tensor Run(ConvCase c, Tensor x, Tensor k, Tensor? b, bool relu = false) =>
        Ops.Conv2D(x, k, b, c.Strides, c.Same ? Padding.Same : Padding.Valid, c.Dilation, relu);

    /// <summary>Checks the forward pass of one case; false when the window does not fit (and the op said so).</summary>
    internal static bool CheckForward(ConvCase c, int seed, bool relu = false)
    {
        var v = Make(c, seed);
        var expected = ConvReference.Conv2D(v.X, c.Batch, c.Height, c.Width, c.Channels, v.K, c.Kh, c.Kw, c.Filters, v.B, c.Strides, c.Dilation, c.Same, out int oh, out int ow);
        var x = Const(v.X, c.Batch, c.Height, c.Width, c.Channels);
        var k = Const(v.K, c.Kh, c.Kw, c.Channels, c.Filters);
        var b = v.B is null ? null : Const(v.B, c.Filters);
        if (oh == 0 || ow == 0)
        {
            var error = Assert.Throws<ArgumentException>(() => Run(c, x, k, b, relu));
            Assert.Contains("does not fit", error.Message);
            return false;
        }
        var y = Run(c, x, k, b, relu);
        Assert.Equal(new Shape(c.Batch, oh, ow, c.Filters), y.Shape);
        if (relu) for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(expected[i], 0);
        // float32 rounding grows with the number of terms per output (all |values| ≤ 1).
        ConvReference.AssertClose(expected, y.Values, 1e-6 * (2 + c.Kh * c.Kw * c.Channels), $"{c}{(relu ? " relu" : "")} [{Gemm.ActivePath}]");
        return true;
    }

    /// <summary>The tape's gradients of Σ w·Conv2D against the float64 reference backward, for one case.</summary>
    internal static void CheckBackward(ConvCase c, int seed, bool relu = false)
    {
        var v = Make(c, seed);
        var (oh, _) = ConvReference.Axis(c.Height, c.Kh, c.Strides.H, c.Dilation.H, c.Same);
        var (ow, _) = ConvReference.Axis(c.Width, c.Kw, c.Strides.W, c.Dilation.W, c.Same);
        if (oh == 0 || ow == 0) return;
        var x = Param(v.X, c.Batch, c.Height, c.Width, c.Channels);
        var k = Param(v.K, c.Kh, c.Kw, c.Channels, c.Filters);
        var b = v.B is null ? null : Param(v.B, c.Filters);
        var w = Uniform(seed + 3, c.Batch * oh * ow * c.Filters);
        var grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Run(c, x, k, b, relu), w), b is null ? [x, k] : [x, k, b]);
        var dy = w;
        if (relu)
        {
            // The ReLU passes the gradient where its output (checked by CheckForward) is positive.
            var y = Run(c, Const(v.X, c.Batch, c.Height, c.Width, c.Channels), Const(v.K, c.Kh, c.Kw, c.Channels, c.Filters), v.B is null ? null : Const(v.B, c.Filters), relu: true).Values.ToArray();
            dy = [.. w.Select((g, i) => y[i] > 0 ? g : 0f)];
        }
        var (dx, dk, db) = ConvReference.Conv2DBackward(v.X, c.Batch, c.Height, c.Width, c.Channels, v.K, c.Kh, c.Kw, c.Filters, dy, c.Strides, c.Dilation, c.Same);
        string what = $"{c}{(relu ? " relu" : "")} [{Gemm.ActivePath}]";
        ConvReference.AssertClose(dx, grads[0], 1e-6 * (2 + c.Kh * c.Kw * c.Filters), "dx of " + what);
        ConvReference.AssertClose(dk, grads[1], 1e-6 * (2 + c.Batch * oh * ow), "dkernel of " + what);
        if (b is not null) ConvReference.AssertClose(db, grads[2], 1e-6 * (2 + c.Batch * oh * ow), "dbias of " + what);
    }

    /// <summary>Runs every case forward and backward; returns how many produced an output.</summary>
    internal static int CheckAllCases(bool relu = false)
    {
        int seed = 100, checkedCases = 0;
        foreach (var c in Cases())
        {
            if (CheckForward(c, seed, relu))
            {
                CheckBackward(c, seed, relu);
                checkedCases++;
            }
            seed += 10;
        }
        return checkedCases;
    }

    [Fact]
    public void CasesCoverEverySizeTheBriefAsksFor()
    {
        var cases = Cases().ToList();
        Assert.Equal(144, cases.Count);
        foreach (int batch in new[] { 1, 3 }) Assert.Contains(cases, c => c.Batch == batch);
        foreach (int ch in new[] { 1, 3, 17 })
            foreach (int f in new[] { 1, 5, 33 })
                Assert.Contains(cases, c => c.Channels == ch && c.Filters == f);
        Assert.Contains(cases, c => c.Height == 7 && c.Width == 7 && c.Same && c.Strides == (2, 2) && c.Kh == 3);
        Assert.Contains(cases, c => c.Height == 1 && c.Width == 1 && c.Same && c.Kh == 3);
    }

    [Fact]
    public void ForwardAndBackwardMatchTheFloat64ReferenceOnAwkwardSizes()
    {
        int fitted = CheckAllCases();
        Assert.True(fitted >= 100, $"only {fitted} of the cases had an output; the sizes no longer exercise the op");
    }

    [Fact]
    public void FusedReluMatchesTheReferenceForwardAndBackward()
    {
        int fitted = CheckAllCases(relu: true);
        Assert.True(fitted >= 100);
    }

    [Fact]
    public void LargeBatchTakesTheParallelIm2ColPathAndStillMatches()
    {
        // 4 images × 12×12 outputs × 3·3·8 patch columns ≥ 2¹⁵: the gather and scatter split the batch over threads.
        var c = new ConvCase(4, 12, 12, 8, 16, 3, 3, (1, 1), (1, 1), Same: true, Bias: true);
        Assert.True(CheckForward(c, 7));
        CheckBackward(c, 7);
        var strided = new ConvCase(5, 13, 11, 6, 9, 2, 5, (2, 3), (1, 1), Same: true, Bias: false);
        Assert.True(CheckForward(strided, 8));
        CheckBackward(strided, 8);
    }

    [Fact]
    public void ABatchTooLargeForOnePatchMatrixGoesInChunksAndStillMatches()
    {
        // 37 images of 13×13×32 under a 3×3 kernel: 37·121·288 floats of patches exceed the 1 Mi floats kept whole,
        // so the op works in chunks of 15 images (15, 15, 7): every chunk's products, the kernel gradient summed over
        // chunks and the col2im of each chunk are checked against the reference.
        var c = new ConvCase(37, 13, 13, 32, 8, 3, 3, (1, 1), (1, 1), Same: false, Bias: true);
        Assert.True(CheckForward(c, 21, relu: true));
        CheckBackward(c, 21, relu: true);
    }

    [Fact]
    public void ImagesTooLargeToChunkInPairsGoOneAtATimeAndStillMatch()
    {
        // 3 images of 40×40×32 under a 3×3 kernel: 1444·288 floats of patches each, more than half a chunk, so every
        // chunk holds one image and the backward splits each product over the threads instead of the chunk's images.
        var c = new ConvCase(3, 40, 40, 32, 8, 3, 3, (1, 1), (1, 1), Same: false, Bias: true);
        Assert.True(CheckForward(c, 31, relu: true));
        CheckBackward(c, 31, relu: true);
    }

    [Fact]
    public void TheMnistConvnetShapesMatchOnTheThreadedGemm()
    {
        // The tutorial's two convolutions on a batch of 8: products of 5408×9×32 and 968×288×64, split over threads.
        var first = new ConvCase(8, 28, 28, 1, 32, 3, 3, (1, 1), (1, 1), Same: false, Bias: true);
        Assert.True(CheckForward(first, 11, relu: true));
        CheckBackward(first, 11, relu: true);
        var second = new ConvCase(8, 13, 13, 32, 64, 3, 3, (1, 1), (1, 1), Same: false, Bias: true);
        Assert.True(CheckForward(second, 12, relu: true));
        CheckBackward(second, 12, relu: true);
    }

    [Fact]
    public void HandComputedSamePaddingPutsTheOddPadAfter()
    {
        // 3×3 image 1..9, a 2×2 kernel of ones. "same" with stride 1 pads 1 in total: 0 before, 1 after (TensorFlow).
        var x = Const([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3, 1);
        var k = Const([1, 1, 1, 1], 2, 2, 1, 1);
        Assert.Equal([12f, 16f, 24f, 28f], Ops.Conv2D(x, k).Values.ToArray());
        var same = Ops.Conv2D(x, k, padding: Padding.Same);
        Assert.Equal(new Shape(1, 3, 3, 1), same.Shape);
        Assert.Equal([12f, 16f, 9f, 24f, 28f, 15f, 15f, 17f, 9f], same.Values.ToArray());
        // 3×3 kernel, stride 2 on a 4×4 image: ceil(4/2) = 2 outputs, pad total (2−1)·2 + 3 − 4 = 1, again all after.
        var x4 = Const([.. Enumerable.Range(1, 16).Select(i => (float)i)], 1, 4, 4, 1);
        var ones = Const([.. Enumerable.Repeat(1f, 9)], 3, 3, 1, 1);
        var y = Ops.Conv2D(x4, ones, strides: (2, 2), padding: Padding.Same);
        // windows rows/cols {0,1,2} and {2,3}: 1+2+3+5+6+7+9+10+11, 3+4+7+8+11+12, 9+10+11+13+14+15, 11+12+15+16
        Assert.Equal([54f, 45f, 72f, 54f], y.Values.ToArray());
        // Bias is added once per output, dilation skips inputs: taps (0,0), (0,2), (2,0), (2,2) of the 3×3 image.
        var dilated = Ops.Conv2D(x, k, Const([0.5f], 1), dilation: (2, 2));
        Assert.Equal([1 + 3 + 7 + 9 + 0.5f], dilated.Values.ToArray());
    }

    [Theory]
    // input, window, stride, dilation, same → output, padding before (TensorFlow: total/2 before, the odd one after)
    [InlineData(28, 3, 1, 1, false, 26, 0)]
    [InlineData(26, 2, 2, 1, false, 13, 0)]
    [InlineData(11, 2, 2, 1, false, 5, 0)]
    [InlineData(7, 3, 2, 1, true, 4, 1)]
    [InlineData(8, 3, 2, 1, true, 4, 0)]
    [InlineData(7, 3, 1, 2, true, 7, 2)]
    [InlineData(7, 3, 1, 2, false, 3, 0)]
    [InlineData(9, 5, 3, 1, true, 3, 1)]
    [InlineData(9, 5, 3, 1, false, 2, 0)]
    [InlineData(1, 3, 1, 1, true, 1, 1)]
    [InlineData(1, 3, 1, 1, false, 0, 0)]
    [InlineData(5, 1, 2, 1, true, 3, 0)]
    [InlineData(2, 5, 3, 1, true, 1, 1)]
    [InlineData(6, 2, 2, 1, true, 3, 0)]
    [InlineData(4, 4, 1, 1, true, 4, 1)]
    [InlineData(5, 3, 1, 3, true, 5, 3)]
    public void GeometryFollowsTensorFlow(int input, int window, int stride, int dilation, bool same, int output, int before)
    {
        Assert.Equal((output, before), ConvGeometry.Axis(input, window, stride, dilation, same ? Padding.Same : Padding.Valid));
        Assert.Equal((output, before), ConvReference.Axis(input, window, stride, dilation, same));
    }

    [Fact]
    public void GradientsByFiniteDifferencesWithStridesSamePaddingAndBias()
    {
        var x = Param(Uniform(40, 2 * 5 * 7 * 3), 2, 5, 7, 3);
        var k = Param(Uniform(41, 3 * 3 * 3 * 4), 3, 3, 3, 4);
        var b = Param(Uniform(42, 4), 4);
        var y = Ops.Conv2D(x, k, b, strides: (2, 3), padding: Padding.Same);
        Assert.Equal(new Shape(2, 3, 3, 4), y.Shape);
        var w = Uniform(43, y.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k, b, strides: (2, 3), padding: Padding.Same), w), [x, k, b]);
    }

    [Fact]
    public void GradientsByFiniteDifferencesWithDilation()
    {
        var x = Param(Uniform(44, 1 * 6 * 7 * 2), 1, 6, 7, 2);
        var k = Param(Uniform(45, 3 * 2 * 2 * 3), 3, 2, 2, 3);
        var b = Param(Uniform(46, 3), 3);
        foreach (var padding in new[] { Padding.Same, Padding.Valid })
        {
            var w = Uniform(47, Ops.Conv2D(x, k, b, padding: padding, dilation: (2, 3)).Size);
            GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k, b, padding: padding, dilation: (2, 3)), w), [x, k, b]);
        }
    }

    [Fact]
    public void GradientsByFiniteDifferencesForAWideKernelWithValidPaddingAndStride2()
    {
        var x = Param(Uniform(48, 3 * 6 * 9 * 1), 3, 6, 9, 1);
        var k = Param(Uniform(49, 2 * 5 * 1 * 5), 2, 5, 1, 5);
        var y = Ops.Conv2D(x, k, strides: (2, 2));
        Assert.Equal(new Shape(3, 3, 3, 5), y.Shape);
        var w = Uniform(50, y.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k, strides: (2, 2)), w), [x, k]);
    }

    [Fact]
    public void GradientsByFiniteDifferencesForAPointwiseConvolution()
    {
        // 1×1 with stride 1 skips im2col and multiplies the image directly.
        var x = Param(Uniform(51, 2 * 3 * 4 * 5), 2, 3, 4, 5);
        var k = Param(Uniform(52, 5 * 3), 1, 1, 5, 3);
        var b = Param(Uniform(53, 3), 3);
        var w = Uniform(54, 2 * 3 * 4 * 3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k, b), w), [x, k, b]);
    }

    [Fact]
    public void AnInputUsedTwiceAccumulatesBothGradients()
    {
        // conv(x, x): x is both image and kernel, so its gradient is the kernel part plus the scattered image part.
        var x = Param(Uniform(55, 2 * 2 * 2 * 2), 2, 2, 2, 2);
        var w = Uniform(56, 2 * 2 * 2 * 2);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, x, padding: Padding.Same), w), [x]);
        var wValid = Uniform(57, 2 * 1 * 1 * 2);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, x), wValid), [x]);
    }

    [Fact]
    public void RepeatedBackwardPassesDoNotAccumulateStaleGradients()
    {
        var c = new ConvCase(2, 5, 5, 3, 4, 3, 3, (2, 2), (1, 1), Same: true, Bias: true);
        var x = Param(Uniform(58, 2 * 5 * 5 * 3), 2, 5, 5, 3);
        var k = Param(Uniform(59, 3 * 3 * 3 * 4), 3, 3, 3, 4);
        var b = Param(Uniform(60, 4), 4);
        var w = Uniform(61, 2 * 3 * 3 * 4);
        var first = GradientCheck.Analytic(() => TestOps.WeightedSum(Run(c, x, k, b), w), [x, k, b]);
        var second = GradientCheck.Analytic(() => TestOps.WeightedSum(Run(c, x, k, b), w), [x, k, b]);
        for (int t = 0; t < 3; t++) Assert.Equal(first[t], second[t]);
    }

    [Fact]
    public void ConstantInputsGetNoGradient()
    {
        var x = Const(Uniform(62, 1 * 4 * 4 * 2), 1, 4, 4, 2);
        var k = Param(Uniform(63, 3 * 3 * 2 * 2), 3, 3, 2, 2);
        var w = Uniform(64, 1 * 2 * 2 * 2);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k), w), [x, k]);
        Assert.True(x.Grad.IsEmpty);
    }

    [Fact]
    public void InvalidArgumentsThrowClearly()
    {
        var x = Const(new float[1 * 5 * 5 * 3], 1, 5, 5, 3);
        var k = Const(new float[3 * 3 * 3 * 2], 3, 3, 3, 2);
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => Ops.Conv2D(Const(new float[75], 5, 5, 3), k)).Message);
        Assert.Contains("kernel of rank 4", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, Const(new float[6], 3, 2))).Message);
        var channels = Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, Const(new float[3 * 3 * 2 * 2], 3, 3, 2, 2)));
        Assert.Contains("2 input channels", channels.Message);
        Assert.Contains("has 3", channels.Message);
        Assert.Contains("dilation", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, k, strides: (2, 2), dilation: (2, 2))).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, k, strides: (0, 1))).Message);
        var fit = Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, k, dilation: (3, 1)));
        Assert.Contains("does not fit input 5×5", fit.Message);
        Assert.Contains("bias of shape (2,)", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, k, Const(new float[3], 3))).Message);
    }
}

/// <summary>
/// The convolution on every GEMM micro-kernel this machine runs, and on one thread versus all. Both settings are
/// process-wide, so these tests run in the global-state collection.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class ConvolutionGemmPathTests
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var path in new[] { GemmPath.Avx512, GemmPath.Avx2, GemmPath.Portable })
            if (Gemm.IsSupported(path)) data.Add(path.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryGemmPathMatchesTheReference(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        var saved = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = path;
            Assert.Equal(path, Gemm.ActivePath);
            Assert.True(ConvolutionTests.CheckAllCases() >= 100);
            Assert.True(ConvolutionTests.CheckAllCases(relu: true) >= 100);
        }
        finally { Gemm.ForcedPath = saved; }
    }

    /// <summary>
    /// Runs <paramref name="forward"/> and the tape's gradients of Σ w·forward for <paramref name="inputs"/> on one
    /// thread and on all, and asserts the same bits (and a gradient that is not all zeros).
    /// </summary>
    internal static void AssertSameBitsOnOneThreadAndAll(Func<Tensor> forward, float[] w, Tensor[] inputs)
    {
        (float[] Y, float[][] Grads) Run(int threads)
        {
            Gemm.MaxThreads = threads;
            var y = forward().Values.ToArray();
            return (y, GradientCheck.Analytic(() => TestOps.WeightedSum(forward(), w), inputs));
        }
        int saved = Gemm.MaxThreads;
        try
        {
            var one = Run(1);
            var all = Run(Math.Max(2, Environment.ProcessorCount));
            Assert.Equal(one.Y.Select(BitConverter.SingleToInt32Bits), all.Y.Select(BitConverter.SingleToInt32Bits));
            for (int t = 0; t < inputs.Length; t++)
                Assert.Equal(one.Grads[t].Select(BitConverter.SingleToInt32Bits), all.Grads[t].Select(BitConverter.SingleToInt32Bits));
            Assert.Contains(one.Grads[0], g => g != 0);
        }
        finally { Gemm.MaxThreads = saved; }
    }

    [Fact]
    public void OneThreadAndAllThreadsGiveTheSameBits()
    {
        // Large enough that im2col (6·14·14·72 values) and the pooling (6·14·14·32 inputs) split the batch over threads.
        var x = Param(Uniform(70, 6 * 14 * 14 * 8), 6, 14, 14, 8);
        var k = Param(Uniform(71, 3 * 3 * 8 * 32), 3, 3, 8, 32);
        var b = Param(Uniform(72, 32), 32);
        var w = Uniform(73, 6 * 14 * 14 * 32);
        AssertSameBitsOnOneThreadAndAll(() => Ops.MaxPool2D(Ops.Conv2D(x, k, b, padding: Padding.Same), (3, 3), (1, 1), Padding.Same), w, [x, k, b]);
    }

    [Fact]
    public void TheDirectPathGivesTheSameBitsOnOneThreadAndAll()
    {
        // 21 images split unevenly over the 16 image groups whose kernel-gradient partials are summed in order.
        var x = Const(Uniform(80, 21 * 12 * 12 * 1), 21, 12, 12, 1);
        var k = Param(Uniform(81, 3 * 3 * 1 * 32), 3, 3, 1, 32);
        var b = Param(Uniform(82, 32), 32);
        AssertSameBitsOnOneThreadAndAll(() => Ops.Conv2D(x, k, b, (1, 1), Padding.Same, (1, 1), relu: true), Uniform(83, 21 * 12 * 12 * 32), [k, b]);
    }

    [Fact]
    public void TheFusedBlocksGiveTheSameBitsOnOneThreadAndAll()
    {
        // The MNIST convnet's two blocks on 37 images: the first by image groups, the second in chunks of 15, 15 and 7
        // images, each chunk split in halves; the halves' partials summed in order.
        var image = Const(Uniform(84, 37 * 28 * 28), 37, 28, 28, 1);
        var k1 = Param(Uniform(85, 9 * 32), 3, 3, 1, 32);
        var b1 = Param(Uniform(86, 32), 32);
        var k2 = Param(Uniform(87, 9 * 32 * 64, -0.2, 0.2), 3, 3, 32, 64);
        var b2 = Param(Uniform(88, 64), 64);
        Tensor Blocks() => Ops.Conv2DReluMaxPool(Ops.Conv2DReluMaxPool(image, k1, b1, (1, 1), Padding.Valid, (1, 1), (2, 2), (2, 2), Padding.Valid),
            k2, b2, (1, 1), Padding.Valid, (1, 1), (2, 2), (2, 2), Padding.Valid);
        AssertSameBitsOnOneThreadAndAll(Blocks, Uniform(89, 37 * 5 * 5 * 64), [k1, b1, k2, b2]);
    }
}
