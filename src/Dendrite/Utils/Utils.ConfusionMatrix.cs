namespace Dendrite;

public static partial class Utils
{
    /// <summary>
    /// Counts how often each true class was predicted as each class (TensorFlow's <c>tf.math.confusion_matrix</c>,
    /// scikit-learn's <c>confusion_matrix</c>): entry [i, j] is the number of samples whose label is i and whose
    /// prediction is j, so the diagonal holds the correct ones, row i sums to the count of class i and column j to
    /// the count of predictions j.
    /// </summary>
    /// <param name="labels">True class indices, shape (N,) or (N, 1), any element type holding whole numbers.</param>
    /// <param name="predictions">
    /// Predicted class indices of the same length, or class scores of shape (N, classes) (a model's
    /// <c>Predict</c> output), whose arg-max along the last axis is taken.
    /// </param>
    /// <param name="numClasses">The number of classes; by default one more than the largest label or prediction.</param>
    /// <returns>An int32 array of shape (numClasses, numClasses).</returns>
    /// <exception cref="ArgumentException">The lengths differ, a class index is negative, not whole, or not below
    /// <paramref name="numClasses"/> (the message names the index and the sample).</exception>
    public static NDArray<int> ConfusionMatrix(NDArray labels, NDArray predictions, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(predictions);
        var predicted = ClassIndices.Read(predictions, "predictions", allowScores: true);
        var actual = ClassIndices.Read(labels, "labels", allowScores: false);
        if (actual.Length != predicted.Length)
            throw new ArgumentException($"ConfusionMatrix needs one prediction per label: got {actual.Length} labels (shape {labels.Shape}) and {predicted.Length} predictions (shape {predictions.Shape}).", nameof(predictions));
        if (numClasses is < 1) throw new ArgumentException($"numClasses must be at least 1, got {numClasses}.", nameof(numClasses));
        long classes = numClasses ?? (actual.Length == 0
            ? throw new ArgumentException("ConfusionMatrix cannot infer the number of classes from no labels; pass numClasses.", nameof(labels))
            : (long)Math.Max(actual.Max(), predicted.Max()) + 1);
        if (classes * classes > Array.MaxLength)
            throw new ArgumentException($"ConfusionMatrix would have {classes} × {classes} entries, more than one array holds.", nameof(numClasses));
        int n = (int)classes;
        var counts = new int[n * n];
        for (int i = 0; i < actual.Length; i++)
        {
            CheckClass(actual[i], n, i, "label");
            CheckClass(predicted[i], n, i, "prediction");
            counts[actual[i] * n + predicted[i]]++;
        }
        return new NDArray<int>(counts, n, n);
    }

    private static void CheckClass(int index, int classes, int sample, string what)
    {
        if (index < 0 || index >= classes)
            throw new ArgumentException(FormattableString.Invariant($"ConfusionMatrix: the {what} of sample {sample} is {index}, outside [0, {classes - 1}] for {classes} classes."));
    }
}
