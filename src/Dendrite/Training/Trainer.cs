using System.Globalization;
using Dendrite.Autodiff;
using Dendrite.Callbacks;
using Dendrite.Distribution;
using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// The training, evaluation and prediction loops behind <c>Fit</c>, <c>Evaluate</c> and
/// <c>Predict</c>: argument checks, batching, shuffling, the tape, the optimizer, metrics, progress
/// and history. Keras' conventions: the last partial batch is kept; <c>validation_split</c> takes the last samples
/// before shuffling; the logged loss is the batch-size-weighted mean of the losses computed before each update.
/// </summary>
internal sealed class Trainer(Model model)
{
    public History Fit(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int epochs, int batchSize, bool shuffle, double validationSplit,
        ValidationData? validationData, int verbose, IEnumerable<Callback>? callbacks = null,
        NDArray? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0)
    {
        using var training = model.EnterFit();
        CheckArrays(x, nameof(x));
        CheckArrays(y, nameof(y));
        if (!model.Compiled || model.CompiledLosses.Count == 0)
            throw new InvalidOperationException($"You must call Compile(optimizer, loss, metrics) on model '{model.Name}' before Fit; {(model.Compiled ? "no loss was given" : "it was never compiled")}.");
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be >= 0, got {epochs}.");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), $"initialEpoch must be >= 0, got {initialEpoch}.");
        CheckBatchSize(batchSize);
        CheckVerbose(verbose);
        CheckSameLength(x, y, "x", "y");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), FormattableString.Invariant($"validationSplit must be in [0, 1), got {validationSplit}."));
        CheckFinite(x, "x");
        model.EnsureBuiltFor(x, nameof(x));
        // Data parallelism (DataParallel.Current): every rank runs this same loop on its shard of each global batch.
        var parallel = DataParallel.Current is { Size: > 1 } distribution ? distribution : null;
        if (parallel is not null)
        {
            if (batchSize < parallel.Size)
                throw new ArgumentException($"batchSize {batchSize} is the global batch, split across {parallel.Size} ranks: it must be at least the number of ranks.", nameof(batchSize));
            parallel.BroadcastWeights(model);
            if (!parallel.IsChief)
            {
                verbose = 0; // rank 0 prints
                callbacks = callbacks?.Where(c => c is not (ModelCheckpoint or CSVLogger)).ToList(); // rank 0 writes files
            }
        }
        var reduction = parallel is null ? null : new MetricReduction(parallel);
        var objectives = Objectives.For(model, sampleWeighted: sampleWeight is not null || classWeight is not null);
        objectives.ValidateTargets(y, model, nameof(y));
        // The weights are gathered with the targets, batch by batch. As in Keras, a validation split takes the
        // user's sample weights with its samples, but class weights only ever weight the training loss.
        var targets = y;
        if (SampleWeights.Resolve(sampleWeight, classWeight, y, objectives.Outputs, outputShapes: model.OutputShapes) is { } weights)
            y = [.. y, weights];

        int n = x[0].Length;
        int trainCount = n;
        IReadOnlyList<NDArray>? valX = null, valY = null;
        bool validationWeighted = false;
        if (validationData is { } data)
        {
            var (vx, vy) = (data.X, data.Y);
            CheckArrays(vx, "validationData.X");
            CheckArrays(vy, "validationData.Y");
            CheckSameLength(vx, vy, "validationData.X", "validationData.Y");
            CheckFinite(vx, "validationData.X");
            model.RequireBuiltFor(vx, "validationData.X");
            objectives.ValidateTargets(vy, model, "validationData.Y");
            (valX, valY) = (vx, vy);
            if (data.SampleWeight is not null)
            {
                var validationWeights = SampleWeights.Resolve(data.SampleWeight, null, vy, objectives.Outputs, "validationData.SampleWeight", model.OutputShapes)!;
                (valY, validationWeighted) = ([.. vy, validationWeights], true);
            }
        }
        else if (validationSplit > 0)
        {
            trainCount = (int)Math.Floor(n * (1 - validationSplit));
            if (trainCount == 0 || trainCount == n)
                throw new ArgumentException(FormattableString.Invariant($"validationSplit={validationSplit} on {n} samples leaves {trainCount} for training and {n - trainCount} for validation; both must be non-empty."), nameof(validationSplit));
            validationWeighted = sampleWeight is not null;
            (valX, valY) = (x, validationWeighted ? y : targets);
        }

        var history = new History();
        var order = new int[trainCount];
        for (int i = 0; i < trainCount; i++) order[i] = i;
        int[]? validationRows = null;
        if (valX is not null)
        {
            int start = ReferenceEquals(valX, x) ? trainCount : 0;
            validationRows = new int[valX[0].Length - start];
            for (int i = 0; i < validationRows.Length; i++) validationRows[i] = start + i;
            if (parallel is not null) validationRows = parallel.Shard(validationRows).ToArray(); // each rank validates its share
        }

        var rng = GlobalRandom.Fork();
        // Every rank must shuffle alike: rank 0's seed (the global seed, else one of its own draws) is everyone's.
        ulong? shuffleSeed = parallel?.AgreeOnSeed(GlobalRandom.Seed ?? rng.NextUInt64());
        var session = new TrainingSession(model, objectives, x, y, batchSize);
        if (parallel is not null) session.Averager = new GradientAverager(parallel, model.TrainableWeights);
        var stepLogs = new List<KeyValuePair<string, double>>(); // reused every step
        var lossTracker = session.LossTracker;
        var outputTrackers = session.OutputLossTrackers;
        int steps = StepCount(trainCount, batchSize);
        var output = ProgressDisplay.Output;
        var hooks = new CallbackList(model, callbacks);
        // Keras clears stop_training before on_train_begin, so a callback may set it there: one batch then runs.
        model.StopTraining = false;
        hooks.TrainBegin(hooks.EmptyLogs());
        Dictionary<string, double>? trainingLogs = null;
        // The validation's batch buffers and workspace, made at the first epoch end and reused by the others.
        (Batcher, Workspace)? validationBuffers = null;
        var validationObjectives = valX is null ? null : validationWeighted == objectives.SampleWeighted ? objectives : Objectives.For(model, validationWeighted);

        for (int epoch = initialEpoch; epoch < epochs; epoch++)
        {
            lossTracker.ResetState();
            foreach (var tracker in outputTrackers) tracker.ResetState();
            foreach (var metric in model.Metrics) metric.ResetState();
            hooks.EpochBegin(epoch, hooks.EmptyLogs());
            if (verbose != 0 && epochs > 1) { output.Write($"Epoch {epoch + 1}/{epochs}\n"); output.Flush(); }
            if (shuffle) Shuffle(order, rng, epoch, shuffleSeed);
            var bar = verbose == 0 || steps == 0 ? null : new Progbar(steps, verbose);

            int stepsRun = 0;
            for (int step = 0; step < steps; step++)
            {
                int start = step * batchSize;
                var rows = order.AsSpan(start, Math.Min(batchSize, trainCount - start));
                if (!hooks.IsEmpty) hooks.TrainBatchBegin(step, hooks.EmptyLogs());
                if (parallel is null) session.Step(rows);
                else session.Step(parallel.Shard(rows), globalCount: rows.Length);
                stepsRun++;
                // Under data parallelism every rank reduces at every step, so that all call the collective alike.
                if (bar is not null || !hooks.IsEmpty || parallel is not null) FillLogs(stepLogs, lossTracker, outputTrackers, reduction: reduction);
                if (!hooks.IsEmpty) hooks.TrainBatchEnd(step, hooks.BatchLogs(stepLogs));
                if (model.StopTraining) break; // Keras checks after every batch (TerminateOnNaN)
                if (bar is not null) bar.Update(step + 1, stepLogs);
            }

            var logs = FillLogs([], lossTracker, outputTrackers, reduction: reduction);
            // As in Keras, validation runs even when a callback stopped training during the epoch.
            if (valX is not null)
            {
                validationBuffers ??= (new Batcher(valX, valY, batchSize), new Workspace());
                var validation = EvaluateRows(valX, valY!, validationRows!, batchSize, validationObjectives!, progress: null, hooks, validationBuffers, reduction);
                foreach (var (key, value) in validation) logs.Add(new("val_" + key, value));
            }
            // A new dictionary every epoch, as Keras' epoch_logs; on_train_end receives the last one.
            var epochLogs = new Dictionary<string, double>(logs, StringComparer.Ordinal);
            hooks.EpochEnd(epoch, epochLogs); // callbacks may add keys (learning_rate) that History and the bar then show
            trainingLogs = epochLogs;
            logs.Clear();
            logs.AddRange(epochLogs);
            // Keras sorts every log line (pythonify_logs): val_accuracy before val_loss, whatever the compile order.
            SortByKey(logs);
            history.Append(epoch, logs);
            bar?.Update(stepsRun, logs, finalize: true);
            if (model.StopTraining) break;
        }
        // Keras' fit, after the last epoch: the optimizer's finalize_variable_values (EMA weights swapped in).
        if (epochs > 0) model.Optimizer?.FinalizeVariableValues(model.TrainableWeights);
        hooks.TrainEnd(trainingLogs ?? hooks.EmptyLogs());
        return history;
    }

    /// <summary>
    /// The epoch's order of the training samples. After <see cref="Utils.SetRandomSeed"/> it depends only on the seed
    /// and the epoch number (as Keras 3.16 seeds its shuffle by the epoch), so that a run resumed from a saved model with
    /// <c>initialEpoch</c> sees the very batches the uninterrupted run saw; without a seed, each epoch reshuffles the
    /// previous order with the run's own generator.
    /// </summary>
    private static void Shuffle(int[] order, RandomGenerator rng, int epoch, ulong? sharedSeed)
    {
        if ((sharedSeed ?? GlobalRandom.Seed) is not ulong seed)
        {
            rng.Shuffle(order);
            return;
        }
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new RandomGenerator(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1))).Shuffle(order);
    }

    /// <summary>
    /// Fills <paramref name="logs"/> with the loss then the metrics in compile order (the order <c>Evaluate</c>
    /// returns), or alphabetically by name as Keras shows them on the log line when <paramref name="sorted"/>.
    /// </summary>
    private List<KeyValuePair<string, double>> FillLogs(List<KeyValuePair<string, double>> logs, Mean lossTracker, Mean[] outputTrackers, bool sorted = true,
        MetricReduction? reduction = null)
    {
        if (reduction is not null) return FillGlobalLogs(logs, lossTracker, outputTrackers, sorted, reduction);
        return ReadLogs(logs, lossTracker, outputTrackers, sorted, acrossRanks: null);
    }

    /// <summary>The values <see cref="FillLogs"/> lists; a metric's through <paramref name="acrossRanks"/> when given (its cross-rank mean if it has no additive state).</summary>
    private List<KeyValuePair<string, double>> ReadLogs(List<KeyValuePair<string, double>> logs, Mean lossTracker, Mean[] outputTrackers, bool sorted,
        MetricReduction? acrossRanks)
    {
        logs.Clear();
        logs.Add(new("loss", lossTracker.Result()));
        foreach (var tracker in outputTrackers) logs.Add(new(tracker.Name, tracker.Result()));
        var metrics = model.Metrics;
        for (int i = 0; i < metrics.Count; i++) logs.Add(new(metrics[i].Name, acrossRanks is null ? metrics[i].Result() : acrossRanks.Result(metrics[i])));
        if (sorted) SortByKey(logs);
        return logs;
    }

    /// <summary>
    /// <see cref="FillLogs"/> with the values of every rank's samples together: the trackers' and metrics' states
    /// summed across ranks (a method of its own, so that the lambda's closure is not allocated on the common path).
    /// </summary>
    private List<KeyValuePair<string, double>> FillGlobalLogs(List<KeyValuePair<string, double>> logs, Mean lossTracker, Mean[] outputTrackers, bool sorted,
        MetricReduction reduction)
    {
        Metric[] all = [lossTracker, .. outputTrackers, .. model.Metrics];
        reduction.WithGlobalState(all, () => ReadLogs(logs, lossTracker, outputTrackers, sorted, acrossRanks: reduction));
        return logs;
    }

    /// <summary>
    /// Keras' key order on the log line: alphabetical. An insertion sort of the few keys, because List.Sort with a
    /// comparer allocates a delegate on every call and this runs every step.
    /// </summary>
    private static void SortByKey(List<KeyValuePair<string, double>> logs)
    {
        for (int i = 1; i < logs.Count; i++)
        {
            var item = logs[i];
            int j = i - 1;
            for (; j >= 0 && string.CompareOrdinal(logs[j].Key, item.Key) > 0; j--) logs[j + 1] = logs[j];
            logs[j + 1] = item;
        }
    }

    public EvaluationResult Evaluate(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int batchSize, int verbose, IEnumerable<Callback>? callbacks = null,
        NDArray? sampleWeight = null)
    {
        model.RefuseWhileTrainingElsewhere("Evaluate");
        // Concurrent calls would share the model's metric objects: one Evaluate at a time per model.
        lock (model.MetricLock) return EvaluateLocked(x, y, batchSize, verbose, callbacks, sampleWeight);
    }

    private EvaluationResult EvaluateLocked(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int batchSize, int verbose, IEnumerable<Callback>? callbacks,
        NDArray? sampleWeight)
    {
        CheckArrays(x, nameof(x));
        CheckArrays(y, nameof(y));
        if (!model.Compiled || model.CompiledLosses.Count == 0)
            throw new InvalidOperationException($"You must call Compile(optimizer, loss, metrics) on model '{model.Name}' before Evaluate.");
        CheckBatchSize(batchSize);
        CheckVerbose(verbose);
        CheckSameLength(x, y, "x", "y");
        CheckFinite(x, "x");
        model.RequireBuiltFor(x, nameof(x));
        var objectives = Objectives.For(model, sampleWeighted: sampleWeight is not null);
        objectives.ValidateTargets(y, model, nameof(y));
        if (SampleWeights.Resolve(sampleWeight, null, y, objectives.Outputs, outputShapes: model.OutputShapes) is { } weights) y = [.. y, weights];
        var rows = new int[x[0].Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = i;
        // Under data parallelism each rank evaluates its contiguous share and the sums are reduced across ranks.
        var parallel = DataParallel.Current is { Size: > 1 } distribution ? distribution : null;
        if (parallel is not null)
        {
            rows = parallel.Shard(rows).ToArray();
            if (!parallel.IsChief) verbose = 0;
        }
        int steps = StepCount(rows.Length, batchSize);
        var bar = verbose == 0 || steps == 0 ? null : new Progbar(steps, verbose);
        var ordered = EvaluateRows(x, y, rows, batchSize, objectives, bar, new CallbackList(model, callbacks), reduction: parallel is null ? null : new MetricReduction(parallel));
        if (bar is not null)
        {
            var display = new List<KeyValuePair<string, double>>(ordered);
            SortByKey(display);
            bar.Update(steps, display, finalize: true);
        }
        return new EvaluationResult(ordered);
    }

    /// <summary>Loss then metrics (compile order) over the given rows, without touching the weights.</summary>
    private List<KeyValuePair<string, double>> EvaluateRows(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int[] rows, int batchSize,
        Objectives objectives, Progbar? progress, CallbackList hooks, (Batcher Batcher, Workspace Workspace)? buffers = null,
        MetricReduction? reduction = null)
    {
        var stepLogs = new List<KeyValuePair<string, double>>();
        var (batcher, workspace) = buffers ?? (new Batcher(x, y, batchSize), new Workspace());
        int steps = StepCount(rows.Length, batchSize);
        if (!hooks.IsEmpty) hooks.TestBegin(hooks.EmptyLogs());
        var lossTracker = new Mean("loss");
        Mean[] outputTrackers = objectives.LogsOutputLosses ? [.. objectives.OutputNames.Select(n => new Mean(n + "_loss"))] : [];
        var outputLosses = new Tensor[objectives.Outputs];
        foreach (var metric in model.Metrics) metric.ResetState();
        for (int step = 0; step < steps; step++)
        {
            int start = step * batchSize;
            var batchRows = rows.AsSpan(start, Math.Min(batchSize, rows.Length - start));
            if (!hooks.IsEmpty) hooks.TestBatchBegin(step, hooks.EmptyLogs());
            var (xBatch, yBatch) = batcher.Gather(batchRows);
            using (workspace.ActivateForBatch())
            {
                var predictions = model.Call(xBatch, training: false);
                var (targets, weights) = objectives.Split(yBatch);
                float loss = objectives.TotalLoss(targets, predictions, outputLosses, weights).Values[0];
                lossTracker.Update(loss, batchRows.Length);
                for (int i = 0; i < outputTrackers.Length; i++) outputTrackers[i].Update(outputLosses[i].Values[0], batchRows.Length);
                objectives.UpdateMetrics(model.Metrics, targets, predictions, weights);
            }
            bool show = progress is not null && step + 1 < steps;
            if (show || !hooks.IsEmpty) FillLogs(stepLogs, lossTracker, outputTrackers);
            if (!hooks.IsEmpty) hooks.TestBatchEnd(step, hooks.BatchLogs(stepLogs));
            if (show) progress!.Update(step + 1, stepLogs);
        }
        var result = FillLogs([], lossTracker, outputTrackers, sorted: false, reduction: reduction);
        if (!hooks.IsEmpty) hooks.TestEnd(new Dictionary<string, double>(result, StringComparer.Ordinal));
        return result;
    }

    public NDArray<float>[] Predict(IReadOnlyList<NDArray> x, int batchSize, int verbose, IEnumerable<Callback>? callbacks = null)
    {
        model.RefuseWhileTrainingElsewhere("Predict");
        CheckArrays(x, nameof(x));
        CheckBatchSize(batchSize);
        CheckVerbose(verbose);
        model.RequireBuiltFor(x, nameof(x));
        CheckFinite(x, "x");
        Shape[] outputShapes = model.OutputShapes;
        int n = x[0].Length;
        for (int i = 1; i < x.Count; i++)
            if (x[i].Length != n)
                throw new ArgumentException($"x[0] and x[{i}] must have the same number of samples: x[0] has {n.ToString(CultureInfo.InvariantCulture)} (shape {x[0].Shape}), x[{i}] has {x[i].Length.ToString(CultureInfo.InvariantCulture)} (shape {x[i].Shape}).", nameof(x));
        var results = new float[outputShapes.Length][];
        for (int o = 0; o < outputShapes.Length; o++)
        {
            long floats = (long)n * outputShapes[o].Size;
            results[o] = new float[floats > int.MaxValue ? throw new OutOfMemoryException($"Predict output of {n}×{outputShapes[o].Size} floats exceeds one array.") : floats];
        }
        var batcher = new Batcher(x, null, batchSize);
        var workspace = new Workspace();
        int steps = StepCount(n, batchSize);
        var bar = verbose == 0 || steps == 0 ? null : new Progbar(steps, verbose);
        var rows = new int[Math.Min(batchSize, n)];
        var hooks = new CallbackList(model, callbacks);
        if (!hooks.IsEmpty) hooks.PredictBegin(hooks.EmptyLogs());
        for (int step = 0; step < steps; step++)
        {
            int start = step * batchSize;
            int count = Math.Min(batchSize, n - start);
            for (int i = 0; i < count; i++) rows[i] = start + i;
            if (!hooks.IsEmpty) hooks.PredictBatchBegin(step, hooks.EmptyLogs());
            var (xBatch, _) = batcher.Gather(rows.AsSpan(0, count));
            using (workspace.ActivateForBatch())
            {
                var outputs = model.Call(xBatch, training: false);
                for (int o = 0; o < results.Length; o++)
                {
                    int rowOut = outputShapes[o].Size;
                    outputs[o].Values.CopyTo(results[o].AsSpan(start * rowOut, count * rowOut));
                }
            }
            if (!hooks.IsEmpty) hooks.PredictBatchEnd(step, hooks.EmptyLogs());
            bar?.Update(step + 1, finalize: step + 1 == steps);
        }
        if (!hooks.IsEmpty) hooks.PredictEnd(hooks.EmptyLogs());
        var arrays = new NDArray<float>[results.Length];
        for (int o = 0; o < results.Length; o++)
        {
            arrays[o] = new NDArray<float>(results[o], 0, TargetShapes.WithBatch(n, outputShapes[o]), null);
        }
        return arrays;
    }

    /// <summary>The number of batches, the last partial one included: ⌈samples / batchSize⌉, without overflow for any batch size.</summary>
    internal static int StepCount(int samples, int batchSize) => (int)(((long)samples + batchSize - 1) / batchSize);

    private static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be a positive integer, got {batchSize}.");
    }

    private static void CheckVerbose(int verbose)
    {
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), $"verbose must be 0, 1 or 2, got {verbose}.");
    }

    private static void CheckArrays(IReadOnlyList<NDArray> arrays, string name)
    {
        ArgumentNullException.ThrowIfNull(arrays, name);
        if (arrays.Count == 0) throw new ArgumentException($"{name} holds no arrays.", name);
        for (int i = 0; i < arrays.Count; i++)
            if (arrays[i] is null) throw new ArgumentNullException(name, $"{name}[{i}] is null.");
    }

    /// <summary>Every array, inputs and targets, must hold the same number of samples.</summary>
    private static void CheckSameLength(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, string xName, string yName)
    {
        string Label(string name, IReadOnlyList<NDArray> list, int i) => list.Count == 1 ? name : $"{name}[{i}]";
        var all = x.Select((a, i) => (Array: a, Name: Label(xName, x, i))).Concat(y.Select((a, i) => (Array: a, Name: Label(yName, y, i)))).ToList();
        foreach (var (array, name) in all)
            if (array.Rank == 0) throw new ArgumentException($"{name} needs a sample axis; got shape {array.Shape}.");
        var first = all[0];
        foreach (var (array, name) in all.Skip(1))
            if (array.Length != first.Array.Length)
                throw new ArgumentException($"{first.Name} and {name} must have the same number of samples: {first.Name} has {first.Array.Length.ToString(CultureInfo.InvariantCulture)} (shape {first.Array.Shape}), {name} has {array.Length.ToString(CultureInfo.InvariantCulture)} (shape {array.Shape}).");
        if (first.Array.Length == 0) throw new ArgumentException($"{first.Name} is empty (shape {first.Array.Shape}); there is nothing to train or evaluate on.");
    }

    private static void CheckFinite(IReadOnlyList<NDArray> x, string name)
    {
        for (int i = 0; i < x.Count; i++)
            if (x[i].HasNonFinite())
            {
                string label = x.Count == 1 ? name : $"{name}[{i}]";
                throw new ArgumentException($"{label} contains NaN or infinite values (shape {x[i].Shape}); clean or rescale the data before training or predicting.", name);
            }
    }
}
