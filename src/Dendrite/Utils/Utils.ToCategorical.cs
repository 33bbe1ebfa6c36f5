namespace Dendrite;

public static partial class Utils
{
    /// <summary>
    /// One-hot encodes class labels (<c>keras.utils.to_categorical</c>): labels of shape S become an array of shape
    /// S + (numClasses,) with a 1 at each label's class and 0 elsewhere. A trailing axis of length 1 is dropped
    /// first, so (N,) and (N, 1) both give (N, numClasses). Labels are converted to integers as NumPy's
    /// <c>astype("int64")</c> does (floats truncate toward zero).
    /// </summary>
    /// <param name="labels">Integer class labels of any element type.</param>
    /// <param name="numClasses">The number of classes; by default the largest label plus one.</param>
    /// <returns>A new float32 array (Keras returns float64; float32 is what the losses read).</returns>
    /// <exception cref="ArgumentException">
    /// A label is NaN, infinite, negative or not below <paramref name="numClasses"/>, <paramref name="numClasses"/> is
    /// not positive, or there are no labels to infer it from. (NumPy would wrap a negative label around to the last
    /// classes; Dendrite refuses it.)
    /// </exception>
    /// <example><code>
    /// var y = Utils.ToCategorical(new NDArray&lt;int&gt;([0, 2, 1]), numClasses: 3);   // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    /// </code></example>
    public static NDArray<float> ToCategorical(NDArray labels, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.HasNonFinite())
            throw new ArgumentException($"to_categorical needs integer class labels; the labels (shape {labels.Shape}) contain NaN or infinite values.", nameof(labels));
        if (numClasses is < 1)
            throw new ArgumentException($"numClasses must be at least 1, got {numClasses}.", nameof(numClasses));
        var values = labels.AsType<long>().AsSpan();
        long classes = numClasses ?? (values.IsEmpty
            ? throw new ArgumentException("to_categorical cannot infer the number of classes from no labels; pass numClasses.", nameof(labels))
            : Max(values) + 1);
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentException(FormattableString.Invariant($"to_categorical received the label {values[i]} at index {i}, outside the valid range of [0, {classes - 1}] for {classes} classes."), nameof(labels));
        if (classes > int.MaxValue || (long)values.Length * classes > Array.MaxLength)
            throw new ArgumentException(FormattableString.Invariant($"to_categorical would make {values.Length} × {classes} values, more than one array holds."), nameof(labels));

        int n = (int)classes;
        var result = new float[values.Length * n];
        for (int i = 0; i < values.Length; i++) result[i * n + (int)values[i]] = 1f;
        var dims = labels.Shape.ToList();
        if (dims.Count > 1 && dims[^1] == 1) dims.RemoveAt(dims.Count - 1);
        dims.Add(n);
        return new NDArray<float>(result, [.. dims]);
    }

    private static long Max(ReadOnlySpan<long> values)
    {
        long max = values[0];
        foreach (long v in values) if (v > max) max = v;
        return max;
    }
}
