using System.Globalization;
using Dendrite.Training;

namespace Dendrite.Callbacks;

/// <summary>
/// Sets the optimizer's learning rate at the start of every epoch from <c>schedule(epoch, currentRate)</c>
/// (Keras' <c>LearningRateScheduler</c>), and logs it as <c>learning_rate</c> at the epoch's end.
/// </summary>
/// <remarks>
/// The current rate is the optimizer's float32 rate read as a double, as Keras reads it into a Python float. Any
/// finite rate of zero or more is accepted (Keras accepts any float; zero freezes the weights for an epoch); NaN,
/// infinities and negative rates are an <see cref="ArgumentException"/>.
/// </remarks>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;
    private readonly int _verbose;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="schedule">Maps the 0-based epoch and the current rate to the new rate.</param>
    /// <param name="verbose">1 prints the rate set at each epoch.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _verbose = verbose;
    }

    /// <summary>Creates the scheduler from a function of the epoch alone (Keras' older one-argument schedules).</summary>
    /// <param name="schedule">Maps the 0-based epoch to the rate.</param>
    /// <param name="verbose">1 prints the rate set at each epoch.</param>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
        : this(schedule is null ? null! : (epoch, _) => schedule(epoch), verbose)
    {
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled model (it sets the optimizer's learning rate).");
        double rate = _schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(rate) || rate < 0)
            throw new ArgumentException($"The output of the schedule function should be a finite float >= 0. Got: {CSVLogger.PythonFloat(rate)} at epoch {epoch.ToString(CultureInfo.InvariantCulture)}.");
        optimizer.LearningRate = (float)rate;
        if (_verbose > 0)
            ProgressDisplay.Output.Write(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {CSVLogger.PythonFloat(rate)}.\n"));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => logs["learning_rate"] = Model.Optimizer!.LearningRate;
}
