namespace Dendrite.Datasets;

/// <summary>
/// The IMDB movie review sentiment dataset (Maas et al., 2011): 25,000 training and 25,000 test reviews labelled
/// positive (1) or negative (0), each a sequence of word indices ranked by frequency. Mirrors
/// <c>keras.datasets.imdb</c>: same file, same shuffle (NumPy's <c>RandomState(seed)</c>), same start, out-of-vocabulary
/// and offset conventions, so that a seed gives the reviews in the order Keras gives them.
/// </summary>
/// <remarks>
/// <para><c>imdb.npz</c> is taken from the cache folder (see <see cref="LoadData(string?, int?, int, int?, int, int?, int?, int)"/>) when its SHA-256 is Keras'
/// (<c>69664113…676b9f</c>), else downloaded from Keras' storage, checked and cached (written under a temporary name,
/// then renamed). Its sequences are NumPy object arrays, which NumPy stores as pickles; Dendrite reads them with a
/// reader that accepts only the structure NumPy writes for lists of ints and never runs code from the file.</para>
/// <para>By convention 0 is padding, <c>startChar</c> (1) opens each review, <c>oovChar</c> (2) stands for a word cut by
/// <c>numWords</c> or <c>skipTop</c>, and real words start at <c>indexFrom</c> (3): index <c>i + 3</c> is the word
/// whose value in <see cref="GetWordIndex(string?)"/> is <c>i</c>.</para>
/// </remarks>
/// <example><code>
/// var ((xTrain, yTrain), (xTest, yTest)) = Imdb.LoadData(numWords: 10000);
/// var x = Utils.PadSequences(xTrain, maxlen: 200);   // (25000, 200)
/// </code></example>
public static class Imdb
{
    internal const string DisplayName = "IMDB";
    internal const string CacheSubdirectory = "imdb";

    /// <summary>Keras' <c>imdb.npz</c>: <c>x_train</c>, <c>x_test</c> (object arrays of lists of ints), <c>y_train</c>, <c>y_test</c>.</summary>
    internal static readonly KerasFile DataFile = new("imdb.npz", KerasFile.KerasOrigin + "imdb.npz",
        "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f");

    /// <summary>Keras' <c>imdb_word_index.json</c> (checked by MD5, as Keras does).</summary>
    internal static readonly KerasFile WordIndexFile = new("imdb_word_index.json", KerasFile.KerasOrigin + "imdb_word_index.json",
        "bfafd718b763782e994055a2d397834f");

    /// <summary>
    /// Loads IMDB, downloading it on first use. Returns <c>((trainSequences, trainLabels), (testSequences, testLabels))</c>:
    /// the sequences as ragged arrays of word indices (pad them with <see cref="Utils.PadSequences{T}(IReadOnlyList{IReadOnlyList{T}}, int?, string, string, T)"/>),
    /// the labels as int64 arrays of 0 and 1.
    /// </summary>
    /// <param name="path">The cache folder. When null: <c>$DENDRITE_HOME/datasets/imdb</c> if the environment variable
    /// <c>DENDRITE_HOME</c> is set, else <c>~/.dendrite/datasets/imdb</c>. Unlike Keras' <c>path</c> (a file name), this is a folder.</param>
    /// <param name="numWords">Keep the <paramref name="numWords"/> most frequent words: any index ≥ it becomes
    /// <paramref name="oovChar"/>. Null (or 0) keeps all; as in Keras, the single largest index is then cut too.</param>
    /// <param name="skipTop">Indices below it become <paramref name="oovChar"/> (this includes the start and OOV markers).</param>
    /// <param name="maxlen">Drop (not truncate) every review with <paramref name="maxlen"/> or more indices, counting the
    /// start marker, as Keras does; null (or 0) keeps all.</param>
    /// <param name="seed">Seed of the shuffle (NumPy's <c>RandomState</c>; 0 to 2³¹ − 1). The training set is shuffled, then the test set, by one generator.</param>
    /// <param name="startChar">Put before every review; null for none.</param>
    /// <param name="oovChar">Stands for cut words; null drops them instead.</param>
    /// <param name="indexFrom">Added to every word index in the file.</param>
    /// <exception cref="DatasetException">No source provided a valid <c>imdb.npz</c> (the message lists each source tried and
    /// why it failed, and where to put the file by hand), or the file is malformed (the message names the entry and the problem).</exception>
    /// <exception cref="ArgumentException"><paramref name="maxlen"/> left no review in the training or test set (Keras'
    /// <c>ValueError</c>), or <paramref name="indexFrom"/> moves an index out of the int range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seed"/> is negative.</exception>
    public static ((int[][] TrainSequences, NDArray<long> TrainLabels), (int[][] TestSequences, NDArray<long> TestLabels)) LoadData(
        string? path = null, int? numWords = null, int skipTop = 0, int? maxlen = null, int seed = 113,
        int? startChar = 1, int? oovChar = 2, int indexFrom = 3) =>
        LoadData(new KerasFileSource(DataFile), path, numWords, skipTop, maxlen, seed, startChar, oovChar, indexFrom);

    /// <summary><see cref="LoadData(string?, int?, int, int?, int, int?, int?, int)"/> with the file taken from <paramref name="source"/>.</summary>
    internal static ((int[][] TrainSequences, NDArray<long> TrainLabels), (int[][] TestSequences, NDArray<long> TestLabels)) LoadData(
        KerasFileSource source, string? path, int? numWords = null, int skipTop = 0, int? maxlen = null, int seed = 113,
        int? startChar = 1, int? oovChar = 2, int indexFrom = 3)
    {
        var rng = NumPyRandomState.FromSeed(seed, nameof(seed));
        var (bytes, file) = source.Load(DisplayName, CacheSubdirectory, path);
        int[][] xTrain, xTest;
        long[] yTrain, yTest;
        using (var npz = KerasNpz.Open(bytes, file))
        {
            xTrain = npz.ReadSequences("x_train");
            var (trainLabels, trainShape) = npz.ReadIntegers("y_train");
            xTest = npz.ReadSequences("x_test");
            var (testLabels, testShape) = npz.ReadIntegers("y_test");
            WordSequences.CheckPaired(file, "x_train", xTrain, "y_train", trainLabels, trainShape);
            WordSequences.CheckPaired(file, "x_test", xTest, "y_test", testLabels, testShape);
            (yTrain, yTest) = (trainLabels, testLabels);
        }

        // One generator, two draws: the test order depends on the training set's size, as in Keras.
        (xTrain, yTrain) = WordSequences.Shuffle(rng, xTrain, yTrain);
        (xTest, yTest) = WordSequences.Shuffle(rng, xTest, yTest);

        xTrain = WordSequences.Offset(xTrain, startChar, indexFrom);
        xTest = WordSequences.Offset(xTest, startChar, indexFrom);

        if (maxlen is int limit && limit != 0)
        {
            (xTrain, yTrain) = WordSequences.RemoveLong(limit, xTrain, yTrain);
            (xTest, yTest) = WordSequences.RemoveLong(limit, xTest, yTest);
            if (xTrain.Length == 0 || xTest.Length == 0)
                throw new ArgumentException($"After filtering for sequences shorter than maxlen={limit}, no sequence was kept. Increase maxlen.", nameof(maxlen));
        }

        // The vocabulary cut looks at training and test sequences together (numWords = the largest index of both).
        var all = WordSequences.LimitVocabulary([.. xTrain, .. xTest], numWords, skipTop, oovChar);
        return ((all[..xTrain.Length], new NDArray<long>(yTrain, yTrain.Length)),
                (all[xTrain.Length..], new NDArray<long>(yTest, yTest.Length)));
    }

    /// <summary>
    /// The word index: word → its rank by frequency (1 is the most frequent). A word of rank <c>r</c> appears in the
    /// sequences of <see cref="LoadData(string?, int?, int, int?, int, int?, int?, int)"/> as <c>r + indexFrom</c> (3 by default). Downloaded on first use into the same
    /// folder as the data.
    /// </summary>
    /// <param name="path">The cache folder, as for <see cref="LoadData(string?, int?, int, int?, int, int?, int?, int)"/>.</param>
    /// <exception cref="DatasetException">No source provided a valid <c>imdb_word_index.json</c>, or it is not a JSON object of word → int.</exception>
    public static IReadOnlyDictionary<string, int> GetWordIndex(string? path = null) =>
        GetWordIndex(new KerasFileSource(WordIndexFile), path);

    /// <summary><see cref="GetWordIndex(string?)"/> with the file taken from <paramref name="source"/>.</summary>
    internal static IReadOnlyDictionary<string, int> GetWordIndex(KerasFileSource source, string? path)
    {
        var (bytes, file) = source.Load(DisplayName, CacheSubdirectory, path);
        return WordSequences.ParseWordIndex(bytes, file);
    }
}
