using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Saving.Onnx.Proto;
using Dendrite.Tests.Acceptance;
using Dendrite.Tests.Datasets;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>Whole models exported to ONNX: ONNX Runtime agrees with <c>Predict</c>, and the file is a well-formed ONNX model.</summary>
public sealed class OnnxModelTests(ITestOutputHelper output)
{
    /// <summary>The Keras "hello world" MLP: 784 → Dense(512, relu) → Dense(10, softmax).</summary>
    internal static Sequential Mlp() => new(new InputLayer([784]), new Dense(512, activation: "relu"), new Dense(10, activation: "softmax"));

    /// <summary>Two inputs (an image and a feature vector), BatchNormalization on both branches, Concatenate, two outputs.</summary>
    internal static Model TwoInputsTwoOutputs()
    {
        var image = new Input([8, 8, 3], name: "image");
        var features = new Input([5], name: "features");
        var x = new Conv2D(6, 3, padding: "same", activation: "relu").Call(image);
        x = new BatchNormalization().Call(x);
        x = new MaxPooling2D(2).Call(x);
        x = new Flatten().Call(x);
        var f = new Dense(8, activation: "relu").Call(features);
        f = new BatchNormalization().Call(f);
        var joined = new Concatenate().Call(x, f);
        var label = new Dense(4, activation: "softmax", name: "label").Call(joined);
        var score = new Dense(1, name: "score").Call(new Dropout(0.2).Call(joined));
        return new Model([image, features], [label, score]);
    }

    /// <summary>Convolutions with strides 2 and "same" padding (asymmetric pads), dilation 2, and a (1, 2) stride.</summary>
    internal static Sequential StridedAndDilated() => new(
        new InputLayer([15, 13, 3]),
        new Conv2D(8, 3, strides: 2, padding: "same", activation: "relu"),
        new Conv2D(6, 3, dilationRate: 2, padding: "same", activation: "relu"),
        new Conv2D(4, (2, 3), strides: (1, 2)),
        new GlobalAveragePooling2D(),
        new Dense(3, activation: "softmax"));

    /// <summary>"Same" average pooling on odd sizes, where TensorFlow divides border windows by what they cover.</summary>
    internal static Sequential AveragePoolingSameOdd() => new(
        new InputLayer([9, 7, 2]),
        new AveragePooling2D(2, padding: "same"),
        new Conv2D(4, 3, padding: "same", activation: "relu"),
        new AveragePooling2D(3, strides: 2, padding: "same"),
        new Flatten(),
        new Dense(5));

    private void Check(Model model, string what)
    {
        string folder = OnnxCheck.TempFolder();
        try
        {
            var (_, max) = OnnxCheck.ExportAndCompare(model, folder);
            output.WriteLine($"ONNX vs Predict, {what}: max |diff| {max:E2}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void TheMnistMlpRunsInOnnxRuntimeAsInPredict() => Check(Mlp(), "MNIST MLP 784-512-10");

    [Fact]
    public void TheKerasMnistConvnetRunsInOnnxRuntimeAsInPredict() => Check(KerasFixtures.MnistConvnet(), "Keras MNIST convnet");

    [Fact]
    public void AFunctionalModelWithTwoInputsAndTwoOutputsRunsInOnnxRuntimeAsInPredict() =>
        Check(TwoInputsTwoOutputs(), "two inputs, BatchNormalization, Concatenate, two outputs");

    [Fact]
    public void StridedSamePaddedAndDilatedConvolutionsRunInOnnxRuntimeAsInPredict() => Check(StridedAndDilated(), "strides 2 same, dilation 2");

    [Fact]
    public void SameAveragePoolingOnOddSizesRunsInOnnxRuntimeAsInPredict() => Check(AveragePoolingSameOdd(), "average pooling same, odd sizes");

    [Fact]
    public void TheFileDeclaresOpset17TheBatchAxisTheNamesAndEveryValueItUses()
    {
        string folder = OnnxCheck.TempFolder();
        try
        {
            var model = TwoInputsTwoOutputs();
            string path = Path.Combine(folder, "model.onnx");
            model.Export(path);
            var proto = OnnxCheck.Parse(path);

            Assert.Equal(8, proto.IrVersion);
            var opset = Assert.Single(proto.OpsetImport);
            Assert.Equal("", opset.Domain);
            Assert.Equal(17, opset.Version);
            Assert.Equal("Dendrite", proto.ProducerName);
            Assert.Equal(["image", "features"], proto.Graph.Input.Select(i => i.Name));
            Assert.Equal(["label", "score"], proto.Graph.Output.Select(o => o.Name));
            foreach (var value in proto.Graph.Input.Concat(proto.Graph.Output))
            {
                Assert.Equal((int)TensorProto.Types.DataType.Float, value.Type.TensorType.ElemType);
                Assert.Equal("batch", value.Type.TensorType.Shape.Dim[0].DimParam);
            }
            Assert.Equal([8, 8, 3], proto.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));

            // Every initializer holds as many values as its dims say; every node reads only values defined before it.
            var defined = new HashSet<string>(proto.Graph.Input.Select(i => i.Name));
            foreach (var t in proto.Graph.Initializer)
            {
                long count = t.Dims.Aggregate(1L, (a, d) => a * d);
                long stored = t.DataType == (int)TensorProto.Types.DataType.Float
                    ? (t.RawData.Length > 0 ? t.RawData.Length / 4 : t.FloatData.Count)
                    : t.Int64Data.Count;
                Assert.True(count == stored, $"initializer {t.Name}: dims ({string.Join(", ", t.Dims)}) but {stored} values");
                Assert.True(defined.Add(t.Name), $"value {t.Name} defined twice");
            }
            foreach (var node in proto.Graph.Node)
            {
                foreach (string input in node.Input) Assert.True(defined.Contains(input), $"node {node.Name} ({node.OpType}) reads undefined value {input}");
                foreach (string o in node.Output) Assert.True(defined.Add(o), $"value {o} defined twice");
            }
            foreach (var o in proto.Graph.Output) Assert.Contains(o.Name, defined);

            // The convolution's HWIO kernel is stored OIHW: element (h, w, i, o) at ((o·I + i)·KH + h)·KW + w.
            var conv = model.Layers.OfType<Conv2D>().Single();
            var oihw = proto.Graph.Initializer.Single(t => t.Name == $"{conv.Name}/kernel");
            Assert.Equal([6, 3, 3, 3], oihw.Dims);
            var stored4 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(oihw.RawData.Span);
            var hwio = conv.Kernel!.Value.Values;
            Assert.Equal(hwio[((2 * 3 + 1) * 3 + 2) * 6 + 5], stored4[((5 * 3 + 2) * 3 + 2) * 3 + 1]); // h=2, w=1, i=2, o=5
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void TransposesAreInsertedOnlyAtTheEdgesOfAChannelsFirstRun()
    {
        string folder = OnnxCheck.TempFolder();
        try
        {
            var model = KerasFixtures.MnistConvnet();
            string path = Path.Combine(folder, "convnet.onnx");
            model.Export(path);
            var ops = OnnxCheck.Parse(path).Graph.Node.Select(n => n.OpType).ToArray();
            // NHWC in → NCHW for the convolutions and poolings → NHWC before Flatten; Dropout is gone.
            Assert.Equal(["Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "MatMul", "Add", "Softmax"], ops);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void AnOutputListedTwiceOrAnInputAsOutputGetsItsOwnName()
    {
        string folder = OnnxCheck.TempFolder();
        try
        {
            var input = new Input([4], name: "x");
            var shared = new Dense(3, name: "shared");
            var a = shared.Call(input);
            var b = shared.Call(new Activation("tanh").Call(input));
            var model = new Model([input], [a, b, a, input]);
            string path = Path.Combine(folder, "m.onnx");
            model.Export(path);

            using var session = new InferenceSession(path);
            Assert.Equal(["shared", "shared_1", "shared_2", "x_1"], session.OutputMetadata.Keys);
            var x = OnnxCheck.RandomInput(3, 7, new Shape(4));
            var expected = model.Predict([x], verbose: 0);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(x.ToArray(), [7, 4]))]);
            var actual = results.Select(r => r.AsTensor<float>()).ToArray();
            for (int o = 0; o < 4; o++)
                OnnxCheck.Compare(expected[o], new NDArray<float>(actual[o].ToArray(), actual[o].Dimensions.ToArray()), $"output {o}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private sealed class Doubling(string? name = null) : Layer(name)
    {
        public override Tensor Call(Tensor inputs, bool training = false) => Ops.Multiply(inputs, 2f);
    }

    private sealed class Swish : ActivationFunction
    {
        public override string Name => "swish";

        public override Tensor Apply(Tensor x) => Ops.Multiply(x, Ops.Sigmoid(x));
    }

    [Fact]
    public void ACustomLayerIsNotSupportedAndNamed()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(2), new Doubling(name: "my_doubling"));
        string folder = OnnxCheck.TempFolder();
        try
        {
            string path = Path.Combine(folder, "custom.onnx");
            var e = Assert.Throws<NotSupportedException>(() => model.Export(path));
            Assert.Contains("'my_doubling'", e.Message);
            Assert.Contains(typeof(Doubling).FullName!, e.Message);
            Assert.Contains("Supported layers: InputLayer, Dense, Conv2D", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(folder)); // nothing written, no temporary file left
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void ACustomActivationIsNotSupportedAndNamed()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(2, activation: new Swish(), name: "swished"));
        var e = Assert.Throws<NotSupportedException>(() => model.Export(Path.Combine(Path.GetTempPath(), "never-written.onnx")));
        Assert.Contains("'swished'", e.Message);
        Assert.Contains("'swish'", e.Message);
        Assert.Contains("relu, softmax, sigmoid, tanh, linear", e.Message);
    }

    [Fact]
    public void OnlyTheOnnxFormatIsAccepted()
    {
        var model = Mlp();
        var e = Assert.Throws<ArgumentException>(() => model.Export("model.tflite", format: "tflite"));
        Assert.Equal("format", e.ParamName);
        Assert.Contains("'tflite'", e.Message);
        Assert.Contains("\"onnx\"", e.Message);
        Assert.False(File.Exists("model.tflite"));
    }

    [Fact]
    public void AModelThatIsNotBuiltCannotBeExported()
    {
        var model = new Sequential(new Dense(3));
        var e = Assert.Throws<InvalidOperationException>(() => model.Export(Path.Combine(Path.GetTempPath(), "never-written.onnx")));
        Assert.Contains("not been built", e.Message);
    }

    [Fact]
    public void ExportReplacesAnExistingFileAtomically()
    {
        string folder = OnnxCheck.TempFolder();
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllText(path, "old");
            var model = Mlp();
            model.Export(path);
            Assert.Equal([path], Directory.GetFileSystemEntries(folder));
            Assert.Equal(784 * 512 + 512 + 512 * 10 + 10, OnnxCheck.Parse(path).Graph.Initializer.Sum(t => t.RawData.Length / 4));
            Assert.Throws<DirectoryNotFoundException>(() => model.Export(Path.Combine(folder, "missing", "model.onnx")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}

/// <summary>
/// Keras' MNIST convnet with the weights Keras 3.1.1 trained (../shared/fixtures/keras), exported and run in ONNX
/// Runtime on the whole MNIST test set: every probability agrees with <c>Predict</c> and both classify the same
/// number of digits correctly.
/// </summary>
public sealed class OnnxMnistTests(MnistFixture data, ITestOutputHelper output) : IClassFixture<MnistFixture>
{
    [Fact]
    public void TheKerasTrainedConvnetAgreesWithPredictOnAllTenThousandTestImages()
    {
        const string fixture = "mnist_convnet_keras3.1.1.keras";
        string expectedFolder = Path.GetFullPath(Path.Combine(RepoPaths.RepoRoot, "..", "shared", "fixtures", "keras"));
        if (KerasFixtures.Folder is not { } folder || !File.Exists(Path.Combine(folder, fixture)))
        {
            Assert.Fail($"{Path.Combine(expectedFolder, fixture)} is missing. It is a Keras 3.1.1 file from the project's shared folder " +
                "(../shared/fixtures/keras beside the folder holding Dendrite.slnx; its README.md gives the source: Moonflower2022/MNIST-models " +
                "@ fdb760a8c302, mnist_model.keras, MIT). Put the shared folder, or that file, in place to run this test.");
            return;
        }
        var model = KerasFixtures.MnistConvnet();
        model.LoadWeights(Path.Combine(folder, fixture));
        int n = data.TestImages.Shape[0];
        Assert.Equal(10000, n);
        var images = data.TestImages.Reshape(n, 28, 28, 1).AsType<float>() / 255f;
        var labels = data.TestLabels.ToArray();

        string temp = OnnxCheck.TempFolder();
        try
        {
            string path = Path.Combine(temp, "mnist_convnet.onnx");
            model.Export(path, format: "onnx");
            var expected = model.Predict(images, batchSize: 500, verbose: 0);

            using var session = new InferenceSession(path);
            double max = 0;
            int correctOnnx = 0, correctPredict = 0;
            const int batch = 1000;
            for (int start = 0; start < n; start += batch)
            {
                var actual = OnnxCheck.RunOnnx(session, model, [images[start..(start + batch)]])[0];
                var reference = expected[start..(start + batch)];
                max = Math.Max(max, OnnxCheck.Compare(reference, actual, $"test images {start}..{start + batch - 1}"));
                var onnxDigits = actual.ArgMax(1).ToArray();
                var predictDigits = reference.ArgMax(1).ToArray();
                for (int i = 0; i < batch; i++)
                {
                    if (onnxDigits[i] == labels[start + i]) correctOnnx++;
                    if (predictDigits[i] == labels[start + i]) correctPredict++;
                }
            }
            output.WriteLine($"ONNX vs Predict, Keras-trained MNIST convnet on {n} test images: max |diff| {max:E2}; correct: ONNX {correctOnnx}, Predict {correctPredict}");
            Assert.Equal(correctPredict, correctOnnx);
            Assert.True(correctOnnx >= 9800, $"{correctOnnx} of {n} test digits right");
        }
        finally { Directory.Delete(temp, recursive: true); }
    }
}
