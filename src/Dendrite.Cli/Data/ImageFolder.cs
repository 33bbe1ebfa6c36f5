using Dendrite.Cli.Hosting;
using Dendrite.Cli.Imaging;

namespace Dendrite.Cli.Data;

/// <summary>
/// Keras' <c>image_dataset_from_directory</c> layout: <c>DIR/train/&lt;class&gt;/*.png|jpg|bmp</c> and
/// <c>DIR/test/&lt;class&gt;/*</c>. The classes are the sub-folder names of train/ and test/ together, sorted
/// alphabetically (ordinal), and their positions are the label indices, as in Keras. Images are converted as
/// <c>predict</c> converts them (<see cref="ImageConverter"/>) but never inverted: a dataset is taken as drawn.
/// </summary>
internal static class ImageFolder
{
    private static readonly string[] SplitFolders = ["train", "test"];

    public static bool Holds(string folder) => SplitFolders.Any(s => Directory.Exists(Path.Combine(folder, s)));

    public static DataSplit Load(string folder, Split split, ImageGeometry? geometry, int shuffleSeed)
    {
        string splitName = split == Split.Train ? "train" : "test";
        string splitFolder = Path.Combine(folder, splitName);
        if (!Directory.Exists(splitFolder))
            throw CliException.NotFound($"'{splitFolder}' not found: an image data folder needs {splitName}/<class>/ sub-folders for this command.");
        var classes = ClassNames(folder);
        var files = new List<(string Path, int Label)>();
        for (int label = 0; label < classes.Count; label++)
        {
            string classFolder = Path.Combine(splitFolder, classes[label]);
            if (!Directory.Exists(classFolder)) continue;
            files.AddRange(Directory.EnumerateFiles(classFolder)
                .Where(f => ImageFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(f => (f, label)));
        }
        if (files.Count == 0)
            throw CliException.NotFound($"'{splitFolder}' holds no images ({string.Join(" ", ImageFile.Extensions)}) in class sub-folders.");
        if (geometry is not ImageGeometry g)
            throw CliException.DataMismatch($"'{folder}' holds images, but the model's input is not an image (see `dendrite summary`); image folders need an input of shape (H, W), (H, W, 1), (H, W, 3) or a flat H·W.");
        if (split == Split.Train)
        {
            // The files come class by class; Keras shuffles them, so that a validation split taken from the end holds every class.
            var order = files.ToArray();
            new Random(shuffleSeed).Shuffle(order);
            files = [.. order];
        }
        var x = new float[files.Count * g.Size];
        var labels = new int[files.Count];
        try
        {
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Config.Threads }, i =>
            {
                var (values, _) = ImageConverter.ToModelInput(ImageFile.Decode(files[i].Path), g, InvertMode.No);
                values.CopyTo(x, i * g.Size);
                labels[i] = files[i].Label;
            });
        }
        catch (AggregateException e)
        {
            // Report one bad file (the first met) as its own error, not a bundle.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return new DataSplit(new NDArray<float>(x, files.Count, g.Height, g.Width, g.Channels), new NDArray<int>(labels), $"{(split == Split.Train ? "training" : "test")} set in {folder}", classes);
    }

    /// <summary>The sub-folder names of train/ and test/ together, sorted ordinally (Keras sorts them the same way).</summary>
    private static List<string> ClassNames(string folder) =>
        [.. SplitFolders.Select(s => Path.Combine(folder, s)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories).Select(Path.GetFileName).OfType<string>()
            .Distinct().Order(StringComparer.Ordinal)];
}
