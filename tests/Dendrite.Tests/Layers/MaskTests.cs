using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Metrics;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// Masks as Keras carries them: made by Embedding(maskZero) and Masking, passed on by layers that support masking,
/// dropped by those that do not, and honoured by losses (mean over real steps) and accuracy (counting real steps).
/// </summary>
public class MaskTests
{
    // Two sequences of 5 steps, padded with 0 at the end (the first also has a leading pad).
    private static readonly float[] Tokens = [0, 3, 1, 0, 0, 2, 2, 4, 1, 0];
    private static readonly float[] RealSteps = [0, 1, 1, 0, 0, 1, 1, 1, 1, 0];

    [Fact]
    public void EmbeddingWithMaskZeroMarksNonZeroIndicesAndDenseCarriesIt()
    {
        var model = new Sequential(new Embedding(5, 3, maskZero: true), new Dense(4));
        model.Build(5);
        var output = model.Call(TestData.Const(Tokens, 2, 5));
        Assert.NotNull(output.Mask);
        Assert.Equal(new Shape(2, 5), output.Mask!.Shape);
        Assert.Equal(RealSteps, output.Mask.Values.ToArray());
    }

    [Fact]
    public void EmbeddingWithoutMaskZeroMakesNoMask()
    {
        var model = new Sequential(new Embedding(5, 3), new Dense(4));
        model.Build(5);
        Assert.Null(model.Call(TestData.Const(Tokens, 2, 5)).Mask);
    }

    [Fact]
    public void ALayerWithoutMaskingSupportDropsTheMask()
    {
        var model = new Sequential(new Embedding(5, 3, maskZero: true), new Flatten(), new Dense(2));
        model.Build(5);
        Assert.Null(model.Call(TestData.Const(Tokens, 2, 5)).Mask);
    }

    [Fact]
    public void MaskingZeroesPaddedStepsMasksThemAndGivesThemNoGradient()
    {
        float[] x = [1, 2, 0, 0, 0, -1, 0, 0, 5, 5, 0, 0]; // (2, 3, 2): steps (0, 1) and (1, 2) are all zeros
        var input = TestData.Param((float[])x.Clone(), 2, 3, 2);
        var layer = new Masking();
        using var tape = GradientTape.Start();
        var y = layer.Apply([input]);
        Assert.Equal(new float[] { 1, 0, 1, 0, 1, 0 }, y.Mask!.Values.ToArray());
        Assert.Equal(new float[] { 1, 2, 0, 0, 0, -1, 0, 0, 5, 5, 0, 0 }, y.Values.ToArray());
        tape.Backward(Ops.Sum(y));
        Assert.Equal(new float[] { 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0 }, input.Grad.ToArray());
    }

    [Fact]
    public void ElementwiseMergeCombinesMasksWithAnd()
    {
        var a = TestData.Const(new float[6], 2, 3, 1);
        var b = TestData.Const(new float[6], 2, 3, 1);
        a.Mask = TestData.Const([1, 1, 0, 1, 0, 1], 2, 3);
        b.Mask = TestData.Const([1, 0, 0, 1, 1, 1], 2, 3);
        var sum = new Add().Apply([a, b]);
        Assert.Equal(new float[] { 1, 0, 0, 1, 0, 1 }, sum.Mask!.Values.ToArray());
        var c = TestData.Const(new float[6], 2, 3, 1);
        Assert.Equal(a.Mask.Values.ToArray(), new Add().Apply([a, c]).Mask!.Values.ToArray());
    }

    /// <summary>
    /// Embedding(maskZero) → Dense(softmax) over (batch, steps, classes) with per-step labels: the loss is the mean
    /// cross-entropy over the 6 real steps only, and accuracy counts only them (float64 reference from the weights).
    /// </summary>
    [Fact]
    public void LossAndAccuracyCountOnlyRealSteps()
    {
        var embedding = new Embedding(5, 3, maskZero: true);
        var dense = new Dense(4, "softmax");
        var model = new Sequential(embedding, dense);
        model.Build(5);
        float[] labels = [3, 0, 2, 1, 1, 3, 1, 2, 0, 2];
        model.Compile(new SGD(0.1f), "sparse_categorical_crossentropy", [new SparseCategoricalAccuracy()]);
        var x = new NDArray<float>((float[])Tokens.Clone(), [2, 5]);
        var y = new NDArray<float>(labels, [2, 5]);
        var result = model.Evaluate(x, y, verbose: 0);

        var table = embedding.Embeddings!.Value.Values.ToArray();
        var kernel = dense.Kernel!.Value.Values.ToArray();
        var bias = dense.Bias!.Value.Values.ToArray();
        double lossSum = 0; int hits = 0, real = 0;
        for (int s = 0; s < 10; s++)
        {
            var logits = new double[4];
            for (int j = 0; j < 4; j++)
            {
                logits[j] = bias[j];
                for (int k = 0; k < 3; k++) logits[j] += table[(int)Tokens[s] * 3 + k] * kernel[k * 4 + j];
            }
            double max = logits.Max(), lse = max + Math.Log(logits.Sum(z => Math.Exp(z - max)));
            if (RealSteps[s] == 0) continue;
            real++;
            lossSum += lse - logits[(int)labels[s]];
            if (Array.IndexOf(logits, logits.Max()) == (int)labels[s]) hits++;
        }
        Assert.Equal(6, real);
        Assert.Equal(lossSum / real, result.Loss, 5);
        Assert.Equal((double)hits / real, result["sparse_categorical_accuracy"], 9);
    }

    /// <summary>
    /// Training through masks: index 0 appears only at padded steps, so its embedding row gets no gradient and stays
    /// put while the rows of real tokens move; and a replayed (recorded) training step recomputes each batch's mask,
    /// ending bit-identical to eager training.
    /// </summary>
    [Fact]
    public void PaddingRowsGetNoGradientAndReplayedStepsRecomputeTheMask()
    {
        var trained = new List<IReadOnlyList<NDArray<float>>>();
        IReadOnlyList<NDArray<float>>? initial = null;
        foreach (bool eager in new[] { true, false })
        {
            var embedding = new Embedding(5, 3, maskZero: true);
            var model = new Sequential(embedding, new Dense(4, "softmax"));
            model.Build(5);
            if (initial is null) initial = model.GetWeights();
            else model.SetWeights(initial);
            model.Compile(new SGD(0.5f), "sparse_categorical_crossentropy", runEagerly: eager);
            // Two batches with different padding, so that a replayed step must not reuse the first batch's mask.
            float[] tokens = [0, 3, 1, 0, 0, 2, 2, 4, 1, 0, 4, 4, 4, 4, 4, 1, 0, 0, 0, 0];
            float[] labels = [3, 0, 2, 1, 1, 3, 1, 2, 0, 2, 1, 2, 3, 0, 1, 2, 2, 2, 2, 2];
            model.Fit(new NDArray<float>(tokens, [4, 5]), new NDArray<float>(labels, [4, 5]), epochs: 3, batchSize: 2, shuffle: false, verbose: 0);
            var table = embedding.Embeddings!.Value.Values.ToArray();
            Assert.Equal(initial[0].ToArray()[..3], table[..3]);
            Assert.NotEqual(initial[0].ToArray()[3..6], table[3..6]);
            trained.Add(model.GetWeights());
        }
        for (int i = 0; i < trained[0].Count; i++)
            LayerTestHarness.AssertBitIdentical(trained[0][i].ToArray(), trained[1][i].ToArray(), $"weight {i}, eager against replayed");
    }

    [Fact]
    public void AnOutOfRangeIndexNamesItsPositionAndTheVocabulary()
    {
        var model = new Sequential(new Embedding(5, 3, name: "words"));
        model.Build(3);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new NDArray<float>([1, 2, 5, 0, 1, 2], [2, 3]), verbose: 0));
        Assert.Contains("'words'", e.Message);
        Assert.Contains("index 5 at flat position 2", e.Message);
        Assert.Contains("[0, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict(new NDArray<float>([1, 2.5f, 3, 0, 1, 2], [2, 3]), verbose: 0));
        Assert.Contains("2.5", e.Message);
    }

    [Fact]
    public void PerStepSampleWeightsWeighEachStep()
    {
        // (1, 2, 2) logits, labels (1, 2): weights (1, 2) of [1, 0] give the first step's loss / 2 (sum over batch size).
        var logits = TestData.Const([2, 0, 0, 1], 1, 2, 2);
        var labels = TestData.Const([0, 0], 1, 2);
        double first = Math.Log(1 + Math.Exp(-2));
        var loss = Ops.SparseCategoricalCrossentropy(labels, logits, fromLogits: true, TestData.Const([1, 0], 1, 2));
        Assert.Equal(first / 2, loss.Values[0], 6);
        var e = Assert.Throws<ArgumentException>(() => Ops.SparseCategoricalCrossentropy(labels, logits, fromLogits: true, TestData.Const([1, 0, 1], 1, 3)));
        Assert.Contains("sample weights", e.Message);
    }
}
