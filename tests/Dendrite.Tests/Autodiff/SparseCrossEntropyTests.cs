using Dendrite.Autodiff;
using Dendrite.Losses;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

public class SparseCrossEntropyTests
{
    [Fact]
    public void LossIsMinusMeanLogOfTheLabelledProbability()
    {
        var p = Const([0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f, 0.25f, 0.5f, 0.25f], 3, 3);
        var labels = Const([0, 2, 1], 3);
        double expected = -(Math.Log(0.7) + Math.Log(0.8) + Math.Log(0.5)) / 3;   // 0.4243219
        Assert.Equal(0.4243219, expected, 1e-7);
        Assert.Equal(expected, Ops.SparseCategoricalCrossentropy(labels, p).Values[0], 1e-6);
        Assert.Equal(expected, new SparseCategoricalCrossentropy().Call(labels, p).Values[0], 1e-6);
    }

    [Fact]
    public void RowsAreNormalisedBeforeTheLogarithm()
    {
        // Keras divides by the row sum first (JAX/NumPy/Torch backends): [1.4, 0.4, 0.2] is [0.7, 0.2, 0.1].
        var p = Const([1.4f, 0.4f, 0.2f, 3f, 1f, 1f], 2, 3);
        var labels = Const([0, 1], 2);
        double expected = -(Math.Log(0.7) + Math.Log(0.2)) / 2;
        Assert.Equal(expected, Ops.SparseCategoricalCrossentropy(labels, p).Values[0], 1e-6);
    }

    [Fact]
    public void ProbabilitiesAreClippedToEpsilon()
    {
        // p_y = 0 → −log(1e-7) = 16.118096; p_y = 1 → −log(float32(1 − 1e-7)) ≈ 1.19e-7.
        var zero = Ops.SparseCategoricalCrossentropy(Const([0], 1), Const([0f, 1f], 1, 2)).Values[0];
        Assert.Equal(16.118096, zero, 1e-5);
        var one = Ops.SparseCategoricalCrossentropy(Const([0], 1), Const([1f, 0f], 1, 2)).Values[0];
        Assert.InRange(one, 1e-8, 2e-7);
    }

    [Fact]
    public void ClippedProbabilityHasNoGradient()
    {
        var p = Param([1f, 0f, 0.2f, 0.8f], 2, 2);
        var grad = GradientCheck.Analytic(() => Ops.SparseCategoricalCrossentropy(Const([0, 1], 2), p), [p])[0];
        Assert.Equal([0f, 0f], grad[..2]);
        // Second row: −log(0.8), gradient (δ_jy/s − p_y/s²)·(−1/q)/N with s = 1, q = 0.8, N = 2.
        Assert.Equal(0.5, grad[2], 1e-6);           // p_y/(q·s²)/N = 0.8/0.8/2
        Assert.Equal(0.5 - 1 / 0.8 / 2, grad[3], 1e-6);
    }

    [Fact]
    public void FromLogitsIsLogSumExpMinusTheLabelledLogit()
    {
        var z = Const([2f, 1f, 0f, -1f, 0.5f, 3f], 2, 3);
        var labels = Const([0, 1], 2);
        double row0 = Math.Log(Math.Exp(2) + Math.Exp(1) + 1) - 2;    // 0.4076060
        double row1 = Math.Log(Math.Exp(-1) + Math.Exp(0.5) + Math.Exp(3)) - 0.5;
        Assert.Equal(0.4076060, row0, 1e-6);
        Assert.Equal((row0 + row1) / 2, Ops.SparseCategoricalCrossentropy(labels, z, fromLogits: true).Values[0], 1e-6);
        Assert.Equal((row0 + row1) / 2, new SparseCategoricalCrossentropy(fromLogits: true).Call(labels, z).Values[0], 1e-6);
    }

    [Fact]
    public void SoftmaxOutputIsScoredFromItsLogits()
    {
        // Same value as from the logits; and where softmax underflows to 0, the loss stays exact instead of clipping at 16.1.
        var z = Const([2f, 1f, 0f], 1, 3);
        Assert.Equal(0.4076060, Ops.SparseCategoricalCrossentropy(Const([0], 1), Ops.Softmax(z)).Values[0], 1e-6);
        var extreme = Const([0f, 1000f], 1, 2);
        Assert.Equal(1000.0, Ops.SparseCategoricalCrossentropy(Const([0], 1), Ops.Softmax(extreme)).Values[0], 1e-3);
    }

    [Fact]
    public void HugeLogitsThroughSoftmaxGiveFiniteLossAndGradient()
    {
        var z = Param([1000f, 1001f, -1000f, 1000f], 2, 2);
        var labels = Const([0, 1], 2);
        var probabilities = Ops.Softmax(z).Values.ToArray();
        Assert.All(probabilities, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1 / (1 + Math.E), probabilities[0], 1e-6);

        using var tape = GradientTape.Start();
        var loss = Ops.SparseCategoricalCrossentropy(labels, Ops.Softmax(z));
        tape.Backward(loss);
        // Row 0: log(1 + e) = 1.3132617; row 1: label logit 1000 beats −1000 by 2000, loss ≈ 0.
        Assert.Equal(Math.Log(1 + Math.E) / 2, loss.Values[0], 1e-5);
        var grad = z.Grad.ToArray();
        Assert.All(grad, v => Assert.True(float.IsFinite(v)));
        Assert.Equal((1 / (1 + Math.E) - 1) / 2, grad[0], 1e-6);
        Assert.Equal((Math.E / (1 + Math.E)) / 2, grad[1], 1e-6);
        Assert.Equal(0.0, grad[2], 1e-6);
        Assert.Equal(0.0, grad[3], 1e-6);
    }

    [Fact]
    public void HugeLogitsFromLogitsAreStableToo()
    {
        var z = Const([1000f, 1001f], 1, 2);
        Assert.Equal(Math.Log(1 + Math.E), Ops.SparseCategoricalCrossentropy(Const([0], 1), z, fromLogits: true).Values[0], 1e-5);
    }

    [Theory]
    [InlineData(10f, "10")]
    [InlineData(-1f, "-1")]
    [InlineData(2.5f, "2.5")]
    [InlineData(float.NaN, "NaN")]
    public void LabelsOutsideTheClassRangeThrowNamingValueAndRange(float label, string shown)
    {
        var p = Const(Uniform(50, 2 * 10, 0.1, 1), 2, 10);
        var labels = Const([3, label], 2);
        foreach (var call in new Func<Tensor>[]
        {
            () => Ops.SparseCategoricalCrossentropy(labels, p),
            () => Ops.SparseCategoricalCrossentropy(labels, p, fromLogits: true),
            () => new SparseCategoricalCrossentropy().Call(labels, p),
        })
        {
            var error = Assert.Throws<ArgumentException>(() => call());
            Assert.Contains($"label value of {shown} ", error.Message);
            Assert.Contains("at index 1", error.Message);
            Assert.Contains("[0, 9]", error.Message);
        }
    }

    [Fact]
    public void LabelMessageUsesInvariantNumbersUnderACommaCulture()
    {
        var p = Const(Uniform(51, 10, 0.1, 1), 1, 10);
        WithCulture(CommaCulture(), () =>
        {
            var error = Assert.Throws<ArgumentException>(() => Ops.SparseCategoricalCrossentropy(Const([2.5f], 1), p));
            Assert.Contains("label value of 2.5 ", error.Message);
        });
    }

    [Fact]
    public void LabelCountMustMatchRows()
    {
        var p = Const(Uniform(52, 3 * 4, 0.1, 1), 3, 4);
        var error = Assert.Throws<ArgumentException>(() => Ops.SparseCategoricalCrossentropy(Const([0, 1], 2), p));
        Assert.Contains("(3, 4)", error.Message);
    }
}
