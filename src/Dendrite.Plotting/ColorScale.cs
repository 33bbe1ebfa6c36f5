using ScottPlot;

namespace Dendrite.Plotting;

/// <summary>
/// A colour map over a fixed range of values, for a colour bar beside cells that are drawn one by one (as rectangles,
/// so that an SVG keeps them sharp) rather than through ScottPlot's bitmap heat map.
/// </summary>
internal sealed class ColorScale(IColormap colormap, double min, double max) : IHasColorAxis
{
    /// <inheritdoc/>
    public IColormap Colormap { get; set; } = colormap;

    /// <inheritdoc/>
    public ScottPlot.Range GetRange() => new(min, max);

    /// <summary>The colour of <paramref name="value"/>: the low end of the map at <c>min</c>, the high end at <c>max</c>.</summary>
    public Color ColorOf(double value) => Colormap.GetColor(Fraction(value));

    /// <summary>Where <paramref name="value"/> lies between min (0) and max (1).</summary>
    public double Fraction(double value) => max > min ? Math.Clamp((value - min) / (max - min), 0, 1) : 0;
}
