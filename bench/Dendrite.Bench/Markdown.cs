using System.Globalization;
using System.Text;

namespace Dendrite.Bench;

/// <summary>A Markdown table, and the number formats the report uses (invariant culture throughout).</summary>
internal sealed class MarkdownTable(params string[] header)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", header)).Append(" |\n");
        sb.Append('|').Append(string.Join('|', header.Select((h, i) => i == 0 ? " --- " : " ---: "))).Append("|\n");
        foreach (var row in _rows) sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        return sb.ToString();
    }
}

internal static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string NA = "n/a";

    public static string F(double v, int decimals) => double.IsFinite(v) ? v.ToString("F" + decimals, Inv) : NA;
    public static string N0(double v) => double.IsFinite(v) ? v.ToString("N0", Inv) : NA;
    public static string Pct(double part, double whole) => double.IsFinite(part) && whole > 0 ? (100 * part / whole).ToString("F0", Inv) + " %" : NA;
    public static string Ratio(double a, double b) => double.IsFinite(a) && double.IsFinite(b) && b > 0 ? (a / b).ToString("F2", Inv) + "×" : NA;
    public static string I(long v) => v.ToString(Inv);
}
