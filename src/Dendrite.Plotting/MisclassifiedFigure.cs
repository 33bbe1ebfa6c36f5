using System.Numerics;
using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>Draws the grid of misclassified images (checked by <see cref="Plots.PlotMisclassified"/>), or a note that there are none.</summary>
internal static class MisclassifiedFigure
{
    private const int Columns = 5;

    /// <summary>Draws images <paramref name="samples"/> of <paramref name="grid"/>, titled by <paramref name="titles"/>, five to a row.</summary>
    internal static void Write<T>(string path, ImageGrid<T> grid, int[] samples, string[] titles, int? width, int? height)
        where T : unmanaged, INumber<T>
    {
        if (samples.Length == 0)
        {
            WriteNone(path, grid.Count, width, height);
            return;
        }
        using var figure = new PanelGrid(samples.Length, Columns);
        int figureWidth = width ?? Plots.MisclassifiedCellWidth * figure.Columns;
        int figureHeight = height ?? Plots.MisclassifiedCellHeight * figure.Rows;
        FigureFile.CheckSize(figureWidth, figureHeight);

        // One grey scale for all the images, so that equal pixel values look the same in every picture.
        var (min, max) = grid.ValueRange(samples);
        for (int k = 0; k < samples.Length; k++)
        {
            var plot = figure[k];
            FigureStyle.Apply(plot);
            plot.Axes.Title.Label.FontSize = FigureStyle.TickLabelSize;
            plot.Title(titles[k]);
            // Dark ink on white, as matplotlib's cmap="binary"; pixels stay square and sharp (no smoothing).
            var picture = plot.Add.Heatmap(grid.Image(samples[k]));
            picture.Colormap = new ScottPlot.Colormaps.GrayscaleReversed();
            picture.ManualRange = new ScottPlot.Range(min, max);
            picture.Smooth = false;
            plot.HideAxesAndGrid();
            plot.Axes.Title.IsVisible = true; // hiding the axes hides the title panel too
            plot.Axes.SquareUnits();
        }
        FigureFile.Write(path, figureWidth, figureHeight, figure.Render);
    }

    private static void WriteNone(string path, int samples, int? width, int? height)
    {
        int figureWidth = width ?? 600, figureHeight = height ?? 160;
        FigureFile.CheckSize(figureWidth, figureHeight);
        using var plot = new Plot();
        FigureStyle.Apply(plot);
        plot.Axes.Frameless();
        plot.HideGrid();
        var text = plot.Add.Text($"No misclassified images among {samples} samples.", 0, 0);
        text.Alignment = Alignment.MiddleCenter;
        text.LabelFontSize = FigureStyle.AxisLabelSize;
        text.LabelFontName = FigureFont.Name;
        plot.Axes.SetLimits(-1, 1, -1, 1);
        FigureFile.Write(path, figureWidth, figureHeight, plot.Render);
    }
}
