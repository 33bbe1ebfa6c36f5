namespace Dendrite.Metrics;

// The area from the accumulated counts: Keras' AUC.result and interpolate_pr_auc, in double precision.
public sealed partial class AUC
{
    /// <inheritdoc/>
    /// <remarks>With <see cref="MultiLabel"/>, the mean of the labels' areas, weighted by the label weights when given.</remarks>
    public override double Result()
    {
        if (_labels == 0) return 0;
        if (_labels == 1 && !MultiLabel) return LabelArea(0);
        double sum = 0, weightSum = 0;
        for (int label = 0; label < _labels; label++)
        {
            double w = _labelWeights is null ? 1 : _labelWeights[label];
            sum += w * LabelArea(label);
            weightSum += w;
        }
        return _labelWeights is null ? sum / _labels : MetricChecks.DivideNoNan(sum, weightSum);
    }

    /// <summary>The area of one label's curve (of all data when flattening).</summary>
    private double LabelArea(int label)
    {
        int n = _thresholds.Length;
        var positiveBuckets = _positiveBuckets.AsSpan(label * n, n);
        var negativeBuckets = _negativeBuckets.AsSpan(label * n, n);
        double positives = _positives[label], negatives = _negatives[label];
        // True and false positives at threshold i: every prediction in bucket i or above.
        double tp = 0, fp = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            tp += positiveBuckets[i];
            fp += negativeBuckets[i];
            _truePositives[i] = tp;
            _falsePositives[i] = fp;
        }
        if (_precisionRecall && _summation == Summation.Interpolation) return InterpolatedPrecisionRecallArea(positives);

        double area = 0;
        for (int i = 0; i < n - 1; i++)
        {
            double x0, x1, y0, y1;
            if (_precisionRecall)
            {
                (x0, x1) = (MetricChecks.DivideNoNan(_truePositives[i], positives), MetricChecks.DivideNoNan(_truePositives[i + 1], positives));
                (y0, y1) = (Precision(i), Precision(i + 1));
            }
            else
            {
                (x0, x1) = (MetricChecks.DivideNoNan(_falsePositives[i], negatives), MetricChecks.DivideNoNan(_falsePositives[i + 1], negatives));
                (y0, y1) = (MetricChecks.DivideNoNan(_truePositives[i], positives), MetricChecks.DivideNoNan(_truePositives[i + 1], positives));
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

    private double Precision(int i) => MetricChecks.DivideNoNan(_truePositives[i], _truePositives[i] + _falsePositives[i]);

    /// <summary>
    /// Davis &amp; Goadrich's interpolation as Keras writes it: between thresholds A and B, true positives and predicted
    /// positives P vary linearly, and the area is slope·(ΔTP + intercept·log(P_A / P_B)) / (all positives).
    /// </summary>
    private double InterpolatedPrecisionRecallArea(double positives)
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
            double positivesAtB = tpB + (positives - tpB);
            area += MetricChecks.DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(positivesAtB, 0));
        }
        return area;
    }
}
