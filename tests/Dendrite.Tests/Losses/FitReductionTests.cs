using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Optimizers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// Reductions in Fit and Evaluate: a loss reduced by "sum" trains as "sum_over_batch_size" with a learning rate N times
/// larger, "none" trains as "sum" (the per-sample values are summed, the gradient TensorFlow's tape takes of a
/// non-scalar loss), and a masked sequence output weighs its steps as Keras' apply_mask does for each reduction.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class FitReductionTests
{
    private static IReadOnlyList<NDArray<float>> TrainOneStep(Loss loss, float learningRate)
    {
        Utils.SetRandomSeed(7);
        var model = new Sequential(new InputLayer([3]), new Dense(2));
        model.Compile(optimizer: new SGD(learningRate), loss: loss);
        var x = new NDArray<float>(Uniform(1, 8 * 3), 8, 3);
        var y = new NDArray<float>(Uniform(2, 8 * 2), 8, 2);
        model.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        return model.GetWeights();
    }

    private static void AssertClose(IReadOnlyList<NDArray<float>> a, IReadOnlyList<NDArray<float>> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            var x = a[i].ToArray(); var y = b[i].ToArray();
            for (int j = 0; j < x.Length; j++) Assert.Equal(x[j], y[j], 5);
        }
    }

    [Fact]
    public void SumTrainsAsTheMeanWithALargerRate()
    {
        var mean = TrainOneStep(new MeanSquaredError(), 0.08f);
        // sum = mean · 8 samples; the mean squared error is already a per-sample mean over the 2 columns.
        var sum = TrainOneStep(new MeanSquaredError(reduction: "sum"), 0.01f);
        var none = TrainOneStep(new MeanSquaredError(reduction: "none"), 0.01f);
        AssertClose(mean, sum);
        AssertClose(sum, none);
        // A real difference: the same rate with "sum" moves the weights 8 times as far.
        Assert.NotEqual(mean[0].ToArray()[0], TrainOneStep(new MeanSquaredError(reduction: "sum"), 0.08f)[0].ToArray()[0]);
    }

    private static readonly float[] Tokens = [0, 3, 1, 0, 0, 2, 2, 4, 1, 0];
    private static readonly float[] RealSteps = [0, 1, 1, 0, 0, 1, 1, 1, 1, 0];

    [Theory] // keras/src/losses/loss.py::apply_mask: scaled by total/valid for the means, the raw mask otherwise
    [InlineData("sum_over_batch_size")]
    [InlineData("sum")]
    [InlineData("none")]
    [InlineData("mean_with_sample_weight")]
    public void MaskedStepsAreWeighedAsEachReductionSays(string reduction)
    {
        var embedding = new Embedding(5, 3, maskZero: true);
        var dense = new Dense(1);
        var model = new Sequential(embedding, dense);
        model.Build(5);
        float[] targets = [0.5f, -1, 2, 0, 1, 0.3f, -0.7f, 1.5f, 0.2f, 3];
        model.Compile(new SGD(0.1f), new MeanSquaredError(reduction: reduction));
        var x = new NDArray<float>((float[])Tokens.Clone(), [2, 5]);
        var y = new NDArray<float>(targets, [2, 5, 1]);
        double loss = model.Evaluate(x, y, batchSize: 2, verbose: 0).Loss;

        var prediction = model.Predict(x, verbose: 0).ToArray();
        double sum = 0;
        for (int s = 0; s < 10; s++) sum += RealSteps[s] * Math.Pow(prediction[s] - targets[s], 2);
        double expected = reduction is "sum" or "none" ? sum : sum / RealSteps.Sum();
        Assert.Equal(expected, loss, 5);
    }

    [Fact] // sample weights and the mask together under mean_with_sample_weight: Σ w·m·loss / Σ w·m
    public void MaskAndSampleWeightsUnderMeanWithSampleWeight()
    {
        var embedding = new Embedding(5, 3, maskZero: true);
        var model = new Sequential(embedding, new Dense(1));
        model.Build(5);
        float[] targets = [0.5f, -1, 2, 0, 1, 0.3f, -0.7f, 1.5f, 0.2f, 3];
        model.Compile(new SGD(0.1f), new MeanAbsoluteError(reduction: "mean_with_sample_weight"));
        var x = new NDArray<float>((float[])Tokens.Clone(), [2, 5]);
        var y = new NDArray<float>(targets, [2, 5, 1]);
        var w = new NDArray<float>([1f, 3f], [2]);
        double loss = model.Evaluate(x, y, batchSize: 2, verbose: 0, sampleWeight: w).Loss;
        var prediction = model.Predict(x, verbose: 0).ToArray();
        double num = 0, den = 0;
        for (int s = 0; s < 10; s++)
        {
            double weight = RealSteps[s] * (s < 5 ? 1 : 3);
            num += weight * Math.Abs(prediction[s] - targets[s]);
            den += weight;
        }
        Assert.Equal(num / den, loss, 5);
    }
}
