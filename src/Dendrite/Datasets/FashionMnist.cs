using System.Collections.ObjectModel;

namespace Dendrite.Datasets;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research): 60,000 training and 10,000 test images of 28x28 grey
/// pixels (0..255) of clothing, labels 0..9 naming <see cref="ClassNames"/>. Mirrors
/// <c>keras.datasets.fashion_mnist.load_data()</c>, with one difference: Keras does not verify these downloads,
/// Dendrite checks every file against the SHA-256 of its uncompressed IDX bytes.
/// </summary>
/// <remarks>
/// <para>Each of the four IDX files is taken from the first of these sources that has a valid copy:</para>
/// <list type="number">
/// <item>the cache directory (see <see cref="LoadData(string?)"/>), holding the files raw or gzip-compressed (<c>.gz</c>);</item>
/// <item>the web: Keras' copy of the <c>.gz</c> files, then Zalando Research's;</item>
/// <item>Debian's package <c>dataset-fashion-mnist</c> (<c>/usr/share/datasets/fashion-mnist</c>).</item>
/// </list>
/// <para>Checks, caching (raw IDX, written under a temporary name and renamed) and printing are as for
/// <see cref="Mnist"/>.</para>
/// </remarks>
public static class FashionMnist
{
    internal static readonly DatasetSpec Spec = new(
        "Fashion-MNIST", "fashion-mnist",
        new("train-images-idx3-ubyte", IsImages: true, 60000, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", "x_train"),
        new("train-labels-idx1-ubyte", IsImages: false, 60000, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", "y_train"),
        new("t10k-images-idx3-ubyte", IsImages: true, 10000, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", "x_test"),
        new("t10k-labels-idx1-ubyte", IsImages: false, 10000, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", "y_test"),
        ManualHint: "On Debian, 'apt-get install dataset-fashion-mnist' installs them (gzip-compressed) in /usr/share/datasets/fashion-mnist.");

    /// <summary>Base URLs of the gzip-compressed IDX files, tried in order: Keras' copy, then Zalando Research's.</summary>
    internal static readonly IReadOnlyList<string> Mirrors =
    [
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ];

    /// <summary>Where Debian's package <c>dataset-fashion-mnist</c> installs the four <c>.gz</c> files.</summary>
    internal const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, indexed by label: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new ReadOnlyCollection<string>(
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>
    /// Loads Fashion-MNIST, downloading it on first use. Returns
    /// <c>((trainImages, trainLabels), (testImages, testLabels))</c>, all <see cref="byte"/>, of shapes
    /// (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,).
    /// </summary>
    /// <param name="path">
    /// The cache directory. When <see langword="null"/>: <c>$DENDRITE_HOME/datasets/fashion-mnist</c> if the
    /// environment variable <c>DENDRITE_HOME</c> is set, else <c>~/.dendrite/datasets/fashion-mnist</c>. A directory
    /// that already holds the four files (raw or <c>.gz</c>, e.g. Debian's folder) may be read-only.
    /// </param>
    /// <exception cref="DatasetException">No source provided a valid copy of a file; the message lists every source
    /// tried with the reason it failed, and where to put the files by hand.</exception>
    public static ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) LoadData(string? path = null) =>
        LoadData(path, DefaultSources());

    /// <summary>Loads from the cache, then from <paramref name="sources"/> (disposed at the end), logging to <paramref name="log"/>.</summary>
    internal static ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) LoadData(
        string? path, IReadOnlyList<DatasetSource> sources, TextWriter? log = null) =>
        DatasetLoader.Load(Spec, DatasetPaths.CacheDirectory(path, Spec.CacheSubdirectory), sources, log);

    /// <summary>The fallback sources after the cache: the web mirrors <paramref name="baseUrls"/> (default
    /// <see cref="Mirrors"/>), then the Debian folder <paramref name="debianDirectory"/> (skipped when null).</summary>
    internal static List<DatasetSource> DefaultSources(IEnumerable<string>? baseUrls = null, string? debianDirectory = DebianDirectory)
    {
        var sources = new List<DatasetSource>();
        foreach (string baseUrl in baseUrls ?? Mirrors)
            sources.Add(new HttpIdxSource(baseUrl));
        if (debianDirectory is not null)
            sources.Add(new DirectorySource(debianDirectory, "Debian package dataset-fashion-mnist,"));
        return sources;
    }
}
