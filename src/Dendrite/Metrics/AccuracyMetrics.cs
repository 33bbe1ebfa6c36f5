namespace Dendrite.Metrics;

/// <summary>
/// How often the arg-max of each predicted row equals the target class of that row; subclasses say how a target
/// row names its class and which target shapes they take.
/// </summary>
public abstract partial class ArgMaxAccuracy : SampleMeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>Checks the shapes (and labels) of one batch and returns the number of classes (the predictions' last dimension).</summary>
    /// <exception cref="ArgumentException">The targets do not fit the predictions.</exception>
    protected abstract int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape);

    /// <summary>The class the target of row <paramref name="row"/> names.</summary>
    protected abstract int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes);

    /// <summary>One value per prediction row (1 for a hit, 0 for a miss), shaped as the predictions' leading axes.</summary>
    private protected override int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims)
    {
        int classes = CheckTargets(yTrue, yTrueShape, yPredShape);
        int rows = classes == 0 ? 0 : yPred.Length / classes;
        var values = ValueBuffer(rows);
        for (int r = 0; r < rows; r++)
            values[r] = Hit(yPred.Slice(r * classes, classes), TargetClass(yTrue, r, classes)) ? 1 : 0;
        var leading = yPredShape.AsSpan()[..^1];
        leading.CopyTo(dims);
        return leading.Length;
    }

    /// <summary>Whether a row of predictions scores its target class: by default, when it is the arg-max.</summary>
    private protected virtual bool Hit(ReadOnlySpan<float> row, int target) => ArgMax(row) == target;

    /// <summary>Index of the first maximum, as NumPy's argmax (ties go to the first).</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}

/// <summary>
/// How often the arg-max of the prediction equals the integer label (<c>keras.metrics.SparseCategoricalAccuracy</c>):
/// labels of shape (N,) or (N, 1) for predictions (N, C).
/// </summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : ArgMaxAccuracy
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    /// <remarks>Labels that are not integers in [0, C) throw (Keras would count them as misses).</remarks>
    protected override int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape) =>
        MetricChecks.SparseLabels(Name, yTrue, yTrueShape, yPredShape, "For one-hot targets use categorical_accuracy.");

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => (int)yTrue[row];

    /// <inheritdoc/>
    /// <remarks>
    /// Labels shaped as the predictions' leading axes (or with a trailing 1) pair row by row. Other shapes follow
    /// Keras' <c>sparse_categorical_accuracy</c>: a trailing 1 is squeezed from labels of the predictions' rank, then
    /// the labels are compared with the predictions' arg-max by NumPy broadcasting, so labels (2, 1) against
    /// predictions (1, 2, C) give a (2, 2) grid of matches.
    /// </remarks>
    private protected override int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims)
    {
        var t = yTrueShape.AsSpan();
        var p = yPredShape.AsSpan();
        bool rowByRow = p.Length >= 1 && (t.SequenceEqual(p[..^1]) || (t.Length == p.Length && t[^1] == 1 && t[..^1].SequenceEqual(p[..^1])));
        if (rowByRow || p.Length == 0) return base.ComputeValues(yTrue, yTrueShape, yPred, yPredShape, dims);
        if (t.Length == p.Length && t[^1] == 1) t = t[..^1];
        var argMaxDims = p[..^1];
        int rank = SampleWeighting.Broadcast(t, argMaxDims, dims);
        if (rank < 0) return base.ComputeValues(yTrue, yTrueShape, yPred, yPredShape, dims); // throws, naming the shapes
        int classes = p[^1];
        TargetShapes.CheckLabelRange(yTrue, classes);
        var outDims = dims[..rank];
        var values = ValueBuffer(SampleWeighting.Product(outDims));
        for (int i = 0; i < values.Length; i++)
        {
            int label = (int)yTrue[SampleWeighting.SourceIndex(i, outDims, t)];
            int row = SampleWeighting.SourceIndex(i, outDims, argMaxDims);
            values[i] = ArgMax(yPred.Slice(row * classes, classes)) == label ? 1 : 0;
        }
        // Keras squeezes a trailing 1 off the matches.
        return rank > 1 && outDims[^1] == 1 ? rank - 1 : rank;
    }
}

/// <summary>
/// How often the arg-max of the prediction equals the arg-max of the one-hot target
/// (<c>keras.metrics.CategoricalAccuracy</c>); targets have the predictions' shape.
/// </summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class CategoricalAccuracy(string name = "categorical_accuracy") : ArgMaxAccuracy
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape) =>
        MetricChecks.SameShape(Name, yTrueShape, yPredShape, "Integer labels need sparse_categorical_accuracy.");

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => ArgMax(yTrue.Slice(row * classes, classes));
}

/// <summary>
/// How often <c>prediction &gt; threshold</c> equals the 0/1 target, element-wise (<c>keras.metrics.BinaryAccuracy</c>);
/// a target other than 0 or 1 never matches.
/// </summary>
/// <param name="name">The name it is logged under.</param>
/// <param name="threshold">In (0, 1), as Keras requires.</param>
public sealed partial class BinaryAccuracy(string name = "binary_accuracy", float threshold = 0.5f) : SampleMeanMetric
{
    private readonly float _threshold = threshold > 0 && threshold < 1 ? threshold
        : throw new ArgumentException(FormattableString.Invariant($"Invalid value for argument `threshold`. Expected a value in interval (0, 1). Received: threshold={threshold}"), nameof(threshold));

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Predictions above it count as 1.</summary>
    public float Threshold => _threshold;

    /// <summary>Each sample's (or step's) share of elements on the right side of the threshold, as Keras' <c>binary_accuracy</c>.</summary>
    private protected override int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims)
    {
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        int rank = AlignedValueDims(yTrueShape, yPredShape, dims);
        var values = ValueBuffer(last == 0 ? 0 : yPred.Length / last);
        for (int r = 0; r < values.Length; r++)
        {
            int correct = 0;
            for (int i = r * last; i < (r + 1) * last; i++)
                if ((yPred[i] > _threshold ? 1f : 0f) == yTrue[i]) correct++;
            values[r] = (double)correct / last;
        }
        return rank;
    }
}

/// <summary>
/// How often predictions equal the targets exactly (<c>keras.metrics.Accuracy</c>): each sample's share of elements
/// with y_pred == y_true, for predictions that are class ids or other exact values. The string <c>"accuracy"</c> in
/// <c>Compile</c> is not this class: it picks binary, sparse or categorical accuracy from the shapes, as in Keras.
/// </summary>
/// <remarks>
/// As Keras' <c>accuracy</c>: a trailing 1 on the longer side is squeezed (or a rank-1 side gains one), the two are
/// compared with NumPy broadcasting, and each sample's value is the mean over the last axis.
/// </remarks>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Accuracy(string name = "accuracy") : SampleMeanMetric
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    private protected override int ComputeValues(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, Span<int> dims)
    {
        var t = yTrueShape.AsSpan();
        var p = yPredShape.AsSpan();
        // squeeze_or_expand_to_same_rank: dropping a trailing 1 on the longer side lines the shapes up as Keras' expansion of a rank-1 side does.
        if (t.Length == p.Length + 1 && t[^1] == 1) t = t[..^1];
        else if (p.Length == t.Length + 1 && p[^1] == 1) p = p[..^1];
        Span<int> both = stackalloc int[SampleWeighting.MaxRank];
        int rank = SampleWeighting.Broadcast(t, p, both);
        if (rank < 0)
            throw new ArgumentException($"{Name} compares targets and predictions element by element: y_true has shape {yTrueShape}, y_pred has shape {yPredShape}, which do not broadcast.");
        var compared = both[..rank];
        int last = rank == 0 ? 1 : compared[^1];
        int count = SampleWeighting.Product(compared);
        var values = ValueBuffer(last == 0 ? 0 : count / last);
        for (int r = 0; r < values.Length; r++)
        {
            int equal = 0;
            for (int i = r * last; i < (r + 1) * last; i++)
                if (yTrue[SampleWeighting.SourceIndex(i, compared, t)] == yPred[SampleWeighting.SourceIndex(i, compared, p)]) equal++;
            values[r] = (double)equal / last;
        }
        var leading = compared[..Math.Max(0, rank - 1)];
        leading.CopyTo(dims);
        return leading.Length;
    }
}
