using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Optimizers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Models;

public class FitTests
{
    [Fact]
    public void LossFallsAndAccuracyRisesOnSeparableBlobs()
    {
        var (x, y) = Blobs(300, seed: 1);
        var model = TestModels.Classifier(seed: 10);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 15, batchSize: 32, verbose: 0);

        var loss = history["loss"];
        var accuracy = history["accuracy"];
        Assert.Equal(15, loss.Count);
        Assert.True(loss[^1] < 0.5 * loss[0], $"loss went from {loss[0]} to {loss[^1]}");
        Assert.True(accuracy[^1] > accuracy[0], $"accuracy went from {accuracy[0]} to {accuracy[^1]}");
        Assert.True(accuracy[^1] >= 0.95, $"final training accuracy {accuracy[^1]}");

        var (testX, testY) = Blobs(150, seed: 2);
        var (testLoss, testAccuracy) = model.Evaluate(testX, testY, verbose: 0);
        Assert.True(testAccuracy >= 0.95, $"test accuracy {testAccuracy}");
        Assert.True(testLoss < loss[0]);
    }

    [Fact]
    public void HistoryHasOneValuePerEpochForEveryKey()
    {
        var (x, y) = Blobs(120, seed: 3);
        var model = TestModels.Classifier(seed: 20);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.2, verbose: 0);

        Assert.Equal(["accuracy", "loss", "val_accuracy", "val_loss"], history.Keys);
        Assert.All(history.Values, values => Assert.Equal(3, values.Count));
        Assert.Equal([0, 1, 2], history.Epoch);
        Assert.All(history["val_accuracy"], v => Assert.InRange(v, 0, 1));
        Assert.Throws<KeyNotFoundException>(() => history["acc"]);
    }

    [Fact]
    public void ValidationSplitHoldsOutTheLastSamplesBeforeShuffling()
    {
        // 50 one-hot samples, sample i has label i: the labels a metric sees identify the samples.
        const int n = 50;
        var x = new float[n * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++) { x[i * n + i] = 1; labels[i] = i; }
        var probe = new ProbeMetric();
        var model = new Sequential(new Dense(n, activation: "softmax", kernelInitializer: new GlorotUniform(30)));
        model.Compile(loss: "sparse_categorical_crossentropy", metrics: [probe]);
        var history = model.Fit(new NDArray<float>(x, n, n), new NDArray<int>(labels, n), epochs: 2, batchSize: 16,
            validationSplit: 0.2, shuffle: true, verbose: 0);

        Assert.Equal(4, probe.Phases.Count);   // (train, validation) × 2 epochs
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var train = probe.Phases[2 * epoch];
            var validation = probe.Phases[2 * epoch + 1];
            // floor(50 · 0.8) = 40 training samples in batches 16, 16, 8 (the partial batch kept) ...
            Assert.Equal([16, 16, 8], train.Select(b => b.BatchSize));
            Assert.Equal(Enumerable.Range(0, 40).Select(i => (float)i), train.SelectMany(b => b.Labels).Order());
            // ... and the last 10 for validation, in order.
            Assert.Equal([10], validation.Select(b => b.BatchSize));
            Assert.Equal(Enumerable.Range(40, 10).Select(i => (float)i), validation.SelectMany(b => b.Labels));
        }
        // Shuffling permutes the training samples (the chance of two identity orders here is negligible).
        var seen = probe.Phases[0].Concat(probe.Phases[2]).SelectMany(b => b.Labels).ToArray();
        Assert.NotEqual(Enumerable.Range(0, 80).Select(i => (float)(i % 40)), seen);
        Assert.Equal([0.5, 0.5], history["val_probe"]);
    }

    [Fact]
    public void ValidationSplitMetricsComeFromTheHeldOutSamples()
    {
        // The last 20% are blobs with permuted labels: unlearnable from the first 80%, so validation accuracy stays low.
        var (x, y) = Blobs(300, seed: 4);
        var labels = y.ToArray();
        for (int i = 240; i < 300; i++) labels[i] = (labels[i] + 1) % 3;
        var model = TestModels.Classifier(seed: 40);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, new NDArray<int>(labels, 300), epochs: 10, batchSize: 32, validationSplit: 0.2, verbose: 0);
        Assert.True(history["accuracy"][^1] > 0.9, $"training accuracy {history["accuracy"][^1]}");
        Assert.True(history["val_accuracy"][^1] < 0.2, $"validation accuracy {history["val_accuracy"][^1]}");
        Assert.True(history["val_loss"][^1] > history["loss"][^1]);
    }

    [Fact]
    public void ValidationDataIsEvaluatedAtTheEndOfEveryEpoch()
    {
        var (x, y) = Blobs(90, seed: 5);
        var (valX, valY) = Blobs(30, seed: 6);
        var model = TestModels.Classifier(seed: 50);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 2, validationData: (valX, valY), verbose: 0);
        var (loss, accuracy) = model.Evaluate(valX, valY, verbose: 0);
        Assert.Equal(loss, history["val_loss"][^1], 1e-6);
        Assert.Equal(accuracy, history["val_accuracy"][^1], 1e-12);
    }

    [Fact]
    public void LastPartialBatchIsKept()
    {
        var (x, y) = Blobs(100, seed: 7);
        var probe = new ProbeMetric();
        var model = TestModels.Classifier(seed: 60);
        model.Compile(loss: "sparse_categorical_crossentropy", metrics: [probe]);
        model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0);
        Assert.Equal([32, 32, 32, 4], probe.Phases.Single().Select(b => b.BatchSize));
    }

    [Fact]
    public void LoggedLossIsTheBatchSizeWeightedMeanOfTheBatchLosses()
    {
        var (x, y) = Blobs(100, seed: 8);
        var loss = new RecordingLoss();
        var model = TestModels.Classifier(seed: 70);
        // The probe counts calls of Loss.Call, so the step must run eagerly: a replayed step calls it once per batch size.
        model.Compile(optimizer: new SGD(learningRate: 0.1f), loss: loss, runEagerly: true);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, shuffle: false, verbose: 0);

        Assert.Equal(8, loss.Calls.Count);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var calls = loss.Calls.Skip(4 * epoch).Take(4).ToList();
            Assert.Equal([32, 32, 32, 4], calls.Select(c => c.Rows));
            double weighted = calls.Sum(c => (double)c.Value * c.Rows) / 100;
            double unweighted = calls.Average(c => (double)c.Value);
            Assert.Equal(weighted, history["loss"][epoch], 1e-12);
            Assert.True(Math.Abs(weighted - unweighted) > 1e-4, "the data do not tell the weighted mean from the plain one");
        }
    }

    [Fact]
    public void ReplayedStepsTrainExactlyLikeEagerSteps()
    {
        // The recorded step (one plan for the 32-sample batches, one for the last 4) must give the same bits as
        // running Call afresh every step: same weights, same history, for a ReLU stack ending in a fused softmax.
        var (x, y) = Blobs(100, seed: 12);
        (float[][] Weights, History History) Train(bool eager)
        {
            var model = TestModels.Classifier(seed: 90);
            model.Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], runEagerly: eager);
            var history = model.Fit(x, y, epochs: 3, batchSize: 32, shuffle: false, verbose: 0);
            return (model.Weights.Select(w => w.Value.Values.ToArray()).ToArray(), history);
        }
        var replayed = Train(eager: false);
        var eager = Train(eager: true);
        for (int i = 0; i < eager.Weights.Length; i++) Assert.Equal(eager.Weights[i], replayed.Weights[i]);
        Assert.Equal(eager.History["loss"], replayed.History["loss"]);
        Assert.Equal(eager.History["accuracy"], replayed.History["accuracy"]);
    }

    [Fact]
    public void LoggedLossAndAccuracyUsePredictionsMadeBeforeTheUpdate()
    {
        // One batch per epoch and a large step: the logged values equal Evaluate before Fit, not after.
        var (x, y) = Blobs(90, seed: 9);
        var model = TestModels.Classifier(seed: 80);
        model.Compile(optimizer: new SGD(learningRate: 0.5f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Build(2);
        var before = model.Evaluate(x, y, batchSize: 90, verbose: 0);
        var history = model.Fit(x, y, epochs: 1, batchSize: 90, shuffle: false, verbose: 0);
        var after = model.Evaluate(x, y, batchSize: 90, verbose: 0);

        Assert.Equal(before.Loss, history["loss"][0], 1e-6);
        Assert.Equal(before["accuracy"], history["accuracy"][0], 1e-12);
        Assert.True(Math.Abs(after.Loss - before.Loss) > 1e-2, $"the step barely moved the loss ({before.Loss} → {after.Loss})");
    }

    [Fact]
    public void WithATinyLearningRateTheLoggedLossIsTheLossOverTheData()
    {
        // n = 100, batch 32: the last batch has 4 samples; only a per-sample mean equals Evaluate's.
        var (x, y) = Blobs(100, seed: 10);
        var model = TestModels.Classifier(seed: 90);
        model.Compile(optimizer: new SGD(learningRate: 1e-6f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Build(2);
        var (lossBefore, accuracyBefore) = model.Evaluate(x, y, verbose: 0);
        var history = model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0);
        Assert.Equal(lossBefore, history["loss"][0], 1e-4);
        // Steps of 1e-6 could at most flip a sample lying on a decision boundary.
        Assert.Equal(accuracyBefore, history["accuracy"][0], 0.015);
    }

    [Fact]
    public void EvaluateReturnsLossThenAccuracy()
    {
        var (x, y) = Blobs(100, seed: 11);
        var model = TestModels.Classifier(seed: 100);
        model.Compile(loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Fit(x, y, epochs: 2, verbose: 0);
        var result = model.Evaluate(x, y, verbose: 0);

        var (loss, accuracy) = result;
        Assert.Equal(["loss", "accuracy"], result.Keys);
        Assert.Equal([loss, accuracy], result.Values);
        Assert.Equal(loss, result.Loss);
        Assert.Equal(accuracy, result["accuracy"]);
        Assert.Equal(2, result.Count);
        Assert.InRange(accuracy, 0, 1);
        Assert.True(loss > 0);
        Assert.Equal($"[{loss.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, {accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}]", result.ToString());
        Assert.Throws<KeyNotFoundException>(() => result["val_loss"]);
        Assert.Throws<InvalidOperationException>(() => { var (_, _, _) = result; });

        // Accuracy is the fraction of rows whose arg-max (first maximum) is the label.
        var predictions = model.Predict(x, verbose: 0).ToArray();
        var labels = y.ToArray();
        int correct = 0;
        for (int i = 0; i < 100; i++)
        {
            var row = predictions.AsSpan(i * 3, 3).ToArray();
            if (Array.IndexOf(row, row.Max()) == labels[i]) correct++;
        }
        Assert.Equal(correct / 100.0, accuracy, 1e-12);
        double meanNegativeLog = Enumerable.Range(0, 100).Average(i => -Math.Log(predictions[i * 3 + labels[i]]));
        Assert.Equal(meanNegativeLog, loss, 1e-4);
    }

    [Fact]
    public void EvaluateWithoutMetricsReturnsOnlyTheLoss()
    {
        var (x, y) = Blobs(30, seed: 12);
        var model = TestModels.Classifier(seed: 110);
        model.Compile(loss: "sparse_categorical_crossentropy");
        model.Build(2);
        var result = model.Evaluate(x, y, verbose: 0);
        Assert.Equal(["loss"], result.Keys);
        var error = Assert.Throws<InvalidOperationException>(() => { var (_, _) = result; });
        Assert.Contains("metrics", error.Message);
    }

    [Fact]
    public void PredictReturnsOneProbabilityRowPerSample()
    {
        var (x, _) = Blobs(70, seed: 13);
        var model = TestModels.Classifier(seed: 120);
        model.Build(2);
        var predictions = model.Predict(x, batchSize: 32, verbose: 0);
        Assert.Equal(new Shape(70, 3), predictions.Shape);
        var values = predictions.ToArray();
        for (int i = 0; i < 70; i++)
        {
            double sum = values[i * 3] + values[i * 3 + 1] + values[i * 3 + 2];
            Assert.Equal(1.0, sum, 1e-5);
            Assert.All(values.AsSpan(i * 3, 3).ToArray(), p => Assert.InRange(p, 0f, 1f));
        }
        // Batching does not change the result.
        Assert.Equal(values, model.Predict(x, batchSize: 7, verbose: 0).ToArray());
    }

    [Fact]
    public void IntegerAndByteInputsAreConverted()
    {
        var (x, y) = Blobs(60, seed: 14);
        var rounded = x.ToArray().Select(v => (int)MathF.Round(v)).ToArray();
        var model = TestModels.Classifier(seed: 130);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var fromInts = model.Fit(new NDArray<int>(rounded, 60, 2), y, epochs: 1, verbose: 0);
        Assert.Single(fromInts["loss"]);
        var asFloats = model.Predict(new NDArray<float>([.. rounded.Select(v => (float)v)], 60, 2), verbose: 0).ToArray();
        var asInts = model.Predict(new NDArray<int>(rounded, 60, 2), verbose: 0).ToArray();
        Assert.Equal(asFloats, asInts);
    }
}
