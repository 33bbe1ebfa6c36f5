using Dendrite.Autodiff;
using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// The fused first block, <c>MaxPool2D(relu(Conv2D(x)))</c> in one op, against the two separate ops (themselves
/// checked against the float64 reference): the same output and kernel gradient bit for bit, the same bias gradient up
/// to the order of its sum; finite differences through it; and the model graph running Conv2D → MaxPooling2D pairs fused.
/// </summary>
public class ConvReluMaxPoolTests
{
    public readonly record struct Block(int Batch, int Height, int Width, int Channels, int Filters, int Kernel, bool Same, (int H, int W) Pool, bool Bias);

    public static TheoryData<Block> Blocks() =>
    [
        new(3, 28, 28, 1, 32, 3, false, (2, 2), true),   // the MNIST convnet's first block
        new(1, 9, 9, 1, 8, 3, false, (2, 2), true),      // 7×7 convolution output: a row and column past the last window
        new(19, 12, 11, 3, 40, 3, true, (3, 3), false),  // RGB, "same", 19 images over 16 gradient groups
        new(37, 8, 13, 2, 16, 4, false, (2, 3), true),   // rectangular windows
        new(2, 5, 5, 1, 24, 5, true, (5, 5), true),      // one window covering the whole output
    ];

    private static (Tensor X, Tensor K, Tensor? B, float[] W) Make(Block c, int seed, (int H, int W) pooled)
    {
        var x = Const(Uniform(seed, c.Batch * c.Height * c.Width * c.Channels), c.Batch, c.Height, c.Width, c.Channels);
        var k = Param(Uniform(seed + 1, c.Kernel * c.Kernel * c.Channels * c.Filters), c.Kernel, c.Kernel, c.Channels, c.Filters);
        var b = c.Bias ? Param(Uniform(seed + 2, c.Filters), c.Filters) : null;
        return (x, k, b, Uniform(seed + 3, c.Batch * pooled.H * pooled.W * c.Filters));
    }

    private static Tensor Fused(Block c, Tensor x, Tensor k, Tensor? b) =>
        Ops.Conv2DReluMaxPool(x, k, b, (1, 1), c.Same ? Padding.Same : Padding.Valid, (1, 1), c.Pool, c.Pool, Padding.Valid);

    private static Tensor Separate(Block c, Tensor x, Tensor k, Tensor? b) =>
        Ops.MaxPool2D(Ops.Conv2D(x, k, b, (1, 1), c.Same ? Padding.Same : Padding.Valid, (1, 1), relu: true), c.Pool, c.Pool);

    [Theory]
    [MemberData(nameof(Blocks))]
    public void MatchesTheSeparateOpsForwardAndBackward(Block c)
    {
        var separateShape = Separate(c, Const(new float[c.Batch * c.Height * c.Width * c.Channels], c.Batch, c.Height, c.Width, c.Channels),
            Const(new float[c.Kernel * c.Kernel * c.Channels * c.Filters], c.Kernel, c.Kernel, c.Channels, c.Filters), null).Shape;
        var (x, k, b, w) = Make(c, 40, (separateShape[1], separateShape[2]));
        var fused = Fused(c, x, k, b);
        var separate = Separate(c, x, k, b);
        Assert.Equal(separate.Shape, fused.Shape);
        Assert.Equal(separate.Values.ToArray().Select(BitConverter.SingleToInt32Bits), fused.Values.ToArray().Select(BitConverter.SingleToInt32Bits));
        if (c.Pool == (2, 2)) Assert.Contains(fused.Values.ToArray(), v => v == 0f); // the ReLU cut some windows
        Tensor?[] weights = [k, b];
        var inputs = weights.OfType<Tensor>().ToArray();
        var fusedGrads = GradientCheck.Analytic(() => TestOps.WeightedSum(Fused(c, x, k, b), w), inputs);
        var separateGrads = GradientCheck.Analytic(() => TestOps.WeightedSum(Separate(c, x, k, b), w), inputs);
        Assert.Equal(separateGrads[0].Select(BitConverter.SingleToInt32Bits), fusedGrads[0].Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(fusedGrads[0], v => v != 0f);
        if (b is not null)
            for (int i = 0; i < c.Filters; i++) Assert.Equal(separateGrads[1][i], fusedGrads[1][i], 1e-5 * (1 + Math.Abs(separateGrads[1][i])));
    }

    public static TheoryData<Block> GemmBlocks() =>
    [
        new(37, 13, 13, 32, 64, 3, false, (2, 2), true), // the MNIST convnet's second block, in chunks of 15, 15 and 7 images
        new(5, 9, 8, 4, 16, 3, true, (3, 2), false),     // 36-float patch rows: im2col; rows and columns past the last window
        new(2, 6, 6, 8, 8, 2, false, (5, 5), true),      // one window per image, two images: one per half
    ];

    [Theory]
    [MemberData(nameof(GemmBlocks))]
    public void TheIm2ColPathFusedMatchesTheSeparateOpsWithAnInputGradient(Block c)
    {
        var oh = (c.Same ? c.Height : c.Height - c.Kernel + 1) / c.Pool.H;
        var ow = (c.Same ? c.Width : c.Width - c.Kernel + 1) / c.Pool.W;
        var x = Param(Uniform(50, c.Batch * c.Height * c.Width * c.Channels), c.Batch, c.Height, c.Width, c.Channels);
        var k = Param(Uniform(51, c.Kernel * c.Kernel * c.Channels * c.Filters, -0.3, 0.3), c.Kernel, c.Kernel, c.Channels, c.Filters);
        var b = c.Bias ? Param(Uniform(52, c.Filters), c.Filters) : null;
        var w = Uniform(53, c.Batch * oh * ow * c.Filters);
        var fused = Fused(c, x, k, b);
        var separate = Separate(c, x, k, b);
        Assert.Equal(new Shape(c.Batch, oh, ow, c.Filters), fused.Shape);
        Assert.Equal(separate.Values.ToArray().Select(BitConverter.SingleToInt32Bits), fused.Values.ToArray().Select(BitConverter.SingleToInt32Bits));
        Tensor?[] all = [x, k, b];
        var inputs = all.OfType<Tensor>().ToArray();
        var fusedGrads = GradientCheck.Analytic(() => TestOps.WeightedSum(Fused(c, x, k, b), w), inputs);
        var separateGrads = GradientCheck.Analytic(() => TestOps.WeightedSum(Separate(c, x, k, b), w), inputs);
        for (int t = 0; t < 2; t++)
        {
            Assert.Equal(separateGrads[t].Select(BitConverter.SingleToInt32Bits), fusedGrads[t].Select(BitConverter.SingleToInt32Bits));
            Assert.Contains(fusedGrads[t], v => v != 0f);
        }
        if (b is not null)
            for (int i = 0; i < c.Filters; i++) Assert.Equal(separateGrads[2][i], fusedGrads[2][i], 1e-5 * (1 + Math.Abs(separateGrads[2][i])));
    }

    [Fact]
    public void TheIm2ColPathFusedGradientsByFiniteDifferences()
    {
        // Inputs where no window's maximum is within the step of another candidate (seed 55 puts one there: a kink
        // of the max, which the separate ops fail the same way).
        var x = Param(Uniform(71, 2 * 6 * 5 * 4), 2, 6, 5, 4);
        var k = Param(Uniform(62, 3 * 3 * 4 * 8), 3, 3, 4, 8);
        var b = Param(Uniform(63, 8), 8);
        var w = Uniform(64, 2 * 3 * 2 * 8);
        Tensor Block() => Ops.Conv2DReluMaxPool(x, k, b, (1, 1), Padding.Same, (1, 1), (2, 2), (2, 2), Padding.Valid);
        Assert.Equal(new Shape(2, 3, 2, 8), Block().Shape);
        GradientCheck.Check(() => TestOps.WeightedSum(Block(), w), [x, k, b], h: 1e-3, absoluteTolerance: 2e-3);
    }

    [Fact]
    public void GradientsByFiniteDifferences()
    {
        var c = new Block(2, 7, 6, 1, 8, 3, true, (2, 2), true);
        var (x, k, b, w) = Make(c, 60, (3, 3));
        // A small step: with h = 1e-2 a window's maximum can change hands between the two evaluations.
        GradientCheck.Check(() => TestOps.WeightedSum(Fused(c, x, k, b), w), [k, b!], h: 1e-3, absoluteTolerance: 2e-3);
    }

    [Fact]
    public void CasesItCannotFuseRunAsTheSeparateOps()
    {
        // An input that needs a gradient, overlapping windows, too many filters per vector, a deep window: all still right.
        var xGrad = Param(Uniform(70, 2 * 8 * 8 * 1), 2, 8, 8, 1);
        var k = Param(Uniform(71, 3 * 3 * 1 * 8), 3, 3, 1, 8);
        var y = Ops.Conv2DReluMaxPool(xGrad, k, null, (1, 1), Padding.Valid, (1, 1), (2, 2), (2, 2), Padding.Valid);
        Assert.Equal(Ops.MaxPool2D(Ops.Conv2D(xGrad, k, null, (1, 1), Padding.Valid, (1, 1), relu: true), (2, 2)).Values.ToArray(), y.Values.ToArray());
        var x = Const(Uniform(72, 2 * 8 * 8 * 1), 2, 8, 8, 1);
        var overlapping = Ops.Conv2DReluMaxPool(x, k, null, (1, 1), Padding.Valid, (1, 1), (3, 3), (1, 1), Padding.Valid);
        Assert.Equal(Ops.MaxPool2D(Ops.Conv2D(x, k, null, (1, 1), Padding.Valid, (1, 1), relu: true), (3, 3), (1, 1)).Values.ToArray(), overlapping.Values.ToArray());
        var odd = Param(Uniform(73, 3 * 3 * 1 * 5), 3, 3, 1, 5);
        var oddFilters = Ops.Conv2DReluMaxPool(x, odd, null, (1, 1), Padding.Valid, (1, 1), (2, 2), (2, 2), Padding.Same);
        Assert.Equal(Ops.MaxPool2D(Ops.Conv2D(x, odd, null, (1, 1), Padding.Valid, (1, 1), relu: true), (2, 2), (2, 2), Padding.Same).Values.ToArray(), oddFilters.Values.ToArray());
        var error = Assert.Throws<ArgumentException>(() => Ops.Conv2DReluMaxPool(x, Param(new float[9 * 2 * 8], 3, 3, 2, 8), null, (1, 1), Padding.Valid, (1, 1), (2, 2), (2, 2), Padding.Valid));
        Assert.Contains("expects 2 input channels", error.Message);
    }

    [Fact]
    public void AModelRunsAConvReluPoolPairFusedWithTheSameResultAsItsLayers()
    {
        Utils.SetRandomSeed(5);
        var conv = new Conv2D(16, 3, activation: "relu");
        var pool = new MaxPooling2D(2);
        var model = new Sequential(new InputLayer([10, 10, 1]), conv, pool, new Flatten(), new Dense(3));
        var x = Const(Uniform(80, 4 * 10 * 10), 4, 10, 10, 1);
        var viaModel = model.Call(x).Values.ToArray();
        var dense = (Dense)model.Layers[^1];
        var byLayers = dense.Call(new Flatten().Call(Ops.MaxPool2D(conv.Call(x), (2, 2)))).Values.ToArray();
        Assert.Equal(byLayers, viaModel);
    }

    [Fact]
    public void AConvolutionWhoseOutputIsAlsoReadElsewhereIsNotFused()
    {
        // The convolution's output feeds the pooling and is a model output too: it must exist, so the pair runs unfused.
        var input = new Input([6, 6, 1]);
        var convOut = new Conv2D(8, 3, activation: "relu").Call(input);
        var pooled = new MaxPooling2D(2).Call(convOut);
        var model = new Model([input], [convOut, pooled]);
        var x = Const(Uniform(90, 2 * 36), 2, 6, 6, 1);
        var outputs = model.Call(new[] { x });
        Assert.Equal(new Shape(2, 4, 4, 8), outputs[0].Shape);
        Assert.Equal(Ops.MaxPool2D(outputs[0], (2, 2)).Values.ToArray(), outputs[1].Values.ToArray());
    }
}
