using Dendrite.Cli.Hosting;

namespace Dendrite.Cli.Data;

/// <summary>A folder holding MNIST-layout IDX files under MNIST's names (raw or with <c>.gz</c>): Fashion-MNIST, EMNIST-style sets, subsets.</summary>
internal static class IdxFolder
{
    /// <summary>The image and label file names of <paramref name="split"/>, without <c>.gz</c>.</summary>
    public static string[] FileNames(Split split) => split == Split.Train
        ? ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
        : ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Whether <paramref name="folder"/> holds at least one split's pair of files.</summary>
    public static bool Holds(string folder) =>
        new[] { Split.Train, Split.Test }.Any(split => FileNames(split).All(name => Find(folder, name) is not null));

    public static DataSplit Load(string folder, Split split)
    {
        string[] names = FileNames(split);
        string imagesPath = Find(folder, names[0]) ?? throw Missing(folder, names[0], split);
        string labelsPath = Find(folder, names[1]) ?? throw Missing(folder, names[1], split);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Rank < 2)
            throw CliException.Unreadable($"'{imagesPath}' holds shape {images.Shape}; an image file has one axis for the samples and at least one for the pixels.");
        if (labels.Rank != 1)
            throw CliException.Unreadable($"'{labelsPath}' holds shape {labels.Shape}; a label file holds one label per sample, shape (N,).");
        if (images.Shape[0] != labels.Shape[0])
            throw CliException.DataMismatch($"'{imagesPath}' holds {images.Shape[0]} images but '{labelsPath}' holds {labels.Shape[0]} labels.");
        string origin = $"{(split == Split.Train ? "training" : "test")} set in {folder}";
        return new DataSplit(DataSource.Scale(images), labels.AsType<int>(), origin, null);
    }

    private static string? Find(string folder, string name)
    {
        string raw = Path.Combine(folder, name);
        if (File.Exists(raw)) return raw;
        return File.Exists(raw + ".gz") ? raw + ".gz" : null;
    }

    private static CliException Missing(string folder, string name, Split split) =>
        CliException.NotFound($"'{Path.Combine(folder, name)}' (or .gz) not found: the {(split == Split.Train ? "training" : "test")} set of an IDX data folder needs it.");
}
