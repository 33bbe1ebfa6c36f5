using Dendrite.Autodiff;
using Dendrite.Callbacks;
using Dendrite.Layers;

namespace Dendrite.Tests.Reliability;

/// <summary>
/// Softmax and the cross-entropies stay finite, with finite gradients, for logits of ±1e4; a NaN that appears in
/// training is reported with the epoch, the step and the first tensor holding it (TerminateOnNaN's locate option).
/// </summary>
public sealed class NumericalRobustnessTests
{
    private static readonly float[] HugeLogits = [1e4f, -1e4f, 0f, -1e4f, 1e4f, 5e3f];

    private static void AssertFinite(ReadOnlySpan<float> values, string what)
    {
        for (int i = 0; i < values.Length; i++) Assert.True(float.IsFinite(values[i]), $"{what}[{i}] = {values[i]}");
    }

    [Fact]
    public void SoftmaxOfHugeLogitsIsAFiniteDistribution()
    {
        var p = Ops.Softmax(new Tensor(HugeLogits, 2, 3));
        AssertFinite(p.Values, "softmax");
        Assert.Equal(1.0, p.Values[0] + p.Values[1] + p.Values[2], 6);
        Assert.Equal(1f, p.Values[0]);
    }

    public static TheoryData<string> Losses => ["sparse", "categorical", "binary", "softmax-sparse"];

    [Theory]
    [MemberData(nameof(Losses))]
    public void CrossEntropiesOfHugeLogitsHaveFiniteValuesAndGradients(string kind)
    {
        var logits = TestData.Param(HugeLogits, 2, 3);
        using var tape = GradientTape.Start();
        Tensor loss = kind switch
        {
            "sparse" => Ops.SparseCategoricalCrossentropy(TestData.Const([1f, 0f], 2), logits, fromLogits: true),
            "categorical" => Ops.CategoricalCrossentropy(TestData.Const([0f, 1f, 0f, 1f, 0f, 0f], 2, 3), logits, fromLogits: true),
            "binary" => Ops.BinaryCrossentropy(TestData.Const([1f, 0f, 1f, 0f, 1f, 0f], 2, 3), logits, fromLogits: true),
            _ => Ops.SparseCategoricalCrossentropy(TestData.Const([1f, 0f], 2), Ops.Softmax(logits)),
        };
        tape.Backward(loss);
        AssertFinite(loss.Values, "loss");
        // The exact values: a class 2e4 below the best costs 2e4; binary: the mean of (ln 2 / 3, 5000 / 3).
        double expected = kind == "binary" ? (Math.Log(2) / 3 + 5000.0 / 3) / 2 : 2e4;
        Assert.Equal(expected, loss.Values[0], expected * 1e-6);
        AssertFinite(logits.Grad, "gradient");
    }

    [Fact]
    public void ANanInTrainingIsReportedWithEpochStepAndTheFirstTensorHoldingIt()
    {
        var (x, y) = TestData.Blobs(60, seed: 4);
        var model = new Sequential(new InputLayer([2]), new Dense(4, activation: "relu", name: "hidden"), new Dense(3, activation: "softmax", name: "out"));
        // A learning rate that overflows the weights within a few steps.
        model.Compile(optimizer: new Dendrite.Optimizers.SGD(learningRate: 1e30f), loss: "sparse_categorical_crossentropy");
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 3, batchSize: 10, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true, locate: true)]));
        Assert.Matches(@"NaN or Inf loss encountered at batch \d+\. Loss value: (nan|inf)\. Terminating training immediately\. \(epoch \d, step \d+: loss (nan|inf)\)\. The first tensor holding a non-finite value is layer '(hidden|out)' \(Dense\) weight '(kernel|bias)' \(\d+(, \d+)?,?\): element \d+ is (nan|inf|-inf)\.", e.Message);
    }

    [Fact]
    public void WithoutLocateTheMessageIsKeras()
    {
        var (x, y) = TestData.Blobs(60, seed: 4);
        var model = new Sequential(new InputLayer([2]), new Dense(4, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Compile(optimizer: new Dendrite.Optimizers.SGD(learningRate: 1e30f), loss: "sparse_categorical_crossentropy");
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 3, batchSize: 10, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true)]));
        Assert.EndsWith("Terminating training immediately.", e.Message);
    }
}
