using System.Globalization;
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
/// <param name="locate">
/// Also say where the bad value is (Dendrite's addition): the epoch and step, and the first weight, in layer order,
/// that holds a NaN or an infinity — the layer, the weight and the element — or that every weight is still finite,
/// so the value came from that batch's targets or its forward computation (inputs are checked before training).
/// </param>
public sealed class TerminateOnNaN(bool raiseError = false, bool locate = false) : Callback
{
    private int _epoch;

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _epoch = epoch;

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out double loss) || double.IsFinite(loss)) return;
        string where = locate ? " " + Locate(batch, loss) : "";
        if (raiseError)
            throw new InvalidOperationException($"NaN or Inf loss encountered at batch {batch}. Loss value: {CSVLogger.PythonFloat(loss)}. Terminating training immediately.{where}");
        ProgressDisplay.Output.Write($"Batch {batch}: Invalid loss, terminating training{where}\n");
        Model.StopTraining = true;
    }

    /// <summary>The epoch, the step and the first non-finite weight (or that there is none).</summary>
    internal string Locate(int batch, double loss)
    {
        string at = string.Create(CultureInfo.InvariantCulture, $"(epoch {_epoch + 1}, step {batch + 1}: loss {CSVLogger.PythonFloat(loss)}).");
        foreach (var layer in Model.Layers)
            foreach (var weight in layer.Weights)
            {
                var values = weight.Value.Values;
                for (int i = 0; i < values.Length; i++)
                    if (!float.IsFinite(values[i]))
                        return string.Create(CultureInfo.InvariantCulture,
                            $"{at} The first tensor holding a non-finite value is layer '{layer.Name}' ({layer.GetType().Name}) weight '{weight.Name}' {weight.Shape}: element {i} is {CSVLogger.PythonFloat(values[i])}.");
            }
        return $"{at} Every weight is still finite: the value came from this batch's targets or its forward computation (an overflowing activation or loss).";
    }
}
