namespace Dendrite.Metrics;

/// <summary>
/// A metric whose Keras <c>result()</c> can be a vector: one value per threshold (<see cref="Precision"/>,
/// <see cref="Recall"/>, <see cref="TruePositives"/>, … given a list of thresholds), per class
/// (<see cref="FBetaScore"/> with <c>average: null</c>) or per output column (<see cref="R2Score"/> with
/// <c>classAggregation: null</c>).
/// </summary>
/// <remarks>
/// <see cref="Metric.Result"/> stays a single number so that the trainer can log it: it is the first value (the only
/// one when Keras' result is a scalar). Read every value with <see cref="CopyResults"/> (no allocation) or
/// <see cref="MultiValueMetricExtensions.ResultValues"/>.
/// </remarks>
public interface IMultiValueMetric
{
    /// <summary>How many values Keras' result has now: 1 for a scalar result, 0 while a metric that sizes itself from its first batch has seen none.</summary>
    int ResultCount { get; }

    /// <summary>Writes the <see cref="ResultCount"/> values of the result into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ResultCount"/>.</exception>
    void CopyResults(Span<double> destination);
}

/// <summary>Conveniences over <see cref="IMultiValueMetric"/>.</summary>
public static class MultiValueMetricExtensions
{
    /// <summary>Every value of the metric's result, as Keras' <c>result()</c> returns it (a new array).</summary>
    public static double[] ResultValues(this IMultiValueMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var values = new double[metric.ResultCount];
        metric.CopyResults(values);
        return values;
    }

    /// <summary>Throws unless <paramref name="destination"/> holds at least <paramref name="count"/> values.</summary>
    internal static void CheckDestination(Span<double> destination, int count)
    {
        if (destination.Length < count)
            throw new ArgumentException($"The destination holds {destination.Length} values but the result has {count}.", nameof(destination));
    }
}
