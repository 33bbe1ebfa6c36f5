namespace Dendrite.Metrics;

/// <summary>
/// How often the arg-max of each predicted row equals the target class of that row; subclasses say how a target
/// row names its class and which target shapes they take.
/// </summary>
public abstract partial class ArgMaxAccuracy : MeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>Checks the shapes (and labels) of one batch and returns the number of classes (the predictions' last dimension).</summary>
    /// <exception cref="ArgumentException">The targets do not fit the predictions.</exception>
    protected abstract int CheckTargets(ReadOnlySpan<float> yTrue, Shape yTrueShape, Shape yPredShape);

    /// <summary>The class the target of row <paramref name="row"/> names.</summary>
    protected abstract int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        int classes = CheckTargets(yTrue, yTrueShape, yPredShape);
        int rows = classes == 0 ? 0 : yPred.Length / classes;
        int correct = 0;
        for (int r = 0; r < rows; r++)
            if (Hit(yPred.Slice(r * classes, classes), TargetClass(yTrue, r, classes))) correct++;
        Accumulate(correct, rows);
    }

    /// <inheritdoc/>
    /// <remarks>Only rows whose mask entry is non-zero count; each mask entry covers rows / mask length rows.</remarks>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        int classes = CheckTargets(yTrue, yTrueShape, yPredShape);
        int rows = classes == 0 ? 0 : yPred.Length / classes;
        if (mask.Length == 0 || rows % mask.Length != 0)
            throw new ArgumentException($"{Name}: a mask of {mask.Length} entries does not fit {rows} prediction rows.");
        int perEntry = rows / mask.Length, correct = 0, counted = 0;
        for (int r = 0; r < rows; r++)
        {
            if (mask[r / perEntry] == 0) continue;
            counted++;
            if (Hit(yPred.Slice(r * classes, classes), TargetClass(yTrue, r, classes))) correct++;
        }
        Accumulate(correct, counted);
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
public sealed partial class BinaryAccuracy(string name = "binary_accuracy", float threshold = 0.5f) : MeanMetric
{
    private readonly float _threshold = threshold > 0 && threshold < 1 ? threshold
        : throw new ArgumentException(FormattableString.Invariant($"Invalid value for argument `threshold`. Expected a value in interval (0, 1). Received: threshold={threshold}"), nameof(threshold));

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Predictions above it count as 1.</summary>
    public float Threshold => _threshold;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        int correct = 0;
        for (int i = 0; i < yPred.Length; i++)
            if ((yPred[i] > _threshold ? 1f : 0f) == yTrue[i]) correct++;
        Accumulate(correct, yPred.Length);
    }
}

/// <summary>
/// Keras' <c>"accuracy"</c>: resolved on the first batch from the shapes, as Keras' <c>get_metric</c> does — binary
/// when the prediction has one column, else sparse categorical when the targets have fewer axes than the predictions
/// (or one column against several), categorical otherwise. Logged under the name it was asked by
/// (<c>accuracy</c> or <c>acc</c>).
/// </summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Accuracy(string name = "accuracy") : Metric
{
    private Metric? _resolved;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        _resolved ??= Resolve(yTrueShape, yPredShape);
        _resolved.UpdateState(yTrue, yTrueShape, yPred, yPredShape);
    }

    private Metric Resolve(Shape yTrue, Shape yPred) => TargetShapes.Classify(yTrue, yPred) switch
    {
        TargetShapes.TargetKind.Binary => new BinaryAccuracy(Name),
        TargetShapes.TargetKind.Sparse => new SparseCategoricalAccuracy(Name),
        _ => new CategoricalAccuracy(Name),
    };

    /// <inheritdoc/>
    public override double Result() => _resolved?.Result() ?? 0.0;

    /// <inheritdoc/>
    public override void ResetState() => _resolved?.ResetState();

    // Every kind it resolves to is a mean (total, count); before the first batch the state is zero.
    internal override int StateLength => 2;

    internal override void CopyState(Span<double> state)
    {
        if (_resolved is null) state[..2].Clear();
        else _resolved.CopyState(state);
    }

    internal override void SetState(ReadOnlySpan<double> state) => _resolved?.SetState(state);
}
