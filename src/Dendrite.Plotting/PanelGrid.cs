using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>
/// A figure of panels in rows of at most a given number of columns. The places after the last panel get blank
/// plots: ScottPlot clears the whole figure to transparent and paints only its plots, so an empty place would
/// otherwise show through (black or a checkerboard, depending on the viewer).
/// </summary>
internal sealed class PanelGrid : IDisposable
{
    private readonly Multiplot _figure = new();

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    public PanelGrid(int panels, int maxColumns)
    {
        Columns = Math.Min(panels, maxColumns);
        Rows = (panels + Columns - 1) / Columns;
        _figure.AddPlots(Rows * Columns); // AddPlots sets the number of subplots
        _figure.Layout = new ScottPlot.MultiplotLayouts.Grid(Rows, Columns);
        for (int i = panels; i < Rows * Columns; i++)
            _figure.GetPlot(i).HideAxesAndGrid();
    }

    /// <summary>The plot of panel <paramref name="index"/>, row by row.</summary>
    public Plot this[int index] => _figure.GetPlot(index);

    /// <summary>Draws every panel into <paramref name="area"/> of <paramref name="canvas"/>.</summary>
    public void Render(SkiaSharp.SKCanvas canvas, PixelRect area) => _figure.Render(canvas, area);

    public void Dispose()
    {
        foreach (var plot in _figure.GetPlots()) plot.Dispose();
    }
}
