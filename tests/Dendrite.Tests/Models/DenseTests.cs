using System.Text.RegularExpressions;
using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Tests.Models;

public class DenseTests
{
    [Fact]
    public void TutorialModelWeightsShapesNamesAndCounts()
    {
        var hidden = new Dense(512, activation: "relu");
        var output = new Dense(10, activation: "softmax");
        var model = new Sequential(hidden, output);
        Assert.False(hidden.Built);
        model.Build(784);

        Assert.Equal(new Shape(784, 512), hidden.Kernel!.Shape);
        Assert.Equal(new Shape(512), hidden.Bias!.Shape);
        Assert.Equal(new Shape(512, 10), output.Kernel!.Shape);
        Assert.Equal(new Shape(10), output.Bias!.Shape);
        Assert.Equal(["kernel", "bias"], hidden.Weights.Select(w => w.Name));
        Assert.Equal(401_920, hidden.CountParams());
        Assert.Equal(5_130, output.CountParams());
        Assert.Equal(407_050, model.CountParams());
        Assert.Equal(new Shape(10), model.OutputShape);
        Assert.Equal(4, model.TrainableWeights.Count);
        Assert.All(hidden.Bias.Value.Values.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(hidden.Kernel.Value.Values.ToArray(), v => Assert.InRange(v, -0.0680415f, 0.0680415f));
    }

    [Fact]
    public void AutomaticNamesFollowKerasPattern()
    {
        var first = new Dense(3);
        var second = new Dense(3);
        var pattern = new Regex(@"^dense(_(\d+))?$");
        Assert.Matches(pattern, first.Name);
        Assert.Matches(pattern, second.Name);
        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal("mine", new Dense(3, name: "mine").Name);
    }

    [Fact]
    public void NameCounterGivesPrefixThenNumberedSuffixes()
    {
        string prefix = "probe_" + Guid.NewGuid().ToString("N");
        Assert.Equal(prefix, LayerNames.Unique(prefix));
        Assert.Equal(prefix + "_1", LayerNames.Unique(prefix));
        Assert.Equal(prefix + "_2", LayerNames.Unique(prefix));
    }

    [Theory]
    [InlineData("Dense", "dense")]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("GlobalAveragePooling2D", "global_average_pooling2d")]
    [InlineData("LSTM", "lstm")]
    public void SnakeCaseLikeKeras(string className, string expected) => Assert.Equal(expected, LayerNames.SnakeCase(className));

    [Fact]
    public void ComputesInputTimesKernelPlusBiasThenActivation()
    {
        // kernel [[1, −1], [2, 0], [−3, 1]], bias [0.5, −10]
        // x = [[1, 2, 3], [0, 1, 0]]: x·kernel = [[−4, 2], [2, 0]]; + bias = [[−3.5, −8], [2.5, −10]].
        var x = new Tensor([1f, 2f, 3f, 0f, 1f, 0f], 2, 3);
        var linear = new Dense(2);
        var relu = new Dense(2, activation: "relu");
        foreach (var layer in new[] { linear, relu })
        {
            layer.EnsureBuilt(new Shape(3));
            layer.Kernel!.Assign([1, -1, 2, 0, -3, 1]);
            layer.Bias!.Assign([0.5f, -10f]);
        }
        Assert.Equal([-3.5f, -8f, 2.5f, -10f], linear.Call(x).Values.ToArray());
        Assert.Equal([0f, 0f, 2.5f, 0f], relu.Call(x).Values.ToArray());
        Assert.Equal(new Shape(2, 2), linear.Call(x).Shape);
    }

    [Fact]
    public void NoBiasMeansOneWeight()
    {
        var layer = new Dense(4, useBias: false);
        layer.EnsureBuilt(new Shape(6));
        Assert.Single(layer.Weights);
        Assert.Null(layer.Bias);
        Assert.Equal(24, layer.CountParams());
    }

    [Fact]
    public void WrongInputWidthAfterBuildThrowsWithExpectedAndGotShapes()
    {
        var layer = new Dense(512, activation: "relu");
        layer.EnsureBuilt(new Shape(784));
        var direct = Assert.Throws<ArgumentException>(() => layer.Call(new Tensor(new float[5 * 100], 5, 100)));
        Assert.Contains("expected input with last dimension 784", direct.Message);
        Assert.Contains("(5, 100)", direct.Message);

        var model = new Sequential(new Dense(512, activation: "relu"), new Dense(10, activation: "softmax"));
        model.Build(784);
        var throughModel = Assert.Throws<ArgumentException>(() => model.Predict(new NDArray<float>(new float[5 * 100], 5, 100), verbose: 0));
        Assert.Contains("expected input with last dimension 784", throughModel.Message);
        Assert.Contains("(5, 100)", throughModel.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveUnitsThrow(int units) =>
        Assert.Contains($"units={units}", Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(units)).Message);

    [Fact]
    public void DuplicateLayerNamesInASequentialThrow()
    {
        var error = Assert.Throws<ArgumentException>(() => new Sequential(new Dense(2, name: "same"), new Dense(2, name: "same")));
        Assert.Contains("same", error.Message);
    }
}
