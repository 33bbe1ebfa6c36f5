namespace Dendrite.Plotting;

public static partial class Plots
{
    /// <summary>
    /// Draws <paramref name="confusionMatrix"/> (as <see cref="Utils.ConfusionMatrix"/> returns it: entry [i, j] counts
    /// the samples of true class i predicted as class j) as a heat map, as scikit-learn's <c>ConfusionMatrixDisplay</c>
    /// and the TensorFlow tutorials' seaborn heat maps draw it: the true label down the side (class 0 at the top), the
    /// predicted label along the bottom, each cell shaded from white to dark blue by its count with the count written
    /// in it (in every cell at least 12 pixels wide), and a colour bar. Writes the figure to <paramref name="path"/>.
    /// </summary>
    /// <param name="confusionMatrix">A square (n, n) matrix of counts, none negative.</param>
    /// <param name="path">The file to write: <c>.png</c> or <c>.svg</c>. Its folder must exist; an existing file is replaced.</param>
    /// <param name="classNames">The n class names for the axes (for example Fashion-MNIST's); by default 0 … n-1.</param>
    /// <param name="title">A title above the matrix; none by default.</param>
    /// <param name="width">The figure's width in pixels; by default about 48 pixels per class plus room for the labels.</param>
    /// <param name="height">The figure's height in pixels; by default about 48 pixels per class plus room for the labels.</param>
    /// <exception cref="ArgumentException">The path ends in neither .png nor .svg, the matrix is not square, is empty or
    /// holds a negative count, or the number of class names is not n.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or height is outside 16 to 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The path's folder does not exist.</exception>
    public static void PlotConfusionMatrix(this NDArray<int> confusionMatrix, string path, IReadOnlyList<string>? classNames = null,
        string? title = null, int? width = null, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(confusionMatrix);
        FigureFile.FormatOf(path);
        if (confusionMatrix.Rank != 2 || confusionMatrix.Shape[0] != confusionMatrix.Shape[1] || confusionMatrix.Shape[0] == 0)
            throw new ArgumentException($"Expected a square (n, n) confusion matrix with n ≥ 1, got shape {confusionMatrix.Shape}.", nameof(confusionMatrix));
        int n = confusionMatrix.Shape[0];
        var counts = confusionMatrix.ToArray();
        int negative = Array.FindIndex(counts, c => c < 0);
        if (negative >= 0)
            throw new ArgumentException($"A confusion matrix holds counts; entry [{negative / n}, {negative % n}] is {counts[negative]}.", nameof(confusionMatrix));
        var names = ClassNames.For(n, classNames, $"one per row of the {confusionMatrix.Shape} confusion matrix");

        ConfusionMatrixFigure.Write(path, counts, names, title, width, height);
    }

    /// <summary>
    /// Counts the confusion matrix of <paramref name="labels"/> and <paramref name="predictions"/> with
    /// <see cref="Utils.ConfusionMatrix"/> and draws it to <paramref name="path"/>, as
    /// <see cref="PlotConfusionMatrix(NDArray{int}, string, IReadOnlyList{string}?, string?, int?, int?)"/> does.
    /// </summary>
    /// <param name="path">The file to write: <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="labels">True class indices, shape (N,) or (N, 1).</param>
    /// <param name="predictions">Predicted class indices, or a model's <c>Predict</c> scores of shape (N, classes).</param>
    /// <param name="classNames">The class names; when given, their count is the number of classes.</param>
    /// <param name="title">A title above the matrix; none by default.</param>
    /// <param name="width">The figure's width in pixels.</param>
    /// <param name="height">The figure's height in pixels.</param>
    /// <returns>The confusion matrix that was drawn.</returns>
    /// <exception cref="ArgumentException">As <see cref="Utils.ConfusionMatrix"/> and the drawing overload throw.</exception>
    public static NDArray<int> PlotConfusionMatrix(string path, NDArray labels, NDArray predictions, IReadOnlyList<string>? classNames = null,
        string? title = null, int? width = null, int? height = null)
    {
        FigureFile.FormatOf(path);
        var matrix = Utils.ConfusionMatrix(labels, predictions, classNames?.Count);
        matrix.PlotConfusionMatrix(path, classNames, title, width, height);
        return matrix;
    }
}
