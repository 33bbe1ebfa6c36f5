using System.Globalization;

namespace Dendrite.Cli.Tests.Support;

/// <summary>Reads back the tables <c>dendrite evaluate</c> prints: the metrics, the per-class report and the confusion matrix.</summary>
internal sealed class EvaluateOutput
{
    public EvaluateOutput(string stdout)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int metricsAt = lines.FindIndex(l => l.StartsWith("metric ", StringComparison.Ordinal));
        for (int i = metricsAt + 1; i < lines.Count && lines[i].Length > 0; i++)
        {
            var cells = Cells(lines[i]);
            Metrics[cells[0]] = double.Parse(cells[^1], CultureInfo.InvariantCulture);
        }
        int reportAt = lines.FindIndex(l => l.StartsWith("class ", StringComparison.Ordinal));
        for (int i = reportAt + 1; i < lines.Count && !lines[i].StartsWith("Confusion matrix", StringComparison.Ordinal); i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = Cells(lines[i]);
            double Number(int fromEnd) => double.Parse(cells[^fromEnd], CultureInfo.InvariantCulture);
            // The accuracy row has only the F1 column and the support, as in scikit-learn's report.
            if (cells[0] == "accuracy") Report.Add(("accuracy", double.NaN, double.NaN, Number(2), (int)Number(1)));
            else Report.Add((string.Join(' ', cells[..^4]), Number(4), Number(3), Number(2), (int)Number(1)));
        }
        int matrixAt = lines.FindIndex(l => l.StartsWith(@"true\pred", StringComparison.Ordinal));
        if (metricsAt < 0 || reportAt < 0 || matrixAt < 0) throw new Xunit.Sdk.XunitException($"The evaluate output lacks a table:\n{stdout}");
        for (int i = matrixAt + 1; i < lines.Count && lines[i].Length > 0; i++)
            Matrix.Add([.. Cells(lines[i]).Skip(1).Select(c => int.Parse(c, CultureInfo.InvariantCulture))]);
    }

    /// <summary>Each metric Evaluate reported (loss, accuracy, …).</summary>
    public Dictionary<string, double> Metrics { get; } = [];

    /// <summary>The per-class rows: label, precision, recall, F1, support.</summary>
    public List<(string Label, double Precision, double Recall, double F1, int Support)> Report { get; } = [];

    /// <summary>The confusion matrix, rows true classes.</summary>
    public List<int[]> Matrix { get; } = [];

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
