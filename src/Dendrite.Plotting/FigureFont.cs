using SkiaSharp;

namespace Dendrite.Plotting;

/// <summary>
/// The typeface every figure uses: DejaVu Sans, matplotlib's default (so the figures read like the tutorials'),
/// else another common sans-serif, else whatever the machine has. Skia finds the fonts under /usr/share/fonts on
/// Linux; a machine with none would give pictures without a single label, so that is refused with the fix.
/// </summary>
internal static class FigureFont
{
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans", "Segoe UI"];

    private static readonly Lazy<string> Chosen = new(() => Choose(SKFontManager.Default.FontFamilies));

    /// <summary>The family name to draw text with.</summary>
    /// <exception cref="InvalidOperationException">No font is installed.</exception>
    internal static string Name => Chosen.Value;

    /// <summary>The width in pixels of <paramref name="text"/> drawn at <paramref name="size"/> pixels in <see cref="Name"/>.</summary>
    internal static float TextWidth(string text, float size)
    {
        using var typeface = SKTypeface.FromFamilyName(Name);
        using var font = new SKFont(typeface, size);
        return font.MeasureText(text);
    }

    /// <summary>The preferred family among <paramref name="installed"/>, or the first installed one.</summary>
    internal static string Choose(IEnumerable<string> installed)
    {
        // Skia without any font file still lists one family, with an empty name.
        var families = installed.Where(name => !string.IsNullOrWhiteSpace(name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (families.Count == 0)
            throw new InvalidOperationException(
                "No fonts are installed, so a figure's titles, labels and numbers cannot be drawn. Install one, for example " +
                "DejaVu Sans (Debian/Ubuntu: apt-get install fonts-dejavu-core; Alpine: apk add font-dejavu).");
        return Preferred.FirstOrDefault(families.Contains) ?? families.Order(StringComparer.Ordinal).First();
    }
}
