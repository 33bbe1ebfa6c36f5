using System.Runtime.Intrinsics.X86;
using Dendrite.Autodiff;
using Dendrite.Kernels;
using Dendrite.Tests.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// The 1-D ops (<see cref="Ops.Conv1D"/>, the 1-D poolings, the masked global average, <see cref="Ops.Repeat"/>)
/// against float64 references on awkward sizes: forward values and every gradient (input, kernel, bias) of
/// f = Σ w·y, through each kernel the sequences run on — the direct shallow convolution, im2col + GEMM (one chunk,
/// and several when the patches pass 4 MiB), the plain product of a one-tap kernel, and the vectorised disjoint max
/// pooling — with valid, same and causal padding, strides, dilation and steps 1, 7 and 129.
/// </summary>
public class Convolution1DTests
{
    /// <summary>One convolution: batch, steps, channels, filters, kernel size, strides, dilation, padding, bias.</summary>
    public sealed record Conv1DCase(int Batch, int Steps, int Channels, int Filters, int Kernel, int Strides, int Dilation, string Padding, bool Bias)
    {
        public bool Shallow => Fma.IsSupported && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && Filters % 8 == 0 && Kernel * Channels <= ShallowConvolution.MaxRowLength && !(Kernel == 1 && Strides == 1);

        public override string ToString() => $"batch {Batch}, steps {Steps}, channels {Channels}, filters {Filters}, kernel {Kernel}, strides {Strides}, dilation {Dilation}, {Padding}{(Bias ? "" : ", no bias")}";
    }

    public static TheoryData<Conv1DCase> Conv1DCases() =>
    [
        new(3, 7, 3, 8, 3, 1, 1, "causal", true),       // direct shallow kernels
        new(2, 129, 1, 16, 3, 2, 1, "same", true),
        new(5, 129, 1, 8, 2, 1, 2, "causal", false),
        new(3, 129, 2, 24, 5, 1, 3, "same", true),
        new(3, 7, 7, 5, 3, 1, 1, "valid", true),        // im2col + GEMM
        new(2, 129, 33, 7, 3, 2, 1, "causal", true),
        new(2, 7, 3, 3, 3, 1, 2, "causal", true),
        new(100, 129, 33, 16, 3, 1, 1, "valid", true), // patches over 4 MiB: several chunks
        new(1, 1, 3, 4, 3, 1, 1, "same", true),        // one step
        new(1, 1, 3, 4, 3, 1, 1, "causal", false),
        new(4, 7, 3, 3, 1, 1, 1, "valid", true),       // one tap, stride 1: a plain product
        new(4, 7, 3, 3, 1, 2, 1, "causal", true),      // one tap, stride 2: patches
    ];

    [Theory, MemberData(nameof(Conv1DCases))]
    public void Conv1DForwardAndGradientsMatchTheReference(Conv1DCase c)
    {
        int seed = c.Steps * 31 + c.Channels * 7 + c.Filters + c.Kernel;
        var x = Param(Uniform(seed, c.Batch * c.Steps * c.Channels), c.Batch, c.Steps, c.Channels);
        var kernel = Param(Uniform(seed + 1, c.Kernel * c.Channels * c.Filters, -0.5, 0.5), c.Kernel, c.Channels, c.Filters);
        var bias = c.Bias ? Param(Uniform(seed + 2, c.Filters), c.Filters) : null;
        var padding = c.Padding switch { "same" => Padding.Same, "causal" => Padding.Causal, _ => Padding.Valid };
        if (c.Shallow)
        {
            var g = ConvGeometry.Create(c.Batch, 1, c.Steps, c.Channels, (1, c.Kernel), (1, c.Strides), (1, c.Dilation), padding, "test");
            Assert.True(ShallowConvolution.Applies(g, c.Filters), $"{c} should take the direct path");
        }

        float[] w;
        Tensor y;
        using (var tape = GradientTape.Start())
        {
            y = Ops.Conv1D(x, kernel, bias, c.Strides, padding, c.Dilation);
            w = Uniform(seed + 3, y.Size);
            tape.Backward(TestOps.WeightedSum(y, w));
        }

        var expected = EveryLayerTests.Conv1DReference(x.Values.ToArray(), c.Batch, c.Steps, c.Channels, kernel.Values.ToArray(), c.Kernel, c.Filters,
            bias?.Values.ToArray(), c.Strides, c.Dilation, c.Padding);
        int outSteps = expected.Length / (c.Batch * c.Filters);
        Assert.Equal([c.Batch, outSteps, c.Filters], y.Shape.ToArray());
        AssertClose(expected, y.Values, $"{c}: output");

        // Gradients of Σ w·y: every output's weight flows back to the inputs and kernel taps it read.
        var (dx, dk, db) = Conv1DGradients(c, x.Values.ToArray(), kernel.Values.ToArray(), w, outSteps);
        AssertClose(dx, x.Grad, $"{c}: input gradient");
        AssertClose(dk, kernel.Grad, $"{c}: kernel gradient");
        if (bias is not null) AssertClose(db, bias.Grad, $"{c}: bias gradient");
    }

    private static (double[] Dx, double[] Dk, double[] Db) Conv1DGradients(Conv1DCase c, float[] x, float[] kernel, float[] w, int outSteps)
    {
        int span = c.Dilation * (c.Kernel - 1) + 1;
        int before = c.Padding switch
        {
            "causal" => span - 1,
            "same" => Math.Max((outSteps - 1) * c.Strides + span - c.Steps, 0) / 2,
            _ => 0,
        };
        var dx = new double[x.Length];
        var dk = new double[kernel.Length];
        var db = new double[c.Filters];
        for (int n = 0; n < c.Batch; n++)
            for (int o = 0; o < outSteps; o++)
                for (int f = 0; f < c.Filters; f++)
                {
                    double g = w[(n * outSteps + o) * c.Filters + f];
                    db[f] += g;
                    for (int i = 0; i < c.Kernel; i++)
                    {
                        int t = o * c.Strides - before + i * c.Dilation;
                        if (t < 0 || t >= c.Steps) continue;
                        for (int ch = 0; ch < c.Channels; ch++)
                        {
                            int xi = (n * c.Steps + t) * c.Channels + ch, ki = (i * c.Channels + ch) * c.Filters + f;
                            dx[xi] += g * kernel[ki];
                            dk[ki] += g * x[xi];
                        }
                    }
                }
        return (dx, dk, db);
    }

    [Theory]
    [InlineData(true, 3, 7, 3, 2, null, "valid")]
    [InlineData(true, 3, 7, 3, 2, null, "same")]
    [InlineData(true, 2, 129, 2, 3, 2, "same")]
    [InlineData(true, 4, 8, 16, 2, null, "valid")]   // disjoint windows, 16 channels: the vectorised path
    [InlineData(true, 3, 9, 8, 3, null, "valid")]
    [InlineData(true, 1, 1, 3, 3, null, "same")]
    [InlineData(false, 3, 7, 3, 2, null, "same")]
    [InlineData(false, 2, 129, 2, 3, 2, "valid")]
    [InlineData(false, 2, 129, 8, 4, 3, "same")]
    [InlineData(false, 1, 1, 1, 2, null, "same")]
    public void Pool1DForwardAndGradientMatchTheReference(bool max, int batch, int steps, int channels, int pool, int? strides, string padding)
    {
        int s = strides ?? pool;
        var rng = new Random(steps * 13 + channels + pool);
        // Distinct values (a permutation, 0.01 apart): every window has one maximum.
        var values = Enumerable.Range(0, batch * steps * channels).OrderBy(_ => rng.Next()).Select(i => i * 0.01f - 1f).ToArray();
        var x = Param(values, batch, steps, channels);
        var mode = padding == "same" ? Padding.Same : Padding.Valid;
        float[] w;
        Tensor y;
        using (var tape = GradientTape.Start())
        {
            y = max ? Ops.MaxPool1D(x, pool, strides, mode) : Ops.AvgPool1D(x, pool, strides, mode);
            w = Uniform(steps + pool, y.Size);
            tape.Backward(TestOps.WeightedSum(y, w));
        }
        var expected = EveryLayerTests.Pool1DReference(values, batch, steps, channels, pool, s, padding, max);
        int outSteps = expected.Length / (batch * channels);
        Assert.Equal([batch, outSteps, channels], y.Shape.ToArray());
        AssertClose(expected, y.Values, "output");

        int before = padding == "same" ? Math.Max((outSteps - 1) * s + pool - steps, 0) / 2 : 0;
        var dx = new double[values.Length];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outSteps; o++)
                for (int c = 0; c < channels; c++)
                {
                    var covered = Enumerable.Range(o * s - before, pool).Where(t => t >= 0 && t < steps).Select(t => (n * steps + t) * channels + c).ToList();
                    double g = w[(n * outSteps + o) * channels + c];
                    if (max) dx[covered.MaxBy(i => values[i])] += g;
                    else foreach (int i in covered) dx[i] += g / covered.Count;
                }
        AssertClose(dx, x.Grad, "input gradient");
    }

    [Theory]
    [InlineData(3, 7, 3, false)]
    [InlineData(3, 7, 3, true)]
    [InlineData(2, 129, 5, true)]
    [InlineData(4, 1, 1, true)]
    public void MaskedGlobalAverageMatchesTheReference(int batch, int steps, int channels, bool masked)
    {
        var x = Param(Uniform(steps + channels, batch * steps * channels), batch, steps, channels);
        // Sample n keeps step t unless (t + n) % 3 == 1; a one-step sample keeps it.
        var maskValues = new float[batch * steps];
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < steps; t++) maskValues[n * steps + t] = steps == 1 || (t + n) % 3 != 1 ? 1f : 0f;
        var mask = masked ? new Tensor(maskValues, batch, steps) : null;
        float[] w;
        Tensor y;
        using (var tape = GradientTape.Start())
        {
            y = Ops.GlobalAvgPool1D(x, mask);
            w = Uniform(batch, y.Size);
            tape.Backward(TestOps.WeightedSum(y, w));
        }
        var expected = new double[batch * channels];
        var dx = new double[x.Size];
        for (int n = 0; n < batch; n++)
        {
            var real = Enumerable.Range(0, steps).Where(t => !masked || maskValues[n * steps + t] != 0).ToList();
            for (int c = 0; c < channels; c++)
                foreach (int t in real)
                {
                    expected[n * channels + c] += x.Values[(n * steps + t) * channels + c] / (double)real.Count;
                    dx[(n * steps + t) * channels + c] = w[n * channels + c] / (double)real.Count;
                }
        }
        AssertClose(expected, y.Values, "output");
        AssertClose(dx, x.Grad, "input gradient");
    }

    [Fact]
    public void AGlobalAverageOfNoRealStepIsNaNAsInKeras()
    {
        var y = Ops.GlobalAvgPool1D(new Tensor([1f, 2, 3, 4], 2, 1, 2), new Tensor([0f, 1], 2, 1));
        Assert.True(float.IsNaN(y.Values[0]) && float.IsNaN(y.Values[1]));
        Assert.Equal([3f, 4], y.Values[2..].ToArray());
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, 3, 1)]
    [InlineData(new[] { 2, 3, 4 }, 2, -1)]
    [InlineData(new[] { 7 }, 2, 0)]
    [InlineData(new[] { 1, 129, 1 }, 1, 1)]
    public void RepeatPlacesCopiesNextToTheOriginalAndSumsTheirGradients(int[] shape, int repeats, int axis)
    {
        int size = shape.Aggregate(1, (p, d) => p * d);
        var x = Param(Uniform(size, size), shape);
        float[] w;
        Tensor y;
        using (var tape = GradientTape.Start())
        {
            y = Ops.Repeat(x, repeats, axis);
            w = Uniform(size + 1, y.Size);
            tape.Backward(TestOps.WeightedSum(y, w));
        }
        int a = axis < 0 ? axis + shape.Length : axis;
        int inner = shape[(a + 1)..].Aggregate(1, (p, d) => p * d), length = shape[a], outer = size / (inner * length);
        var expected = new double[y.Size];
        var dx = new double[size];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < length; i++)
                for (int k = 0; k < repeats; k++)
                    for (int j = 0; j < inner; j++)
                    {
                        int from = (o * length + i) * inner + j, to = ((o * length + i) * repeats + k) * inner + j;
                        expected[to] = x.Values[from];
                        dx[from] += w[to];
                    }
        Assert.Equal(shape.Select((d, i) => i == a ? d * repeats : d), y.Shape.ToArray());
        AssertClose(expected, y.Values, "output");
        AssertClose(dx, x.Grad, "input gradient");
    }

    [Fact]
    public void BadShapesAreRefusedWithTheShapes()
    {
        var x = new Tensor(new float[2 * 7 * 3], 2, 7, 3);
        Assert.Contains("rank 3 (batch, steps, channels), got shape (2, 21)", Assert.Throws<ArgumentException>(() => Ops.Conv1D(new Tensor(new float[42], 2, 21), new Tensor(new float[9], 3, 3, 1))).Message);
        Assert.Contains("expects 2 input channels, the input (2, 7, 3) has 3", Assert.Throws<ArgumentException>(() => Ops.Conv1D(x, new Tensor(new float[6], 3, 2, 1))).Message);
        Assert.Contains("does not fit 7 steps", Assert.Throws<ArgumentException>(() => Ops.Conv1D(x, new Tensor(new float[27], 9, 3, 1))).Message);
        Assert.Contains("strides > 1 are not supported together with dilation > 1", Assert.Throws<ArgumentException>(() => Ops.Conv1D(x, new Tensor(new float[9], 3, 3, 1), strides: 2, dilation: 2)).Message);
        Assert.Contains("\"causal\"", Assert.Throws<ArgumentException>(() => Ops.MaxPool1D(x, 2, padding: Padding.Causal)).Message);
        Assert.Contains("does not fit inputs of shape (2, 7, 3): expected (2, 7)", Assert.Throws<ArgumentException>(() => Ops.GlobalAvgPool1D(x, new Tensor(new float[6], 2, 3))).Message);
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}: element {i} is {actual[i]:G9}, the float64 reference {expected[i]:G17}.");
    }
}
