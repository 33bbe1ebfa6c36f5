namespace Dendrite;

/// <summary>
/// How losses and metrics pair targets with predictions: Keras' <c>squeeze_or_expand_to_same_rank</c> (when the ranks
/// differ by one and the longer shape ends in 1, that axis is squeezed, or the rank-1 side gains a trailing 1), after
/// which the shapes must be equal. Squeezing or expanding a trailing 1 never moves an element, so callers can read
/// both operands' values in place; what changes is which axis is "last". Nothing here allocates unless it throws.
/// </summary>
internal static class TargetShapes
{
    /// <summary>Which kind of targets a cross-entropy loss or an accuracy metric of unspecified kind is given.</summary>
    public enum TargetKind { Binary, Sparse, Categorical }

    /// <summary>
    /// Keras' <c>is_binary_or_sparse_categorical</c>: binary when the predictions have one column (this wins when both
    /// hold: (N,) targets, (N, 1) predictions), sparse when the targets have a rank less or a single column against
    /// several predicted classes, else categorical (one-hot).
    /// </summary>
    public static TargetKind Classify(Shape yTrue, Shape yPred)
    {
        if (yPred.Rank > 0 && yPred[^1] == 1) return TargetKind.Binary;
        bool sparse = yTrue.Rank < yPred.Rank || (yTrue.Rank > 0 && yPred.Rank > 0 && yTrue[^1] == 1 && yPred[^1] > 1);
        return sparse ? TargetKind.Sparse : TargetKind.Categorical;
    }

    /// <summary>
    /// The last dimension of the aligned shape (1 for a scalar), or throws naming <paramref name="who"/> and both shapes.
    /// </summary>
    /// <param name="yTrue">The targets' shape.</param>
    /// <param name="yPred">The predictions' shape.</param>
    /// <param name="who">The Keras name of the loss or metric, for the message.</param>
    /// <param name="hint">A sentence added to the message, e.g. which loss fits integer labels.</param>
    public static int AlignedLastDim(Shape yTrue, Shape yPred, string who, string? hint = null)
    {
        var t = yTrue.AsSpan();
        var p = yPred.AsSpan();
        if (t.Length == p.Length)
        {
            if (t.SequenceEqual(p)) return p.Length == 0 ? 1 : p[^1];
        }
        else if (t.Length == p.Length + 1 && t[^1] == 1)
        {
            // A (…, 1) target against (…) predictions: rank-1 predictions gain the axis, others lose it from the target.
            if (t[..^1].SequenceEqual(p)) return p.Length == 1 ? 1 : p.Length == 0 ? 1 : p[^1];
        }
        else if (p.Length == t.Length + 1 && p[^1] == 1)
        {
            if (p[..^1].SequenceEqual(t)) return t.Length == 1 ? 1 : t.Length == 0 ? 1 : t[^1];
        }
        throw new ArgumentException(Mismatch(yTrue, yPred, who, hint));
    }

    private static string Mismatch(Shape yTrue, Shape yPred, string who, string? hint) =>
        $"{who} expects targets of the predictions' shape: y_true has shape {yTrue}, y_pred has shape {yPred}" +
        " (a trailing axis of length 1 on either side is allowed)." + (hint is null ? "" : " " + hint);

    /// <summary>
    /// Checks integer labels against predictions of shape (…, classes): the labels' shape must be the predictions'
    /// without the class axis, or that with a trailing 1 (Keras squeezes it). Returns the number of classes.
    /// </summary>
    public static int CheckSparse(Shape labels, Shape yPred, string who, string? hint = null)
    {
        var t = labels.AsSpan();
        var p = yPred.AsSpan();
        if (p.Length >= 1)
        {
            var batch = p[..^1];
            if (t.SequenceEqual(batch) || (t.Length == p.Length && t[^1] == 1 && t[..^1].SequenceEqual(batch))) return p[^1];
        }
        throw new ArgumentException($"{who} expects integer labels of shape {new Shape(p.Length >= 1 ? p[..^1].ToArray() : [])} or {LabelColumn(p)} for predictions of shape {yPred}, got labels of shape {labels}." + (hint is null ? "" : " " + hint));
    }

    private static Shape LabelColumn(ReadOnlySpan<int> p)
    {
        if (p.Length == 0) return new Shape(1);
        var dims = p.ToArray();
        dims[^1] = 1;
        return new Shape(dims);
    }

    /// <summary>
    /// Throws unless every label is an integer in [0, <paramref name="classes"/>): the message names the value, its
    /// index and the valid range, as Keras' (TensorFlow's) sparse cross-entropy does.
    /// </summary>
    /// <param name="labels">The labels.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="ignoreClass">A label that is skipped, whatever its value (Keras' <c>ignore_class</c>).</param>
    public static void CheckLabelRange(ReadOnlySpan<float> labels, int classes, int? ignoreClass = null)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            float y = labels[i];
            if (y == ignoreClass) continue;
            if (!(y >= 0 && y < classes) || y != MathF.Floor(y))
                throw new ArgumentException(FormattableString.Invariant($"Received a label value of {y} at index {i}, which is outside the valid range of [0, {classes - 1}] for {classes} classes."));
        }
    }

    /// <summary>The shape of a whole data set's predictions: the sample count, then the model's per-sample output shape.</summary>
    public static Shape WithBatch(int samples, Shape outputShape)
    {
        var dims = new int[outputShape.Rank + 1];
        dims[0] = samples;
        outputShape.AsSpan().CopyTo(dims.AsSpan(1));
        return new Shape(dims);
    }
}
