using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Stops training as soon as a training batch's loss is NaN or infinite (Keras' <c>TerminateOnNaN</c>): by default
/// it prints <c>Batch &lt;n&gt;: Invalid loss, terminating training</c> and sets <see cref="Model.StopTraining"/>,
/// so that the epoch ends (its validation and epoch-end hooks still run) and every callback's
/// <see cref="Callback.OnTrainEnd"/> is called.
/// </summary>
/// <param name="raiseError">
/// Throw an <see cref="InvalidOperationException"/> at once instead (Keras' <c>raise_error=True</c>, a
/// <c>RuntimeError</c>): <c>Fit</c> ends without any further hook, <see cref="Callback.OnTrainEnd"/> included.
/// </param>
public sealed class TerminateOnNaN(bool raiseError = false) : Callback
{
    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
        {
            if (raiseError)
                throw new InvalidOperationException($"NaN or Inf loss encountered at batch {batch}. Loss value: {CSVLogger.PythonFloat(loss)}. Terminating training immediately.");
            ProgressDisplay.Output.Write($"Batch {batch}: Invalid loss, terminating training\n");
            Model.StopTraining = true;
        }
    }
}
