using System.Globalization;

namespace Dendrite;

/// <summary>
/// Reads labels or predictions as one class index per sample, with messages that name the argument and the sample
/// (shared by <see cref="Utils.ConfusionMatrix"/> and Dendrite.Plotting's figures).
/// </summary>
internal static class ClassIndices
{
    /// <summary>
    /// Class indices from <paramref name="values"/>: indices of shape (N,) or (N, 1), or scores of shape (N, classes)
    /// (a model's <c>Predict</c> output, whose arg-max is taken) when <paramref name="allowScores"/>.
    /// </summary>
    internal static int[] Read(NDArray values, string name, bool allowScores)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (allowScores && values.Rank == 2 && values.Shape[1] > 1)
            return values.AsType<double>().ArgMax(axis: 1).ToArray();
        if (values.Rank is 0 or > 2 || (values.Rank == 2 && values.Shape[1] != 1))
            throw new ArgumentException(
                $"Expected {name} of shape (N,) or (N, 1){(allowScores ? " or scores (N, classes)" : "")}, got {values.Shape}.", name);

        var asDouble = values.AsType<double>().ToArray();
        var indices = new int[asDouble.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            double v = asDouble[i];
            if (!double.IsFinite(v) || v != Math.Floor(v) || v < 0 || v > int.MaxValue)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Expected {name} to be class indices (whole numbers from 0); {name}[{i}] is {v}."), name);
            indices[i] = (int)v;
        }
        return indices;
    }
}
