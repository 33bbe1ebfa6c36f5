using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;

namespace Dendrite.Tests.Models;

/// <summary>A metric that records what it is shown: one list per reset (Fit resets at every epoch start and before validation).</summary>
internal sealed class ProbeMetric : Metric
{
    public List<List<(int BatchSize, float[] Labels)>> Phases { get; } = [];

    public override string Name => "probe";

    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        Assert.Equal(yTrueShape[0], yPredShape[0]);
        Phases[^1].Add((yTrueShape[0], yTrue.ToArray()));
    }

    public override double Result() => 0.5;

    public override void ResetState() => Phases.Add([]);
}

/// <summary>Sparse categorical cross-entropy that records every value it returns and the batch size.</summary>
internal sealed class RecordingLoss : Loss
{
    private readonly Dendrite.Losses.SparseCategoricalCrossentropy _inner = new();

    public List<(float Value, int Rows)> Calls { get; } = [];

    public override string Name => "recording";

    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var loss = _inner.Call(yTrue, yPred);
        Calls.Add((loss.Values[0], yTrue.Size));
        return loss;
    }
}

internal static class TestModels
{
    /// <summary>A small classifier for the 2-D blobs, with seeded initial weights.</summary>
    public static Sequential Classifier(int seed, int classes = 3, int hidden = 8) => new(
        new Dense(hidden, activation: "relu", kernelInitializer: new GlorotUniform(seed)),
        new Dense(classes, activation: "softmax", kernelInitializer: new GlorotUniform(seed + 1)));

    public static float[][] WeightValues(Model model) => [.. model.Weights.Select(w => w.Value.Values.ToArray())];
}
