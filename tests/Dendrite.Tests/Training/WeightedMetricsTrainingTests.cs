using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Training;

namespace Dendrite.Tests.Training;

/// <summary>
/// Keras' <c>weighted_metrics</c>: compile names (keras/src/trainers/compile_utils_test.py), Fit and Evaluate passing
/// sample and class weights to the weighted metrics only, per-step weights for sequence outputs, and the compile config.
/// </summary>
public class WeightedMetricsTrainingTests
{
    private static Tensor T(float[] values, params int[] shape) => new(values, shape);

    private static readonly float[] YTrue = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f];
    private static readonly float[] YPred1 = [0.4f, 0.1f, 0.2f, 0.6f, 0.6f, 0.1f];
    private static readonly float[] YPred2 = [0.3f, 0.2f, 0.1f, 0.4f, 0.2f, 0.3f];
    private static readonly float[] Weights = [1, 0, 1];

    private static Sequential TwoUnits()
    {
        var model = new Sequential(new Dense(2));
        model.Build(4);
        return model;
    }

    [Fact]
    public void CompileMetrics_test_single_output_case()
    {
        // keras/src/trainers/compile_utils_test.py::TestCompileMetrics::test_single_output_case
        var model = TwoUnits();
        model.Compile(loss: "mse", metrics: [new MeanSquaredError()], weightedMetrics: [new MeanSquaredError()]);
        var objectives = Objectives.For(model, sampleWeighted: true);
        objectives.UpdateMetrics(model.Metrics, [T(YTrue, 3, 2)], [T(YPred1, 3, 2)], T(Weights, 3));
        objectives.UpdateMetrics(model.Metrics, [T(YTrue, 3, 2)], [T(YPred2, 3, 2)], T(Weights, 3));
        Assert.Equal(["mean_squared_error", "weighted_mean_squared_error"], model.Metrics.Select(m => m.Name));
        Assert.Equal(0.055833336, model.Metrics[0].Result(), 1e-6);
        Assert.Equal(0.0725, model.Metrics[1].Result(), 1e-6);
        foreach (var m in model.Metrics) m.ResetState();
        Assert.All(model.Metrics, m => Assert.Equal(0.0, m.Result()));
    }

    [Fact]
    public void CompileMetrics_test_dict_output_case()
    {
        // keras/src/trainers/compile_utils_test.py::TestCompileMetrics::test_dict_output_case: per-output metrics and
        // weighted metrics, a name clash inside each output resolved with the weighted_ prefix after the output's name.
        var input = new Input([4], name: "x");
        var model = new Model([input], [new Dense(2, name: "output_1").Call(input), new Dense(2, name: "output_2").Call(input)]);
        model.Compile(null, ["mse", "mse"],
            outputMetrics: [[new MeanSquaredError(), new MeanSquaredError(name: "mse")], [new MeanSquaredError(), new MeanSquaredError(name: "mse")]],
            outputWeightedMetrics: [[new MeanSquaredError(), new MeanSquaredError(name: "mse")], [new MeanSquaredError(), new MeanSquaredError(name: "mse")]]);
        var objectives = Objectives.For(model, sampleWeighted: true);
        foreach (var pred in new[] { YPred1, YPred2 })
            objectives.UpdateMetrics(model.Metrics, [T(YTrue, 3, 2), T(YTrue, 3, 2)], [T(pred, 3, 2), T(pred, 3, 2)], T(Weights, 3));
        var result = model.Metrics.ToDictionary(m => m.Name, m => m.Result());
        Assert.Equal(8, result.Count);
        foreach (var output in new[] { "output_1", "output_2" })
        {
            Assert.Equal(0.055833336, result[$"{output}_mean_squared_error"], 1e-6);
            Assert.Equal(0.055833336, result[$"{output}_mse"], 1e-6);
            Assert.Equal(0.0725, result[$"{output}_weighted_mean_squared_error"], 1e-6);
            Assert.Equal(0.0725, result[$"{output}_weighted_mse"], 1e-6);
        }
    }

    [Fact]
    public void CompileMetrics_test_list_output_case()
    {
        // keras/src/trainers/compile_utils_test.py::TestCompileMetrics::test_list_output_case: two metrics of one
        // name per output in both lists, 8 results. Dendrite's outputs always have names, so the names carry the
        // output's prefix (Keras' result for outputs with names), the repeats Keras' counters.
        var input = new Input([4], name: "x");
        var model = new Model([input], [new Dense(2, name: "a").Call(input), new Dense(2, name: "b").Call(input)]);
        Metric[] Two() => [new MeanSquaredError(), new MeanSquaredError()];
        model.Compile(null, ["mse", "mse"], outputMetrics: [Two(), Two()], outputWeightedMetrics: [Two(), Two()]);
        Assert.Equal(8, model.Metrics.Count);
        Assert.Equal(["a_mean_squared_error", "a_mean_squared_error_1", "b_mean_squared_error", "b_mean_squared_error_1",
            "a_weighted_mean_squared_error", "a_weighted_mean_squared_error_1", "b_weighted_mean_squared_error", "b_weighted_mean_squared_error_1"],
            model.Metrics.Select(m => m.Name));
        var objectives = Objectives.For(model, sampleWeighted: true);
        foreach (var pred in new[] { YPred1, YPred2 })
            objectives.UpdateMetrics(model.Metrics, [T(YTrue, 3, 2), T(YTrue, 3, 2)], [T(pred, 3, 2), T(pred, 3, 2)], T(Weights, 3));
        for (int i = 0; i < 4; i++) Assert.Equal(0.055833336, model.Metrics[i].Result(), 1e-6);
        for (int i = 4; i < 8; i++) Assert.Equal(0.0725, model.Metrics[i].Result(), 1e-6);
    }

    [Fact]
    public void CompileMetrics_test_name_conversions()
    {
        // keras/src/trainers/compile_utils_test.py::TestCompileMetrics::test_name_conversions: "acc" and "accuracy"
        // resolve from the shapes (categorical here) and log under the string given.
        var model = TwoUnits();
        model.Compile(loss: "mse", metrics: ["acc", "accuracy", "mse"], weightedMetrics: []);
        Objectives.For(model).UpdateMetrics(model.Metrics, [T(YTrue, 3, 2)], [T(YPred1, 3, 2)]);
        Assert.Equal(["acc", "accuracy", "mse"], model.Metrics.Select(m => m.Name));
        Assert.Equal(1.0 / 3, model.Metrics[0].Result(), 1e-6);
        Assert.Equal(1.0 / 3, model.Metrics[1].Result(), 1e-6);
    }

    [Fact]
    public void RepeatedNamesFollowKerasCounters()
    {
        // CompileMetrics.result: a repeated unweighted name gets _1, a weighted one weighted_, then weighted_<name>_1.
        var model = TwoUnits();
        model.Compile(loss: "mse", metrics: ["mse", "mse"], weightedMetrics: ["mse", "mse", "mae"]);
        Assert.Equal(["mse", "mse_1", "weighted_mse", "weighted_mse_1", "mae"], model.Metrics.Select(m => m.Name));
        var shared = new MeanAbsoluteError();
        var error = Assert.Throws<ArgumentException>(() => model.Compile(loss: "mse", metrics: [shared], weightedMetrics: [shared]));
        Assert.Contains("twice", error.Message);
    }

    private static (Sequential Model, NDArray<float> X, NDArray<float> Y, NDArray<float> W) Binary(float learningRate)
    {
        var (x, y) = Losses.LossTrainingTests.BinaryBlobs(120, seed: 11);
        var model = new Sequential(new Dense(1, activation: "sigmoid", kernelInitializer: new GlorotUniform(3)));
        model.Compile(new SGD(learningRate), "binary_crossentropy", metrics: ["accuracy", "mae"], weightedMetrics: ["accuracy", "mae"]);
        model.Build(2);
        var w = new float[120];
        for (int i = 0; i < w.Length; i++) w[i] = i % 4 == 0 ? 5f : 0.5f;
        return (model, x, y, new NDArray<float>(w, 120));
    }

    /// <summary>Σ w·v / Σ w of the per-sample accuracy and absolute error of the model's predictions.</summary>
    private static (double Accuracy, double Mae) Expected(Model model, NDArray<float> x, NDArray<float> y, float[]? w)
    {
        var p = model.Predict(x, verbose: 0).ToArray();
        var t = y.ToArray();
        double hits = 0, errors = 0, total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double weight = w?[i] ?? 1;
            hits += weight * ((p[i] > 0.5f ? 1f : 0f) == t[i] ? 1 : 0);
            errors += weight * Math.Abs((double)p[i] - t[i]);
            total += weight;
        }
        return (hits / total, errors / total);
    }

    [Fact]
    public void EvaluateWeighsOnlyTheWeightedMetrics()
    {
        var (model, x, y, w) = Binary(0.1f);
        var result = model.Evaluate(x, y, batchSize: 32, verbose: 0, sampleWeight: w);
        Assert.Equal(["loss", "accuracy", "mae", "weighted_accuracy", "weighted_mae"], result.Keys);
        var unweighted = Expected(model, x, y, null);
        var weighted = Expected(model, x, y, w.ToArray());
        Assert.Equal(unweighted.Accuracy, result["accuracy"], 1e-6);
        Assert.Equal(unweighted.Mae, result["mae"], 1e-5);
        Assert.Equal(weighted.Accuracy, result["weighted_accuracy"], 1e-6);
        Assert.Equal(weighted.Mae, result["weighted_mae"], 1e-5);
        Assert.True(Math.Abs(result["mae"] - result["weighted_mae"]) > 1e-3, "the weights must change the weighted metric");
        // Without weights, the weighted metrics are the unweighted ones (Keras passes sample_weight=None).
        var plain = model.Evaluate(x, y, batchSize: 32, verbose: 0);
        Assert.Equal(plain["accuracy"], plain["weighted_accuracy"], 1e-12);
        Assert.Equal(plain["mae"], plain["weighted_mae"], 1e-12);
    }

    [Fact]
    public void FitLogsWeightedMetricsWithKerasNamesAndWeighsThemByClassWeights()
    {
        // With a learning rate of 0 the predictions never move, so the epoch's metrics are those of Predict.
        var (model, x, y, w) = Binary(0f);
        var history = model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0, sampleWeight: w, validationSplit: 0.25);
        Assert.Equal(["accuracy", "loss", "mae", "val_accuracy", "val_loss", "val_mae", "val_weighted_accuracy", "val_weighted_mae", "weighted_accuracy", "weighted_mae"], history.Keys);
        var train = x[..90];
        var trainY = y[..90];
        var expected = Expected(model, train, trainY, w.ToArray()[..90]);
        Assert.Equal(expected.Mae, history["weighted_mae"][0], 1e-5);
        Assert.Equal(expected.Accuracy, history["weighted_accuracy"][0], 1e-6);
        // The validation split takes its samples' weights with it, as in Keras.
        var validation = Expected(model, x[90..], y[90..], w.ToArray()[90..]);
        Assert.Equal(validation.Mae, history["val_weighted_mae"][0], 1e-5);

        // Class weights become sample weights for the weighted metrics (not for the validation).
        var classWeight = new Dictionary<int, double> { [0] = 4.0, [1] = 1.0 };
        var byClass = model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0, classWeight: classWeight, validationSplit: 0.25);
        var classWeights = trainY.ToArray().Select(label => (float)classWeight[(int)label]).ToArray();
        Assert.Equal(Expected(model, train, trainY, classWeights).Mae, byClass["weighted_mae"][0], 1e-5);
        Assert.Equal(byClass["val_mae"][0], byClass["val_weighted_mae"][0], 1e-12);
    }

    [Fact]
    public void PerStepSampleWeightsReachTheLossAndTheWeightedMetrics()
    {
        // Keras accepts a (N, steps) sample_weight for an output of shape (N, steps, ...).
        const int n = 12, steps = 4, classes = 3;
        var rng = new Random(5);
        var x = new NDArray<float>([.. Enumerable.Range(0, n * steps * 2).Select(_ => (float)rng.NextDouble() * 2 - 1)], n, steps, 2);
        var labels = new NDArray<float>([.. Enumerable.Range(0, n * steps).Select(i => (float)(i % classes))], n, steps);
        var w = new NDArray<float>([.. Enumerable.Range(0, n * steps).Select(i => (float)(i % 5))], n, steps);
        var model = new Sequential(new Dense(classes, activation: "softmax", kernelInitializer: new GlorotUniform(8)));
        model.Compile(loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], weightedMetrics: ["accuracy"]);
        model.Build(steps, 2);

        var result = model.Evaluate(x, labels, batchSize: 5, verbose: 0, sampleWeight: w);
        var p = model.Predict(x, verbose: 0).ToArray();
        double hits = 0, weightedHits = 0, weightSum = 0, weightedLoss = 0;
        for (int r = 0; r < n * steps; r++)
        {
            var row = p.AsSpan(r * classes, classes);
            int label = (int)labels.ToArray()[r];
            int argMax = row.IndexOf(MaxOf(row));
            float weight = w.ToArray()[r];
            hits += argMax == label ? 1 : 0;
            weightedHits += weight * (argMax == label ? 1 : 0);
            weightSum += weight;
            weightedLoss += weight * -Math.Log(row[label]);
        }
        Assert.Equal(hits / (n * steps), result["accuracy"], 1e-6);
        Assert.Equal(weightedHits / weightSum, result["weighted_accuracy"], 1e-6);
        // sum_over_batch_size: Σ w·loss over each batch's steps / its steps, averaged over the batches by their sizes.
        Assert.Equal(weightedLoss / (n * steps), result.Loss, 1e-4);

        // Fit takes them too; a (N, steps) weight for a model whose output is not a sequence is refused.
        model.Fit(x, labels, epochs: 1, batchSize: 6, verbose: 0, sampleWeight: w);
        var flat = new Sequential(new Dense(1));
        flat.Compile(loss: "mse", weightedMetrics: ["mae"]);
        flat.Build(2);
        var error = Assert.Throws<ArgumentException>(() => flat.Fit(new NDArray<float>(new float[8], 4, 2), new NDArray<float>(new float[4], 4, 1), verbose: 0, sampleWeight: new NDArray<float>(new float[8], 4, 2)));
        Assert.Contains("(4, 2)", error.Message);
        Assert.Contains("sampleWeight", error.Message);
    }

    [Fact]
    public void MaskedSequencesMultiplyTheMaskIntoPerStepWeights()
    {
        // Embedding(maskZero) → Dense(softmax) per step, with (N, steps) weights: the weighted accuracy is
        // Σ w·m·hit / Σ w·m (Keras' apply_mask into sample_weight), the plain one Σ m·hit / Σ m, and the loss (Keras'
        // apply_mask under sum_over_batch_size) Σ w·m·loss / Σ m.
        float[] tokens = [1, 2, 0, 3, 0, 4, 1, 2, 0, 0];
        float[] labels = [3, 0, 2, 1, 1, 3, 1, 2, 0, 2];
        float[] weights = [0.5f, 2, 7, 1, 9, 3, 0.25f, 1.5f, 4, 8];
        var model = new Sequential(new Embedding(5, 3, maskZero: true), new Dense(4, "softmax"));
        model.Build(5);
        model.Compile(new SGD(0.1f), "sparse_categorical_crossentropy", metrics: ["accuracy"], weightedMetrics: ["accuracy"]);
        var x = new NDArray<float>(tokens, 2, 5);
        var result = model.Evaluate(x, new NDArray<float>(labels, 2, 5), verbose: 0, sampleWeight: new NDArray<float>(weights, 2, 5));
        var p = model.Predict(x, verbose: 0).ToArray();
        double hits = 0, real = 0, weightedHits = 0, weightedReal = 0, weightedLoss = 0;
        for (int s = 0; s < 10; s++)
        {
            if (tokens[s] == 0) continue;
            var row = p.AsSpan(s * 4, 4);
            double hit = row.IndexOf(MaxOf(row)) == (int)labels[s] ? 1 : 0;
            hits += hit;
            real++;
            weightedHits += weights[s] * hit;
            weightedReal += weights[s];
            weightedLoss += weights[s] * -Math.Log(row[(int)labels[s]]);
        }
        Assert.Equal(hits / real, result["accuracy"], 9);
        Assert.Equal(weightedHits / weightedReal, result["weighted_accuracy"], 9);
        Assert.Equal(weightedLoss / real, result.Loss, 4);
    }

    private static float MaxOf(ReadOnlySpan<float> row)
    {
        float best = row[0];
        foreach (float v in row) best = Math.Max(best, v);
        return best;
    }

    [Fact]
    public void WeightedMetricsRoundTripThroughTheCompileConfig()
    {
        var model = TwoUnits();
        model.Compile(loss: "mse", metrics: ["accuracy"], weightedMetrics: ["accuracy", new MeanSquaredError(name: "wmse"), new Accuracy(name: "exact")]);
        var config = CompileConfig.Serialize(model)!;
        var weighted = Assert.IsType<JsonArray>(config["weighted_metrics"]);
        Assert.Equal("accuracy", (string?)weighted[0]);
        Assert.Equal("MeanSquaredError", (string?)weighted[1]!["class_name"]);
        Assert.Equal("Accuracy", (string?)weighted[2]!["class_name"]);
        Assert.Equal(["accuracy"], Assert.IsType<JsonArray>(config["metrics"]).Select(m => (string?)m));

        var loaded = TwoUnits();
        CompileConfig.Apply(loaded, JsonNode.Parse(config.ToJsonString()));
        Assert.Equal(["accuracy", "weighted_accuracy", "wmse", "exact"], loaded.Metrics.Select(m => m.Name));
        Assert.Equal(1, loaded.WeightedMetricStart);
        Assert.IsType<ResolvedAccuracy>(((OutputMetric)loaded.Metrics[1]).Inner);
        Assert.IsType<Accuracy>(loaded.Metrics[3]);
        Assert.Equal(config.ToJsonString(), CompileConfig.Serialize(loaded)!.ToJsonString());

        // A Keras compile config: weighted_metrics as strings and per output.
        var keras = JsonNode.Parse("""{"optimizer": "adam", "loss": "mse", "metrics": null, "weighted_metrics": ["acc"], "loss_weights": null, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}""");
        var fromKeras = TwoUnits();
        CompileConfig.Apply(fromKeras, keras);
        Assert.Equal(["acc"], fromKeras.Metrics.Select(m => m.Name));
        Assert.Equal(0, fromKeras.WeightedMetricStart);
    }

    [Fact]
    public void AKerasArchiveKeepsTheWeightedMetrics()
    {
        // Model.Save writes weighted_metrics in the compile config; Model.Load compiles them back, and Evaluate
        // gives the same weighted values.
        var (model, x, y, w) = Binary(0.1f);
        using var dir = new Datasets.TempDir();
        string path = dir.Sub("weighted.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Metrics.Select(m => m.Name), loaded.Metrics.Select(m => m.Name));
        var before = model.Evaluate(x, y, verbose: 0, sampleWeight: w);
        var after = loaded.Evaluate(x, y, verbose: 0, sampleWeight: w);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(before["weighted_mae"], after["weighted_mae"], 12);
    }

    [Fact]
    public void PerOutputWeightedMetricsRoundTrip()
    {
        var input = new Input([4], name: "x");
        var model = new Model([input], [new Dense(3, activation: "softmax", name: "digits").Call(input), new Dense(1, name: "size").Call(input)]);
        model.Compile(null, ["sparse_categorical_crossentropy", "mse"], outputMetrics: [["accuracy"], []], outputWeightedMetrics: [["accuracy"], ["mae"]]);
        Assert.Equal(["digits_accuracy", "digits_weighted_accuracy", "size_mae"], model.Metrics.Select(m => m.Name));
        var config = CompileConfig.Serialize(model)!;
        Assert.Equal("""[["accuracy"],["mae"]]""", config["weighted_metrics"]!.ToJsonString());
        var loaded = new Model([input], model.Outputs.ToArray());
        CompileConfig.Apply(loaded, JsonNode.Parse(config.ToJsonString()));
        Assert.Equal(model.Metrics.Select(m => m.Name), loaded.Metrics.Select(m => m.Name));
        // Keras' dict form, keyed by output name.
        var dict = JsonNode.Parse("""{"optimizer": "adam", "loss": ["sparse_categorical_crossentropy", "mse"], "weighted_metrics": {"digits": ["acc"], "size": []}}""");
        var fromDict = new Model([input], model.Outputs.ToArray());
        CompileConfig.Apply(fromDict, dict);
        Assert.Equal(["digits_acc"], fromDict.Metrics.Select(m => m.Name));
    }
}
