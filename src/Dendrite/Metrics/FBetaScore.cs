namespace Dendrite.Metrics;

/// <summary>
/// The F-beta score (<c>keras.metrics.FBetaScore</c>): (1 + β²)·precision·recall / (β²·precision + recall), the
/// weighted harmonic mean of precision and recall, for multi-class and multi-label data of shape (samples, classes).
/// </summary>
/// <remarks>
/// A prediction counts as positive when above <c>threshold</c>, or, without a threshold, when it is the highest of its
/// row (ties all count) and not 0. <c>average</c>: null (one score per class: read them with
/// <see cref="CopyResults"/> or <see cref="MultiValueMetricExtensions.ResultValues"/>; <see cref="Result"/> gives the
/// first), <c>"micro"</c> (counts over all classes), <c>"macro"</c> (mean of the class scores) or <c>"weighted"</c>
/// (mean weighted by each class's positive targets). As in Keras, 1e-7 is added to every denominator.
/// </remarks>
public partial class FBetaScore : Metric, IMultiValueMetric
{
    private const double Epsilon = 1e-7;

    private readonly float? _threshold;
    private readonly bool _micro;
    private double[] _tp = [], _fp = [], _fn = [], _support = [];
    private int _classes; // 0 until the first batch

    /// <param name="average">null, <c>"micro"</c>, <c>"macro"</c> or <c>"weighted"</c>.</param>
    /// <param name="beta">The weight of recall (more than 0).</param>
    /// <param name="threshold">Predictions above it are positive, in (0, 1]; null: the arg-max of each row.</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">An argument is outside its range.</exception>
    public FBetaScore(string? average = null, double beta = 1.0, float? threshold = null, string name = "fbeta_score")
    {
        if (average is not (null or "micro" or "macro" or "weighted"))
            throw new ArgumentException($"Invalid `average` argument value. Expected one of: {{None, 'micro', 'macro', 'weighted'}}. Received: average={average}", nameof(average));
        if (!(beta > 0))
            throw new ArgumentException(FormattableString.Invariant($"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"), nameof(beta));
        if (threshold is float t && !(t > 0 && t <= 1))
            throw new ArgumentException(FormattableString.Invariant($"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold={t}"), nameof(threshold));
        ArgumentNullException.ThrowIfNull(name);
        Average = average;
        Beta = beta;
        _threshold = threshold;
        _micro = average == "micro";
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>Keras' <c>average</c>: null, <c>"micro"</c>, <c>"macro"</c> or <c>"weighted"</c>.</summary>
    public string? Average { get; }

    /// <summary>Keras' <c>beta</c>.</summary>
    public double Beta { get; }

    /// <summary>Keras' <c>threshold</c>; null for the arg-max of each row.</summary>
    public float? Threshold => _threshold;

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        UpdateState(yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    /// <remarks>Sample weights are one per sample, of shape (N,) or (N, 1).</remarks>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        if (yPredShape.Rank != 2 || yTrueShape.Rank != 2)
            throw new ArgumentException($"{GetType().Name} expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape={yPredShape} and y_true.shape={yTrueShape}.");
        if (yTrueShape != yPredShape)
            throw new ArgumentException($"{Name}: y_true has shape {yTrueShape} but y_pred has shape {yPredShape}; they must match.");
        int rows = yPredShape[0], classes = yPredShape[1];
        if (_classes == 0) Build(classes);
        else if (classes != _classes)
            throw new ArgumentException($"{Name} counts {_classes} classes but y_pred has shape {yPredShape}.");
        if (!sampleWeight.IsEmpty && sampleWeight.Length != rows && sampleWeight.Length != 1)
            throw new ArgumentException($"{Name}: sample_weight of shape {sampleWeightShape} does not give one weight per sample of y_pred {yPredShape}.");
        for (int r = 0; r < rows; r++)
        {
            var p = yPred.Slice(r * classes, classes);
            var t = yTrue.Slice(r * classes, classes);
            double w = sampleWeight.IsEmpty ? 1 : sampleWeight[sampleWeight.Length == 1 ? 0 : r];
            float max = float.NegativeInfinity;
            if (_threshold is null) foreach (float v in p) max = Math.Max(max, v);
            for (int c = 0; c < classes; c++)
            {
                bool predicted = _threshold is float th ? p[c] > th : p[c] >= max && Math.Abs(p[c]) > 1e-9f;
                double target = t[c];
                int slot = _micro ? 0 : c;
                double pr = predicted ? 1 : 0;
                _tp[slot] += w * pr * target;
                _fp[slot] += w * pr * (1 - target);
                _fn[slot] += w * (1 - pr) * target;
                _support[slot] += w * target;
            }
        }
    }

    private void Build(int classes)
    {
        _classes = classes;
        int slots = _micro ? 1 : classes;
        _tp = new double[slots]; _fp = new double[slots]; _fn = new double[slots]; _support = new double[slots];
    }

    /// <summary>The score of one class (or of the micro counts).</summary>
    private double Score(int slot)
    {
        double precision = _tp[slot] / (_tp[slot] + _fp[slot] + Epsilon);
        double recall = _tp[slot] / (_tp[slot] + _fn[slot] + Epsilon);
        double b2 = Beta * Beta;
        return precision * recall / (b2 * precision + recall + Epsilon) * (1 + b2);
    }

    /// <inheritdoc/>
    public override double Result()
    {
        if (_classes == 0) return 0;
        if (Average is null) return Score(0);
        if (Average == "weighted")
        {
            double total = 0;
            foreach (double s in _support) total += s;
            double sum = 0;
            for (int c = 0; c < _tp.Length; c++) sum += Score(c) * (_support[c] / (total + Epsilon));
            return sum;
        }
        double mean = 0;
        for (int c = 0; c < _tp.Length; c++) mean += Score(c);
        return mean / _tp.Length;
    }

    /// <inheritdoc/>
    public int ResultCount => _classes == 0 ? 0 : Average is null ? _classes : 1;

    /// <inheritdoc/>
    public void CopyResults(Span<double> destination)
    {
        MultiValueMetricExtensions.CheckDestination(destination, ResultCount);
        if (Average is null) for (int c = 0; c < ResultCount; c++) destination[c] = Score(c);
        else if (ResultCount == 1) destination[0] = Result();
    }

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_tp); Array.Clear(_fp); Array.Clear(_fn); Array.Clear(_support);
    }

    internal override int StateLength => 4 * _tp.Length;

    internal override void CopyState(Span<double> state)
    {
        int n = _tp.Length;
        _tp.CopyTo(state); _fp.CopyTo(state[n..]); _fn.CopyTo(state[(2 * n)..]); _support.CopyTo(state[(3 * n)..]);
    }

    internal override void SetState(ReadOnlySpan<double> state)
    {
        int n = _tp.Length;
        state[..n].CopyTo(_tp); state.Slice(n, n).CopyTo(_fp); state.Slice(2 * n, n).CopyTo(_fn); state.Slice(3 * n, n).CopyTo(_support);
    }
}

/// <summary>The F1 score (<c>keras.metrics.F1Score</c>): <see cref="FBetaScore"/> with β = 1.</summary>
/// <param name="average">null (one score per class), <c>"micro"</c>, <c>"macro"</c> or <c>"weighted"</c>.</param>
/// <param name="threshold">Predictions above it are positive, in (0, 1]; null: the arg-max of each row.</param>
/// <param name="name">The name it is logged under.</param>
public sealed partial class F1Score(string? average = null, float? threshold = null, string name = "f1_score")
    : FBetaScore(average, 1.0, threshold, name);
