using Dendrite.Autodiff;
using Dendrite.Losses;
using Dendrite.Tests.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// The gradients of the losses added for Keras parity, of every reduction and of the unreduced (per-row) fused ops,
/// against central finite differences. Inputs stay away from kinks (hinge corners, clip bounds, arg-max ties).
/// </summary>
public class NewLossGradientTests
{
    private const int Rows = 3, Cols = 4;

    private static Tensor P(float[] v) => Param(v, Rows, Cols);

    private static void Check(Loss loss, Tensor t, Tensor p, Tensor? w = null, double h = 1e-3) =>
        GradientCheck.Check(() => Scalar(loss.Call(t, p, w)), [t, p], h: h);

    /// <summary>A reduction "none" result summed, so that the check sees every value's gradient.</summary>
    private static Tensor Scalar(Tensor x) => x.Shape.Rank == 0 ? x : Ops.Sum(x);

    private static float[] AwayFromOne(int seed) =>
        [.. Uniform(seed, Rows * Cols, 0.1, 0.8).Select((v, i) => i % 2 == 0 ? v : v + 1.3f)]; // |t·p| never near 1

    [Fact]
    public void Hinges()
    {
        float[] signs = [.. Uniform(1, Rows * Cols).Select(v => v < 0 ? -1f : 1f)];
        var p = P([.. AwayFromOne(2).Select((v, i) => i % 3 == 0 ? -v : v)]);
        Check(new Hinge(), P(signs), p);
        Check(new SquaredHinge(), P(signs), p);
        var oneHot = P([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
        Check(new CategoricalHinge(), oneHot, P(Uniform(3, Rows * Cols, -1, 1)));
        // 0/1 targets are mapped to ±1: the target gradient carries the factor 2 of 2t − 1.
        var binary = Param([0, 1, 1, 0], 1, 4); var q = Param([0.3f, 0.2f, -0.4f, 0.5f], 1, 4);
        var grads = GradientCheck.Analytic(() => new Hinge().Call(binary, q), [binary, q]);
        Assert.Equal(-2 * 0.3f / 4, grads[0][0], 6); // d/dt max(1 − (2t − 1)p, 0) = −2p
    }

    [Fact]
    public void RegressionLosses()
    {
        var t = P(Uniform(4, Rows * Cols, 0.2, 3)); var p = P(Uniform(5, Rows * Cols, 0.2, 3));
        Check(new Poisson(), t, p);
        Check(new MeanSquaredLogarithmicError(), t, p);
        Check(new MeanAbsolutePercentageError(), t, P([.. t.Values.ToArray().Zip(Uniform(6, Rows * Cols, 0.1, 0.5), (a, e) => a + e)]));
        Check(new LogCosh(), P(Uniform(7, Rows * Cols, -3, 3)), P(Uniform(8, Rows * Cols, -3, 3)));
        Check(new CosineSimilarity(), P(Uniform(9, Rows * Cols)), P(Uniform(10, Rows * Cols)));
        Check(new CosineSimilarity(axis: 0), P(Uniform(9, Rows * Cols)), P(Uniform(10, Rows * Cols)));
        Check(new Dice(), P(Uniform(11, Rows * Cols, 0, 1)), P(Uniform(12, Rows * Cols, 0.1, 1)));
        Check(new Dice(axis: [1], reduction: null), P(Uniform(11, Rows * Cols, 0, 1)), P(Uniform(12, Rows * Cols, 0.1, 1)));
    }

    [Fact]
    public void FocalCrossentropies()
    {
        var t = P([1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0]);
        var probs = P(Uniform(13, Rows * Cols, 0.05, 0.95));
        Check(new BinaryFocalCrossentropy(gamma: 2f), t, probs);
        Check(new BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 1.5f, fromLogits: true, labelSmoothing: 0.1f), t, P(Uniform(14, Rows * Cols, -3, 3)));
        var oneHot = P([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
        Check(new CategoricalFocalCrossentropy(), oneHot, probs);
        Check(new CategoricalFocalCrossentropy(gamma: 1f, fromLogits: true, labelSmoothing: 0.1f, reduction: null), oneHot, P(Uniform(15, Rows * Cols, -2, 2)));
    }

    public static TheoryData<string> Reductions() => ["sum", "none", "mean_with_sample_weight"];

    [Theory] // the fused ops' unreduced (per-row) form, weighted per sample and per step, for every existing loss
    [MemberData(nameof(Reductions))]
    public void FusedLossesUnreduced(string reduction)
    {
        // (2 samples, 2 steps, 3 classes) with one weight per step.
        var w = Const([0.5f, 2f, 1f, 0.25f], 2, 2);
        var oneHot = Param([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], 2, 2, 3);
        var probs = Param(Uniform(16, 12, 0.05, 0.95), 2, 2, 3);
        var logits = Param(Uniform(17, 12, -2, 2), 2, 2, 3);
        var any = Param(Uniform(18, 12, -2, 2), 2, 2, 3);
        GradientCheck.Check(() => Scalar(new MeanSquaredError(reduction).Call(any, logits, w)), [any, logits], h: 1e-3);
        GradientCheck.Check(() => Scalar(new Huber(0.5f, reduction).Call(any, logits, w)), [any, logits], h: 1e-3);
        GradientCheck.Check(() => Scalar(new KLDivergence(reduction).Call(probs, Ops.Softmax(logits), w)), [probs, logits], h: 1e-3);
        GradientCheck.Check(() => Scalar(new BinaryCrossentropy(labelSmoothing: 0.1f, reduction: reduction).Call(oneHot, probs, w)), [oneHot, probs], h: 1e-3);
        GradientCheck.Check(() => Scalar(new BinaryCrossentropy(fromLogits: true, reduction: reduction).Call(oneHot, logits, w)), [oneHot, logits], h: 1e-3);
        GradientCheck.Check(() => Scalar(new CategoricalCrossentropy(labelSmoothing: 0.1f, reduction: reduction).Call(oneHot, probs, w)), [oneHot, probs], h: 1e-3);
        GradientCheck.Check(() => Scalar(new CategoricalCrossentropy(fromLogits: true, reduction: reduction).Call(oneHot, logits, w)), [oneHot, logits], h: 1e-3);
        var labels = Const([0, 2, 1, 255], 2, 2);
        GradientCheck.Check(() => Scalar(new SparseCategoricalCrossentropy(true, ignoreClass: 255, reduction: reduction).Call(labels, logits, w)), [logits], h: 1e-3);
        GradientCheck.Check(() => Scalar(new SparseCategoricalCrossentropy(false, ignoreClass: 255, reduction: reduction).Call(labels, probs, w)), [probs], h: 1e-3);
    }

    [Fact] // the ignored rows get exactly no gradient, under the default reduction too
    public void IgnoredLabelsGetNoGradient()
    {
        var logits = Param(Uniform(19, 9, -2, 2), 3, 3);
        var grads = GradientCheck.Analytic(() => new SparseCategoricalCrossentropy(true, ignoreClass: -1).Call(Const([1, -1, 0], 3), logits), [logits])[0];
        Assert.Equal([0f, 0f, 0f], grads[3..6]);
        Assert.NotEqual(0f, grads[0]);
        GradientCheck.Check(() => new SparseCategoricalCrossentropy(true, ignoreClass: -1).Call(Const([1, -1, 0], 3), logits), [logits], h: 1e-3);
    }

    [Fact] // axis ≠ −1 moves the class axis last: the gradient flows back through the transpose
    public void AnotherAxis()
    {
        var t = Param([1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0], 2, 3, 2);
        var z = Param(Uniform(20, 12, -2, 2), 2, 3, 2);
        GradientCheck.Check(() => new CategoricalCrossentropy(fromLogits: true, axis: 1).Call(t, z), [t, z], h: 1e-3);
        GradientCheck.Check(() => new BinaryCrossentropy(fromLogits: true, axis: 1).Call(t, z), [t, z], h: 1e-3);
        GradientCheck.Check(() => new SparseCategoricalCrossentropy(fromLogits: true, axis: 1).Call(Const([0, 1, 2, 0], 2, 2), z), [z], h: 1e-3);
    }
}
