namespace Dendrite.Metrics;

/// <summary>
/// How often the arg-max of each predicted row equals the target class of that row; subclasses say how a target
/// row names its class.
/// </summary>
public abstract class ArgMaxAccuracy : MeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>The class the target of row <paramref name="row"/> names.</summary>
    protected abstract int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        int classes = yPredShape[^1];
        int rows = yPred.Length / classes;
        int correct = 0;
        for (int r = 0; r < rows; r++)
            if (ArgMax(yPred.Slice(r * classes, classes)) == TargetClass(yTrue, r, classes)) correct++;
        Accumulate(correct, rows);
    }

    /// <summary>Index of the first maximum, as NumPy's argmax (ties go to the first).</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}

/// <summary>How often the arg-max of the prediction equals the integer label (labels of shape (N,) or (N, 1)).</summary>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : ArgMaxAccuracy
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => (int)yTrue[row];
}

/// <summary>How often the arg-max of the prediction equals the arg-max of the one-hot target.</summary>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : ArgMaxAccuracy
{
    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    protected override int TargetClass(ReadOnlySpan<float> yTrue, int row, int classes) => ArgMax(yTrue.Slice(row * classes, classes));
}

/// <summary>How often <c>prediction &gt; threshold</c> equals the 0/1 target, element-wise.</summary>
public sealed class BinaryAccuracy(string name = "binary_accuracy", float threshold = 0.5f) : MeanMetric
{
    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        int correct = 0;
        for (int i = 0; i < yPred.Length; i++)
            if ((yPred[i] > threshold ? 1f : 0f) == yTrue[i]) correct++;
        Accumulate(correct, yPred.Length);
    }
}

/// <summary>
/// Keras' <c>"accuracy"</c>: resolved on the first batch from the shapes, as Keras' <c>get_metric</c> does — sparse
/// categorical when the targets have fewer axes than the predictions (or one column against several), binary when
/// the prediction has one column, categorical otherwise. Logged as <c>accuracy</c>.
/// </summary>
public sealed class Accuracy : Metric
{
    private Metric? _resolved;

    /// <inheritdoc/>
    public override string Name => "accuracy";

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape)
    {
        _resolved ??= Resolve(yTrueShape, yPredShape);
        _resolved.UpdateState(yTrue, yTrueShape, yPred, yPredShape);
    }

    private static Metric Resolve(Shape yTrue, Shape yPred)
    {
        bool sparse = yTrue.Rank < yPred.Rank || (yTrue[^1] == 1 && yPred[^1] > 1);
        if (sparse) return new SparseCategoricalAccuracy("accuracy");
        if (yPred[^1] == 1) return new BinaryAccuracy("accuracy");
        return new CategoricalAccuracy("accuracy");
    }

    /// <inheritdoc/>
    public override double Result() => _resolved?.Result() ?? 0.0;

    /// <inheritdoc/>
    public override void ResetState() => _resolved?.ResetState();
}
