using Dendrite.Cli.Hosting;
using Dendrite.Cli.Imaging;
using Dendrite.Datasets;

namespace Dendrite.Cli.Data;

/// <summary>
/// What <c>--data</c> names: <c>mnist</c> and <c>fashion-mnist</c> (the core's loaders, cached under
/// <c>~/.dendrite/datasets</c>), or a folder holding the four MNIST-layout IDX files or Keras'
/// <c>image_dataset_from_directory</c> layout (<c>train/&lt;class&gt;/*</c>, <c>test/&lt;class&gt;/*</c>).
/// </summary>
internal static class DataSource
{
    /// <summary>The dataset names <c>--data</c> knows besides folders (shown in help and completions).</summary>
    public static readonly string[] KnownNames = ["mnist", "fashion-mnist"];

    /// <summary>Loads <paramref name="split"/> of the data <paramref name="data"/> names.</summary>
    /// <param name="data">The <c>--data</c> value.</param>
    /// <param name="split">Training or test set.</param>
    /// <param name="geometry">The image size the model takes, for image folders (null when the model's input is not an image).</param>
    /// <param name="shuffleSeed">Image folders are read class by class; their training set is shuffled with this seed so that
    /// <c>--validation-split</c> (taken from the end, as Keras does) holds every class.</param>
    public static DataSplit Load(string data, Split split, ImageGeometry? geometry, int shuffleSeed)
    {
        switch (data.ToLowerInvariant())
        {
            case "mnist":
                return FromKerasTuple(Mnist.LoadData(), split, "MNIST", null);
            case "fashion-mnist" or "fashion_mnist":
                return FromKerasTuple(FashionMnist.LoadData(), split, "Fashion-MNIST", FashionMnist.ClassNames);
        }
        if (File.Exists(data))
            throw CliException.Usage($"--data takes mnist, fashion-mnist or a folder; '{data}' is a file.");
        if (!Directory.Exists(data))
            throw CliException.NotFound($"Data folder not found: '{data}' (--data takes mnist, fashion-mnist or a folder).");
        if (IdxFolder.Holds(data)) return IdxFolder.Load(data, split);
        if (ImageFolder.Holds(data)) return ImageFolder.Load(data, split, geometry, shuffleSeed);
        throw CliException.NotFound(
            $"'{data}' holds neither the MNIST IDX files ({string.Join(", ", IdxFolder.FileNames(Split.Train).Concat(IdxFolder.FileNames(Split.Test)))}, raw or .gz) " +
            "nor the image-folder layout (train/<class>/*.png and test/<class>/*.png).");
    }

    private static DataSplit FromKerasTuple(
        ((NDArray<byte> TrainImages, NDArray<byte> TrainLabels), (NDArray<byte> TestImages, NDArray<byte> TestLabels)) data,
        Split split, string name, IReadOnlyList<string>? classNames)
    {
        var ((trainImages, trainLabels), (testImages, testLabels)) = data;
        return split == Split.Train
            ? new DataSplit(Scale(trainImages), trainLabels.AsType<int>(), $"{name} training set", classNames)
            : new DataSplit(Scale(testImages), testLabels.AsType<int>(), $"{name} test set", classNames);
    }

    /// <summary>Bytes 0–255 to floats 0–1, as Keras' examples scale MNIST.</summary>
    internal static NDArray<float> Scale(NDArray<byte> pixels) => pixels.AsType<float>() / 255f;
}
