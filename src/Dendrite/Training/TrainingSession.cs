using Dendrite.Autodiff;
using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// Everything one training run keeps between steps: the batch tensors, the workspace, the recorded step plans
/// (one per batch size: the full batches and the last partial one, sharing the same buffers), the loss trackers.
/// <see cref="Step"/> is Keras' <c>train_step</c>: forward, loss, backward, optimizer update, then metrics on the
/// predictions made before the update. The model must be compiled, built and the data checked.
/// </summary>
internal sealed class TrainingSession
{
    private readonly Model _model;
    private readonly Objectives _objectives;
    private readonly Batcher _batcher;
    private readonly Workspace _workspace = new();
    private readonly IReadOnlyList<Variable> _variables;
    private readonly Dictionary<int, StepPlan> _plans = [];

    public TrainingSession(Model model, Objectives objectives, IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int batchSize)
    {
        _model = model;
        _objectives = objectives;
        _batcher = new Batcher(x, y, batchSize);
        _variables = model.TrainableWeights;
        OutputLossTrackers = objectives.LogsOutputLosses ? [.. objectives.OutputNames.Select(n => new Mean(n + "_loss"))] : [];
    }

    /// <summary>For a single-output model and data (the common case).</summary>
    public TrainingSession(Model model, NDArray x, NDArray y, int batchSize) : this(model, Objectives.For(model), [x], [y], batchSize) { }

    /// <summary>The batch-size-weighted mean of the step losses since its last reset (Keras' <c>loss</c> log).</summary>
    public Mean LossTracker { get; } = new("loss");

    /// <summary>Each output's loss (multi-output models only, logged as <c>name_loss</c>).</summary>
    public Mean[] OutputLossTrackers { get; }

    /// <summary>Under data parallelism: averages each step's gradients across the ranks before the update.</summary>
    internal Distribution.GradientAverager? Averager { get; set; }

    /// <summary>
    /// One gradient step on the samples at <paramref name="rows"/>; returns the batch loss before the update. Under
    /// data parallelism (<see cref="Averager"/>), <paramref name="rows"/> is this rank's shard of a global batch of
    /// <paramref name="globalCount"/> samples, possibly empty (then this rank only takes part in the averaging).
    /// </summary>
    public float Step(ReadOnlySpan<int> rows, int globalCount = -1)
    {
        if (rows.IsEmpty && Averager is not null)
        {
            Averager.Average(0, globalCount);
            if (_variables.Count > 0) _model.Optimizer!.Apply(_variables, generation: null);
            return 0f;
        }
        var (xBatch, yBatch) = _batcher.Gather(rows);
        using (_workspace.Activate())
        {
            IReadOnlyList<Tensor> predictions;
            Tensor loss;
            Tensor[] outputLosses;
            int generation;
            StepPlan? plan = null; // null when eager: the averager then sends every bucket after the backward pass
            if (_model.RunEagerly)
            {
                _workspace.Reset();
                using var tape = GradientTape.Start();
                predictions = _model.Call(xBatch, training: true);
                outputLosses = new Tensor[_objectives.Outputs];
                var (targets, weights) = _objectives.Split(yBatch);
                loss = _objectives.TotalLoss(targets, predictions, outputLosses, weights);
                // Keras' train_step differentiates optimizer.scale_loss(loss): the seed is the loss-scale factor.
                if (_variables.Count > 0) tape.Backward(loss, _model.Optimizer!.LossSeed);
                generation = tape.LastGeneration;
                Averager?.BeginStep(null, rows.Length, globalCount);
            }
            else
            {
                if (_plans.TryGetValue(rows.Length, out plan)) plan.Forward();
                else
                {
                    // A new batch size: record it, reusing the buffers of the plans already recorded.
                    _workspace.Reset();
                    plan = StepPlan.Record(_model, _objectives, xBatch, yBatch);
                    _plans.Add(rows.Length, plan);
                }
                Averager?.BeginStep(plan, rows.Length, globalCount);
                generation = _variables.Count > 0 ? plan.Backward(Averager, _model.Optimizer!.LossSeed) : -1;
                (predictions, loss, outputLosses) = (plan.Predictions, plan.Loss, plan.OutputLosses);
            }
            // A model without trainable weights (all frozen, or only weightless layers) still runs its forward pass
            // and logs its loss, but has nothing to differentiate or update, as in Keras' train_step.
            if (_variables.Count > 0)
            {
                Averager?.FinishStep(plan);
                _model.Optimizer!.Apply(_variables, generation);
            }
            // Metrics see the predictions made before this update, as in Keras' train_step.
            float lossValue = loss.Values[0];
            LossTracker.Update(lossValue, rows.Length);
            for (int i = 0; i < OutputLossTrackers.Length; i++) OutputLossTrackers[i].Update(outputLosses[i].Values[0], rows.Length);
            _objectives.UpdateMetrics(_model.Metrics, yBatch, predictions, _objectives.WeightsOf(yBatch)); // the weighted metrics also read the weights
            return lossValue;
        }
    }
}
