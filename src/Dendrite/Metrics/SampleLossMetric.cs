namespace Dendrite.Metrics;

/// <summary>
/// The running mean of a per-sample loss function (Keras' <c>MeanMetricWrapper</c> around a function of
/// keras.losses): each row of predictions along <see cref="Axis"/> gives one value, and the metric is
/// Σ w·value / Σ w over everything seen, per sample as Keras' <c>Mean</c> reduces (values of a sequence are averaged
/// over their steps first). Computed on the spans in double precision, without allocating once the rows fit.
/// </summary>
public abstract partial class SampleLossMetric : MeanMetric
{
    private float[] _targetRow = [], _predictionRow = [];

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => false;

    /// <summary>The axis each value is computed along (−1: the last).</summary>
    public virtual int Axis => -1;

    /// <summary>Whether the targets are integer labels, one per row, rather than rows of the predictions' shape.</summary>
    private protected virtual bool SparseTargets => false;

    /// <summary>The value of one row: <paramref name="t"/> is the target row, or one label when <see cref="SparseTargets"/>.</summary>
    private protected abstract double RowValue(ReadOnlySpan<float> t, ReadOnlySpan<float> p);

    /// <summary>Looks at a whole batch of targets before its rows (the hinge metrics decide there whether labels are 0/1).</summary>
    private protected virtual void Prepare(ReadOnlySpan<float> yTrue) { }

    /// <summary>Whether a row's label is ignored (sparse cross-entropy's ignore_class): its value is 0 and, when weighted, its weight too.</summary>
    private protected virtual bool Ignored(float label) => false;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, default, default, default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, default);

    /// <inheritdoc/>
    /// <remarks>The mask weighs the values as sample weights of 0 and 1 would (Keras' <c>apply_mask</c>): only the real steps count.</remarks>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, default, default, mask);

    /// <inheritdoc/>
    /// <remarks>The mask is multiplied into the weights (Keras' <c>apply_mask</c>).</remarks>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask) =>
        Update(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape, mask);

    private void Update(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask)
    {
        bool weighted = !sampleWeight.IsEmpty;
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        var (length, inner, skip) = Layout(yTrueShape, yPredShape);
        var values = new ValueShape(yPredShape, skip);
        int rows = length == 0 ? 0 : yPred.Length / length;
        int samples = values.Rank == 0 ? 1 : values[0];
        if (rows == 0 || samples == 0) return;
        double perSample = (double)rows / samples;
        int perWeight = weighted ? WeightStride(sampleWeight, sampleWeightShape, values, rows) : 1;
        // A mask has one entry per row or per group of rows (the steps of a sequence output).
        if (!mask.IsEmpty && rows % mask.Length != 0)
            throw new ArgumentException($"{Name}: a mask of {mask.Length} entries does not split the {rows} values of predictions of shape {yPredShape}.");
        int perMask = mask.IsEmpty ? 1 : rows / mask.Length;
        Prepare(yTrue);
        double total = 0, count = 0;
        for (int r = 0; r < rows; r++)
        {
            double w = weighted ? sampleWeight[sampleWeight.Length == 1 ? 0 : r / perWeight] : 1;
            if (!mask.IsEmpty) w *= mask[r / perMask];
            if (SparseTargets && Ignored(yTrue[r]))
            {
                // Keras' ignored entries: a value of 0, and (weighted) a weight of 0 through the loss's mask.
                if (!weighted && mask.IsEmpty) count += 1;
                continue;
            }
            var p = Row(yPred, r, length, inner, ref _predictionRow);
            var t = SparseTargets ? yTrue.Slice(r, 1) : Row(yTrue, r, length, inner, ref _targetRow);
            total += w * RowValue(t, p);
            count += w;
        }
        Accumulate(total / perSample, count / perSample);
    }

    /// <summary>
    /// Checks the shapes and returns the rows' layout: their length (the predictions' dimension along the axis), the
    /// stride between a row's elements (the product of the dimensions after the axis), and which of the predictions'
    /// axes the values lack (the axis; −1 when the values have the predictions' shape).
    /// </summary>
    private (int Length, int Inner, int Skip) Layout(Shape yTrue, Shape yPred)
    {
        int rank = yPred.Rank;
        int axis = Axis < 0 ? Axis + rank : Axis;
        if (rank == 0 || axis < 0 || axis >= rank)
            throw new ArgumentException($"{Name}: axis {Axis} is out of range for predictions of shape {yPred}.");
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= yPred[d];
        if (SparseTargets)
        {
            if (axis == rank - 1) TargetShapes.CheckSparse(yTrue, yPred, Name, "For one-hot targets use categorical_crossentropy.");
            else if (!new ValueShape(yPred, axis).Is(yTrue))
                throw new ArgumentException($"{Name} expects integer labels of the predictions' shape without axis {Axis} for predictions of shape {yPred}, got labels of shape {yTrue}.");
            return (yPred[axis], inner, axis);
        }
        if (axis == rank - 1)
        {
            TargetShapes.AlignedLastDim(yTrue, yPred, Name);
            // (N, 1) targets against (N,) predictions: Keras gives the predictions the trailing axis, one value per element.
            if (yTrue.Rank == rank + 1) return (1, 1, -1);
            return (yPred[axis], 1, axis);
        }
        if (yTrue != yPred)
            throw new ArgumentException($"{Name} expects targets of the predictions' shape: y_true has shape {yTrue}, y_pred has shape {yPred}.");
        return (yPred[axis], inner, axis);
    }

    /// <summary>The shape of the values, the predictions' without one axis, read without allocating.</summary>
    private readonly struct ValueShape(Shape predictions, int skip)
    {
        public int Rank => skip < 0 ? predictions.Rank : predictions.Rank - 1;

        public int this[int k] => skip < 0 || k < skip ? predictions[k] : predictions[k + 1];

        /// <summary>Whether <paramref name="shape"/> is exactly this shape.</summary>
        public bool Is(Shape shape) => shape.Rank == Rank && Starts(shape, shape.Rank);

        /// <summary>Whether the first <paramref name="count"/> dimensions of <paramref name="shape"/> start this shape.</summary>
        public bool Starts(Shape shape, int count)
        {
            if (count > Rank) return false;
            for (int k = 0; k < count; k++) if (shape[k] != this[k]) return false;
            return true;
        }

        public override string ToString()
        {
            var dims = new int[Rank];
            for (int k = 0; k < dims.Length; k++) dims[k] = this[k];
            return new Shape(dims).ToString();
        }
    }

    /// <summary>How many consecutive values each weight covers; throws unless the weights' shape starts the values' shape.</summary>
    private int WeightStride(ReadOnlySpan<float> sampleWeight, Shape weightShape, ValueShape values, int rows)
    {
        if (sampleWeight.Length != weightShape.Size)
            throw new ArgumentException($"{Name}: sample_weight holds {sampleWeight.Length} values but its shape {weightShape} needs {weightShape.Size}.");
        if (sampleWeight.Length == 1) return rows;
        int count = weightShape.Rank;
        // Keras' squeeze_or_expand_to_same_rank: a trailing 1 that does not match the values goes.
        if (!values.Starts(weightShape, count) && count > 1 && weightShape[count - 1] == 1) count--;
        if (!values.Starts(weightShape, count))
            throw new ArgumentException($"{Name}: sample weights must hold one value per sample, shape ({(values.Rank == 0 ? 1 : values[0])},), or one per step (shape {values}); got {weightShape}.");
        return rows / sampleWeight.Length;
    }

    /// <summary>Row <paramref name="r"/> along the axis: a slice when the axis is last, else gathered into a reused buffer.</summary>
    private static ReadOnlySpan<float> Row(ReadOnlySpan<float> data, int r, int length, int inner, ref float[] buffer)
    {
        if (inner == 1) return data.Slice(r * length, length);
        if (buffer.Length < length) buffer = new float[length];
        int outer = r / inner, i = r % inner;
        for (int j = 0; j < length; j++) buffer[j] = data[(outer * length + j) * inner + i];
        return buffer.AsSpan(0, length);
    }
}
