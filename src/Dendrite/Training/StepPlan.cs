using Dendrite.Autodiff;

namespace Dendrite.Training;

/// <summary>
/// One training step recorded as a list of ops and replayed for every later batch of the same size: forward ops
/// rerun on the new batch in the same buffers, then the backward pass walks them in reverse. Like a traced
/// <c>tf.function</c> in Keras, it assumes the model's <c>Call</c> builds the same graph for every batch of a given
/// shape; <c>Compile(runEagerly: true)</c> turns replay off for models that do not.
/// </summary>
/// <remarks>After recording, a step allocates nothing: the ops, tensors and gradient buffers all persist.</remarks>
internal sealed class StepPlan
{
    private readonly Op[] _ops;

    private StepPlan(Op[] ops, IReadOnlyList<Tensor> predictions, Tensor loss, Tensor[] outputLosses)
    {
        _ops = ops;
        Predictions = predictions;
        Loss = loss;
        OutputLosses = outputLosses;
    }

    /// <summary>The model's outputs for the current batch.</summary>
    public IReadOnlyList<Tensor> Predictions { get; }

    /// <summary>The scalar (total) loss of the current batch.</summary>
    public Tensor Loss { get; }

    /// <summary>Each output's loss of the current batch.</summary>
    public Tensor[] OutputLosses { get; }

    /// <summary>Runs the forward pass once on <paramref name="x"/>/<paramref name="y"/>, recording every op.</summary>
    public static StepPlan Record(Model model, Objectives objectives, Tensor[] x, Tensor[] y)
    {
        using var tape = GradientTape.StartRecordingAll();
        var predictions = model.Call(x, training: true);
        var outputLosses = new Tensor[objectives.Outputs];
        var (targets, weights) = objectives.Split(y);
        var loss = objectives.TotalLoss(targets, predictions, outputLosses, weights);
        return new StepPlan(tape.RecordedOps(), predictions, loss, outputLosses);
    }

    /// <summary>Recomputes every op's output from the current values of the batch tensors and the weights.</summary>
    public void Forward()
    {
        foreach (var op in _ops) op.Forward();
    }

    /// <summary>
    /// Back-propagates from the loss, seeded with <paramref name="seed"/> (the optimizer's loss-scale factor, else 1);
    /// returns the generation that stamps the fresh gradients.
    /// </summary>
    public int Backward(IBackwardObserver? observer = null, float seed = 1f) => GradientTape.Backpropagate(_ops, Loss, observer, seed);
}
