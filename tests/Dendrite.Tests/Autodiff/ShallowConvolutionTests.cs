using System.Runtime.Intrinsics.X86;
using Dendrite.Autodiff;
using Dendrite.Kernels;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// The direct convolution of shallow windows (<see cref="ShallowConvolution"/>: patch rows of at most 32 floats, filters
/// a multiple of 8) against the float64 reference: forward with and without bias and ReLU, the kernel and bias
/// gradients both when the input needs a gradient (mask first, im2col for the input gradient) and when it does not
/// (mask fused into the kernel gradient), with strides, dilation, "same" padding and batches that split unevenly over
/// the gradient's image groups.
/// </summary>
public class ShallowConvolutionTests
{
    /// <summary>Cases that take the direct path: 1 or 3 channels, 8 to 40 filters, windows of 3 to 25 taps.</summary>
    internal static IEnumerable<ConvCase> Cases()
    {
        (int Batch, int H, int W)[] inputs = [(1, 7, 7), (3, 9, 5), (19, 6, 8), (2, 1, 1), (5, 28, 28)];
        (int Channels, int Kh, int Kw)[] windows = [(1, 3, 3), (3, 3, 3), (1, 2, 5), (1, 1, 3), (1, 5, 5), (2, 4, 4)];
        int[] filters = [8, 24, 32, 40];
        ((int, int) Strides, (int, int) Dilation)[] steps = [((1, 1), (1, 1)), ((2, 2), (1, 1)), ((2, 3), (1, 1)), ((1, 1), (2, 2))];
        int i = 0;
        foreach (var (channels, kh, kw) in windows)
            foreach (var (strides, dilation) in steps)
                foreach (bool same in new[] { false, true })
                {
                    var (batch, h, w) = inputs[i % inputs.Length];
                    yield return new ConvCase(batch, h, w, channels, filters[i % filters.Length], kh, kw, strides, dilation, same, Bias: i % 3 != 0);
                    i++;
                }
    }

    [Fact]
    public void TheCasesTakeTheDirectPathOnThisMachine()
    {
        if (!Fma.IsSupported) return; // without FMA every convolution runs as im2col + GEMM (the other tests still check it)
        foreach (var c in Cases())
        {
            var (oh, _) = ConvReference.Axis(c.Height, c.Kh, c.Strides.H, c.Dilation.H, c.Same);
            var (ow, _) = ConvReference.Axis(c.Width, c.Kw, c.Strides.W, c.Dilation.W, c.Same);
            if (oh == 0 || ow == 0) continue;
            var g = ConvGeometry.Create(c.Batch, c.Height, c.Width, c.Channels, (c.Kh, c.Kw), c.Strides, c.Dilation, c.Same ? Padding.Same : Padding.Valid, "test");
            Assert.True(ShallowConvolution.Applies(g, c.Filters), c.ToString());
        }
        // Rows longer than 32 floats, or filters not a multiple of 8, go to im2col.
        var deep = ConvGeometry.Create(1, 8, 8, 4, (3, 3), (1, 1), (1, 1), Padding.Valid, "test");
        Assert.False(ShallowConvolution.Applies(deep, 32));
        var shallow = ConvGeometry.Create(1, 8, 8, 1, (3, 3), (1, 1), (1, 1), Padding.Valid, "test");
        Assert.False(ShallowConvolution.Applies(shallow, 12));
    }

    [Fact]
    public void ForwardAndAllGradientsMatchTheReference()
    {
        int seed = 500, fitted = 0;
        foreach (var c in Cases())
            foreach (bool relu in new[] { false, true })
            {
                if (ConvolutionTests.CheckForward(c, seed, relu))
                {
                    ConvolutionTests.CheckBackward(c, seed, relu);
                    fitted++;
                }
                seed += 10;
            }
        Assert.True(fitted >= 80, $"only {fitted} cases had an output");
    }

    [Fact]
    public void WithAConstantInputTheFusedMaskGivesTheKernelAndBiasGradients()
    {
        int seed = 900, fitted = 0;
        foreach (var c in Cases())
            foreach (bool relu in new[] { false, true })
            {
                seed += 10;
                var (oh, _) = ConvReference.Axis(c.Height, c.Kh, c.Strides.H, c.Dilation.H, c.Same);
                var (ow, _) = ConvReference.Axis(c.Width, c.Kw, c.Strides.W, c.Dilation.W, c.Same);
                if (oh == 0 || ow == 0) continue;
                fitted++;
                var xs = Uniform(seed, c.Batch * c.Height * c.Width * c.Channels);
                var ks = Uniform(seed + 1, c.Kh * c.Kw * c.Channels * c.Filters);
                var bs = Uniform(seed + 2, c.Filters);
                var w = Uniform(seed + 3, c.Batch * oh * ow * c.Filters);
                var x = Const(xs, c.Batch, c.Height, c.Width, c.Channels);
                var k = Param(ks, c.Kh, c.Kw, c.Channels, c.Filters);
                var b = c.Bias ? Param(bs, c.Filters) : null;
                Tensor Conv() => Ops.Conv2D(x, k, b, c.Strides, c.Same ? Padding.Same : Padding.Valid, c.Dilation, relu);
                var grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Conv(), w), b is null ? [k] : [k, b]);
                var dy = w;
                if (relu)
                {
                    var y = ConvReference.Conv2D(xs, c.Batch, c.Height, c.Width, c.Channels, ks, c.Kh, c.Kw, c.Filters, b is null ? null : bs,
                        c.Strides, c.Dilation, c.Same, out _, out _);
                    dy = [.. w.Select((g, i) => y[i] > 0 ? g : 0f)];
                }
                var (_, dk, db) = ConvReference.Conv2DBackward(xs, c.Batch, c.Height, c.Width, c.Channels, ks, c.Kh, c.Kw, c.Filters, dy, c.Strides, c.Dilation, c.Same);
                ConvReference.AssertClose(dk, grads[0], 1e-6 * (2 + c.Batch * oh * ow), $"dkernel of {c}{(relu ? " relu" : "")}");
                if (b is not null) ConvReference.AssertClose(db, grads[1], 1e-6 * (2 + c.Batch * oh * ow), $"dbias of {c}{(relu ? " relu" : "")}");
            }
        Assert.True(fitted >= 40, $"only {fitted} cases had an output");
    }

    [Fact]
    public void GradientsByFiniteDifferencesThroughTheDirectPath()
    {
        var x = Param(Uniform(31, 2 * 6 * 7 * 2), 2, 6, 7, 2);
        var k = Param(Uniform(32, 3 * 3 * 2 * 8), 3, 3, 2, 8);
        var b = Param(Uniform(33, 8), 8);
        var w = Uniform(34, 2 * 3 * 4 * 8);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, k, b, (2, 2), Padding.Same), w), [x, k, b]);
    }
}
