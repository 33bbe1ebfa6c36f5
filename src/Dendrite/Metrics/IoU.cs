namespace Dendrite.Metrics;

/// <summary>
/// Intersection-over-union for chosen classes (<c>keras.metrics.IoU</c>): a (weighted) confusion matrix of integer
/// class labels is accumulated, and the result is the mean over <c>targetClassIds</c> of TP / (TP + FP + FN), classes
/// that never occurred being left out of the mean. The base of <see cref="MeanIoU"/>, <see cref="BinaryIoU"/>,
/// <see cref="OneHotIoU"/> and <see cref="OneHotMeanIoU"/>.
/// </summary>
/// <remarks>
/// Labels are class indices (<c>sparseYTrue</c>/<c>sparseYPred</c>, truncated to integers), or scores whose arg-max
/// along <c>axis</c> is the class. Everything else is flattened. Targets equal to <c>ignoreClass</c> are skipped. A
/// label outside [0, numClasses) throws. Sample weights hold one weight per label after flattening (or one for all).
/// </remarks>
public partial class IoU : Metric
{
    private const double Epsilon = 1e-7;

    private readonly int[] _targets;
    private readonly double[] _matrix; // [true class · numClasses + predicted class]
    private int[]? _trueLabels, _predictedLabels;

    /// <param name="numClasses">The number of classes (the confusion matrix is numClasses × numClasses).</param>
    /// <param name="targetClassIds">The classes whose IoU is averaged.</param>
    /// <param name="name">The name it is logged under (Keras' default: <c>io_u</c>).</param>
    /// <param name="ignoreClass">A target class to skip (a "void" class such as 255 or −1), or null.</param>
    /// <param name="sparseYTrue">Whether targets are class indices (else the arg-max along <paramref name="axis"/>).</param>
    /// <param name="sparseYPred">Whether predictions are class indices (else the arg-max along <paramref name="axis"/>).</param>
    /// <param name="axis">The class axis of dense targets or predictions.</param>
    /// <exception cref="ArgumentException">A class count or id is out of range.</exception>
    public IoU(int numClasses, int[] targetClassIds, string name = "io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(targetClassIds);
        ArgumentNullException.ThrowIfNull(name);
        if (numClasses <= 0) throw new ArgumentException($"num_classes must be positive, got {numClasses}.", nameof(numClasses));
        if (targetClassIds.Length == 0) throw new ArgumentException("target_class_ids must name at least one class.", nameof(targetClassIds));
        if (targetClassIds.Max() >= numClasses)
            throw new ArgumentException($"Target class id {targetClassIds.Max()} is out of range, which is [0, {numClasses}).", nameof(targetClassIds));
        if (targetClassIds.Min() < 0)
            throw new ArgumentException($"Target class id {targetClassIds.Min()} is out of range, which is [0, {numClasses}).", nameof(targetClassIds));
        NumClasses = numClasses;
        _targets = (int[])targetClassIds.Clone();
        Name = name;
        IgnoreClass = ignoreClass;
        SparseYTrue = sparseYTrue;
        SparseYPred = sparseYPred;
        Axis = axis;
        _matrix = new double[numClasses * numClasses];
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>Keras' <c>num_classes</c>.</summary>
    public int NumClasses { get; }

    /// <summary>Keras' <c>target_class_ids</c>.</summary>
    public IReadOnlyList<int> TargetClassIds => _targets;

    /// <summary>Keras' <c>ignore_class</c>.</summary>
    public int? IgnoreClass { get; }

    /// <summary>Keras' <c>sparse_y_true</c>.</summary>
    public bool SparseYTrue { get; }

    /// <summary>Keras' <c>sparse_y_pred</c>.</summary>
    public bool SparseYPred { get; }

    /// <summary>Keras' <c>axis</c>: the class axis of dense inputs.</summary>
    public int Axis { get; }

    /// <summary>The accumulated (weighted) confusion matrix, row = true class, column = predicted class (Keras' <c>total_cm</c>).</summary>
    public IReadOnlyList<double> TotalConfusionMatrix => _matrix;

    /// <summary>The predicted class of each prediction value (<see cref="BinaryIoU"/> thresholds it); by default the value itself.</summary>
    private protected virtual float PredictedClass(float value) => value;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        UpdateState(yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        var trueLabels = Labels(yTrue, yTrueShape, SparseYTrue, ref _trueLabels, "y_true", applyThreshold: false);
        var predictedLabels = Labels(yPred, yPredShape, SparseYPred, ref _predictedLabels, "y_pred", applyThreshold: true);
        if (trueLabels.Length != predictedLabels.Length)
            throw new ArgumentException($"{Name}: y_true (shape {yTrueShape}) gives {trueLabels.Length} labels but y_pred (shape {yPredShape}) gives {predictedLabels.Length}.");
        if (!sampleWeight.IsEmpty && sampleWeight.Length != 1 && sampleWeight.Length != trueLabels.Length)
            throw new ArgumentException($"{Name}: sample_weight of shape {sampleWeightShape} does not give one weight per label ({trueLabels.Length}).");
        for (int i = 0; i < trueLabels.Length; i++)
        {
            int t = trueLabels[i];
            if (IgnoreClass == t) continue;
            int p = predictedLabels[i];
            if ((uint)t >= (uint)NumClasses || (uint)p >= (uint)NumClasses)
                throw new ArgumentException($"{Name}: a label is outside [0, {NumClasses}): y_true {t}, y_pred {p} at position {i}.");
            double w = sampleWeight.IsEmpty ? 1 : sampleWeight[sampleWeight.Length == 1 ? 0 : i];
            _matrix[t * NumClasses + p] += w;
        }
    }

    /// <summary>Class indices of one input: its values truncated to integers, or arg-maxes along <see cref="Axis"/>.</summary>
    private ReadOnlySpan<int> Labels(ReadOnlySpan<float> values, Shape shape, bool sparse, ref int[]? buffer, string what, bool applyThreshold)
    {
        if (sparse)
        {
            if (buffer is null || buffer.Length < values.Length) buffer = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                float v = applyThreshold ? PredictedClass(values[i]) : values[i];
                buffer[i] = float.IsNaN(v) ? int.MinValue : (int)Math.Clamp(MathF.Truncate(v), int.MinValue, int.MaxValue);
            }
            return buffer.AsSpan(0, values.Length);
        }
        if (shape.Rank == 0) throw new ArgumentException($"{Name}: dense {what} needs a class axis; it has shape {shape}.");
        int axis = Axis < 0 ? Axis + shape.Rank : Axis;
        if (axis < 0 || axis >= shape.Rank) throw new ArgumentException($"{Name}: axis {Axis} is out of range for {what} of shape {shape}.");
        int outer = 1, inner = 1, n = shape[axis];
        for (int a = 0; a < axis; a++) outer *= shape[a];
        for (int a = axis + 1; a < shape.Rank; a++) inner *= shape[a];
        int count = outer * inner;
        if (buffer is null || buffer.Length < count) buffer = new int[count];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0, start = o * n * inner + i;
                for (int k = 1; k < n; k++)
                    if (values[start + k * inner] > values[start + best * inner]) best = k;
                buffer[o * inner + i] = best;
            }
        return buffer.AsSpan(0, count);
    }

    /// <inheritdoc/>
    public override double Result()
    {
        double sum = 0, valid = 0;
        foreach (int c in _targets)
        {
            double rows = 0, columns = 0;
            for (int k = 0; k < NumClasses; k++)
            {
                rows += _matrix[c * NumClasses + k];
                columns += _matrix[k * NumClasses + c];
            }
            double tp = _matrix[c * NumClasses + c];
            double denominator = rows + columns - tp;
            if (denominator > 1e-9) valid++;
            sum += tp / (denominator + Epsilon);
        }
        return sum / (valid + Epsilon);
    }

    /// <inheritdoc/>
    public override void ResetState() => Array.Clear(_matrix);

    internal override int StateLength => _matrix.Length;

    internal override void CopyState(Span<double> state) => _matrix.CopyTo(state);

    internal override void SetState(ReadOnlySpan<double> state) => state[.._matrix.Length].CopyTo(_matrix);
}

/// <summary>The mean IoU over every class (<c>keras.metrics.MeanIoU</c>). See <see cref="IoU"/>.</summary>
public partial class MeanIoU : IoU
{
    /// <param name="numClasses">The number of classes.</param>
    /// <param name="name">The name it is logged under (Keras' default: <c>mean_io_u</c>).</param>
    /// <param name="ignoreClass">A target class to skip, or null.</param>
    /// <param name="sparseYTrue">Whether targets are class indices (else the arg-max along <paramref name="axis"/>).</param>
    /// <param name="sparseYPred">Whether predictions are class indices (else the arg-max along <paramref name="axis"/>).</param>
    /// <param name="axis">The class axis of dense targets or predictions.</param>
    /// <exception cref="ArgumentException">The class count is not positive.</exception>
    public MeanIoU(int numClasses, string name = "mean_io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true, int axis = -1)
        : base(numClasses, AllClasses(numClasses), name, ignoreClass, sparseYTrue, sparseYPred, axis) { }

    private protected static int[] AllClasses(int numClasses) =>
        numClasses > 0 ? Enumerable.Range(0, numClasses).ToArray() : throw new ArgumentException($"num_classes must be positive, got {numClasses}.", nameof(numClasses));
}

/// <summary>
/// IoU of thresholded predictions for classes 0 and/or 1 (<c>keras.metrics.BinaryIoU</c>): a prediction at or above
/// <c>threshold</c> is class 1, below it class 0. See <see cref="IoU"/>.
/// </summary>
public sealed partial class BinaryIoU : IoU
{
    /// <param name="targetClassIds">The classes averaged: [0], [1] or [0, 1] (null: both).</param>
    /// <param name="threshold">Predictions at or above it are class 1.</param>
    /// <param name="name">The name it is logged under (Keras' default: <c>binary_io_u</c>).</param>
    /// <exception cref="ArgumentException">A class id is not 0 or 1.</exception>
    public BinaryIoU(int[]? targetClassIds = null, float threshold = 0.5f, string name = "binary_io_u")
        : base(2, targetClassIds ?? [0, 1], name) => Threshold = threshold;

    /// <summary>Keras' <c>threshold</c>.</summary>
    public float Threshold { get; }

    private protected override float PredictedClass(float value) => value >= Threshold ? 1 : 0;
}

/// <summary>IoU of one-hot targets against scores, both turned into classes by their arg-max (<c>keras.metrics.OneHotIoU</c>). See <see cref="IoU"/>.</summary>
public sealed partial class OneHotIoU : IoU
{
    /// <param name="numClasses">The number of classes.</param>
    /// <param name="targetClassIds">The classes whose IoU is averaged.</param>
    /// <param name="name">The name it is logged under (Keras' default: <c>one_hot_io_u</c>).</param>
    /// <param name="ignoreClass">A target class to skip, or null.</param>
    /// <param name="sparseYPred">Whether predictions are class indices (else their arg-max along <paramref name="axis"/>).</param>
    /// <param name="axis">The class axis.</param>
    /// <exception cref="ArgumentException">A class count or id is out of range.</exception>
    public OneHotIoU(int numClasses, int[] targetClassIds, string name = "one_hot_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : base(numClasses, targetClassIds, name, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }
}

/// <summary>The mean IoU of one-hot targets against scores (<c>keras.metrics.OneHotMeanIoU</c>). See <see cref="IoU"/>.</summary>
public sealed partial class OneHotMeanIoU : MeanIoU
{
    /// <param name="numClasses">The number of classes.</param>
    /// <param name="name">The name it is logged under (Keras' default: <c>one_hot_mean_io_u</c>).</param>
    /// <param name="ignoreClass">A target class to skip, or null.</param>
    /// <param name="sparseYPred">Whether predictions are class indices (else their arg-max along <paramref name="axis"/>).</param>
    /// <param name="axis">The class axis.</param>
    /// <exception cref="ArgumentException">The class count is not positive.</exception>
    public OneHotMeanIoU(int numClasses, string name = "one_hot_mean_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : base(numClasses, name, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }
}
