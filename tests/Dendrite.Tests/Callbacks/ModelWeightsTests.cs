using Dendrite.Tests.Models;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>Model.GetWeights / SetWeights (Keras' get_weights / set_weights), which EarlyStopping relies on.</summary>
public class ModelWeightsTests
{
    private static Sequential Built(int seed)
    {
        var model = Model(seed);
        model.Build(2);
        return model;
    }

    [Fact]
    public void GetWeightsReturnsCopiesInWeightsOrder()
    {
        var model = Built(710);
        var weights = model.GetWeights();
        Assert.Equal(model.Weights.Select(w => w.Shape), weights.Select(w => w.Shape));
        Assert.Equal(TestModels.WeightValues(model), weights.Select(w => w.ToArray()));
        var before = TestModels.WeightValues(model);
        weights[0][0, 0] = 1234f; // a copy: writing into it must not reach the model
        Assert.Equal(before, TestModels.WeightValues(model));
    }

    [Fact]
    public void SetWeightsCopiesTheValuesIn()
    {
        var source = Built(711);
        var target = Built(712);
        var weights = source.GetWeights();
        target.SetWeights(weights);
        Assert.Equal(TestModels.WeightValues(source), TestModels.WeightValues(target));
        weights[0][0, 0] = 1234f; // later changes to the list do not reach the model
        Assert.Equal(TestModels.WeightValues(source), TestModels.WeightValues(target));
        // Same predictions afterwards.
        var (x, _) = TestData.Blobs(6, seed: 40);
        Assert.Equal(source.Predict(x, verbose: 0).ToArray(), target.Predict(x, verbose: 0).ToArray());
    }

    [Fact]
    public void SetWeightsRejectsAListOfTheWrongLength()
    {
        var model = Built(713);
        var weights = model.GetWeights();
        var error = Assert.Throws<ArgumentException>(() => model.SetWeights([.. weights.Take(3)]));
        Assert.Contains("length 3", error.Message);
        Assert.Contains("4 weights", error.Message);
        Assert.Contains(model.Name, error.Message);
    }

    [Fact]
    public void SetWeightsRejectsAWrongShapeAndChangesNothing()
    {
        var model = Built(714);
        var before = TestModels.WeightValues(model);
        var weights = model.GetWeights().ToList();
        weights[0] = new NDArray<float>(new float[16], 8, 2); // the kernel is (2, 8)
        weights[1] = new NDArray<float>(Enumerable.Repeat(5f, 8).ToArray(), 8);
        var error = Assert.Throws<ArgumentException>(() => model.SetWeights(weights));
        Assert.Contains("(2, 8)", error.Message);
        Assert.Contains("(8, 2)", error.Message);
        // Dendrite checks every shape before copying any (Keras assigns in order up to the bad one).
        Assert.Equal(before, TestModels.WeightValues(model));
    }

    [Fact]
    public void SetWeightsRejectsNull()
    {
        var model = Built(715);
        Assert.Throws<ArgumentNullException>(() => model.SetWeights(null!));
    }
}
