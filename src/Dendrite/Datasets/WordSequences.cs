using System.Text.Json;

namespace Dendrite.Datasets;

/// <summary>
/// The steps <c>keras.datasets.imdb</c> and <c>keras.datasets.reuters</c> share after loading: the shuffle, the start
/// marker and index offset, the length filter and the vocabulary cut, each with Keras' exact rules (including its
/// quirks, which are noted where they are reproduced).
/// </summary>
internal static class WordSequences
{
    /// <summary>Reorders <paramref name="sequences"/> and <paramref name="labels"/> by one draw of <paramref name="rng"/> (<c>indices = arange(n); rng.shuffle(indices)</c>).</summary>
    internal static (int[][] Sequences, long[] Labels) Shuffle(NumPyRandomState rng, int[][] sequences, long[] labels)
    {
        int[] order = rng.Permutation(sequences.Length);
        return ([.. order.Select(i => sequences[i])], [.. order.Select(i => labels[i])]);
    }

    /// <summary>
    /// Prefixes each sequence with <paramref name="startChar"/> (unless null) and adds <paramref name="indexFrom"/> to
    /// every word index, as Keras does (<c>[start_char] + [w + index_from for w in x]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A shifted index leaves the int range.</exception>
    internal static int[][] Offset(int[][] sequences, int? startChar, int indexFrom)
    {
        var result = new int[sequences.Length][];
        int prefix = startChar is null ? 0 : 1;
        for (int i = 0; i < sequences.Length; i++)
        {
            int[] x = sequences[i];
            var y = new int[prefix + x.Length];
            if (startChar is int start) y[0] = start;
            for (int j = 0; j < x.Length; j++)
            {
                long shifted = (long)x[j] + indexFrom;
                y[prefix + j] = shifted is >= int.MinValue and <= int.MaxValue ? (int)shifted
                    : throw new ArgumentException($"index_from={indexFrom} moves word index {x[j]} (sequence {i}) out of the int range.", nameof(indexFrom));
            }
            result[i] = y;
        }
        return result;
    }

    /// <summary>
    /// Keeps the sequences strictly shorter than <paramref name="maxlen"/> with their labels (Keras'
    /// <c>remove_long_seq</c>: a sequence of exactly <paramref name="maxlen"/> items is dropped too, and nothing is
    /// truncated, whatever Keras' docstring says).
    /// </summary>
    internal static (int[][] Sequences, long[] Labels) RemoveLong(int maxlen, int[][] sequences, long[] labels)
    {
        var kept = Enumerable.Range(0, sequences.Length).Where(i => sequences[i].Length < maxlen).ToArray();
        return ([.. kept.Select(i => sequences[i])], [.. kept.Select(i => labels[i])]);
    }

    /// <summary>
    /// Replaces every index outside [<paramref name="skipTop"/>, numWords) by <paramref name="oovChar"/>, or drops it
    /// when <paramref name="oovChar"/> is null. Without <paramref name="numWords"/> (null or 0, Python's falsy
    /// values) it is the largest index present, so, as in Keras, that largest index itself becomes out-of-vocabulary.
    /// </summary>
    internal static int[][] LimitVocabulary(int[][] sequences, int? numWords, int skipTop, int? oovChar)
    {
        // Keras' max(max(x) for x in xs) fails on an empty sequence; here the empty ones are simply skipped.
        int limit = numWords is int n && n != 0 ? n
            : sequences.Where(x => x.Length > 0).Select(x => x.Max()).DefaultIfEmpty(0).Max();
        var result = new int[sequences.Length][];
        for (int i = 0; i < sequences.Length; i++)
        {
            int[] x = sequences[i];
            result[i] = oovChar is int oov
                ? [.. x.Select(w => skipTop <= w && w < limit ? w : oov)]
                : [.. x.Where(w => skipTop <= w && w < limit)];
        }
        return result;
    }

    /// <summary>Checks that an array of sequences and its labels pair up, as Keras' indexing assumes.</summary>
    internal static void CheckPaired(string origin, string x, int[][] sequences, string y, long[] labels, long[] labelShape)
    {
        if (labelShape.Length != 1)
            throw new DatasetException($"{origin}: '{y}' should be 1-D, found shape {NpyHeader.Format(labelShape)}");
        if (labels.Length != sequences.Length)
            throw new DatasetException($"{origin}: '{x}' holds {sequences.Length} sequences but '{y}' holds {labels.Length} labels");
    }

    /// <summary>Reads a Keras word index (<c>{"the": 1, …}</c>); a repeated word keeps its last value, as Python's <c>json.load</c> does.</summary>
    internal static IReadOnlyDictionary<string, int> ParseWordIndex(byte[] json, string origin)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new DatasetException($"{origin}: a word index should be a JSON object of word → index, found a {document.RootElement.ValueKind}");
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int value))
                    throw new DatasetException($"{origin}: the index of \"{property.Name}\" is {property.Value.GetRawText()}, not an int");
                index[property.Name] = value;
            }
            return index;
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{origin}: not valid JSON ({e.Message})", e);
        }
    }
}
