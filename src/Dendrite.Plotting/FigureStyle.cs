using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>The look shared by every figure: one sans-serif font, matplotlib-like sizes, titles not bold.</summary>
internal static class FigureStyle
{
    internal const float TitleSize = 17;
    internal const float AxisLabelSize = 15;
    internal const float TickLabelSize = 14;
    internal const float LegendSize = 13;

    /// <summary>Sets the font and text sizes of one panel.</summary>
    internal static void Apply(Plot plot)
    {
        plot.Font.Set(FigureFont.Name);
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Title.Label.Bold = false;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontSize = AxisLabelSize;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = TickLabelSize;
        }
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FigureFont.Name;
        // matplotlib's legend: a light frame, no drop shadow.
        plot.Legend.ShadowColor = Colors.Transparent;
        plot.Legend.OutlineColor = Colors.LightGray;
    }
}
