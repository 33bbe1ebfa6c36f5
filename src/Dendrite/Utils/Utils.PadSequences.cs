namespace Dendrite;

public static partial class Utils
{
    /// <summary>
    /// Pads sequences to the same length (Keras' <c>keras.utils.pad_sequences</c>): a list of
    /// <c>numSamples</c> sequences becomes an array of shape (numSamples, maxlen). Shorter sequences are padded with
    /// <paramref name="value"/>, longer ones truncated; both happen at the start by default (<c>"pre"</c>), as in Keras.
    /// </summary>
    /// <typeparam name="T">The element type (Keras' <c>dtype</c>; Keras defaults to int32).</typeparam>
    /// <param name="sequences">The sequences, e.g. word indices per review; an empty sequence gives a row of padding.</param>
    /// <param name="maxlen">The length of every row; by default the longest sequence's length.</param>
    /// <param name="padding"><c>"pre"</c> (default) pads before each sequence, <c>"post"</c> after it.</param>
    /// <param name="truncating"><c>"pre"</c> (default) drops values from the start of a longer sequence, <c>"post"</c> from its end.</param>
    /// <param name="value">The padding value (default 0).</param>
    /// <exception cref="ArgumentException"><paramref name="padding"/> or <paramref name="truncating"/> is neither
    /// "pre" nor "post", <paramref name="maxlen"/> is negative, or a sequence is null (its position is named).</exception>
    /// <example><code>
    /// Utils.PadSequences([[1], [2, 3], [4, 5, 6]]);              // [[0 0 1] [0 2 3] [4 5 6]]
    /// Utils.PadSequences([[1], [2, 3], [4, 5, 6]], maxlen: 2);   // [[0 1] [2 3] [5 6]]
    /// </code></example>
    public static NDArray<T> PadSequences<T>(IReadOnlyList<IReadOnlyList<T>> sequences, int? maxlen = null, string padding = "pre",
        string truncating = "pre", T value = default) where T : unmanaged, System.Numerics.INumber<T>
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var rows = new T[sequences.Count][];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = sequences[i] is { } sequence ? [.. sequence]
                : throw new ArgumentException($"`sequences` must be a list of sequences; the one at position {i} is null.", nameof(sequences));
        return Pad(rows, sampleShape: [], maxlen, padding, truncating, value, sampleSize: 1);
    }

    /// <summary>
    /// <see cref="PadSequences{T}(IReadOnlyList{IReadOnlyList{T}}, int?, string, string, T)"/> for sequences of
    /// vectors or larger samples: each sequence an array of shape (length, ...sample shape), all with the same sample
    /// shape; the result has shape (numSamples, maxlen, ...sample shape) and padding fills whole samples.
    /// </summary>
    /// <exception cref="ArgumentException">As the other overload, or a sequence's sample shape differs from the first
    /// non-empty sequence's (the position and both shapes are named).</exception>
    public static NDArray<T> PadSequences<T>(IReadOnlyList<NDArray<T>> sequences, int? maxlen = null, string padding = "pre",
        string truncating = "pre", T value = default) where T : unmanaged, System.Numerics.INumber<T>
    {
        ArgumentNullException.ThrowIfNull(sequences);
        // As Keras: the sample shape comes from the first non-empty sequence, and the others must agree.
        var first = sequences.FirstOrDefault(s => s is { Rank: > 0 } && s.Shape[0] > 0);
        int[] sampleShape = first is null ? [] : [.. first.Shape.Skip(1)];
        int sampleSize = sampleShape.Aggregate(1, (a, b) => a * b);
        var rows = new T[sequences.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            var sequence = sequences[i] ?? throw new ArgumentException($"`sequences` must be a list of sequences; the one at position {i} is null.", nameof(sequences));
            if (sequence.Rank == 0)
                throw new ArgumentException($"`sequences` must be a list of sequences; the one at position {i} is a scalar.", nameof(sequences));
            if (sequence.Shape[0] > 0 && !sequence.Shape.Skip(1).SequenceEqual(sampleShape))
                throw new ArgumentException($"Shape of sample ({string.Join(", ", sequence.Shape.Skip(1))}) of sequence at position {i} is different from expected shape ({string.Join(", ", sampleShape)}).", nameof(sequences));
            rows[i] = sequence.AsSpan().ToArray();
        }
        return Pad(rows, sampleShape, maxlen, padding, truncating, value, sampleSize);
    }

    private static NDArray<T> Pad<T>(T[][] rows, int[] sampleShape, int? maxlen, string padding, string truncating, T value, int sampleSize) where T : unmanaged, System.Numerics.INumber<T>
    {
        if (padding is not ("pre" or "post")) throw new ArgumentException($"Padding type \"{padding}\" not understood; expected \"pre\" or \"post\".", nameof(padding));
        if (truncating is not ("pre" or "post")) throw new ArgumentException($"Truncating type \"{truncating}\" not understood; expected \"pre\" or \"post\".", nameof(truncating));
        if (maxlen is < 0) throw new ArgumentException($"maxlen must be 0 or more, got {maxlen}.", nameof(maxlen));
        int length = maxlen ?? rows.Select(r => r.Length / sampleSize).DefaultIfEmpty(0).Max();
        long total = (long)rows.Length * length * sampleSize;
        if (total > Array.MaxLength) throw new ArgumentException($"Padding {rows.Length} sequences to {length} steps would make {total} values, more than one array holds.", nameof(maxlen));
        var result = new T[total];
        result.AsSpan().Fill(value);
        int rowSize = length * sampleSize;
        for (int i = 0; i < rows.Length; i++)
        {
            int steps = rows[i].Length / sampleSize;
            int kept = Math.Min(steps, length);
            // truncating "pre" keeps the last steps, "post" the first; padding "pre" right-aligns them in the row.
            var source = rows[i].AsSpan((truncating == "pre" ? steps - kept : 0) * sampleSize, kept * sampleSize);
            var target = result.AsSpan(i * rowSize + (padding == "pre" ? length - kept : 0) * sampleSize, kept * sampleSize);
            source.CopyTo(target);
        }
        return new NDArray<T>(result, [rows.Length, length, .. sampleShape]);
    }
}
