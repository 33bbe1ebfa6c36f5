namespace Dendrite.Plotting;

/// <summary>
/// The figures Keras tutorials draw with matplotlib, written as PNG or SVG files (the extension of the path chooses):
/// training curves from a <see cref="Dendrite.History"/>, a confusion-matrix heat map, and a grid of misclassified images.
/// </summary>
public static partial class Plots
{
    /// <summary>Width of one training-curves panel when no width is given, in pixels.</summary>
    public const int HistoryPanelWidth = 560;

    /// <summary>Height of one training-curves panel when no height is given, in pixels.</summary>
    public const int HistoryPanelHeight = 420;

    /// <summary>
    /// Draws the training curves of <paramref name="history"/> (what <c>Fit</c> returned, or <see cref="History.Load"/>
    /// read) and writes them to <paramref name="path"/>: one panel per quantity, loss first and then each metric, titled
    /// as the Keras tutorials title them ("Training and validation loss"), with the training values and the validation
    /// values (the <c>val_</c> keys) as two lines with markers, epochs numbered from 1 on the x axis, and a legend.
    /// Panels are laid out two to a row.
    /// </summary>
    /// <param name="history">The per-epoch values to draw.</param>
    /// <param name="path">The file to write: <c>.png</c> or <c>.svg</c>. Its folder must exist; an existing file is replaced.</param>
    /// <param name="width">The figure's width in pixels; by default <see cref="HistoryPanelWidth"/> per column of panels.</param>
    /// <param name="height">The figure's height in pixels; by default <see cref="HistoryPanelHeight"/> per row of panels.</param>
    /// <exception cref="ArgumentException">The path ends in neither .png nor .svg, or the history has no values to draw.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or height is outside 16 to 16384 pixels.</exception>
    /// <exception cref="DirectoryNotFoundException">The path's folder does not exist.</exception>
    public static void Plot(this History history, string path, int? width = null, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        FigureFile.FormatOf(path);
        var panels = HistoryPanel.Of(history);
        if (panels.Count == 0 || history.Epoch.Count == 0)
            throw new ArgumentException("The history has no epochs to plot: it holds no logged values.", nameof(history));

        using var figure = new PanelGrid(panels.Count, maxColumns: 2);
        int figureWidth = width ?? HistoryPanelWidth * figure.Columns;
        int figureHeight = height ?? HistoryPanelHeight * figure.Rows;
        FigureFile.CheckSize(figureWidth, figureHeight);
        for (int i = 0; i < panels.Count; i++)
            HistoryFigure.DrawPanel(figure[i], panels[i], history.Epoch);
        FigureFile.Write(path, figureWidth, figureHeight, figure.Render);
    }

    /// <summary>
    /// Reads a history file (<c>.csv</c> as Keras' <c>CSVLogger</c> writes it, or <c>.json</c>; see
    /// <see cref="History.Load"/>) and draws its training curves to <paramref name="imagePath"/>, as
    /// <see cref="Plot(History, string, int?, int?)"/> does: the command line's <c>plot history.csv --out curves.png</c>.
    /// </summary>
    /// <param name="historyPath">The history file to read.</param>
    /// <param name="imagePath">The figure to write: <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="width">The figure's width in pixels; by default <see cref="HistoryPanelWidth"/> per column of panels.</param>
    /// <param name="height">The figure's height in pixels; by default <see cref="HistoryPanelHeight"/> per row of panels.</param>
    /// <returns>The history that was read.</returns>
    /// <exception cref="ArgumentException">The image path ends in neither .png nor .svg, the history path in neither
    /// .csv nor .json, or the history holds nothing to draw.</exception>
    /// <exception cref="FileNotFoundException">The history file does not exist.</exception>
    /// <exception cref="FormatException">The history file is not a history (the message names the file and the line or key).</exception>
    public static History PlotHistoryFile(string historyPath, string imagePath, int? width = null, int? height = null)
    {
        FigureFile.FormatOf(imagePath); // refuse a bad output name before reading anything
        var history = History.Load(historyPath);
        history.Plot(imagePath, width, height);
        return history;
    }
}
