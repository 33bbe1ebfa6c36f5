namespace Dendrite.Metrics;

// The area from the accumulated counts: Keras' AUC.result and interpolate_pr_auc, in double precision.
public sealed partial class AUC
{
    /// <inheritdoc/>
    public override double Result()
    {
        int n = _thresholds.Length;
        // True and false positives at threshold i: every prediction in bucket i or above.
        double tp = 0, fp = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            tp += _positiveBuckets[i];
            fp += _negativeBuckets[i];
            _truePositives[i] = tp;
            _falsePositives[i] = fp;
        }
        if (_precisionRecall && _summation == Summation.Interpolation) return InterpolatedPrecisionRecallArea();

        double area = 0;
        for (int i = 0; i < n - 1; i++)
        {
            double x0, x1, y0, y1;
            if (_precisionRecall)
            {
                (x0, x1) = (Recall(i), Recall(i + 1));
                (y0, y1) = (Precision(i), Precision(i + 1));
            }
            else
            {
                (x0, x1) = (FalsePositiveRate(i), FalsePositiveRate(i + 1));
                (y0, y1) = (Recall(i), Recall(i + 1));
            }
            double height = _summation switch
            {
                Summation.Interpolation => (y0 + y1) / 2,
                Summation.Minoring => Math.Min(y0, y1),
                _ => Math.Max(y0, y1),
            };
            area += (x0 - x1) * height;
        }
        return area;
    }

    private double Recall(int i) => MetricChecks.DivideNoNan(_truePositives[i], _positives);

    private double FalsePositiveRate(int i) => MetricChecks.DivideNoNan(_falsePositives[i], _negatives);

    private double Precision(int i) => MetricChecks.DivideNoNan(_truePositives[i], _truePositives[i] + _falsePositives[i]);

    /// <summary>
    /// Davis &amp; Goadrich's interpolation as Keras writes it: between thresholds A and B, true positives and predicted
    /// positives P vary linearly, and the area is slope·(ΔTP + intercept·log(P_A / P_B)) / (all positives).
    /// </summary>
    private double InterpolatedPrecisionRecallArea()
    {
        double area = 0;
        for (int i = 0; i < _thresholds.Length - 1; i++)
        {
            double tpA = _truePositives[i], tpB = _truePositives[i + 1];
            double pA = tpA + _falsePositives[i], pB = tpB + _falsePositives[i + 1];
            double dtp = tpA - tpB, dp = pA - pB;
            double slope = MetricChecks.DivideNoNan(dtp, Math.Max(dp, 0));
            double intercept = tpB - slope * pB;
            double ratio = pA > 0 && pB > 0 ? MetricChecks.DivideNoNan(pA, Math.Max(pB, 0)) : 1;
            // The denominator is tp + fn at B, i.e. every positive target.
            double positivesAtB = tpB + (_positives - tpB);
            area += MetricChecks.DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(positivesAtB, 0));
        }
        return area;
    }
}
