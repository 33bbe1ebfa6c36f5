using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>Draws the panels of the training-curves figure (see <see cref="Plots.Plot(History, string, int?, int?)"/>).</summary>
internal static class HistoryFigure
{
    private static readonly Color TrainingColor = Color.FromHex("#1f77b4");   // matplotlib's first colour (tab:blue)
    private static readonly Color ValidationColor = Color.FromHex("#ff7f0e"); // and its second (tab:orange)

    /// <summary>Draws one panel: its title, axis labels, the training and validation lines, the legend.</summary>
    internal static void DrawPanel(Plot plot, HistoryPanel panel, IReadOnlyList<int> epochs)
    {
        FigureStyle.Apply(plot);
        plot.Title(panel.Title);
        plot.XLabel("Epoch");
        plot.YLabel(panel.AxisLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Bottom.MinorTickStyle.Length = 0; // no ticks between whole epochs
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 7 };

        var training = AddCurve(plot, panel.Training, epochs, $"Training {panel.Words}", TrainingColor, MarkerShape.FilledCircle);
        var validation = AddCurve(plot, panel.Validation, epochs, $"Validation {panel.Words}", ValidationColor, MarkerShape.FilledSquare);
        var curve = training ?? validation;
        if (curve is null) return; // every value was NaN or infinite: an empty panel says so better than an error

        // The legend goes in the corner the curves leave free: upper right for a falling curve (loss), lower right for a rising one.
        bool falling = curve.Value.Last < curve.Value.First;
        plot.ShowLegend(falling ? Alignment.UpperRight : Alignment.LowerRight);
        plot.Axes.Margins(horizontal: 0.06, vertical: 0.12);
    }

    /// <summary>Adds one line with markers, leaving out non-finite values; returns its first and last values, or null when nothing was drawn.</summary>
    private static (double First, double Last)? AddCurve(Plot plot, IReadOnlyList<double>? values, IReadOnlyList<int> epochs,
        string label, Color color, MarkerShape marker)
    {
        if (values is null) return null;
        // A key logged in every epoch takes the epochs' numbers; one logged in fewer (a CSV with NA cells) is numbered 1, 2, …
        bool alignedWithEpochs = values.Count == epochs.Count;
        var points = Enumerable.Range(0, values.Count)
            .Where(i => double.IsFinite(values[i]))
            .Select(i => (X: (alignedWithEpochs ? epochs[i] : i) + 1.0, Y: values[i]))
            .ToArray();
        if (points.Length == 0) return null;

        var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerShape = marker;
        line.MarkerSize = 8;
        return (points[0].Y, points[^1].Y);
    }
}
