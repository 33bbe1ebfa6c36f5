using System.Collections.ObjectModel;

namespace Dendrite.Datasets;

/// <summary>
/// The Reuters newswire topic dataset: 11,228 newswires labelled over 46 topics (<see cref="GetLabelNames"/>), each a
/// sequence of word indices ranked by frequency. Mirrors <c>keras.datasets.reuters</c>: same file, same shuffle and
/// split, same start, out-of-vocabulary and offset conventions as <see cref="Imdb"/>.
/// </summary>
/// <remarks><c>reuters.npz</c> (<c>x</c>, <c>y</c>) and <c>reuters_word_index.json</c> are cached, checked and read as
/// for <see cref="Imdb"/>, in the folder <c>datasets/reuters</c>.</remarks>
public static class Reuters
{
    internal const string DisplayName = "Reuters";
    internal const string CacheSubdirectory = "reuters";

    /// <summary>Keras' <c>reuters.npz</c>: <c>x</c> (an object array of lists of ints) and <c>y</c> (topic indices).</summary>
    internal static readonly KerasFile DataFile = new("reuters.npz", KerasFile.KerasOrigin + "reuters.npz",
        "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916");

    /// <summary>Keras' <c>reuters_word_index.json</c> (checked by MD5, as Keras does).</summary>
    internal static readonly KerasFile WordIndexFile = new("reuters_word_index.json", KerasFile.KerasOrigin + "reuters_word_index.json",
        "4d44cc38712099c9e383dc6e5f11a921");

    private static readonly ReadOnlyCollection<string> LabelNames = new(
    [
        "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
        "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
        "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail",
        "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
        "dlr", "gas", "silver", "wpi", "hog", "lead",
    ]);

    /// <summary>
    /// Loads Reuters, downloading it on first use. All newswires are shuffled with NumPy's <c>RandomState(seed)</c>,
    /// transformed, then split: the first <c>(int)(n · (1 − testSplit))</c> are the training set. Returns
    /// <c>((trainSequences, trainLabels), (testSequences, testLabels))</c>, labels being topic indices 0..45.
    /// </summary>
    /// <param name="path">The cache folder (<c>$DENDRITE_HOME/datasets/reuters</c> or <c>~/.dendrite/datasets/reuters</c> when null).</param>
    /// <param name="numWords">As for <see cref="Imdb.LoadData(string?, int?, int, int?, int, int?, int?, int)"/>.</param>
    /// <param name="skipTop">As for IMDB.</param>
    /// <param name="maxlen">As for IMDB (sequences of <paramref name="maxlen"/> or more indices are dropped, before the split).</param>
    /// <param name="testSplit">The fraction of newswires held out for testing, from 0 to 1.</param>
    /// <param name="seed">Seed of the shuffle (0 to 2³¹ − 1).</param>
    /// <param name="startChar">Put before every newswire; null for none.</param>
    /// <param name="oovChar">Stands for cut words; null drops them instead.</param>
    /// <param name="indexFrom">Added to every word index in the file.</param>
    /// <exception cref="DatasetException">No source provided a valid <c>reuters.npz</c>, or the file is malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="maxlen"/> left no newswire while the vocabulary size has to be
    /// found from the data (where Keras' <c>max()</c> raises <c>ValueError</c>), or an index leaves the int range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testSplit"/> is outside [0, 1] or <paramref name="seed"/> is negative.</exception>
    public static ((int[][] TrainSequences, NDArray<long> TrainLabels), (int[][] TestSequences, NDArray<long> TestLabels)) LoadData(
        string? path = null, int? numWords = null, int skipTop = 0, int? maxlen = null, double testSplit = 0.2, int seed = 113,
        int? startChar = 1, int? oovChar = 2, int indexFrom = 3) =>
        LoadData(new KerasFileSource(DataFile), path, numWords, skipTop, maxlen, testSplit, seed, startChar, oovChar, indexFrom);

    /// <summary><see cref="LoadData(string?, int?, int, int?, double, int, int?, int?, int)"/> with the file taken from <paramref name="source"/>.</summary>
    internal static ((int[][] TrainSequences, NDArray<long> TrainLabels), (int[][] TestSequences, NDArray<long> TestLabels)) LoadData(
        KerasFileSource source, string? path, int? numWords = null, int skipTop = 0, int? maxlen = null, double testSplit = 0.2, int seed = 113,
        int? startChar = 1, int? oovChar = 2, int indexFrom = 3)
    {
        // Keras does not check test_split; outside [0, 1] its slicing would silently wrap around.
        if (!(testSplit >= 0 && testSplit <= 1))
            throw new ArgumentOutOfRangeException(nameof(testSplit), testSplit, $"testSplit must be between 0 and 1, got {testSplit}.");
        var rng = NumPyRandomState.FromSeed(seed, nameof(seed));
        var (bytes, file) = source.Load(DisplayName, CacheSubdirectory, path);
        int[][] xs;
        long[] labels;
        using (var npz = KerasNpz.Open(bytes, file))
        {
            xs = npz.ReadSequences("x");
            var (y, shape) = npz.ReadIntegers("y");
            WordSequences.CheckPaired(file, "x", xs, "y", y, shape);
            labels = y;
        }

        (xs, labels) = WordSequences.Shuffle(rng, xs, labels);
        xs = WordSequences.Offset(xs, startChar, indexFrom);
        if (maxlen is int limit && limit != 0)
        {
            (xs, labels) = WordSequences.RemoveLong(limit, xs, labels);
            if (xs.Length == 0 && (numWords ?? 0) == 0)
                throw new ArgumentException($"After filtering for sequences shorter than maxlen={limit}, no sequence was kept, so the vocabulary size cannot be found. Increase maxlen.", nameof(maxlen));
        }
        xs = WordSequences.LimitVocabulary(xs, numWords, skipTop, oovChar);

        int split = (int)(xs.Length * (1 - testSplit));
        long[] trainLabels = labels[..split], testLabels = labels[split..];
        return ((xs[..split], new NDArray<long>(trainLabels, trainLabels.Length)),
                (xs[split..], new NDArray<long>(testLabels, testLabels.Length)));
    }

    /// <summary>The word index: word → its rank by frequency; a word of rank <c>r</c> appears in the sequences as <c>r + indexFrom</c>.</summary>
    /// <param name="path">The cache folder, as for <see cref="LoadData(string?, int?, int, int?, double, int, int?, int?, int)"/>.</param>
    /// <exception cref="DatasetException">No source provided a valid <c>reuters_word_index.json</c>, or it is malformed.</exception>
    public static IReadOnlyDictionary<string, int> GetWordIndex(string? path = null) =>
        GetWordIndex(new KerasFileSource(WordIndexFile), path);

    /// <summary><see cref="GetWordIndex(string?)"/> with the file taken from <paramref name="source"/>.</summary>
    internal static IReadOnlyDictionary<string, int> GetWordIndex(KerasFileSource source, string? path)
    {
        var (bytes, file) = source.Load(DisplayName, CacheSubdirectory, path);
        return WordSequences.ParseWordIndex(bytes, file);
    }

    /// <summary>The 46 topic names, indexed by label (<c>keras.datasets.reuters.get_label_names()</c>): cocoa, grain, veg-oil, earn, …</summary>
    public static IReadOnlyList<string> GetLabelNames() => LabelNames;
}
