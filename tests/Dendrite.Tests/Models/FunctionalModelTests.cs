using Dendrite.Layers;
using Dendrite.Training;

namespace Dendrite.Tests.Models;

/// <summary>The functional API: graphs of layers with one or several inputs and outputs, trained like Sequential models.</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class FunctionalModelTests
{
    private static NDArray<float> Random(int seed, params int[] shape)
    {
        var r = new Random(seed);
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(r.NextDouble() * 2 - 1);
        return new NDArray<float>(values, shape);
    }

    [Fact]
    public void AChainBuiltWithTheFunctionalApiComputesWhatTheSameSequentialComputes()
    {
        var inputs = new Input([6]);
        var hidden = new Dense(5, activation: "relu");
        var head = new Dense(3, activation: "softmax");
        var functional = new Model(inputs, head.Call(hidden.Call(inputs)));
        var sequential = new Sequential(new InputLayer([6]), new Dense(5, activation: "relu"), new Dense(3, activation: "softmax"));
        sequential.SetWeights(functional.GetWeights());

        var x = Random(1, 4, 6);
        Assert.Equal(sequential.Predict(x, verbose: 0).ToArray(), functional.Predict(x, verbose: 0).ToArray());
        Assert.Equal(["input_layer", "dense", "dense"], functional.Layers.Select(l => l.Name.Split('_')[0] == "input" ? "input_layer" : l.Name.Split('_')[0]).ToArray());
        Assert.IsType<InputLayer>(functional.Layers[0]);
        Assert.Equal(new Shape(3), functional.OutputShape);
        Assert.StartsWith("functional", functional.Name);
    }

    [Fact]
    public void TwoInputsAndTwoOutputsTrainWithKerasLogNames()
    {
        Utils.SetRandomSeed(7);
        ProgressDisplay.Output = TextWriter.Null;
        var image = new Input([4], name: "image");
        var meta = new Input([2], name: "meta");
        var joined = new Concatenate().Call(new Dense(8, activation: "relu").Call(image), meta);
        var digits = new Dense(3, activation: "softmax", name: "digits").Call(joined);
        var size = new Dense(1, name: "size").Call(joined);
        var model = new Model([image, meta], [digits, size]);

        // Targets a model can learn: the class is the argmax of the first three image features, the size their sum.
        int n = 256;
        var xImage = Random(2, n, 4);
        var xMeta = Random(3, n, 2);
        var labels = new float[n];
        var sizes = new float[n];
        for (int i = 0; i < n; i++)
        {
            float a = xImage[i, 0], b = xImage[i, 1], c = xImage[i, 2];
            labels[i] = a >= b && a >= c ? 0 : b >= c ? 1 : 2;
            sizes[i] = a + b + c;
        }
        var yLabels = new NDArray<float>(labels, [n]);
        var ySizes = new NDArray<float>(sizes, [n, 1]);
        model.Compile(new Dendrite.Optimizers.Adam(0.01f), losses: ["sparse_categorical_crossentropy", "mse"], outputMetrics: [["accuracy"], []], lossWeights: [1.0, 0.5]);

        var history = model.Fit([xImage, xMeta], [yLabels, ySizes], epochs: 40, batchSize: 32, validationSplit: 0.25, verbose: 0);

        Assert.Equal(["digits_accuracy", "digits_loss", "loss", "size_loss", "val_digits_accuracy", "val_digits_loss", "val_loss", "val_size_loss"], history.Keys.ToArray());
        // The total is the weighted sum of the per-output losses (both tracked over the same batches).
        double expected = history["digits_loss"][^1] + 0.5 * history["size_loss"][^1];
        Assert.Equal(expected, history["loss"][^1], 4);
        Assert.True(history["digits_accuracy"][^1] > 0.85, $"accuracy {history["digits_accuracy"][^1]}");
        Assert.True(history["size_loss"][^1] < 0.2 * history["size_loss"][0], $"size loss {history["size_loss"][0]} → {history["size_loss"][^1]}");

        var predictions = model.Predict([xImage[0..5], xMeta[0..5]], verbose: 0);
        Assert.Equal(2, predictions.Length);
        Assert.Equal(new Shape(5, 3), predictions[0].Shape);
        Assert.Equal(new Shape(5, 1), predictions[1].Shape);
        var result = model.Evaluate([xImage, xMeta], [yLabels, ySizes], verbose: 0);
        Assert.Equal(["loss", "digits_loss", "size_loss", "digits_accuracy"], result.Keys.ToArray());
        Assert.Contains("2 input(s)", Assert.Throws<ArgumentException>(() => model.Predict(xImage, verbose: 0)).Message);
    }

    [Fact]
    public void MistakesAreNamed()
    {
        var a = new Input([4], name: "a");
        var b = new Input([3], name: "b");
        var orphan = new Input([4], name: "orphan");
        var added = Assert.Throws<ArgumentException>(() => new Add().Call(a, b));
        Assert.Contains("(None, 4) and (None, 3)", added.Message);

        var disconnected = Assert.Throws<ArgumentException>(() => new Model(a, new Dense(2).Call(new Add().Call(a, orphan))));
        Assert.Contains("Graph disconnected", disconnected.Message);
        Assert.Contains("'orphan'", disconnected.Message);

        var dense = new Dense(2, name: "shared");
        dense.Call(a);
        var reuse = Assert.Throws<ArgumentException>(() => dense.Call(b));
        Assert.Contains("'shared' (Dense)", reuse.Message);
        Assert.Contains("(None, 4)", reuse.Message);

        var model = new Model([a, b], [new Concatenate().Call(a, b)]);
        Assert.Equal(new Shape(7), model.OutputShape);
        model.Compile("sgd", "mse");
        var wrongCount = Assert.Throws<ArgumentException>(() => model.Fit([Random(1, 8, 4)], [Random(2, 8, 7)], verbose: 0));
        Assert.Contains("2 input(s)", wrongCount.Message);
        var wrongShape = Assert.Throws<ArgumentException>(() => model.Fit([Random(1, 8, 4), Random(1, 8, 5)], [Random(2, 8, 7)], verbose: 0));
        Assert.Contains("'b'", wrongShape.Message);
        var wrongLength = Assert.Throws<ArgumentException>(() => model.Fit([Random(1, 8, 4), Random(1, 9, 3)], [Random(2, 8, 7)], verbose: 0));
        Assert.Contains("same number of samples", wrongLength.Message);
    }

    [Fact]
    public void AGraphThatIsNotAChainShowsKerasConnectedToColumn()
    {
        var a = new Input([4], name: "left");
        var b = new Input([4], name: "right");
        var sum = new Add(name: "sum").Call(a, b);
        var model = new Model([a, b], [new Dense(2, name: "out").Call(sum)], name: "two_inputs");
        string text = model.SummaryText();
        var lines = text.Split('\n');
        Assert.Equal("Model: \"two_inputs\"", lines[0]);
        Assert.All(lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith(' ')), l => Assert.Equal(108, l.Length));
        Assert.Contains("Connected to", lines[2]);
        Assert.Contains(lines, l => l.Contains("sum (Add)") && l.Contains("left[0][0], right[0][0]"));
        Assert.Contains(lines, l => l.Contains("out (Dense)") && l.Contains("sum[0][0]") && l.Contains("10"));
        Assert.Contains(" Total params: 10 (40.00 B)", text);
    }
}
