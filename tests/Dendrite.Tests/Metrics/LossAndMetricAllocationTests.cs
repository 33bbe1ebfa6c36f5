using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Tests.Losses;
using Dendrite.Training;
// The loss classes, not the metrics of the same Keras names.
using BinaryCrossentropy = Dendrite.Losses.BinaryCrossentropy;
using CategoricalCrossentropy = Dendrite.Losses.CategoricalCrossentropy;
using KLDivergence = Dendrite.Losses.KLDivergence;

namespace Dendrite.Tests.Metrics;

/// <summary>
/// Every loss and metric in a steady-state training step allocates nothing: the step plan replays the loss's ops,
/// and the trainer calls UpdateState and Result on every step.
/// </summary>
[Collection(GlobalStateCollection.Name)] // its zero-allocation check must not share the worker pool with other tests
public class LossAndMetricAllocationTests
{
    public static TheoryData<string> Setups => ["bce+sigmoid", "bce logits", "cce+softmax", "cce probabilities", "regression", "kld", "function", "crossentropy", "focal sum", "bce none", "hinge mean_with_sample_weight", "sparse ignore_class"];

    private static (Sequential Model, NDArray X, NDArray Y) Build(string setup)
    {
        var (x, labels) = TestData.Blobs(300, seed: 1);
        var binary = LossTrainingTests.BinaryBlobs(300, seed: 1).Y;
        var oneHot = Utils.ToCategorical(labels);
        Metric[] classification = ["accuracy", new TopKCategoricalAccuracy(k: 2), "precision", "recall", "auc", new AUC(curve: "PR", name: "pr"), new AUC(thresholds: [0.2f, 0.7f], name: "auc3")];
        (ActivationFunction Activation, int Units, Loss Loss, Metric[] Metrics, NDArray Y) s = setup switch
        {
            "bce+sigmoid" => ("sigmoid", 1, new BinaryCrossentropy(labelSmoothing: 0.1f), ["accuracy", "precision", "recall", "auc", "mae"], binary),
            "bce logits" => ("linear", 1, new BinaryCrossentropy(fromLogits: true), [new AUC(fromLogits: true), new Precision(thresholds: 0f)], binary),
            "cce+softmax" => ("softmax", 3, new CategoricalCrossentropy(labelSmoothing: 0.1f), classification, oneHot),
            "cce probabilities" => ("sigmoid", 3, new CategoricalCrossentropy(), classification, oneHot),
            "regression" => ("linear", 3, new Huber(), ["mae", "mse"], oneHot),
            "kld" => ("softmax", 3, new KLDivergence(), ["mse", new Precision(classId: 1)], oneHot),
            "focal sum" => ("softmax", 3, new CategoricalFocalCrossentropy(reduction: "sum"),
                ["categorical_crossentropy", "kld", "cosine_similarity", "categorical_hinge", "logcosh", "poisson"], oneHot),
            "bce none" => ("sigmoid", 1, new BinaryCrossentropy(reduction: "none"), ["binary_crossentropy", "hinge", "squared_hinge", "mape", "msle"], binary),
            "hinge mean_with_sample_weight" => ("tanh", 3, new Dendrite.Losses.Hinge("mean_with_sample_weight"), [new Dendrite.Metrics.CosineSimilarity(axis: 0)], oneHot),
            "sparse ignore_class" => ("softmax", 3, new Dendrite.Losses.SparseCategoricalCrossentropy(ignoreClass: 2), [new Dendrite.Metrics.SparseCategoricalCrossentropy(ignoreClass: 2)], labels),
            "function" => ("linear", 3, Loss.FromFunction((t, p) => Ops.Mean(Ops.Abs(p - t), axis: -1)), ["mae"], oneHot),
            _ => ("softmax", 3, "crossentropy", ["accuracy", new SparseTopKCategoricalAccuracy(k: 2)], labels),
        };
        var model = new Sequential(new Dense(16, activation: "relu"), new Dense(s.Units, activation: s.Activation));
        model.Compile(optimizer: "adam", loss: s.Loss, metrics: s.Metrics);
        model.Build(2);
        return (model, x, s.Y);
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public void SteadyStateStepsAllocateNothing(string setup)
    {
        var (model, x, y) = Build(setup);
        model.Loss!.ValidateTargets(y, model.OutputShape!.Value);
        var session = new TrainingSession(model, x, y, batchSize: 64);
        int[] full = [.. Enumerable.Range(0, 64)];
        int[] partial = [.. Enumerable.Range(64, 44)];
        void Step(int[] rows)
        {
            session.Step(rows);
            var metrics = model.Metrics;   // indexed: a foreach over the interface would box its enumerator
            for (int m = 0; m < metrics.Count; m++) metrics[m].Result();
        }
        for (int i = 0; i < 4; i++) { Step(full); Step(partial); }   // record both plans, warm the JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) { Step(full); Step(partial); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WeightedMetricsWithSampleWeightsAllocateNothing()
    {
        // Compile(weightedMetrics) and Fit(sampleWeight): the weighted metrics read the batch's weights in place.
        var (x, labels) = TestData.Blobs(300, seed: 1);
        var model = new Sequential(new Dense(16, activation: "relu", kernelInitializer: new Initializers.GlorotUniform(1)),
            new Dense(3, activation: "softmax", kernelInitializer: new Initializers.GlorotUniform(2)));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"],
            weightedMetrics: ["accuracy", new SparseTopKCategoricalAccuracy(k: 2), new SparseCategoricalAccuracy(name: "sca")]);
        model.Build(2);
        var draw = new Random(2);   // random weights, so that no class has the others' share of the weight
        var weights = new NDArray<float>([.. Enumerable.Range(0, 300).Select(_ => (float)draw.NextDouble() * 4)], 300);
        var session = new TrainingSession(model, Objectives.For(model, sampleWeighted: true), [x], [labels, weights], batchSize: 64);
        int[] full = [.. Enumerable.Range(0, 64)];
        int[] partial = [.. Enumerable.Range(64, 44)];
        void Step(int[] rows)
        {
            session.Step(rows);
            var metrics = model.Metrics;
            for (int m = 0; m < metrics.Count; m++) metrics[m].Result();
        }
        for (int i = 0; i < 4; i++) { Step(full); Step(partial); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) { Step(full); Step(partial); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(model.Metrics[0].Result(), model.Metrics[1].Result());   // the weights did reach the weighted accuracy
    }
}
