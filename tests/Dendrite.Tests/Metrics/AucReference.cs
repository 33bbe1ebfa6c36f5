namespace Dendrite.Tests.Metrics;

/// <summary>
/// Keras' AUC written out directly in float64 (keras/src/metrics/confusion_metrics.py, AUC.result and
/// interpolate_pr_auc): confusion counts by comparing every prediction with every threshold (positive when strictly
/// above), then the Riemann sums. The thresholds are built independently of the metric: −1e-7, i/(n − 1) for
/// 0 &lt; i &lt; n − 1, and 1 + 1e-7, each rounded to float32 as Keras stores them.
/// </summary>
internal static class AucReference
{
    public static double[] Thresholds(int n)
    {
        var t = new double[n];
        t[0] = (float)(0.0 - 1e-7);
        for (int i = 1; i < n - 1; i++) t[i] = (float)(i * 1.0 / (n - 1));
        t[^1] = (float)(1.0 + 1e-7);
        return t;
    }

    public static double[] WithEndpoints(IEnumerable<double> thresholds) =>
        [(float)(0.0 - 1e-7), .. thresholds.Order().Select(v => (double)(float)v), (float)(1.0 + 1e-7)];

    /// <param name="targets">All targets seen (positive when not 0).</param>
    /// <param name="predictions">All predictions seen (in [0, 1]).</param>
    /// <param name="thresholds">Thresholds in increasing order.</param>
    /// <param name="curve">"ROC" or "PR".</param>
    /// <param name="summation">"interpolation", "minoring" or "majoring".</param>
    public static double Auc(IReadOnlyList<float> targets, IReadOnlyList<float> predictions, double[] thresholds, string curve, string summation)
    {
        int n = thresholds.Length;
        var tp = new double[n]; var fp = new double[n]; var fn = new double[n]; var tn = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < predictions.Count; k++)
            {
                bool predicted = predictions[k] > thresholds[i], actual = targets[k] != 0;
                if (predicted && actual) tp[i]++;
                else if (predicted) fp[i]++;
                else if (actual) fn[i]++;
                else tn[i]++;
            }
        static double Div(double x, double y) => y == 0 ? 0 : x / y;

        double area = 0;
        if (curve == "PR" && summation == "interpolation")
        {
            for (int i = 0; i < n - 1; i++)
            {
                double dtp = tp[i] - tp[i + 1];
                double pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1];
                double slope = Div(dtp, Math.Max(pA - pB, 0));
                double intercept = tp[i + 1] - slope * pB;
                double ratio = pA > 0 && pB > 0 ? Div(pA, Math.Max(pB, 0)) : 1;
                area += Div(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(tp[i + 1] + fn[i + 1], 0));
            }
            return area;
        }
        var x = new double[n]; var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double recall = Div(tp[i], tp[i] + fn[i]);
            if (curve == "ROC") (x[i], y[i]) = (Div(fp[i], fp[i] + tn[i]), recall);
            else (x[i], y[i]) = (recall, Div(tp[i], tp[i] + fp[i]));
        }
        for (int i = 0; i < n - 1; i++)
        {
            double height = summation switch
            {
                "interpolation" => (y[i] + y[i + 1]) / 2,
                "minoring" => Math.Min(y[i], y[i + 1]),
                _ => Math.Max(y[i], y[i + 1]),
            };
            area += (x[i] - x[i + 1]) * height;
        }
        return area;
    }

    /// <summary>The exact ROC AUC: the probability that a random positive outscores a random negative (ties count ½).</summary>
    public static double ExactRocAuc(IReadOnlyList<float> targets, IReadOnlyList<float> predictions)
    {
        double wins = 0, pairs = 0;
        for (int a = 0; a < targets.Count; a++)
            for (int b = 0; b < targets.Count; b++)
                if (targets[a] != 0 && targets[b] == 0)
                {
                    pairs++;
                    wins += predictions[a] > predictions[b] ? 1 : predictions[a] == predictions[b] ? 0.5 : 0;
                }
        return wins / pairs;
    }
}
