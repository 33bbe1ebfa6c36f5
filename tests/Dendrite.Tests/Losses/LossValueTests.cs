using Dendrite.Autodiff;
using Dendrite.Losses;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>Every loss's value against <see cref="LossReference"/> (Keras' formulas in float64) on small random inputs.</summary>
public class LossValueTests
{
    private const int Rows = 4, Cols = 5;
    private const double Tolerance = 2e-6;

    private static float[] OneHot(int seed, int rows, int cols)
    {
        var rng = new Random(seed);
        var t = new float[rows * cols];
        for (int r = 0; r < rows; r++) t[r * cols + rng.Next(cols)] = 1f;
        return t;
    }

    private static void AssertClose(double expected, Tensor actual)
    {
        Assert.Equal(0, actual.Shape.Rank);
        Assert.True(Math.Abs(expected - actual.Values[0]) <= Tolerance * Math.Max(1, Math.Abs(expected)),
            $"expected {expected:R}, got {actual.Values[0]:R}");
    }

    [Fact]
    public void MeanSquaredErrorIsTheMeanOfSquaredDifferences()
    {
        var t = Uniform(1, Rows * Cols, -2, 2); var p = Uniform(2, Rows * Cols, -2, 2);
        double expected = LossReference.MeanSquaredError(t, p, Cols);
        AssertClose(expected, Ops.MeanSquaredError(Const(t, Rows, Cols), Const(p, Rows, Cols)));
        AssertClose(expected, new MeanSquaredError().Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
        // Keras' docstring example: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [1, 0]] → 0.5.
        AssertClose(0.5, Ops.MeanSquaredError(Const([0, 1, 0, 0], 2, 2), Const([1, 1, 1, 0], 2, 2)));
    }

    [Fact]
    public void MeanAbsoluteErrorIsTheMeanOfAbsoluteDifferences()
    {
        var t = Uniform(3, Rows * Cols, -2, 2); var p = Uniform(4, Rows * Cols, -2, 2);
        AssertClose(LossReference.MeanAbsoluteError(t, p, Cols), new MeanAbsoluteError().Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    [InlineData(2.5)]
    public void HuberIsQuadraticInsideDeltaAndLinearOutside(double delta)
    {
        // Errors spread over [−3, 3] so that both branches are taken for every delta.
        var t = Uniform(5, Rows * Cols, -1.5, 1.5); var p = Uniform(6, Rows * Cols, -1.5, 1.5);
        AssertClose(LossReference.Huber(t, p, Cols, delta), new Huber((float)delta).Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
    }

    [Fact]
    public void HuberMatchesKerasDocstringExample()
    {
        // keras.losses.huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) → 0.155
        AssertClose(0.155, Ops.Huber(Const([0, 1, 0, 0], 2, 2), Const([0.6f, 0.4f, 0.4f, 0.6f], 2, 2)));
    }

    [Fact]
    public void KLDivergenceSumsOverTheLastAxisWithBothOperandsClipped()
    {
        var t = Uniform(7, Rows * Cols, 0, 1); var p = Uniform(8, Rows * Cols, 0, 1);
        t[0] = 0f; t[3] = -0.5f; p[1] = 0f; p[2] = 1.5f;   // clipped at 1e-7 and at 1
        double expected = LossReference.KLDivergence(t, p, Cols);
        AssertClose(expected, new KLDivergence().Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
        // A sum, not a mean, over the last axis: the per-sample value is Cols times the element mean.
        double meanOverElements = t.Zip(p, (a, b) => Math.Clamp(a, 1e-7f, 1f) * Math.Log(Math.Clamp(a, 1e-7f, 1f) / (double)Math.Clamp(b, 1e-7f, 1f))).Average();
        Assert.Equal(expected, meanOverElements * Cols, 1e-9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public void BinaryCrossentropyFromProbabilitiesClipsAndSmooths(double smoothing)
    {
        var t = Uniform(9, Rows * Cols, 0, 1); var p = Uniform(10, Rows * Cols, 0, 1);
        t[0] = 1; t[1] = 0; t[2] = 1; t[3] = 0;
        p[0] = 0f; p[1] = 1f; p[2] = 1f; p[3] = 1e-9f;   // clipped to 1e-7 or 1 − 1e-7
        var loss = new BinaryCrossentropy(labelSmoothing: (float)smoothing);
        AssertClose(LossReference.BinaryCrossentropy(t, p, Cols, smoothing), loss.Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
    }

    [Fact]
    public void BinaryCrossentropyOfACertainWrongAnswerIsTheClippedLogarithm()
    {
        // p = 0 for a positive target: −log(float32(1e-7)) = 16.118095; p = 1 for a negative one: −log(1 − float32(1 − 1e-7)).
        AssertClose(-Math.Log(LossReference.Eps), Ops.BinaryCrossentropy(Const([1f], 1, 1), Const([0f], 1, 1)));
        AssertClose(-Math.Log(1 - LossReference.High), Ops.BinaryCrossentropy(Const([0f], 1, 1), Const([1f], 1, 1)));
        Assert.Equal(15.942385, -Math.Log(1 - LossReference.High), 1e-5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void BinaryCrossentropyFromLogitsIsStable(double smoothing)
    {
        var t = Uniform(11, Rows * Cols, 0, 1); var x = Uniform(12, Rows * Cols, -6, 6);
        var loss = new BinaryCrossentropy(fromLogits: true, labelSmoothing: (float)smoothing);
        AssertClose(LossReference.BinaryCrossentropyFromLogits(t, x, Cols, smoothing), loss.Call(Const(t, Rows, Cols), Const(x, Rows, Cols)));
        // Keras' docstring: y_true [0, 1, 0, 0], logits [−18.6, 0.51, 2.94, −12.8] → 0.8654; huge logits stay finite.
        AssertClose(0.865458, Ops.BinaryCrossentropy(Const([0, 1, 0, 0], 4), Const([-18.6f, 0.51f, 2.94f, -12.8f], 4), fromLogits: true));
        AssertClose(1000.0 / 2, Ops.BinaryCrossentropy(Const([0, 1], 1, 2), Const([1000f, 1000f], 1, 2), fromLogits: true));
    }

    [Fact]
    public void BinaryCrossentropyBehindASigmoidUsesTheLogits()
    {
        // A saturated sigmoid gives p = 1 in float32; from the logits the loss is 30, not the clipped 15.94.
        var z = Const([30f, -2f], 2, 1);
        var t = Const([0f, 1f], 2, 1);
        double expected = LossReference.BinaryCrossentropyFromLogits([0f, 1f], [30f, -2f], 1);
        Assert.Equal(1f, Ops.Sigmoid(z).Values[0]);
        AssertClose(expected, Ops.BinaryCrossentropy(t, Ops.Sigmoid(z)));
        // As Keras on TensorFlow, the logits behind the sigmoid win even when fromLogits is (wrongly) set.
        AssertClose(expected, Ops.BinaryCrossentropy(t, Ops.Sigmoid(z), fromLogits: true));
        Assert.True(expected > 15.1, $"{expected}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void CategoricalCrossentropyNormalisesClipsAndSmooths(double smoothing)
    {
        var t = OneHot(13, Rows, Cols); var p = Uniform(14, Rows * Cols, 0, 2);   // rows do not sum to 1
        p[0] = 0f; p[Cols + 1] = 0f;                                              // zero probabilities are clipped
        t[0] = 1; t[1] = 0; t[2] = 0; t[3] = 0; t[4] = 0;
        var loss = new CategoricalCrossentropy(labelSmoothing: (float)smoothing);
        AssertClose(LossReference.CategoricalCrossentropy(t, p, Cols, smoothing), loss.Call(Const(t, Rows, Cols), Const(p, Rows, Cols)));
        // Keras' docstring: [[0, 1, 0], [0, 0, 1]] against [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] → [0.0513, 2.303].
        AssertClose((-Math.Log(0.95) - Math.Log(0.1)) / 2,
            Ops.CategoricalCrossentropy(Const([0, 1, 0, 0, 0, 1], 2, 3), Const([0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f], 2, 3)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void CategoricalCrossentropyFromLogitsAndBehindASoftmax(double smoothing)
    {
        var t = Uniform(15, Rows * Cols, 0, 1); var z = Uniform(16, Rows * Cols, -4, 4);   // soft targets
        double expected = LossReference.CategoricalCrossentropyFromLogits(t, z, Cols, smoothing);
        var fromLogits = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: (float)smoothing);
        AssertClose(expected, fromLogits.Call(Const(t, Rows, Cols), Const(z, Rows, Cols)));
        var fromSoftmax = new CategoricalCrossentropy(labelSmoothing: (float)smoothing);
        AssertClose(expected, fromSoftmax.Call(Const(t, Rows, Cols), Ops.Softmax(Const(z, Rows, Cols))));
    }

    [Fact]
    public void CategoricalCrossentropyBehindASaturatedSoftmaxStaysExact()
    {
        // softmax([0, 1000]) is [0, 1] in float32; from the logits the loss of class 0 is 1000, not −log(1e-7).
        var loss = Ops.CategoricalCrossentropy(Const([1f, 0f], 1, 2), Ops.Softmax(Const([0f, 1000f], 1, 2)));
        Assert.Equal(1000.0, loss.Values[0], 1e-3);
    }

    [Fact]
    public void SparseFromLogitsBehindASoftmaxUsesTheLogitsAsTensorFlowDoes()
    {
        var z = Const([2f, 1f, 0f], 1, 3);
        double expected = Math.Log(Math.Exp(2) + Math.Exp(1) + 1) - 2;
        AssertClose(expected, new SparseCategoricalCrossentropy(fromLogits: true).Call(Const([0f], 1), Ops.Softmax(z)));
    }

    [Fact]
    public void ATrailingAxisOfOneIsSqueezedOrAddedAsInKeras()
    {
        var t = Uniform(17, 6, 0, 1); var p = Uniform(18, 6, 0.1, 0.9);
        // (6,) targets against (6, 1) predictions: elementwise, one value per sample.
        AssertClose(LossReference.MeanSquaredError(t, p, 1), Ops.MeanSquaredError(Const(t, 6), Const(p, 6, 1)));
        AssertClose(LossReference.BinaryCrossentropy(t, p, 1), Ops.BinaryCrossentropy(Const(t, 6, 1), Const(p, 6)));
        // KL sums over the last axis: against (6, 1) each sample is one value, the mean of six terms.
        AssertClose(LossReference.KLDivergence(t, p, 1), Ops.KLDivergence(Const(t, 6, 1), Const(p, 6)));
        // Two rank-1 operands are one sample: KL is then the sum of all six terms.
        AssertClose(LossReference.KLDivergence(t, p, 6), Ops.KLDivergence(Const(t, 6), Const(p, 6)));
        // (2, 3, 1) predictions against (2, 3) targets: the predictions lose the axis, rows of three.
        AssertClose(LossReference.KLDivergence(t, p, 3), Ops.KLDivergence(Const(t, 2, 3), Const(p, 2, 3, 1)));
    }

    [Fact]
    public void ValuesAreOneScalarPerBatchForHigherRankOutputs()
    {
        // (2, 3, 4): per-sample means over the last axis, then the mean of the six (sum_over_batch_size).
        var t = Uniform(19, 24, -1, 1); var p = Uniform(20, 24, -1, 1);
        AssertClose(LossReference.MeanAbsoluteError(t, p, 4), Ops.MeanAbsoluteError(Const(t, 2, 3, 4), Const(p, 2, 3, 4)));
        var oneHot = OneHot(21, 6, 4);
        AssertClose(LossReference.CategoricalCrossentropy(oneHot, p.Select(v => v + 1.5f).ToArray(), 4),
            Ops.CategoricalCrossentropy(Const(oneHot, 2, 3, 4), Const(p.Select(v => v + 1.5f).ToArray(), 2, 3, 4)));
    }
}
