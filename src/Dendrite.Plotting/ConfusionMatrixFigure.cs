using System.Globalization;
using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>
/// Draws a confusion matrix (checked by <see cref="Plots.PlotConfusionMatrix(NDArray{int}, string, IReadOnlyList{string}?, string?, int?, int?)"/>):
/// one rectangle per cell, so that an SVG keeps the cells sharp, its count on it, class names on the axes, a colour bar.
/// </summary>
internal static class ConfusionMatrixFigure
{
    private const int HorizontalRoom = 125; // the left axis title, the colour bar and its labels (plus the class names' width)
    private const int VerticalRoom = 65;    // the bottom tick labels and axis title, the top padding
    private const float SmallestReadableCell = 12; // below this many pixels a count cannot be read, so none is written

    /// <summary>Draws the n × n <paramref name="counts"/> (row-major) and writes the figure to <paramref name="path"/>.</summary>
    internal static void Write(string path, int[] counts, string[] names, string? title, int? width, int? height)
    {
        int n = names.Length;
        // The matrix's own square, and around it (measured on ScottPlot's layout) the room for the tick labels, the axis
        // titles and the colour bar, so that the default size gives square cells. Names longer than a digit or two are
        // written slanted under the matrix, which ScottPlot does not measure: their room is added here.
        int side = Math.Clamp(48 * n, 320, 1600);
        float widestName = names.Max(name => FigureFont.TextWidth(name, FigureStyle.TickLabelSize));
        bool slantNames = names.Any(name => name.Length > 2);
        float slantedRoom = slantNames ? widestName * 0.71f + 8 : 0;
        int figureWidth = width ?? side + HorizontalRoom + (int)widestName;
        int figureHeight = height ?? side + VerticalRoom + (int)slantedRoom + (title is null ? 0 : 40);
        FigureFile.CheckSize(figureWidth, figureHeight);
        float cellPixels = Math.Max(Math.Min(figureWidth - HorizontalRoom - widestName, figureHeight - VerticalRoom - slantedRoom), 1) / n;

        using var plot = new Plot();
        FigureStyle.Apply(plot);
        if (title is not null) plot.Title(title);
        plot.XLabel("Predicted label");
        plot.YLabel("True label");
        plot.HideGrid();

        var scale = new ColorScale(new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()), 0, Math.Max(1, counts.Max()));
        AddCells(plot, counts, n, scale, cellPixels);
        LabelAxes(plot, names, slantNames ? slantedRoom : null, small: cellPixels < 24);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        AddColorBar(plot, scale);

        FigureFile.Write(path, figureWidth, figureHeight, plot.Render);
    }

    /// <summary>Cell [i, j] is a unit square centred on x = j, y = n-1-i (row 0 at the top, as printed), with its count on it.</summary>
    private static void AddCells(Plot plot, int[] counts, int n, ColorScale scale, float cellPixels)
    {
        float countSize = CountFontSize(cellPixels, counts.Max().ToString(CultureInfo.InvariantCulture).Length);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int count = counts[i * n + j];
                double y = n - 1 - i;
                var cell = plot.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = scale.ColorOf(count);
                cell.LineWidth = 0;
                if (cellPixels < SmallestReadableCell) continue;
                var text = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), j, y);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = countSize;
                text.LabelFontName = FigureFont.Name;
                // White on the dark half of the map, black on the light half (scikit-learn's rule).
                text.LabelFontColor = scale.Fraction(count) > 0.5 ? Colors.White : Colors.Black;
            }
        }
    }

    /// <summary>Class names under the columns and beside the rows; slanted under the columns when <paramref name="slantedRoom"/> is given.</summary>
    private static void LabelAxes(Plot plot, string[] names, float? slantedRoom, bool small)
    {
        int n = names.Length;
        var positions = Enumerable.Range(0, n).Select(k => (double)k).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], names);
        if (slantedRoom is float room)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            if (plot.Axes.Bottom is ScottPlot.AxisPanels.AxisBase bottom)
                bottom.MinimumSize = room + 38; // the slanted names, then the axis title
        }
        if (small)
        {
            plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
            plot.Axes.Left.TickLabelStyle.FontSize = 9;
        }
    }

    private static void AddColorBar(Plot plot, ColorScale scale)
    {
        var colorBar = plot.Add.ColorBar(scale, Edge.Right);
        // ScottPlot sizes the colour bar's panel a little short of its tick labels, which the figure's edge then clips.
        if (colorBar.Axis is ScottPlot.AxisPanels.AxisBase barAxis)
            barAxis.MinimumSize = FigureFont.TextWidth(scale.GetRange().Max.ToString("0", CultureInfo.InvariantCulture), FigureStyle.TickLabelSize) + 24;
        colorBar.Axis.TickLabelStyle.FontSize = FigureStyle.TickLabelSize;
        colorBar.Axis.TickLabelStyle.FontName = FigureFont.Name;
        colorBar.Axis.MinorTickStyle.Length = 0;
        colorBar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            TargetTickCount = 6,
            LabelFormatter = v => v.ToString("0", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A font size that fits a count of <paramref name="digits"/> digits inside a cell of <paramref name="cellPixels"/>.</summary>
    private static float CountFontSize(float cellPixels, int digits) =>
        Math.Clamp(Math.Min(cellPixels * 0.34f, cellPixels * 1.35f / Math.Max(digits, 2)), 6f, 16f);
}
