using System.Globalization;
using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Sets the optimizer's learning rate at the start of every epoch from <c>schedule(epoch, currentRate)</c>
/// (Keras' <c>LearningRateScheduler</c>), and logs it as <c>learning_rate</c> at the epoch's end.
/// </summary>
/// <param name="schedule">Maps the 0-based epoch and the current rate to the new rate.</param>
/// <param name="verbose">1 prints the rate set at each epoch.</param>
public sealed class LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0) : Callback
{
    private readonly Func<int, double, double> _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled model (it sets the optimizer's learning rate).");
        double rate = _schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(rate) || rate <= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The output of the schedule function should be a positive finite number. Got: {rate} at epoch {epoch}."));
        optimizer.LearningRate = (float)rate;
        if (verbose > 0)
            ProgressDisplay.Output.Write(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}.\n"));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => logs["learning_rate"] = Model.Optimizer!.LearningRate;
}
