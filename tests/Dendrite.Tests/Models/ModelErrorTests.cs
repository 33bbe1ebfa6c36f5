using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Models;

public class ModelErrorTests
{
    private static Sequential Compiled(int seed = 200)
    {
        var model = TestModels.Classifier(seed);
        model.Compile(loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    [Fact]
    public void FitBeforeCompileThrows()
    {
        var (x, y) = Blobs(30, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() => TestModels.Classifier(201).Fit(x, y, verbose: 0));
        Assert.Contains("Compile", error.Message);
        var noLoss = TestModels.Classifier(202);
        noLoss.Compile();
        Assert.Contains("no loss", Assert.Throws<InvalidOperationException>(() => noLoss.Fit(x, y, verbose: 0)).Message);
        Assert.Contains("Compile", Assert.Throws<InvalidOperationException>(() => TestModels.Classifier(203).Evaluate(x, y, verbose: 0)).Message);
    }

    [Fact]
    public void MismatchedSampleCountsThrowNamingBothCounts()
    {
        var (x, _) = Blobs(100, seed: 2);
        var (_, y) = Blobs(99, seed: 2);
        var error = Assert.Throws<ArgumentException>(() => Compiled().Fit(x, y, verbose: 0));
        Assert.Contains("x has 100", error.Message);
        Assert.Contains("y has 99", error.Message);
        Assert.Contains("same number of samples", error.Message);
        var evaluate = Assert.Throws<ArgumentException>(() => Compiled().Evaluate(x, y, verbose: 0));
        Assert.Contains("y has 99", evaluate.Message);
    }

    [Fact]
    public void LabelOutOfRangeThrowsBeforeTraining()
    {
        var (x, y) = Blobs(30, seed: 3);
        var labels = y.ToArray();
        labels[7] = 3;   // 3 classes: valid labels are 0, 1, 2
        var model = Compiled();
        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, new NDArray<int>(labels, 30), verbose: 0));
        Assert.Contains("label value of 3 ", error.Message);
        Assert.Contains("index 7", error.Message);
        Assert.Contains("[0, 2]", error.Message);
        labels[7] = -1;
        Assert.Contains("[0, 2]", Assert.Throws<ArgumentException>(() => model.Evaluate(x, new NDArray<int>(labels, 30), verbose: 0)).Message);
    }

    [Fact]
    public void NonFiniteInputsThrow()
    {
        var (x, y) = Blobs(30, seed: 4);
        var values = x.ToArray();
        values[11] = float.NaN;
        var bad = new NDArray<float>(values, 30, 2);
        var model = Compiled();
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => model.Fit(bad, y, verbose: 0)).Message);
        model.Build(2);
        values[11] = float.PositiveInfinity;
        Assert.Contains("NaN or infinite", Assert.Throws<ArgumentException>(() => model.Predict(new NDArray<float>(values, 30, 2), verbose: 0)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-32)]
    public void NonPositiveBatchSizeThrows(int batchSize)
    {
        var (x, y) = Blobs(30, seed: 5);
        var model = Compiled();
        Assert.Contains("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, batchSize: batchSize, verbose: 0)).Message);
        model.Build(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(x, y, batchSize: batchSize, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, batchSize: batchSize, verbose: 0));
    }

    [Fact]
    public void PredictBeforeBuildThrows()
    {
        var (x, _) = Blobs(30, seed: 6);
        var error = Assert.Throws<InvalidOperationException>(() => TestModels.Classifier(204).Predict(x, verbose: 0));
        Assert.Matches("not (been |yet )?built", error.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void ValidationSplitOutsideZeroToOneThrows(double split)
    {
        var (x, y) = Blobs(30, seed: 7);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Compiled().Fit(x, y, validationSplit: split, verbose: 0));
        Assert.Contains("validationSplit", error.Message);
    }

    [Fact]
    public void ValidationSplitLeavingNoTrainingSamplesThrows()
    {
        var (x, y) = Blobs(10, seed: 8);
        // floor(10 · (1 − 0.95)) = 0 samples left to train on.
        var error = Assert.Throws<ArgumentException>(() => Compiled().Fit(x, y, validationSplit: 0.95, verbose: 0));
        Assert.Contains("non-empty", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void InvalidVerboseThrows(int verbose)
    {
        var (x, y) = Blobs(30, seed: 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Compiled().Fit(x, y, verbose: verbose));
    }

    [Fact]
    public void InputsWithoutAFeatureAxisThrow()
    {
        var model = Compiled();
        var error = Assert.Throws<ArgumentException>(() => model.Fit(new NDArray<float>(new float[30], 30), new NDArray<int>(new int[30], 30), verbose: 0));
        Assert.Contains("(30,)", error.Message);
    }

    [Fact]
    public void WrongWidthAfterFitThrows()
    {
        var (x, y) = Blobs(30, seed: 10);
        var model = Compiled();
        model.Fit(x, y, verbose: 0);
        var error = Assert.Throws<ArgumentException>(() => model.Evaluate(new NDArray<float>(new float[30 * 3], 30, 3), y, verbose: 0));
        Assert.Contains("expected input with last dimension 2", error.Message);
        Assert.Contains("(30, 3)", error.Message);
    }

    [Fact]
    public void AddingALayerAfterBuildThrows()
    {
        var model = TestModels.Classifier(205);
        model.Build(2);
        Assert.Throws<InvalidOperationException>(() => model.Add(new Dense(2)));
    }
}
