using Dendrite.Layers;
using Xunit.Abstractions;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Every built-in layer and activation, exported to ONNX and run in ONNX Runtime on batches of 1 and 7: each output
/// agrees with <c>Predict</c> within <see cref="OnnxCheck.Tolerance"/> (absolute + relative).
/// </summary>
public sealed class OnnxLayerTests(ITestOutputHelper output)
{
    private static Model Chain(int[] inputShape, params Layer[] layers)
    {
        var input = new Input(inputShape);
        KerasTensor x = input;
        foreach (var layer in layers) x = layer.Call(x);
        return new Model(input, x);
    }

    private static Model Merge(Func<KerasTensor[], KerasTensor> merge, int count, int[] shape, Func<KerasTensor, KerasTensor>? branch = null)
    {
        var inputs = Enumerable.Range(0, count).Select(_ => (KerasTensor)new Input(shape)).ToArray();
        var branches = inputs.Select(i => branch is null ? i : branch(i)).ToArray();
        return new Model(inputs, [merge(branches)]);
    }

    /// <summary>A 3×3 "same" ReLU convolution: its output is computed channels first in the ONNX graph.</summary>
    private static KerasTensor Conv(KerasTensor x) => new Conv2D(4, 3, padding: "same", activation: "relu").Call(x);

    private static readonly Dictionary<string, Func<Model>> s_cases = new()
    {
        // InputLayer, Dense (rank 2 and 3), and every activation
        ["InputLayer + Dense"] = () => new Sequential(new InputLayer([12]), new Dense(5)),
        ["Dense on rank 3"] = () => Chain([4, 6], new Dense(3, activation: "tanh")),
        ["Dense without bias"] = () => Chain([9], new Dense(4, activation: "sigmoid", useBias: false)),
        ["Dense relu"] = () => Chain([10], new Dense(8, activation: "relu")),
        ["Dense softmax"] = () => Chain([10], new Dense(6, activation: "softmax")),
        ["Activation relu"] = () => Chain([10], new Dense(8), new Activation("relu")),
        ["Activation softmax"] = () => Chain([3, 10], new Activation("softmax")),
        ["Activation sigmoid"] = () => Chain([10], new Activation("sigmoid")),
        ["Activation tanh"] = () => Chain([10], new Activation("tanh")),
        ["Activation linear"] = () => Chain([10], new Dense(4), new Activation("linear")),
        ["Activation softmax on NCHW"] = () => Chain([5, 6, 2], new Conv2D(3, 2), new Activation("softmax")),
        // Conv2D
        ["Conv2D valid"] = () => Chain([9, 8, 3], new Conv2D(4, (3, 2))),
        ["Conv2D without bias, sigmoid"] = () => Chain([6, 7, 2], new Conv2D(3, 3, useBias: false, activation: "sigmoid")),
        ["Conv2D softmax"] = () => Chain([6, 6, 2], new Conv2D(5, 3, activation: "softmax")),
        ["Conv2D strides 2 same (asymmetric pads)"] = () => Chain([9, 10, 3], new Conv2D(5, 3, strides: 2, padding: "same")),
        ["Conv2D strides (1, 2) valid"] = () => Chain([8, 9, 2], new Conv2D(3, (2, 3), strides: (1, 2), activation: "tanh")),
        ["Conv2D strides 3 same, 4x4 window"] = () => Chain([10, 11, 2], new Conv2D(3, 4, strides: 3, padding: "same")),
        ["Conv2D dilation 2 same"] = () => Chain([11, 9, 2], new Conv2D(3, 3, dilationRate: 2, padding: "same", activation: "relu")),
        ["Conv2D dilation (2, 3) valid"] = () => Chain([11, 12, 2], new Conv2D(3, 3, dilationRate: (2, 3))),
        // Pooling
        ["MaxPooling2D valid"] = () => Chain([8, 9, 3], new MaxPooling2D(2)),
        ["MaxPooling2D same odd"] = () => Chain([7, 9, 3], new MaxPooling2D(2, padding: "same")),
        ["MaxPooling2D 3 stride 2 same"] = () => Chain([8, 7, 2], new MaxPooling2D(3, strides: 2, padding: "same")),
        ["AveragePooling2D valid"] = () => Chain([8, 9, 3], new AveragePooling2D(2)),
        ["AveragePooling2D same odd"] = () => Chain([7, 9, 3], new AveragePooling2D(2, padding: "same")),
        ["AveragePooling2D 3 stride 2 same"] = () => Chain([8, 7, 2], new AveragePooling2D(3, strides: 2, padding: "same")),
        ["AveragePooling2D (3, 2) stride 1 same"] = () => Chain([5, 6, 2], new AveragePooling2D((3, 2), strides: 1, padding: "same")),
        ["GlobalAveragePooling2D on NHWC input"] = () => Chain([5, 6, 4], new GlobalAveragePooling2D()),
        ["GlobalAveragePooling2D after Conv2D"] = () => Chain([6, 5, 2], new Conv2D(4, 3), new GlobalAveragePooling2D(), new Dense(3)),
        // Shapes
        ["Flatten"] = () => Chain([3, 4, 2], new Flatten(), new Dense(3)),
        ["Flatten after Conv2D (Keras order)"] = () => Chain([6, 5, 2], new Conv2D(3, 2), new Flatten()),
        ["Reshape"] = () => Chain([12], new Reshape([3, 4]), new Dense(2)),
        ["Reshape with -1 after Conv2D"] = () => Chain([4, 4, 2], new Conv2D(3, 1), new Reshape([-1, 6])),
        ["Dropout"] = () => Chain([10], new Dense(6), new Dropout(0.5), new Dense(3)),
        ["Dropout as the output"] = () => Chain([10], new Dense(6), new Dropout(0.3)),
        // Normalisation
        ["BatchNormalization rank 2"] = () => Chain([6], new BatchNormalization()),
        ["BatchNormalization rank 3"] = () => Chain([4, 5], new BatchNormalization(epsilon: 1e-2)),
        ["BatchNormalization on images (NHWC input)"] = () => Chain([5, 4, 3], new BatchNormalization()),
        ["BatchNormalization after Conv2D"] = () => Chain([6, 6, 2], new Conv2D(4, 3), new BatchNormalization(), new Activation("relu")),
        ["BatchNormalization without scale and center"] = () => Chain([7], new BatchNormalization(center: false, scale: false)),
        ["BatchNormalization axis 1 rank 3"] = () => Chain([4, 5], new BatchNormalization(axis: 1)),
        ["BatchNormalization axis 2 on images"] = () => Chain([5, 4, 3], new BatchNormalization(axis: 2)),
        ["BatchNormalization axis -3 on images"] = () => Chain([5, 4, 3], new BatchNormalization(axis: -3)),
        ["BatchNormalization with renorm"] = () => Chain([6], new BatchNormalization(renorm: true)),
        ["BatchNormalization without scale"] = () => Chain([5, 4, 3], new BatchNormalization(scale: false)),
        ["LayerNormalization rank 2"] = () => Chain([8], new LayerNormalization()),
        ["LayerNormalization rank 3"] = () => Chain([3, 8], new LayerNormalization(epsilon: 1e-5)),
        ["LayerNormalization on images after Conv2D"] = () => Chain([5, 5, 2], new Conv2D(6, 2), new LayerNormalization()),
        ["LayerNormalization without scale and center"] = () => Chain([8], new LayerNormalization(center: false, scale: false)),
        ["LayerNormalization without center"] = () => Chain([8], new LayerNormalization(center: false)),
        // Rescaling
        ["Rescaling"] = () => Chain([10], new Rescaling(1.0 / 255)),
        ["Rescaling with offset before Conv2D"] = () => Chain([6, 6, 1], new Rescaling(2, offset: -1), new Conv2D(2, 3)),
        ["Rescaling after Conv2D"] = () => Chain([6, 6, 1], new Conv2D(2, 3), new Rescaling(0.5, offset: 0.25), new Flatten()),
        // Merging
        ["Add of 3"] = () => Merge(x => new Add().Call(x), 3, [6]),
        ["Subtract"] = () => Merge(x => new Subtract().Call(x), 2, [2, 5]),
        ["Multiply of 3"] = () => Merge(x => new Multiply().Call(x), 3, [6]),
        ["Average of 3"] = () => Merge(x => new Average().Call(x), 3, [6]),
        ["Maximum"] = () => Merge(x => new Maximum().Call(x), 2, [6]),
        ["Minimum of 3"] = () => Merge(x => new Minimum().Call(x), 3, [6]),
        ["Concatenate last axis"] = () => Merge(x => new Concatenate().Call(x), 2, [3, 4]),
        ["Concatenate axis 1"] = () => Merge(x => new Concatenate(axis: 1).Call(x), 3, [2, 4]),
        ["Add of convolutions (NCHW)"] = () => Merge(x => new Add().Call(x), 2, [5, 5, 2], Conv),
        ["Average of a convolution and an input"] = () => Merge(x => new Average().Call(x[0], Conv(x[1])), 2, [5, 5, 4]),
        ["Concatenate convolutions on channels"] = () => Merge(x => new Flatten().Call(new Concatenate().Call(x)), 2, [5, 6, 2], Conv),
        ["Concatenate convolutions on height"] = () => Merge(x => new Flatten().Call(new Concatenate(axis: 1).Call(x)), 2, [5, 6, 2], Conv),
        ["Concatenate convolutions on width"] = () => Merge(x => new Concatenate(axis: -2).Call(x), 2, [5, 6, 2], Conv),
        ["Maximum of convolutions"] = () => Merge(x => new Maximum().Call(x), 2, [4, 4, 1], Conv),
    };

    public static TheoryData<string> Cases() => new(s_cases.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheLayerRunsInOnnxRuntimeAsInPredict(string name)
    {
        var model = s_cases[name]();
        string folder = OnnxCheck.TempFolder();
        try
        {
            var (_, max) = OnnxCheck.ExportAndCompare(model, folder, seed: s_cases.Keys.ToList().IndexOf(name) + 1);
            output.WriteLine($"ONNX vs Predict, {name}: max |diff| {max:E2}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
