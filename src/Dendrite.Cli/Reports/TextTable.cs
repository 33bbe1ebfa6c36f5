using System.Text;

namespace Dendrite.Cli.Reports;

/// <summary>
/// A plain-text table: a header row and data rows, columns separated by two spaces, the first column left-aligned and
/// the others right-aligned (numbers), so that it reads well in a terminal and parses with whitespace splitting.
/// </summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> _rows = [];

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != header.Length)
            throw new ArgumentException($"A row has {cells.Length} cells; the table has {header.Length} columns.", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>An empty line between groups of rows.</summary>
    public TextTable AddBlank()
    {
        _rows.Add([]);
        return this;
    }

    public override string ToString()
    {
        var all = _rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Where(r => r.Length > 0).Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            if (row.Length == 0) { text.Append('\n'); continue; }
            var line = new StringBuilder();
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) line.Append("  ");
                line.Append(c == 0 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
