using System.Globalization;
using System.Numerics;

namespace Dendrite.Plotting;

public static partial class Plots
{
    /// <summary>Width of one misclassified image's cell when no width is given, in pixels.</summary>
    public const int MisclassifiedCellWidth = 170;

    /// <summary>Height of one misclassified image's cell (the picture and its title) when no height is given, in pixels.</summary>
    public const int MisclassifiedCellHeight = 190;

    /// <summary>
    /// Draws the first <paramref name="maxImages"/> misclassified images (those whose prediction differs from the
    /// label), in sample order, five to a row, each titled "true 7 / pred 1" (with the class names when given), in grey
    /// scale with dark ink on white (matplotlib's <c>cmap="binary"</c>), and writes the figure to <paramref name="path"/>.
    /// When there is no mistake the figure says so.
    /// </summary>
    /// <typeparam name="T">The pixels' element type: byte (0 to 255) or float, double… (scaled from their smallest to their largest value).</typeparam>
    /// <param name="path">The file to write: <c>.png</c> or <c>.svg</c>. Its folder must exist; an existing file is replaced.</param>
    /// <param name="images">The images, of shape (N, height, width), (N, height, width, 1) or (N, side × side) such as (N, 784).</param>
    /// <param name="labels">The true class indices, shape (N,) or (N, 1).</param>
    /// <param name="predictions">The predicted class indices, (N,) or (N, 1), or a model's <c>Predict</c> scores (N, classes).</param>
    /// <param name="classNames">Names for the class indices in the titles; by default the indices themselves.</param>
    /// <param name="maxImages">How many mistakes to draw at most (25 by default, a 5 × 5 grid).</param>
    /// <param name="width">The figure's width in pixels; by default <see cref="MisclassifiedCellWidth"/> per column.</param>
    /// <param name="height">The figure's height in pixels; by default <see cref="MisclassifiedCellHeight"/> per row.</param>
    /// <returns>The number of images drawn.</returns>
    /// <exception cref="ArgumentException">The path ends in neither .png nor .svg; the images, labels or predictions have
    /// a shape not listed above or disagree on N (the message gives both); a label or prediction is not a class index, or
    /// has no name in <paramref name="classNames"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxImages"/> is below 1, or the width or height is outside 16 to 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The path's folder does not exist.</exception>
    public static int PlotMisclassified<T>(string path, NDArray<T> images, NDArray labels, NDArray predictions,
        IReadOnlyList<string>? classNames = null, int maxImages = 25, int? width = null, int? height = null)
        where T : unmanaged, INumber<T>
    {
        FigureFile.FormatOf(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxImages, 1);
        var grid = new ImageGrid<T>(images, nameof(images));
        var truth = ClassIndices.Read(labels, nameof(labels), allowScores: false);
        var guess = ClassIndices.Read(predictions, nameof(predictions), allowScores: true);
        if (truth.Length != grid.Count)
            throw new ArgumentException($"Expected one label per image: {grid.Count} images (shape {images.Shape}) but {truth.Length} labels (shape {labels.Shape}).", nameof(labels));
        if (guess.Length != grid.Count)
            throw new ArgumentException($"Expected one prediction per image: {grid.Count} images (shape {images.Shape}) but {guess.Length} predictions (shape {predictions.Shape}).", nameof(predictions));
        if (classNames is not null)
        {
            CheckNamed(truth, classNames, "label");
            CheckNamed(guess, classNames, "prediction");
        }
        string Name(int index) => classNames is null ? index.ToString(CultureInfo.InvariantCulture) : classNames[index];

        var mistakes = Enumerable.Range(0, grid.Count).Where(i => truth[i] != guess[i]).Take(maxImages).ToArray();
        var titles = mistakes.Select(i => $"true {Name(truth[i])} / pred {Name(guess[i])}").ToArray();
        MisclassifiedFigure.Write(path, grid, mistakes, titles, width, height);
        return mistakes.Length;
    }

    /// <summary>Refuses a class index without a name, naming the first sample that has one.</summary>
    private static void CheckNamed(int[] classes, IReadOnlyList<string> names, string what)
    {
        int unnamed = Array.FindIndex(classes, c => c >= names.Count);
        if (unnamed >= 0)
            throw new ArgumentException($"The {what} of sample {unnamed} is class {classes[unnamed]}, but only {names.Count} class names were given.", "classNames");
        int missing = names.ToList().FindIndex(name => name is null);
        if (missing >= 0) throw new ArgumentException($"Class name {missing} is null.", "classNames");
    }
}
