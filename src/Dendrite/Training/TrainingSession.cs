using Dendrite.Autodiff;
using Dendrite.Metrics;

namespace Dendrite.Training;

/// <summary>
/// Everything one training run keeps between steps: the batch buffers, the workspace, the variable list, the loss
/// tracker. <see cref="Step"/> is Keras' <c>train_step</c>: forward on the tape, loss, backward, optimizer update,
/// then metrics on the predictions made before the update. The model must be compiled, built and the data checked.
/// </summary>
internal sealed class TrainingSession
{
    private readonly Model _model;
    private readonly Batcher _batcher;
    private readonly Workspace _workspace = new();
    private readonly IReadOnlyList<Variable> _variables;

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
            try
            {
                Tensor predictions;
                float loss;
                int generation;
                using (var tape = GradientTape.Start())
                {
                    predictions = _model.Call(xBatch, training: true);
                    var lossTensor = _model.Loss!.Call(yBatch, predictions);
                    loss = lossTensor.Values[0];
                    tape.Backward(lossTensor);
                    generation = tape.LastGeneration;
                }
                _model.Optimizer!.Apply(_variables, generation);
                // Metrics see the predictions made before this update, as in Keras' train_step.
                LossTracker.Update(loss, rows.Length);
                foreach (var metric in _model.Metrics)
                    metric.UpdateState(yBatch.Values, yBatch.Shape, predictions.Values, predictions.Shape);
                return loss;
            }
            finally
            {
                _workspace.Reset();
            }
        }
    }
}
