using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Models;

/// <summary>The convnet layers in models: output shapes, Keras weight shapes and counts, InputLayer, and build errors.</summary>
public class ConvLayerTests
{
    /// <summary>Keras' "Simple MNIST convnet" example, with explicit names.</summary>
    internal static Sequential MnistConvnet() => new(
        new InputLayer([28, 28, 1]),
        new Conv2D(32, 3, activation: "relu", name: "conv2d"),
        new MaxPooling2D(2, name: "max_pooling2d"),
        new Conv2D(64, 3, activation: "relu", name: "conv2d_1"),
        new MaxPooling2D(2, name: "max_pooling2d_1"),
        new Flatten(name: "flatten"),
        new Dropout(0.5, name: "dropout"),
        new Dense(10, activation: "softmax", name: "dense"));

    [Fact]
    public void MnistConvnetShapesWeightsAndParameterCounts()
    {
        var model = MnistConvnet();
        Assert.True(model.Built);
        Assert.Equal(new Shape(28, 28, 1), model.InputShape);
        Assert.Equal(new Shape(10), model.OutputShape);
        Assert.Equal(7, model.Layers.Count);
        Assert.DoesNotContain(model.Layers, l => l is InputLayer);

        int[][] outputs = [[26, 26, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64], [1600], [1600], [10]];
        long[] counts = [320, 0, 18_496, 0, 0, 0, 16_010];
        var shape = model.InputShape!.Value;
        for (int i = 0; i < 7; i++)
        {
            var layer = model.Layers[i];
            Assert.True(layer.Built, layer.Name);
            Assert.Equal(shape, layer.InputShape);
            shape = layer.ComputeOutputShape(shape);
            Assert.Equal(new Shape(outputs[i]), shape);
            Assert.Equal(counts[i], layer.CountParams());
        }
        Assert.Equal(34_826, model.CountParams());

        var conv = (Conv2D)model.Layers[0];
        Assert.Equal(new Shape(3, 3, 1, 32), conv.Kernel!.Shape);
        Assert.Equal(new Shape(32), conv.Bias!.Shape);
        Assert.Equal(["kernel", "bias"], conv.Weights.Select(w => w.Name));
        var conv1 = (Conv2D)model.Layers[2];
        Assert.Equal(new Shape(3, 3, 32, 64), conv1.Kernel!.Shape);
        Assert.Equal(new Shape(1600, 10), ((Dense)model.Layers[6]).Kernel!.Shape);
        Assert.Equal(6, model.TrainableWeights.Count);

        // Keras' glorot_uniform counts the receptive field in the fans: limit sqrt(6 / (9·1 + 9·32)).
        double limit = Math.Sqrt(6.0 / (9 * 1 + 9 * 32));
        var kernel = conv.Kernel.Value.Values.ToArray();
        Assert.All(kernel, v => Assert.InRange(v, -limit, limit));
        Assert.True(kernel.Max(Math.Abs) > 0.9 * limit, "the kernel should fill its Glorot range");
        Assert.All(conv.Bias.Value.Values.ToArray(), v => Assert.Equal(0f, v));

        // And it runs: a probability row per image.
        var images = new NDArray<float>(Uniform(600, 3 * 28 * 28, 0, 1), 3, 28, 28, 1);
        var p = model.Predict(images, verbose: 0);
        Assert.Equal([3, 10], p.Shape.ToArray());
        for (int r = 0; r < 3; r++) Assert.Equal(1.0, Enumerable.Range(0, 10).Sum(j => (double)p[r, j]), 5);
    }

    public static TheoryData<string, int[], int[]> OutputShapeCases() => new()
    {
        { "Conv2D(32, 3)", [28, 28, 1], [26, 26, 32] },
        { "MaxPooling2D(2)", [26, 26, 32], [13, 13, 32] },
        { "MaxPooling2D(2)", [11, 11, 64], [5, 5, 64] },
        { "Conv2D(4, 3, strides 2, same)", [7, 7, 3], [4, 4, 4] },
        { "Conv2D(4, 3, strides 2)", [7, 7, 3], [3, 3, 4] },
        { "Conv2D(2, (2, 5), strides (2, 3), same)", [7, 9, 1], [4, 3, 2] },
        { "Conv2D(2, (2, 5), strides (2, 3))", [7, 9, 1], [3, 2, 2] },
        { "Conv2D(5, 3, dilation 2)", [7, 7, 2], [3, 3, 5] },
        { "Conv2D(5, 3, dilation 2, same)", [7, 8, 2], [7, 8, 5] },
        { "Conv2D(3, 1)", [1, 1, 17], [1, 1, 3] },
        { "MaxPooling2D(3, strides 2, same)", [7, 7, 2], [4, 4, 2] },
        { "MaxPooling2D(3, strides 2)", [7, 7, 2], [3, 3, 2] },
        { "AveragePooling2D()", [7, 7, 2], [3, 3, 2] },
        { "AveragePooling2D(same)", [7, 7, 2], [4, 4, 2] },
        { "AveragePooling2D((2, 3), strides 1)", [4, 5, 2], [3, 3, 2] },
        { "GlobalAveragePooling2D()", [5, 6, 3], [3] },
        { "Flatten()", [5, 5, 64], [1600] },
        { "Dropout(0.5)", [4, 3], [4, 3] },
    };

    private static Layer Make(string description) => description switch
    {
        "Conv2D(32, 3)" => new Conv2D(32, 3),
        "MaxPooling2D(2)" => new MaxPooling2D(2),
        "Conv2D(4, 3, strides 2, same)" => new Conv2D(4, 3, strides: 2, padding: "same"),
        "Conv2D(4, 3, strides 2)" => new Conv2D(4, 3, strides: 2),
        "Conv2D(2, (2, 5), strides (2, 3), same)" => new Conv2D(2, (2, 5), strides: (2, 3), padding: "same"),
        "Conv2D(2, (2, 5), strides (2, 3))" => new Conv2D(2, (2, 5), strides: (2, 3)),
        "Conv2D(5, 3, dilation 2)" => new Conv2D(5, 3, dilationRate: 2),
        "Conv2D(5, 3, dilation 2, same)" => new Conv2D(5, 3, dilationRate: 2, padding: "same"),
        "Conv2D(3, 1)" => new Conv2D(3, 1),
        "MaxPooling2D(3, strides 2, same)" => new MaxPooling2D(3, strides: 2, padding: "same"),
        "MaxPooling2D(3, strides 2)" => new MaxPooling2D(3, strides: 2),
        "AveragePooling2D()" => new AveragePooling2D(),
        "AveragePooling2D(same)" => new AveragePooling2D(padding: "same"),
        "AveragePooling2D((2, 3), strides 1)" => new AveragePooling2D((2, 3), strides: 1),
        "GlobalAveragePooling2D()" => new GlobalAveragePooling2D(),
        "Flatten()" => new Flatten(),
        "Dropout(0.5)" => new Dropout(0.5, seed: 1),
        _ => throw new ArgumentException(description),
    };

    [Theory]
    [MemberData(nameof(OutputShapeCases))]
    public void OutputShapes(string layer, int[] input, int[] expected)
    {
        var model = new Sequential(new InputLayer(input), Make(layer));
        Assert.Equal(new Shape(expected), model.OutputShape);
        Assert.Equal(new Shape(expected), model.Layers[0].ComputeOutputShape(new Shape(input)));
        // The tensor the layer computes has that shape too.
        var x = new NDArray<float>(Uniform(601, 2 * new Shape(input).Size), [2, .. input]);
        Assert.Equal([2, .. expected], model.Predict(x, verbose: 0).Shape.ToArray());
    }

    [Fact]
    public void ConvWeightShapesAndCountsFollowKeras()
    {
        var conv = new Conv2D(7, (2, 5));
        new Sequential(new InputLayer([9, 9, 3]), conv);
        Assert.Equal(new Shape(2, 5, 3, 7), conv.Kernel!.Shape);
        Assert.Equal(2 * 5 * 3 * 7 + 7, conv.CountParams());
        Assert.Equal(new Size2D(2, 5), conv.KernelSize);
        Assert.Equal(new Size2D(1, 1), conv.Strides);
        Assert.Equal(new Size2D(1, 1), conv.DilationRate);
        Assert.Equal(Padding.Valid, conv.Padding);

        var noBias = new Conv2D(32, 3, useBias: false);
        new Sequential(new InputLayer([28, 28, 1]), noBias);
        Assert.Null(noBias.Bias);
        Assert.Equal(288, noBias.CountParams());
        Assert.Equal(["kernel"], noBias.Weights.Select(w => w.Name));
        Assert.Equal(Padding.Same, new Conv2D(1, 3, padding: "SAME").Padding); // Keras lower-cases padding too
    }

    [Fact]
    public void ConvLayerComputesTheConvolutionWithItsActivation()
    {
        var conv = new Conv2D(3, 2, strides: (1, 2), padding: "same", activation: "relu",
            kernelInitializer: new GlorotUniform(5), biasInitializer: new RandomUniform(-0.5f, 0.5f, 6));
        var model = new Sequential(new InputLayer([4, 5, 2]), conv);
        var values = Uniform(602, 2 * 4 * 5 * 2);
        var y = model.Predict(new NDArray<float>(values, 2, 4, 5, 2), verbose: 0);
        var expected = Dendrite.Tests.Autodiff.ConvReference.Conv2D(values, 2, 4, 5, 2, conv.Kernel!.Value.Values.ToArray(), 2, 2, 3,
            conv.Bias!.Value.Values.ToArray(), (1, 2), (1, 1), same: true, out int oh, out int ow);
        Assert.Equal([2, oh, ow, 3], y.Shape.ToArray());
        var actual = y.ToArray();
        Assert.Contains(expected, v => v < 0);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(Math.Max(expected[i], 0), actual[i], 5);

        var tanh = new Conv2D(3, 2, activation: "tanh", kernelInitializer: new GlorotUniform(5));
        var tanhModel = new Sequential(new InputLayer([4, 5, 2]), tanh);
        var z = Dendrite.Tests.Autodiff.ConvReference.Conv2D(values, 2, 4, 5, 2, tanh.Kernel!.Value.Values.ToArray(), 2, 2, 3, null, (1, 1), (1, 1), false, out _, out _);
        var t = tanhModel.Predict(new NDArray<float>(values, 2, 4, 5, 2), verbose: 0).ToArray();
        for (int i = 0; i < z.Length; i++) Assert.Equal(Math.Tanh(z[i]), t[i], 5);
    }

    [Fact]
    public void DropoutIsTheIdentityAtInference()
    {
        Sequential Build(bool dropout)
        {
            var layers = new List<Layer>
            {
                new InputLayer([6, 6, 2]),
                new Conv2D(4, 3, activation: "relu", kernelInitializer: new GlorotUniform(11)),
                new Flatten(),
            };
            if (dropout) layers.Add(new Dropout(0.9, seed: 1));
            layers.Add(new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(12)));
            return new Sequential(layers);
        }
        var x = new NDArray<float>(Uniform(603, 5 * 6 * 6 * 2), 5, 6, 6, 2);
        var with = Build(true).Predict(x, verbose: 0).ToArray();
        var without = Build(false).Predict(x, verbose: 0).ToArray();
        Assert.Equal(without.Select(BitConverter.SingleToInt32Bits), with.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void InputLayerBuildsTheModelAtConstruction()
    {
        var conv = new Conv2D(8, 3);
        var model = new Sequential(new InputLayer([10, 12, 3]), conv, new GlobalAveragePooling2D());
        Assert.True(model.Built);
        Assert.True(conv.Built);
        Assert.Equal(new Shape(10, 12, 3), conv.InputShape);
        Assert.Equal(new Shape(8), model.OutputShape);
        Assert.Equal(2, model.Layers.Count);
        Assert.Contains("already built", Assert.Throws<InvalidOperationException>(() => model.Add(new Dense(2))).Message);

        // Data of another shape is refused, naming the declared shape.
        var error = Assert.Throws<ArgumentException>(() => model.Predict(new NDArray<float>(new float[2 * 10 * 12 * 1], 2, 10, 12, 1), verbose: 0));
        Assert.Contains("(None, 10, 12, 3)", error.Message);

        // Without an InputLayer, nothing is built until the first data (or Build) arrives.
        var deferred = new Sequential(new Conv2D(8, 3), new Flatten());
        Assert.False(deferred.Built);
        Assert.False(deferred.Layers[0].Built);
        deferred.Build(5, 5, 1);
        Assert.Equal(new Shape(72), deferred.OutputShape);

        var input = new InputLayer([28, 28, 1], name: "pixels");
        Assert.Equal(new Shape(28, 28, 1), input.Shape);
        Assert.Equal("pixels", input.Name);
        Assert.Equal(0, input.CountParams());
    }

    [Fact]
    public void AnInputLayerAloneDefersTheBuildToTheLayersAddedLater()
    {
        // Keras accepts Sequential([Input(shape)]) and layers added afterwards.
        var model = new Sequential(new InputLayer([4], name: "features"));
        Assert.False(model.Built);
        Assert.Empty(model.Layers);
        model.Add(new Dense(3, name: "head"));
        var wrong = Assert.Throws<ArgumentException>(() => model.Build(5));
        Assert.Contains("(None, 4)", wrong.Message);
        Assert.Contains("'features'", wrong.Message);
        Assert.Contains("(None, 5)", wrong.Message);
        model.Build(4);
        Assert.Equal(new Shape(3), model.OutputShape);
        Assert.Equal(15, model.CountParams());
    }

    [Fact]
    public void InputLayerMustComeFirst()
    {
        var late = Assert.Throws<ArgumentException>(() => new Sequential(new Dense(3, name: "hidden"), new InputLayer([4], name: "late_input")));
        Assert.Contains("first layer", late.Message);
        Assert.Contains("'late_input'", late.Message);
        Assert.Contains("'hidden'", late.Message);

        var twice = Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([4], name: "in_a"), new InputLayer([4], name: "in_b"), new Dense(2)));
        Assert.Contains("'in_b'", twice.Message);
        Assert.Contains("'in_a'", twice.Message);

        var model = new Sequential();
        model.Add(new Dense(2, name: "d0"));
        Assert.Contains("first layer", Assert.Throws<ArgumentException>(() => model.Add(new InputLayer([3]))).Message);
    }

    [Fact]
    public void ShapeMismatchesNameBothLayersAndTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([16]), new Dense(8, name: "hidden"), new Conv2D(4, 3, name: "conv")));
        Assert.Contains("'conv' (Conv2D)", error.Message);
        Assert.Contains("'hidden' (Dense)", error.Message);
        Assert.Contains("(None, 8)", error.Message);
        Assert.Contains("(height, width, channels)", error.Message);

        var small = Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([2, 2, 1], name: "tiny"), new Conv2D(4, 3, name: "big_kernel")));
        Assert.Contains("'big_kernel' (Conv2D)", small.Message);
        Assert.Contains("'tiny'", small.Message);
        Assert.Contains("(None, 2, 2, 1)", small.Message);
        Assert.Contains("does not fit", small.Message);

        var pool = Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([6, 6, 2]), new Flatten(name: "flat"), new MaxPooling2D(2, name: "pool")));
        Assert.Contains("'pool' (MaxPooling2D)", pool.Message);
        Assert.Contains("'flat' (Flatten)", pool.Message);
        Assert.Contains("(None, 72)", pool.Message);

        var global = Assert.Throws<ArgumentException>(() => new Sequential(new InputLayer([6]), new GlobalAveragePooling2D(name: "gap")));
        Assert.Contains("'gap' (GlobalAveragePooling2D)", global.Message);

        var deferred = new Sequential(new Conv2D(4, 3, name: "first_conv"));
        var build = Assert.Throws<ArgumentException>(() => deferred.Build(10));
        Assert.Contains("'first_conv' (Conv2D)", build.Message);
        Assert.Contains("the model's input", build.Message);
        Assert.Contains("(None, 10)", build.Message);
    }

    [Fact]
    public void InvalidArgumentsThrowClearly()
    {
        var filters = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(0, 3));
        Assert.Equal("filters", filters.ParamName);
        Assert.Contains("filters=0", filters.Message);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 0)).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, (3, -1))).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, strides: 0)).ParamName);
        Assert.Equal("dilationRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, dilationRate: (1, 0))).ParamName);

        var padding = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "full"));
        Assert.Contains("\"valid\" or \"same\"", padding.Message);
        Assert.Contains("\"full\"", padding.Message);
        Assert.Contains("\"causal\"", Assert.Throws<ArgumentException>(() => new MaxPooling2D(2, padding: "causal")).Message);

        var dilation = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, strides: 2, dilationRate: 2));
        Assert.Contains("strides", dilation.Message);
        Assert.Contains("dilationRate", dilation.Message);
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, strides: (1, 2), dilationRate: (2, 1)));

        Assert.Equal("poolSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D(2, strides: (0, 1))).ParamName);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => new InputLayer([28, 0, 1])).Message);
        Assert.Throws<ArgumentException>(() => new InputLayer([]));
        Assert.Throws<ArgumentNullException>(() => new InputLayer(null!));
    }

    [Fact]
    public void CallingAConvLayerWronglyThrows()
    {
        var conv = new Conv2D(2, 3, name: "lonely");
        var x = Const(new float[1 * 5 * 5 * 3], 1, 5, 5, 3);
        Assert.Contains("not built", Assert.Throws<InvalidOperationException>(() => conv.Call(x)).Message);
        new Sequential(new InputLayer([5, 5, 3]), conv);
        var wrong = Assert.Throws<ArgumentException>(() => conv.Call(Const(new float[1 * 5 * 5 * 2], 1, 5, 5, 2)));
        Assert.Contains("'lonely'", wrong.Message);
        Assert.Contains("(batch, height, width, 3)", wrong.Message);
    }
}
