using System.Globalization;
using Dendrite.Callbacks;
using Dendrite.Optimizers;
using Dendrite.Tests.Models;
using Dendrite.Training;

namespace Dendrite.Tests.Callbacks;

/// <summary>One hook call: its name, the epoch or batch index (-1 when the hook has none) and a copy of its logs.</summary>
internal sealed record HookCall(string Hook, int Index, Dictionary<string, double> Logs)
{
    public override string ToString() => Index < 0 ? Hook : $"{Hook}({Index.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>Records every hook with a copy of its logs, and checks that the model is set before the first one.</summary>
internal sealed class SpyCallback : Callback
{
    public List<HookCall> Calls { get; } = [];

    /// <summary>The hooks as "name(index)" strings, in call order.</summary>
    public List<string> Trace => [.. Calls.Select(c => c.ToString())];

    public IEnumerable<HookCall> Of(string hook) => Calls.Where(c => c.Hook == hook);

    private void Record(string hook, int index, IDictionary<string, double> logs)
    {
        Assert.NotNull(Model);
        Calls.Add(new(hook, index, new Dictionary<string, double>(logs, StringComparer.Ordinal)));
    }

    public override void OnTrainBegin(IDictionary<string, double> logs) => Record("train_begin", -1, logs);
    public override void OnTrainEnd(IDictionary<string, double> logs) => Record("train_end", -1, logs);
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => Record("epoch_begin", epoch, logs);
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => Record("epoch_end", epoch, logs);
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => Record("train_batch_begin", batch, logs);
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => Record("train_batch_end", batch, logs);
    public override void OnTestBegin(IDictionary<string, double> logs) => Record("test_begin", -1, logs);
    public override void OnTestEnd(IDictionary<string, double> logs) => Record("test_end", -1, logs);
    public override void OnTestBatchBegin(int batch, IDictionary<string, double> logs) => Record("test_batch_begin", batch, logs);
    public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs) => Record("test_batch_end", batch, logs);
    public override void OnPredictBegin(IDictionary<string, double> logs) => Record("predict_begin", -1, logs);
    public override void OnPredictEnd(IDictionary<string, double> logs) => Record("predict_end", -1, logs);
    public override void OnPredictBatchBegin(int batch, IDictionary<string, double> logs) => Record("predict_batch_begin", batch, logs);
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) => Record("predict_batch_end", batch, logs);
}

/// <summary>Overwrites (or adds) <c>logs[key]</c> at each epoch end with the scripted value of that epoch: placed before a monitoring callback, it decides what that callback sees.</summary>
internal sealed class ScriptedValues(string key, params double[] values) : Callback
{
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => logs[key] = values[epoch];
}

/// <summary>Copies of the model's weights at the end of every epoch (placed before a callback that may restore some).</summary>
internal sealed class WeightsRecorder : Callback
{
    public List<float[][]> AtEpochEnd { get; } = [];

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => AtEpochEnd.Add(TestModels.WeightValues(Model));
}

/// <summary>Runs an action from a hook: the hook name and its index decide.</summary>
internal sealed class ActionCallback(Action<string, int, Model, IDictionary<string, double>> action) : Callback
{
    public override void OnTrainBegin(IDictionary<string, double> logs) => action("train_begin", -1, Model, logs);
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => action("epoch_begin", epoch, Model, logs);
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => action("epoch_end", epoch, Model, logs);
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => action("train_batch_begin", batch, Model, logs);
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => action("train_batch_end", batch, Model, logs);
}

internal static class CallbackTests
{
    /// <summary>The blob classifier compiled with SGD (deterministic: seeded weights, and fits here do not shuffle).</summary>
    public static Sequential Model(int seed = 700, float learningRate = 0.05f)
    {
        var model = TestModels.Classifier(seed);
        model.Compile(optimizer: new SGD(learningRate), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>Fits silently without shuffling, so that nothing depends on the global seed.</summary>
    public static History Fit(Model model, int epochs, params Callback[] callbacks)
    {
        var (x, y) = TestData.Blobs(12, seed: 5);
        return model.Fit(x, y, epochs: epochs, batchSize: 4, shuffle: false, verbose: 0, callbacks: callbacks);
    }

    /// <summary>Runs <paramref name="action"/> with the callbacks' messages captured.</summary>
    public static string Captured(Action action) => TestData.CaptureProgress(ProgressMode.FinalLineOnly, action);
}
