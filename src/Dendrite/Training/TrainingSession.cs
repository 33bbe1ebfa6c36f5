using Dendrite.Autodiff;
using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// Everything one training run keeps between steps: the batch tensors, the workspace, the recorded step plans
/// (one per batch size: the full batches and the last partial one, sharing the same buffers), the loss tracker.
/// <see cref="Step"/> is Keras' <c>train_step</c>: forward, loss, backward, optimizer update, then metrics on the
/// predictions made before the update. The model must be compiled, built and the data checked.
/// </summary>
internal sealed class TrainingSession
{
    private readonly Model _model;
    private readonly Batcher _batcher;
    private readonly Workspace _workspace = new();
    private readonly IReadOnlyList<Variable> _variables;
    private readonly Dictionary<int, StepPlan> _plans = [];

    public TrainingSession(Model model, NDArray x, NDArray y, int batchSize)
    {
        _model = model;
        _batcher = new Batcher(x, y, batchSize);
        _variables = model.TrainableWeights;
    }

    /// <summary>The batch-size-weighted mean of the step losses since its last reset (Keras' <c>loss</c> log).</summary>
    public Mean LossTracker { get; } = new("loss");

    /// <summary>One gradient step on the samples at <paramref name="rows"/>; returns the batch loss before the update.</summary>
    public float Step(ReadOnlySpan<int> rows)
    {
        var (xBatch, yBatch) = _batcher.Gather(rows);
        using (_workspace.Activate())
        {
            Tensor predictions, loss;
            int generation;
            if (_model.RunEagerly)
            {
                _workspace.Reset();
                using var tape = GradientTape.Start();
                predictions = _model.Call(xBatch, training: true);
                loss = _model.Loss!.Call(yBatch, predictions);
                tape.Backward(loss);
                generation = tape.LastGeneration;
            }
            else
            {
                if (_plans.TryGetValue(rows.Length, out var plan)) plan.Forward();
                else
                {
                    // A new batch size: record it, reusing the buffers of the plans already recorded.
                    _workspace.Reset();
                    plan = StepPlan.Record(_model, xBatch, yBatch);
                    _plans.Add(rows.Length, plan);
                }
                generation = plan.Backward();
                (predictions, loss) = (plan.Predictions, plan.Loss);
            }
            _model.Optimizer!.Apply(_variables, generation);
            // Metrics see the predictions made before this update, as in Keras' train_step.
            float lossValue = loss.Values[0];
            LossTracker.Update(lossValue, rows.Length);
            var metrics = _model.Metrics;
            for (int i = 0; i < metrics.Count; i++)
                metrics[i].UpdateState(yBatch.Values, yBatch.Shape, predictions.Values, predictions.Shape);
            return lossValue;
        }
    }
}
