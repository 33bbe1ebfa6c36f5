using Dendrite.Autodiff;
using Dendrite.Tests.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// Every loss's gradient, for predictions and for targets, against central finite differences. Inputs stay away from
/// the kinks (clip bounds, Huber's ±δ, MAE's 0) where a one-sided derivative would be compared with a two-sided one.
/// </summary>
public class LossGradientTests
{
    private const int Rows = 3, Cols = 4;

    [Fact]
    public void MeanSquaredError()
    {
        var t = Param(Uniform(1, Rows * Cols, -2, 2), Rows, Cols); var p = Param(Uniform(2, Rows * Cols, -2, 2), Rows, Cols);
        GradientCheck.Check(() => Ops.MeanSquaredError(t, p), [t, p]);
    }

    [Fact]
    public void MeanAbsoluteError()
    {
        var t = Param(Uniform(3, Rows * Cols, -1, 1), Rows, Cols);
        var p = Param([.. t.Values.ToArray().Zip(AwayFromZero(4, Rows * Cols, 0.1, 1), (a, e) => a + e)], Rows, Cols);
        GradientCheck.Check(() => Ops.MeanAbsoluteError(t, p), [t, p]);
    }

    [Fact]
    public void HuberOnBothSidesOfDelta()
    {
        var t = Param(Uniform(5, Rows * Cols, -1, 1), Rows, Cols);
        // |errors| in [0.05, 0.7] ∪ [1.3, 2]: both branches, none near δ = 1.
        var errors = AwayFromZero(6, Rows * Cols, 0.05, 0.7).Select((e, i) => i % 2 == 0 ? e : e + MathF.Sign(e) * 1.3f).ToArray();
        var p = Param([.. t.Values.ToArray().Zip(errors, (a, e) => a + e)], Rows, Cols);
        GradientCheck.Check(() => Ops.Huber(t, p, 1f), [t, p]);
    }

    [Fact]
    public void KLDivergenceInsideTheClip()
    {
        var t = Param(Uniform(7, Rows * Cols, 0.05, 1), Rows, Cols); var p = Param(Uniform(8, Rows * Cols, 0.05, 0.95), Rows, Cols);
        GradientCheck.Check(() => Ops.KLDivergence(t, p), [t, p], h: 1e-3);
    }

    [Fact]
    public void ClippedOperandsGetNoGradient()
    {
        var t = Param([0f, 0.5f, 2f, 0.5f], 1, 4); var p = Param([0.3f, 0f, 0.3f, 1.5f], 1, 4);
        var grads = GradientCheck.Analytic(() => Ops.KLDivergence(t, p), [t, p]);
        Assert.Equal(0f, grads[0][0]);   // t below 1e-7
        Assert.Equal(0f, grads[0][2]);   // t above 1
        Assert.Equal(0f, grads[1][1]);   // p below 1e-7
        Assert.Equal(0f, grads[1][3]);   // p above 1
        Assert.NotEqual(0f, grads[1][0]);

        var q = Param([0f, 1f, 0.4f], 1, 3);
        var bce = GradientCheck.Analytic(() => Ops.BinaryCrossentropy(Const([1f, 0f, 1f], 1, 3), q), [q])[0];
        Assert.Equal([0f, 0f], bce[..2]);   // p = 0 and p = 1 sit outside [1e-7, 1 − 1e-7]
        Assert.Equal((0.4 - 1) / (0.4 * 0.6) / 3, bce[2], 1e-6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void BinaryCrossentropyFromProbabilities(float smoothing)
    {
        var t = Param(Uniform(9, Rows * Cols, 0, 1), Rows, Cols); var p = Param(Uniform(10, Rows * Cols, 0.1, 0.9), Rows, Cols);
        GradientCheck.Check(() => Ops.BinaryCrossentropy(t, p, labelSmoothing: smoothing), [t, p], h: 1e-3);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void BinaryCrossentropyFromLogits(float smoothing)
    {
        var t = Param(Uniform(11, Rows * Cols, 0, 1), Rows, Cols); var x = Param(Uniform(12, Rows * Cols, -5, 5), Rows, Cols);
        GradientCheck.Check(() => Ops.BinaryCrossentropy(t, x, fromLogits: true, labelSmoothing: smoothing), [t, x]);
    }

    [Fact]
    public void BinaryCrossentropyThroughASigmoidReachesTheLogits()
    {
        var t = Const(Uniform(13, Rows * Cols, 0, 1), Rows, Cols); var z = Param(Uniform(14, Rows * Cols, -5, 5), Rows, Cols);
        GradientCheck.Check(() => Ops.BinaryCrossentropy(t, Ops.Sigmoid(z)), [z]);
        // Saturated logits keep the from-logits gradient σ(z) − t instead of a clipped 0.
        var saturated = Param([40f, -40f], 2, 1);
        var grad = GradientCheck.Analytic(() => Ops.BinaryCrossentropy(Const([0f, 0f], 2, 1), Ops.Sigmoid(saturated)), [saturated])[0];
        Assert.Equal(0.5, grad[0], 1e-6);
        Assert.Equal(0.0, grad[1], 1e-6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CategoricalCrossentropyFromProbabilities(float smoothing)
    {
        var t = Param(Uniform(15, Rows * Cols, 0, 1), Rows, Cols); var p = Param(Uniform(16, Rows * Cols, 0.2, 1.5), Rows, Cols);
        GradientCheck.Check(() => Ops.CategoricalCrossentropy(t, p, labelSmoothing: smoothing), [t, p], h: 1e-3);
    }

    [Fact]
    public void CategoricalCrossentropyFromProbabilitiesWithAClippedEntry()
    {
        // The zero entry sits at the clip; the others still receive the normalisation's gradient.
        var t = Const([0.2f, 0.3f, 0.5f, 0f, 1f, 0f], 2, 3); var p = Param([0f, 0.4f, 0.6f, 0.3f, 0.3f, 0.4f], 2, 3);
        var grad = GradientCheck.Analytic(() => Ops.CategoricalCrossentropy(t, p), [p])[0];
        // Row 0: s = 1, q = p; only the unclipped entries count: g_j = −t_j/q_j, dp_k = (g_k − Σ_j g_j q_j)/s / rows.
        double sumGq = -(0.3 + 0.5);
        Assert.Equal((0 - sumGq) / 2, grad[0], 1e-6);
        Assert.Equal((-0.3 / 0.4 - sumGq) / 2, grad[1], 1e-6);
        Assert.Equal((-0.5 / 0.6 - sumGq) / 2, grad[2], 1e-6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void CategoricalCrossentropyFromLogits(float smoothing)
    {
        var t = Param(Uniform(17, Rows * Cols, 0, 1), Rows, Cols); var z = Param(Uniform(18, Rows * Cols, -3, 3), Rows, Cols);
        GradientCheck.Check(() => Ops.CategoricalCrossentropy(t, z, fromLogits: true, labelSmoothing: smoothing), [t, z]);
    }

    [Fact]
    public void CategoricalCrossentropyThroughASoftmaxReachesTheLogits()
    {
        var t = Const(Uniform(19, Rows * Cols, 0, 1), Rows, Cols); var z = Param(Uniform(20, Rows * Cols, -3, 3), Rows, Cols);
        GradientCheck.Check(() => Ops.CategoricalCrossentropy(t, Ops.Softmax(z), labelSmoothing: 0.1f), [z]);
    }

    [Fact]
    public void ATargetUsedTwiceAccumulatesItsGradient()
    {
        // The loss ops add into a gradient another op already wrote in the same pass.
        var t = Param(Uniform(21, Rows * Cols, 0.1, 0.9), Rows, Cols); var p = Param(Uniform(22, Rows * Cols, 0.1, 0.9), Rows, Cols);
        GradientCheck.Check(() => Ops.MeanSquaredError(t, p) + Ops.BinaryCrossentropy(t, p) + Ops.CategoricalCrossentropy(t, p)
            + Ops.KLDivergence(t, p) + Ops.Huber(t, p, 0.05f), [t, p], h: 1e-3);
    }

    [Fact]
    public void AFunctionLossHasTheGradientOfItsOps()
    {
        var loss = Dendrite.Losses.Loss.FromFunction((yTrue, yPred) => Ops.Mean(Ops.Square(Ops.Log(yPred + 1f) - Ops.Log(yTrue + 1f)), axis: -1));
        var t = Const(Uniform(23, Rows * Cols, 0, 2), Rows, Cols); var p = Param(Uniform(24, Rows * Cols, 0, 2), Rows, Cols);
        GradientCheck.Check(() => loss.Call(t, p), [p]);
    }
}
