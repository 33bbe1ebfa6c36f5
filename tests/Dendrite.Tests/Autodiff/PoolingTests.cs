using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>MaxPool2D, AvgPool2D, GlobalAvgPool2D and Flatten: float64 references, hand-computed borders, finite differences.</summary>
public class PoolingTests
{
    /// <summary>
    /// Distinct values (a shuffled ladder with step <paramref name="spacing"/>, centred on 0): no two inputs tie, so the
    /// maximum of every window is unique and a finite-difference step smaller than the spacing never changes it.
    /// </summary>
    private static float[] Distinct(int seed, int count, double spacing = 0.01)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, count).Select(i => (float)((i - count / 2) * spacing)).ToArray();
        rng.Shuffle(values);
        return values;
    }

    private static IEnumerable<(int Batch, int H, int W, int C, (int, int) Pool, (int, int) Strides, bool Same)> PoolCases()
    {
        int[] batches = [1, 3];
        (int H, int W)[] sizes = [(7, 7), (1, 1), (9, 4), (3, 8), (2, 9), (5, 6), (8, 1), (4, 4), (6, 9)];
        int[] channels = [1, 3, 17];
        (int, int)[] pools = [(2, 2), (3, 3), (2, 3), (1, 1), (3, 1)];
        (int, int)[] strides = [(1, 1), (2, 2), (1, 2), (3, 2)];
        int i = 0;
        foreach (var pool in pools)
            foreach (var stride in strides)
                foreach (bool same in new[] { false, true })
                    for (int rep = 0; rep < 2; rep++, i++)
                    {
                        var (h, w) = sizes[i % sizes.Length];
                        yield return (batches[i % 2], h, w, channels[(i / 2) % 3], pool, stride, same);
                    }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ForwardAndBackwardMatchTheFloat64Reference(bool max)
    {
        int seed = 300, fitted = 0;
        foreach (var (batch, h, w, c, pool, strides, same) in PoolCases())
        {
            seed += 3;
            var values = Distinct(seed, batch * h * w * c);
            var expected = ConvReference.Pool2D(values, batch, h, w, c, pool, strides, same, max, out int oh, out int ow);
            var x = Param(values, batch, h, w, c);
            var padding = same ? Padding.Same : Padding.Valid;
            Tensor Pool() => max ? Ops.MaxPool2D(x, pool, strides, padding) : Ops.AvgPool2D(x, pool, strides, padding);
            string what = $"{(max ? "max" : "avg")} x ({batch},{h},{w},{c}) pool {pool} strides {strides} {padding}";
            if (oh == 0 || ow == 0)
            {
                Assert.Contains("does not fit", Assert.Throws<ArgumentException>(Pool).Message);
                continue;
            }
            fitted++;
            var y = Pool();
            Assert.Equal(new Shape(batch, oh, ow, c), y.Shape);
            // A mean of float inputs: relative float32 rounding of the largest magnitude.
            ConvReference.AssertClose(expected, y.Values, max ? 0 : 1e-6 * (1 + values.Max(Math.Abs)), what);
            var dy = Uniform(seed + 1, y.Size);
            var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Pool(), dy), [x])[0];
            var dx = ConvReference.Pool2DBackward(values, batch, h, w, c, pool, strides, same, max, dy);
            ConvReference.AssertClose(dx, grad, 1e-6, "gradient of " + what);
        }
        Assert.True(fitted >= 50, $"only {fitted} cases had an output");
    }

    [Theory]
    [InlineData(1, 7, 9, 8, 2, 2)]
    [InlineData(3, 11, 11, 64, 2, 2)]
    [InlineData(2, 4, 4, 24, 3, 2)]
    [InlineData(2, 6, 7, 16, 2, 3)]
    [InlineData(1, 5, 5, 8, 5, 5)]
    public void DisjointWindowsOnChannelsInEightsTakeTheVectorPathAndMatchTheReference(int batch, int h, int w, int c, int ph, int pw)
    {
        // Valid padding, strides = pool: the 8-float vector kernels (last rows and columns outside every window included).
        var values = Distinct(500 + c + h, batch * h * w * c);
        var expected = ConvReference.Pool2D(values, batch, h, w, c, (ph, pw), (ph, pw), false, true, out int oh, out int ow);
        var x = Param(values, batch, h, w, c);
        var y = Ops.MaxPool2D(x, (ph, pw));
        Assert.Equal(new Shape(batch, oh, ow, c), y.Shape);
        ConvReference.AssertClose(expected, y.Values, 0, "forward");
        var dy = Uniform(501, y.Size);
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.MaxPool2D(x, (ph, pw)), dy), [x])[0];
        ConvReference.AssertClose(ConvReference.Pool2DBackward(values, batch, h, w, c, (ph, pw), (ph, pw), false, true, dy), grad, 0, "gradient");
    }

    [Fact]
    public void TheVectorPathKeepsTheFirstMaximumAndPropagatesNaN()
    {
        // 8 channels (the vector path): channel 0 ties everywhere, channel 1 has a NaN in the window's second pixel.
        var values = new float[2 * 2 * 8];
        for (int p = 0; p < 4; p++) { values[p * 8] = 1f; values[p * 8 + 1] = p; }
        values[1 * 8 + 1] = float.NaN;
        var x = Param(values, 1, 2, 2, 8);
        var y = Ops.MaxPool2D(x, (2, 2)).Values.ToArray();
        Assert.Equal(1f, y[0]);
        Assert.True(float.IsNaN(y[1]));
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.MaxPool2D(x, (2, 2)), [3, 5, 0, 0, 0, 0, 0, 0]), [x])[0];
        Assert.Equal([3f, 0f, 0f, 0f], [grad[0], grad[8], grad[16], grad[24]]);  // the first of the tied pixels
        Assert.Equal([0f, 5f, 0f, 0f], [grad[1], grad[9], grad[17], grad[25]]);  // the NaN's pixel
    }

    [Fact]
    public void AvgPoolSameAveragesOnlyTheCoveredInputsAtTheBorder()
    {
        // 3×3 image 1..9, 2×2 windows, stride 2: pad total 1, all after. TensorFlow divides by what each window covers.
        var x = Const([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3, 1);
        var y = Ops.AvgPool2D(x, (2, 2), padding: Padding.Same);
        Assert.Equal(new Shape(1, 2, 2, 1), y.Shape);
        Assert.Equal([3f, 4.5f, 7.5f, 9f], y.Values.ToArray());
        Assert.Equal([3f], Ops.AvgPool2D(x, (2, 2)).Values.ToArray());
        // 3×3 windows, stride 1 on a 4-wide row: pad 1 before, 1 after; ends average two values, the middle three.
        var row = Const([1, 2, 4, 8], 1, 1, 4, 1);
        Assert.Equal([1.5f, 7f / 3f, 14f / 3f, 6f], Ops.AvgPool2D(row, (1, 3), (1, 1), Padding.Same).Values.ToArray());
        // Its gradient splits each output's gradient over the covered inputs only.
        var p = Param([1, 2, 4, 8], 1, 1, 4, 1);
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.AvgPool2D(p, (1, 3), (1, 1), Padding.Same), [1, 0, 0, 0]), [p])[0];
        Assert.Equal([0.5f, 0.5f, 0f, 0f], grad);
    }

    [Fact]
    public void MaxPoolSameIgnoresThePaddingEvenForNegativeInputs()
    {
        // Padding counts as −∞: an all-negative image keeps its own maxima, never 0.
        var x = Const([-5, -1, -3, -2, -4, -6, -9, -8, -7], 1, 3, 3, 1);
        Assert.Equal([-1f, -3f, -8f, -7f], Ops.MaxPool2D(x, (2, 2), padding: Padding.Same).Values.ToArray());
        Assert.Equal([-1f, -1f, -3f, -2f, -4f, -6f, -8f, -7f, -7f], Ops.MaxPool2D(x, (2, 2), (1, 1), Padding.Same).Values.ToArray());
        Assert.Equal([-1f], Ops.MaxPool2D(x, (2, 2)).Values.ToArray());
    }

    [Fact]
    public void MaxPoolGradientGoesToOneMaximumPerWindowWhenValuesTie()
    {
        // All equal: each window's gradient lands on exactly one input (the first, as in row-major order).
        var x = Param([1, 1, 1, 1, 1, 1, 1, 1], 1, 2, 4, 1);
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.MaxPool2D(x, (2, 2)), [3, 5]), [x])[0];
        Assert.Equal([3f, 0f, 5f, 0f, 0f, 0f, 0f, 0f], grad);
    }

    [Theory]
    [InlineData(2, 2, 2, 2, false)]
    [InlineData(3, 3, 2, 2, false)]
    [InlineData(3, 3, 2, 2, true)]
    [InlineData(2, 3, 1, 2, true)]
    [InlineData(3, 2, 1, 1, true)]
    public void MaxPoolGradientsByFiniteDifferences(int ph, int pw, int sh, int sw, bool same)
    {
        // Overlapping windows when the stride is below the pool size; inputs 0.01 apart, steps of 1e-3.
        var x = Param(Distinct(400 + ph * 10 + sh, 2 * 7 * 6 * 3), 2, 7, 6, 3);
        var padding = same ? Padding.Same : Padding.Valid;
        var w = Uniform(401, Ops.MaxPool2D(x, (ph, pw), (sh, sw), padding).Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MaxPool2D(x, (ph, pw), (sh, sw), padding), w), [x], h: 1e-3);
    }

    [Theory]
    [InlineData(2, 2, 2, 2, false)]
    [InlineData(3, 3, 2, 2, false)]
    [InlineData(3, 3, 2, 2, true)]
    [InlineData(2, 3, 1, 2, true)]
    [InlineData(3, 3, 3, 3, true)]
    public void AvgPoolGradientsByFiniteDifferences(int ph, int pw, int sh, int sw, bool same)
    {
        var x = Param(Uniform(410 + ph * 10 + sh, 2 * 7 * 5 * 3), 2, 7, 5, 3);
        var padding = same ? Padding.Same : Padding.Valid;
        var w = Uniform(411, Ops.AvgPool2D(x, (ph, pw), (sh, sw), padding).Size);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.AvgPool2D(x, (ph, pw), (sh, sw), padding), w), [x]);
    }

    [Fact]
    public void PoolingGradientsAccumulateWhenTheInputFeedsAnotherOp()
    {
        // conv(pool(x), x): x's gradient comes through the kernel first, then the pooling adds its part.
        var x = Param(Distinct(420, 2 * 2 * 2 * 2, spacing: 0.05), 2, 2, 2, 2);
        var w = Uniform(421, 2 * 2 * 2 * 2);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(Ops.MaxPool2D(x, (2, 2), (1, 1), Padding.Same), x, padding: Padding.Same), w), [x], h: 1e-3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(Ops.AvgPool2D(x, (2, 2), (1, 1), Padding.Same), x, padding: Padding.Same), w), [x], h: 1e-3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Conv2D(x, x, padding: Padding.Same), w), [x], h: 1e-3);
    }

    [Fact]
    public void GlobalAvgPoolIsTheSpatialMean()
    {
        var values = Uniform(430, 3 * 5 * 4 * 7);
        var y = Ops.GlobalAvgPool2D(Const(values, 3, 5, 4, 7));
        Assert.Equal(new Shape(3, 7), y.Shape);
        var expected = new double[3 * 7];
        for (int n = 0; n < 3; n++)
            for (int p = 0; p < 20; p++)
                for (int c = 0; c < 7; c++) expected[n * 7 + c] += values[(n * 20 + p) * 7 + c] / 20.0;
        ConvReference.AssertClose(expected, y.Values, 1e-6, "global average");

        var x = Param(Uniform(431, 2 * 3 * 5 * 4), 2, 3, 5, 4);
        var w = Uniform(432, 2 * 4);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.GlobalAvgPool2D(x), w), [x]);
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.GlobalAvgPool2D(x), w), [x])[0];
        Assert.Equal(w[5] / 15f, grad[(1 * 15 + 7) * 4 + 1], 6);
    }

    [Fact]
    public void PoolingRejectsInvalidArguments()
    {
        var x = Const(new float[2 * 2 * 3], 1, 2, 2, 3);
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => Ops.MaxPool2D(Const(new float[12], 2, 2, 3), (2, 2))).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => Ops.AvgPool2D(x, (0, 2))).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => Ops.MaxPool2D(x, (2, 2), (2, 0))).Message);
        var fit = Assert.Throws<ArgumentException>(() => Ops.MaxPool2D(x, (3, 3)));
        Assert.Contains("MaxPool2D", fit.Message);
        Assert.Contains("does not fit input 2×2", fit.Message);
        Assert.Equal(new Shape(1, 1, 1, 3), Ops.MaxPool2D(x, (3, 3), padding: Padding.Same).Shape);
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => Ops.GlobalAvgPool2D(Const(new float[12], 2, 2, 3))).Message);
    }

    [Fact]
    public void FlattenIsAViewSharingTheBuffer()
    {
        var x = Const(Uniform(440, 2 * 3 * 4 * 5), 2, 3, 4, 5);
        var y = Ops.Flatten(x);
        Assert.Equal(new Shape(2, 60), y.Shape);
        Assert.Same(x.Buffer, y.Buffer);
        Assert.Equal(x.Values.ToArray(), y.Values.ToArray());
        x.Values[37] = 42f;
        Assert.Equal(42f, y.Values[37]);
        Assert.Equal(new Shape(3, 1), Ops.Flatten(Const([1, 2, 3], 3)).Shape);
        Assert.Equal(new Shape(2, 3), Ops.Flatten(Const([1, 2, 3, 4, 5, 6], 2, 3)).Shape);
        Assert.Contains("batch axis", Assert.Throws<ArgumentException>(() => Ops.Flatten(Const([1], []))).Message);
    }

    [Fact]
    public void FlattenGradients()
    {
        var x = Param(Uniform(441, 2 * 3 * 2 * 4), 2, 3, 2, 4);
        var w = Uniform(442, 2 * 24);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Flatten(x), w), [x]);
        Assert.Equal(w, GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Flatten(x), w), [x])[0]);
        // x feeds the view and the product: the view's gradient must add to the product's, not overwrite it.
        var square = Param(Uniform(443, 3 * 3), 3, 3);
        var w2 = Uniform(444, 9);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(Ops.Flatten(square), square), w2), [square]);
        // and a view feeding a convolution, then flattened again (the convnet's shape of things)
        var img = Param(Uniform(445, 2 * 4 * 4 * 2), 2, 4, 4, 2);
        var k = Param(Uniform(446, 3 * 3 * 2 * 3), 3, 3, 2, 3);
        var w3 = Uniform(447, 2 * 2 * 2 * 3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Flatten(Ops.Conv2D(img, k)), w3), [img, k]);
    }
}
