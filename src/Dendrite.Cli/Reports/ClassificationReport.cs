using System.Globalization;

namespace Dendrite.Cli.Reports;

/// <summary>
/// Per-class precision, recall, F1 and support from a confusion matrix (rows true classes, columns predictions), laid
/// out as scikit-learn's <c>classification_report</c>, and the confusion matrix itself as an aligned table.
/// </summary>
internal static class ClassificationReport
{
    /// <summary>scikit-learn's report: a row per class, then accuracy, macro and weighted averages (a class never predicted has precision 0).</summary>
    public static string Metrics(NDArray<int> confusion, IReadOnlyList<string> classLabels)
    {
        int n = confusion.Shape[0];
        var table = new TextTable("class", "precision", "recall", "f1-score", "support");
        long total = 0, correct = 0;
        double macroP = 0, macroR = 0, macroF = 0, weightedP = 0, weightedR = 0, weightedF = 0;
        for (int c = 0; c < n; c++)
        {
            long support = 0, predicted = 0;
            for (int j = 0; j < n; j++) { support += confusion[c, j]; predicted += confusion[j, c]; }
            long hits = confusion[c, c];
            double precision = predicted == 0 ? 0 : (double)hits / predicted;
            double recall = support == 0 ? 0 : (double)hits / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            table.Add(classLabels[c], Format(precision), Format(recall), Format(f1), support.ToString(CultureInfo.InvariantCulture));
            total += support; correct += hits;
            macroP += precision; macroR += recall; macroF += f1;
            weightedP += precision * support; weightedR += recall * support; weightedF += f1 * support;
        }
        string totalText = total.ToString(CultureInfo.InvariantCulture);
        double perTotal = total == 0 ? 0 : 1.0 / total;
        table.AddBlank()
            .Add("accuracy", "", "", Format(correct * perTotal), totalText)
            .Add("macro avg", Format(macroP / n), Format(macroR / n), Format(macroF / n), totalText)
            .Add("weighted avg", Format(weightedP * perTotal), Format(weightedR * perTotal), Format(weightedF * perTotal), totalText);
        return table.ToString();
    }

    /// <summary>The matrix with the true class down the side and the predicted class across the top, as class indices.</summary>
    public static string Matrix(NDArray<int> confusion)
    {
        int n = confusion.Shape[0];
        var table = new TextTable([@"true\pred", .. Enumerable.Range(0, n).Select(Index)]);
        for (int i = 0; i < n; i++)
            table.Add([Index(i), .. Enumerable.Range(0, n).Select(j => confusion[i, j].ToString(CultureInfo.InvariantCulture))]);
        return table.ToString();
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
