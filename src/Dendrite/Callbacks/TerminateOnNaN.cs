using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>Stops training as soon as a batch's loss is NaN or infinite (Keras' <c>TerminateOnNaN</c>).</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
        {
            ProgressDisplay.Output.Write($"Batch {batch}: Invalid loss, terminating training\n");
            Model.StopTraining = true;
        }
    }
}
