using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Every op's backward against finite differences.</summary>
public class OpGradientTests
{
    [Fact]
    public void MatMulGradientsForBothOperands()
    {
        var a = Param(Uniform(1, 3 * 4), 3, 4);
        var b = Param(Uniform(2, 4 * 5), 4, 5);
        var w = Uniform(3, 3 * 5);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(a, b), w), [a, b]);
    }

    [Fact]
    public void MatMulGradientsWithLeadingBatchAxes()
    {
        var a = Param(Uniform(4, 2 * 3 * 4), 2, 3, 4);
        var b = Param(Uniform(5, 4 * 5), 4, 5);
        var w = Uniform(6, 2 * 3 * 5);
        var product = Ops.MatMul(a, b);
        Assert.Equal(new Shape(2, 3, 5), product.Shape);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(a, b), w), [a, b]);
    }

    [Fact]
    public void MatMulGradientWithOnlyOneOperandTrainable()
    {
        var x = Const(Uniform(7, 6 * 3), 6, 3);
        var kernel = Param(Uniform(8, 3 * 2), 3, 2);
        var w = Uniform(9, 6 * 2);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(x, kernel), w), [x, kernel]);
        Assert.True(x.Grad.IsEmpty, "a constant input must not receive a gradient");
    }

    [Fact]
    public void BiasAddGradientsForInputAndBias()
    {
        var x = Param(Uniform(10, 2 * 3 * 4), 2, 3, 4);
        var bias = Param(Uniform(11, 4), 4);
        var w = Uniform(12, 2 * 3 * 4);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.BiasAdd(x, bias), w), [x, bias]);
    }

    [Fact]
    public void ReluGradientAwayFromTheKink()
    {
        var x = Param(AwayFromZero(13, 4 * 6, 0.1, 2.0), 4, 6);
        var w = Uniform(14, 4 * 6);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Relu(x), w), [x]);
        // Both sides of the kink occur, so a wrong mask would fail.
        Assert.Contains(x.Values.ToArray(), v => v < 0);
        Assert.Contains(x.Values.ToArray(), v => v > 0);
    }

    [Fact]
    public void SigmoidGradient()
    {
        var x = Param(Uniform(15, 3 * 5, -4, 4), 3, 5);
        var w = Uniform(16, 3 * 5);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Sigmoid(x), w), [x]);
    }

    [Fact]
    public void TanhGradient()
    {
        var x = Param(Uniform(17, 3 * 5, -2, 2), 3, 5);
        var w = Uniform(18, 3 * 5);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Tanh(x), w), [x]);
    }

    [Fact]
    public void SoftmaxGradient()
    {
        var x = Param(Uniform(19, 4 * 5, -3, 3), 4, 5);
        var w = Uniform(20, 4 * 5);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Softmax(x), w), [x]);
    }

    [Fact]
    public void SoftmaxGradientWithLeadingBatchAxes()
    {
        var x = Param(Uniform(21, 2 * 2 * 3, -3, 3), 2, 2, 3);
        var w = Uniform(22, 2 * 2 * 3);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Softmax(x), w), [x]);
    }

    [Fact]
    public void SparseCrossEntropyFromUnnormalisedProbabilities()
    {
        // Strictly positive rows that do not sum to 1: the loss normalises them, then clips (not active here).
        var p = Param(Uniform(23, 5 * 4, 0.2, 1.5), 5, 4);
        var labels = Const([0, 3, 1, 2, 3], 5);
        GradientCheck.Check(() => Ops.SparseCategoricalCrossentropy(labels, p), [p], h: 1e-3);
    }

    [Fact]
    public void SparseCrossEntropyFromLogits()
    {
        var z = Param(Uniform(24, 5 * 4, -3, 3), 5, 4);
        var labels = Const([1, 0, 3, 3, 2], 5);
        GradientCheck.Check(() => Ops.SparseCategoricalCrossentropy(labels, z, fromLogits: true), [z]);
    }

    [Fact]
    public void SparseCrossEntropyWithLabelsOfShapeNBy1()
    {
        var z = Param(Uniform(25, 3 * 4, -3, 3), 3, 4);
        var labels = Const([2, 0, 1], 3, 1);
        GradientCheck.Check(() => Ops.SparseCategoricalCrossentropy(labels, z, fromLogits: true), [z]);
    }

    [Fact]
    public void FusedSoftmaxAndCrossEntropyGivesTheGradientOfLossOfSoftmax()
    {
        var z = Param(Uniform(26, 6 * 5, -3, 3), 6, 5);
        var labels = Const([4, 0, 2, 2, 1, 3], 6);
        GradientCheck.Check(() => Ops.SparseCategoricalCrossentropy(labels, Ops.Softmax(z)), [z]);

        // The gradient has the closed form (softmax(z) − onehot(y)) / N.
        var grad = GradientCheck.Analytic(() => Ops.SparseCategoricalCrossentropy(labels, Ops.Softmax(z)), [z])[0];
        for (int r = 0; r < 6; r++)
        {
            var row = z.Values.Slice(r * 5, 5).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < 5; j++)
            {
                double expected = (Math.Exp(row[j] - max) / sum - (j == (int)labels.Values[r] ? 1 : 0)) / 6;
                Assert.Equal(expected, grad[r * 5 + j], 1e-6);
            }
        }
    }

    [Fact]
    public void DenseLikeChainMatMulBiasReluSoftmaxLoss()
    {
        var x = Const(Uniform(27, 4 * 3, -2, 2), 4, 3);
        var kernel1 = Param(Uniform(28, 3 * 6), 3, 6);
        var bias1 = Param(Uniform(29, 6, -0.1, 0.1), 6);
        var kernel2 = Param(Uniform(30, 6 * 3), 6, 3);
        var bias2 = Param(Uniform(31, 3, -0.1, 0.1), 3);
        var labels = Const([0, 2, 1, 2], 4);
        Tensor Forward()
        {
            var hidden = Ops.Relu(Ops.BiasAdd(Ops.MatMul(x, kernel1), bias1));
            var probabilities = Ops.Softmax(Ops.BiasAdd(Ops.MatMul(hidden, kernel2), bias2));
            return Ops.SparseCategoricalCrossentropy(labels, probabilities);
        }
        // Keep pre-activations away from relu's kink so h = 1e-3 never crosses it.
        var pre = Ops.BiasAdd(Ops.MatMul(x, kernel1), bias1).Values.ToArray();
        Assert.True(pre.Min(Math.Abs) > 5e-3, "choose another seed: a pre-activation is too close to 0");
        GradientCheck.Check(Forward, [kernel1, bias1, kernel2, bias2], h: 1e-3);
    }
}
