namespace Dendrite.Metrics;

/// <summary>Argument checks shared by the metrics; none allocates unless it throws.</summary>
internal static class MetricChecks
{
    /// <summary>Throws when a span does not hold as many values as its shape says.</summary>
    public static void Lengths(string metric, ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        if (yTrue.Length != yTrueShape.Size)
            throw new ArgumentException($"{metric}: y_true holds {yTrue.Length} values but its shape {yTrueShape} needs {yTrueShape.Size}.");
        if (yPred.Length != yPredShape.Size)
            throw new ArgumentException($"{metric}: y_pred holds {yPred.Length} values but its shape {yPredShape} needs {yPredShape.Size}.");
    }

    /// <summary>Targets and predictions of exactly the same shape, at least one axis; returns the last dimension.</summary>
    public static int SameShape(string metric, Shape yTrue, Shape yPred, string hint)
    {
        if (yTrue != yPred || yPred.Rank == 0)
            throw new ArgumentException($"{metric} expects targets of the predictions' shape: y_true has shape {yTrue}, y_pred has shape {yPred}. {hint}");
        return yPred[^1];
    }

    /// <summary>Whether a target counts as positive: any value but 0, as Keras casts targets to bool.</summary>
    public static bool IsPositive(float target) => target != 0f;

    /// <summary>x / y, and 0 where y is 0 (Keras' <c>divide_no_nan</c>).</summary>
    public static double DivideNoNan(double x, double y) => y == 0 ? 0 : x / y;

    /// <summary>
    /// Integer labels for predictions of shape (…, classes): checks their shape and that each is an integer in
    /// [0, classes), and returns the number of classes.
    /// </summary>
    public static int SparseLabels(string metric, ReadOnlySpan<float> labels, Shape labelShape, Shape yPred, string hint)
    {
        int classes = TargetShapes.CheckSparse(labelShape, yPred, metric, hint);
        TargetShapes.CheckLabelRange(labels, classes);
        return classes;
    }
}
