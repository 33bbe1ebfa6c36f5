using Dendrite.Autodiff;
using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Layers;

// The 1-D convolution family (Conv1D, the 1-D poolings, UpSampling1D) and TimeDistributed through the shared harness,
// each against a float64 reference written from Keras' definitions; then the exact values Keras' own tests and
// docstrings give for small inputs.
public partial class EveryLayerTests
{
    [Theory, MemberData(nameof(CasesOf), "Conv1D")] public void Conv1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "MaxPooling1D")] public void MaxPooling1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "AveragePooling1D")] public void AveragePooling1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "GlobalAveragePooling1D")] public void GlobalAveragePooling1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "GlobalMaxPooling1D")] public void GlobalMaxPooling1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "UpSampling1D")] public void UpSampling1DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "TimeDistributed")] public void TimeDistributedCases(string name) => Run(name);

    static partial void AddConvolution1DSpecs(List<LayerSpec> specs)
    {
        // Conv1D: valid, same and causal; strides 1 and 2; dilation 1, 2 and 3; kernels 1, 2 and 3; steps 1, 7, 8 and
        // 129; channels 1, 2 and 3. Filters 8 and 16 on short patch rows (kernel × channels ≤ 32) run the direct
        // shallow kernels, the others im2col + GEMM, and a one-tap kernel with stride 1 a plain product.
        foreach (var (filters, kernel, strides, padding, dilation, shape, steps) in new (int, int, int, string, int, int[], int)[]
        {
            (3, 3, 1, "valid", 1, [7, 2], 5),
            (3, 3, 1, "same", 1, [7, 2], 7),
            (3, 3, 1, "causal", 1, [7, 2], 7),
            (2, 3, 1, "causal", 2, [7, 1], 7),
            (3, 3, 1, "same", 2, [7, 2], 7),
            (3, 2, 1, "valid", 3, [7, 2], 4),
            (4, 3, 2, "valid", 1, [129, 3], 64),
            (4, 3, 2, "same", 1, [7, 3], 4),
            (2, 3, 2, "causal", 1, [8, 1], 4),
            (3, 1, 1, "valid", 1, [7, 3], 7),
            (3, 1, 2, "valid", 1, [7, 3], 4),
            (5, 1, 1, "causal", 1, [1, 1], 1),
            (2, 3, 1, "same", 1, [1, 3], 1),
            (2, 3, 1, "causal", 1, [1, 1], 1),
            (8, 3, 1, "causal", 1, [7, 3], 7),
            (8, 2, 1, "causal", 2, [129, 1], 129),
            (16, 3, 2, "same", 1, [8, 1], 4),
        })
            specs.Add(Conv1DSpec(filters, kernel, strides, padding, dilation, "linear", true, shape, steps));
        specs.Add(Conv1DSpec(3, 3, 1, "valid", 1, "linear", false, [7, 2], 5));
        specs.Add(Conv1DSpec(3, 3, 1, "same", 1, "sigmoid", true, [7, 3], 7));
        specs.Add(Conv1DSpec(3, 3, 1, "causal", 1, "relu", true, [7, 2], 7));
        specs.Add(Conv1DSpec(8, 3, 1, "same", 1, "relu", true, [7, 1], 7));

        // Pooling: valid and same, strides other than the pool size, steps 1, 5, 7, 8 and 129, channels 1, 2, 3 and 8
        // (8: the vectorised disjoint max pooling).
        foreach (bool max in new[] { true, false })
            foreach (var (pool, strides, padding, shape, steps) in new (int, int?, string, int[], int)[]
            {
                (2, null, "valid", [7, 3], 3),
                (2, null, "same", [7, 3], 4),
                (3, 2, "valid", [129, 2], 64),
                (3, 2, "same", [7, 1], 4),
                (2, 1, "same", [5, 1], 5),
                (1, null, "valid", [1, 3], 1),
                (3, null, "same", [1, 2], 1),
                (2, null, "valid", [8, 8], 4),
            })
                specs.Add(Pool1DSpec(max, pool, strides, padding, shape, steps));

        // Global pooling, with and without keepdims; the average also with masks (padded steps left out of the mean).
        foreach (bool max in new[] { true, false })
            foreach (var (shape, keepDims, masked) in new (int[], bool, bool)[]
            {
                ([7, 3], false, false), ([1, 1], false, false), ([129, 2], false, false), ([5, 3], true, false),
                ([7, 3], false, true), ([5, 2], true, true), ([2, 129], false, true),
            })
            {
                if (max && masked) continue; // GlobalMaxPooling1D does not support masking (Keras neither)
                specs.Add(GlobalPool1DSpec(max, shape, keepDims, masked));
            }

        foreach (var (size, shape) in new (int, int[])[] { (2, [7, 3]), (3, [1, 1]), (1, [5, 2]), (2, [129, 1]) })
            specs.Add(new()
            {
                Name = $"UpSampling1D({size}) on ({Text(shape)})",
                Create = () => new UpSampling1D(size),
                InputShapes = [shape],
                ExpectedOutputShape = [shape[0] * size, shape[1]],
                ExpectedWeights = [],
                Reference = (_, x, batch) => UpSampling1DReference(x[0], batch, shape[0], shape[1], size),
                ReferenceTolerance = 0,
            });

        // TimeDistributed: Dense on each step (rank 3 and 4 inputs, steps 1, 5 and 7, masked and frozen), a Conv1D on
        // each step's sequence, and a weightless Flatten.
        foreach (var (units, activation, shape, masked, frozen) in new (int, string, int[], bool, bool)[]
        {
            (3, "linear", [5, 7], false, false),
            (4, "tanh", [1, 3], false, false),
            (2, "linear", [4, 3, 7], false, false),
            (3, "sigmoid", [7, 5], true, false),
            (3, "linear", [5, 7], false, true),
        })
            specs.Add(new()
            {
                Name = $"TimeDistributed(Dense({units}, {activation})) on ({Text(shape)}){(masked ? ", masked" : "")}{(frozen ? ", frozen" : "")}",
                Create = () => new TimeDistributed(new Dense(units, activation)) { Trainable = !frozen },
                InputShapes = [shape],
                ExpectedOutputShape = [.. shape[..^1], units],
                ExpectedWeights = [T("kernel", shape[^1], units), T("bias", units)],
                Masked = masked,
                Reference = (layer, x, _) =>
                {
                    var dense = (Dense)((TimeDistributed)layer).Layer;
                    return Activate(activation, DenseReference(x[0], dense.Kernel!.Value.Values.ToArray(), dense.Bias!.Value.Values.ToArray(), shape[^1], units), units);
                },
            });
        specs.Add(new()
        {
            Name = "TimeDistributed(Conv1D(2, 3, same)) on (4, 7, 3)",
            Create = () => new TimeDistributed(new Conv1D(2, 3, padding: "same")),
            InputShapes = [[4, 7, 3]],
            ExpectedOutputShape = [4, 7, 2],
            ExpectedWeights = [T("kernel", 3, 3, 2), T("bias", 2)],
            Reference = (layer, x, batch) =>
            {
                var conv = (Conv1D)((TimeDistributed)layer).Layer;
                // Every (sample, step) pair is one sequence of 7 steps for the wrapped convolution.
                return Conv1DReference(x[0], batch * 4, 7, 3, conv.Kernel!.Value.Values.ToArray(), 3, 2, conv.Bias!.Value.Values.ToArray(), 1, 1, "same");
            },
        });
        specs.Add(new()
        {
            Name = "TimeDistributed(Flatten()) on (3, 2, 4)",
            Create = () => new TimeDistributed(new Flatten()),
            InputShapes = [[3, 2, 4]],
            ExpectedOutputShape = [3, 8],
            ExpectedWeights = [],
            Reference = Identity,
            ReferenceTolerance = 0,
        });
    }

    private static LayerSpec Conv1DSpec(int filters, int kernel, int strides, string padding, int dilation, string activation, bool useBias, int[] shape, int steps)
    {
        var options = new List<string> { $"{filters}", $"{kernel}" };
        if (activation != "linear") options.Add(activation);
        if (strides != 1) options.Add($"strides {strides}");
        if (padding != "valid") options.Add(padding);
        if (dilation != 1) options.Add($"dilation {dilation}");
        if (!useBias) options.Add("no bias");
        bool relu = activation == "relu";
        return new()
        {
            Name = $"Conv1D({string.Join(", ", options)}) on ({Text(shape)})",
            Create = () => new Conv1D(filters, kernel, strides, padding, dilation, activation, useBias),
            InputShapes = [shape],
            ExpectedOutputShape = [steps, filters],
            ExpectedWeights = useBias ? [T("kernel", kernel, shape[1], filters), T("bias", filters)] : [T("kernel", kernel, shape[1], filters)],
            // ReLU: a kernel of entries ≤ 0.1 (|Σ| ≤ 3·2·0.1 = 0.6 with |x| ≤ 1) and biases of ±3 keep every
            // pre-activation at least 2.4 from the kink.
            Weights = relu ? (w, _) => w.Name == "bias" ? [.. Enumerable.Range(0, w.Shape.Size).Select(i => i % 2 == 0 ? 3f : -3f)] : Uniform(w.Shape.Size, w.Shape.Size, -0.1, 0.1) : null,
            Reference = (layer, x, batch) =>
            {
                var conv = (Conv1D)layer;
                var y = Conv1DReference(x[0], batch, shape[0], shape[1], conv.Kernel!.Value.Values.ToArray(), kernel, filters, conv.Bias?.Value.Values.ToArray(), strides, dilation, padding);
                return Activate(activation, y, filters);
            },
        };
    }

    private static LayerSpec Pool1DSpec(bool max, int pool, int? strides, string padding, int[] shape, int steps)
    {
        string layer = max ? "MaxPooling1D" : "AveragePooling1D";
        return new()
        {
            Name = $"{layer}({pool}{(strides is int s ? $", strides {s}" : "")}, {padding}) on ({Text(shape)})",
            Create = () => max ? new MaxPooling1D(pool, strides, padding) : new AveragePooling1D(pool, strides, padding),
            InputShapes = [shape],
            ExpectedOutputShape = [steps, shape[1]],
            ExpectedWeights = [],
            // Max pooling is not differentiable where two covered inputs tie: distinct values 0.05 apart (5 steps) keep
            // every finite difference on one side of every comparison.
            Inputs = max ? counts => [Spaced(counts[0], 0.05, seed: shape.Sum() + pool)] : null,
            Reference = (_, x, batch) => Pool1DReference(x[0], batch, shape[0], shape[1], pool, strides ?? pool, padding, max),
            ReferenceTolerance = max ? 0 : 1e-6,
        };
    }

    private static LayerSpec GlobalPool1DSpec(bool max, int[] shape, bool keepDims, bool masked) => new()
    {
        Name = $"{(max ? "GlobalMaxPooling1D" : "GlobalAveragePooling1D")}({(keepDims ? "keepdims" : "")}) on ({Text(shape)}){(masked ? ", masked" : "")}",
        Create = () => max ? new GlobalMaxPooling1D(keepDims) : new GlobalAveragePooling1D(keepDims),
        InputShapes = [shape],
        ExpectedOutputShape = keepDims ? [1, shape[1]] : [shape[1]],
        ExpectedWeights = [],
        Masked = masked,
        Inputs = max ? counts => [Spaced(counts[0], 0.05, seed: shape.Sum())] : null,
        // With a mask, the steps the harness padded (all zeros, which no real step of these inputs is) are left out.
        Reference = (_, x, batch) => GlobalPool1DReference(x[0], batch, shape[0], shape[1], max, masked),
        ReferenceTolerance = max ? 0 : 1e-6,
    };

    // ---- Float64 references, from Keras' definitions. ----

    /// <summary>
    /// y[n, o, f] = bias[f] + Σ_i Σ_c x[n, o·strides − before + i·dilation, c] · kernel[i, c, f], positions outside
    /// the input reading 0. "valid": before = 0; "same": TensorFlow's padding (total / 2 before); "causal" (Keras'
    /// Conv1D pads dilation·(kernel − 1) zeros before the input, then convolves "valid").
    /// </summary>
    internal static double[] Conv1DReference(float[] x, int batch, int steps, int channels, float[] kernel, int kernelSize, int filters,
        float[]? bias, int strides, int dilation, string padding)
    {
        int span = dilation * (kernelSize - 1) + 1;
        int outSteps, before;
        switch (padding)
        {
            case "valid": (outSteps, before) = ((steps - span) / strides + 1, 0); break;
            case "same":
                outSteps = (steps + strides - 1) / strides;
                before = Math.Max((outSteps - 1) * strides + span - steps, 0) / 2;
                break;
            case "causal": before = span - 1; outSteps = (steps + before - span) / strides + 1; break;
            default: throw new ArgumentException(padding);
        }
        var y = new double[batch * outSteps * filters];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outSteps; o++)
                for (int f = 0; f < filters; f++)
                {
                    double sum = bias?[f] ?? 0;
                    for (int i = 0; i < kernelSize; i++)
                    {
                        int t = o * strides - before + i * dilation;
                        if (t < 0 || t >= steps) continue;
                        for (int c = 0; c < channels; c++) sum += (double)x[(n * steps + t) * channels + c] * kernel[(i * channels + c) * filters + f];
                    }
                    y[(n * outSteps + o) * filters + f] = sum;
                }
        return y;
    }

    /// <summary>Each window's maximum or mean over the steps it covers ("same": TensorFlow's padding; padded steps never count).</summary>
    internal static double[] Pool1DReference(float[] x, int batch, int steps, int channels, int pool, int strides, string padding, bool max)
    {
        int outSteps = padding == "same" ? (steps + strides - 1) / strides : (steps - pool) / strides + 1;
        int before = padding == "same" ? Math.Max((outSteps - 1) * strides + pool - steps, 0) / 2 : 0;
        var y = new double[batch * outSteps * channels];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outSteps; o++)
                for (int c = 0; c < channels; c++)
                {
                    double acc = max ? double.NegativeInfinity : 0;
                    int count = 0;
                    for (int i = 0; i < pool; i++)
                    {
                        int t = o * strides - before + i;
                        if (t < 0 || t >= steps) continue;
                        double v = x[(n * steps + t) * channels + c];
                        acc = max ? Math.Max(acc, v) : acc + v;
                        count++;
                    }
                    y[(n * outSteps + o) * channels + c] = max ? acc : acc / count;
                }
        return y;
    }

    /// <summary>The maximum or mean over the steps; with <paramref name="masked"/>, over the steps that are not all zeros.</summary>
    internal static double[] GlobalPool1DReference(float[] x, int batch, int steps, int channels, bool max, bool masked)
    {
        var y = new double[batch * channels];
        for (int n = 0; n < batch; n++)
        {
            var real = Enumerable.Range(0, steps).Where(t => !masked || x.AsSpan((n * steps + t) * channels, channels).ContainsAnyExcept(0f)).ToList();
            for (int c = 0; c < channels; c++)
            {
                var values = real.Select(t => (double)x[(n * steps + t) * channels + c]);
                y[n * channels + c] = max ? values.Max() : values.Sum() / real.Count;
            }
        }
        return y;
    }

    /// <summary>Each step repeated <paramref name="size"/> times in place (Keras' <c>ops.repeat</c> along the steps).</summary>
    internal static double[] UpSampling1DReference(float[] x, int batch, int steps, int channels, int size) =>
        [.. Enumerable.Range(0, batch * steps).SelectMany(row => Enumerable.Repeat(row, size))
            .SelectMany(row => x.AsSpan(row * channels, channels).ToArray().Select(v => (double)v))];

    // ---- Exact values from Keras' own tests and docstrings. ----

    /// <summary>
    /// Keras' pooling correctness tests run on <c>np.arange(24).reshape((2, 3, 4))</c>; these are the values their
    /// NumPy references give (max_pooling_test / average_pooling_test, channels_last).
    /// </summary>
    [Theory]
    [InlineData("max", 2, 1, "valid", new float[] { 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23 })]
    [InlineData("max", 2, 1, "same", new float[] { 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23, 20, 21, 22, 23 })]
    [InlineData("max", 2, 2, "valid", new float[] { 4, 5, 6, 7, 16, 17, 18, 19 })]
    [InlineData("average", 2, 1, "valid", new float[] { 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 19, 20, 21 })]
    [InlineData("average", 2, 1, "same", new float[] { 2, 3, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23 })]
    [InlineData("average", 2, 2, "valid", new float[] { 2, 3, 4, 5, 14, 15, 16, 17 })]
    [InlineData("average", 2, 2, "same", new float[] { 2, 3, 4, 5, 8, 9, 10, 11, 14, 15, 16, 17, 20, 21, 22, 23 })]
    public void Pooling1DGivesKerasTestValues(string mode, int pool, int strides, string padding, float[] expected)
    {
        var x = new Tensor([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 3, 4);
        Layer layer = mode == "max" ? new MaxPooling1D(pool, strides, padding) : new AveragePooling1D(pool, strides, padding);
        var y = layer.Call(x);
        Assert.Equal([2, expected.Length / 8, 4], y.Shape.ToArray());
        Assert.Equal(expected, y.Values.ToArray());
    }

    /// <summary>MaxPooling1D's docstring: x = [1, 2, 3, 4, 5] as (1, 5, 1).</summary>
    [Theory]
    [InlineData(1, "valid", new float[] { 2, 3, 4, 5 })]
    [InlineData(2, "valid", new float[] { 2, 4 })]
    [InlineData(1, "same", new float[] { 2, 3, 4, 5, 5 })]
    public void MaxPooling1DGivesItsDocstringValues(int strides, string padding, float[] expected)
    {
        var y = new MaxPooling1D(2, strides, padding).Call(new Tensor([1f, 2, 3, 4, 5], 1, 5, 1));
        Assert.Equal(expected, y.Values.ToArray());
    }

    /// <summary>
    /// global_average_pooling_test on <c>np.arange(24).reshape((2, 3, 4))</c>: the mean over the steps, and with the
    /// mask [[1, 1, 0], [0, 1, 0]] the mean over the unmasked steps only; the output has no mask.
    /// </summary>
    [Fact]
    public void GlobalAveragePooling1DGivesKerasTestValuesWithAndWithoutAMask()
    {
        var x = new Tensor([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 3, 4);
        var layer = new GlobalAveragePooling1D();
        Assert.Equal([4f, 5, 6, 7, 16, 17, 18, 19], layer.Call(x).Values.ToArray());

        x.Mask = new Tensor([1f, 1, 0, 0, 1, 0], 2, 3);
        Assert.Equal([2f, 3, 4, 5, 16, 17, 18, 19], layer.Call(x).Values.ToArray());
        Assert.Equal([2, 1, 4], new GlobalAveragePooling1D(keepDims: true).Call(x).Shape.ToArray());
        Assert.Null(layer.Apply([x]).Mask);
        // A layer that does not support masking drops it; one that carries it (TimeDistributed) passes it on.
        Assert.Null(new GlobalMaxPooling1D().Apply([x]).Mask);
        var conv = new Conv1D(2, 2);
        conv.EnsureBuilt(new Shape(3, 4));
        Assert.Null(conv.Apply([x]).Mask);
        var perStep = new TimeDistributed(new Dense(2));
        perStep.EnsureBuilt(new Shape(3, 4));
        Assert.Same(x.Mask, perStep.Apply([x]).Mask);
    }

    /// <summary>UpSampling1D's docstring: <c>np.arange(12).reshape((2, 2, 3))</c> with size 2.</summary>
    [Fact]
    public void UpSampling1DGivesItsDocstringValues()
    {
        var y = new UpSampling1D(2).Call(new Tensor([.. Enumerable.Range(0, 12).Select(i => (float)i)], 2, 2, 3));
        Assert.Equal([2, 4, 3], y.Shape.ToArray());
        Assert.Equal([0f, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10, 11, 9, 10, 11], y.Values.ToArray());
    }

    /// <summary>
    /// Conv1D on x = [1, 2, 3, 4, 5] with the kernel [1, 10, 100] (each output's digits name the inputs it read):
    /// "valid" reads x[t..t+2]; "same" one zero on either side; "causal" two zeros before, so output t reads
    /// x[t−2..t] and never a later step; with dilation 2, x[t−4], x[t−2], x[t].
    /// </summary>
    [Theory]
    [InlineData("valid", 1, 1, new float[] { 321, 432, 543 })]
    [InlineData("same", 1, 1, new float[] { 210, 321, 432, 543, 54 })]
    [InlineData("causal", 1, 1, new float[] { 100, 210, 321, 432, 543 })]
    [InlineData("causal", 2, 1, new float[] { 100, 200, 310, 420, 531 })]
    [InlineData("causal", 1, 2, new float[] { 100, 321, 543 })]
    [InlineData("same", 1, 2, new float[] { 210, 432, 54 })]
    public void Conv1DReadsTheStepsKerasPaddingGivesIt(string padding, int dilation, int strides, float[] expected)
    {
        var layer = new Conv1D(1, 3, strides, padding, dilation, useBias: false);
        layer.EnsureBuilt(new Shape(5, 1));
        layer.Kernel!.Assign([1f, 10, 100]);
        var y = layer.Call(new Tensor([1f, 2, 3, 4, 5], 1, 5, 1));
        Assert.Equal([1, expected.Length, 1], y.Shape.ToArray());
        Assert.Equal(expected, y.Values.ToArray());
    }

    /// <summary>Keras' argument checks (conv_test.test_bad_init_args, up_sampling1d) and shapes that do not fit.</summary>
    [Fact]
    public void BadArgumentsAreRefusedAsKerasRefusesThem()
    {
        Assert.Contains("filters=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv1D(0, 1)).Message);
        Assert.Contains("strides > 1 are not supported together with dilationRate > 1", Assert.Throws<ArgumentException>(() => new Conv1D(2, 2, strides: 2, dilationRate: 2)).Message);
        Assert.Contains("\"causal\"", Assert.Throws<ArgumentException>(() => new Conv1D(2, 2, padding: "full")).Message);
        Assert.Contains("\"valid\" or \"same\"", Assert.Throws<ArgumentException>(() => new MaxPooling1D(2, padding: "causal")).Message);
        Assert.Contains("\"valid\" or \"same\"", Assert.Throws<ArgumentException>(() => new Conv2D(2, 2, padding: "causal")).Message);
        Assert.Contains("size=0", Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling1D(0)).Message);
        Assert.Contains("per-sample shape (7, 7, 2)", Assert.Throws<ArgumentException>(() => new Conv1D(2, 3).ComputeOutputShape(new Shape(7, 7, 2))).Message);
        Assert.Contains("does not fit 2 steps", Assert.Throws<ArgumentException>(() => new Conv1D(2, 3).ComputeOutputShape(new Shape(2, 1))).Message);
        Assert.Contains("at least 3 dimensions", Assert.Throws<ArgumentException>(() => new TimeDistributed(new Dense(2)).ComputeOutputShape(new Shape(7))).Message);
        Assert.Contains("causal padding is for 1-D convolutions only",
            Assert.Throws<ArgumentException>(() => Ops.Conv2D(new Tensor(new float[9], 1, 3, 3, 1), new Tensor(new float[4], 2, 2, 1, 1), padding: Padding.Causal)).Message);
    }
}
