namespace Dendrite.Metrics;

/// <summary>
/// The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of each output column over everything seen
/// (<c>keras.metrics.R2Score</c>), optionally adjusted for <c>numRegressors</c> independent regressors.
/// </summary>
/// <remarks>
/// Inputs are (samples, outputs); a (N,) side against (N, 1) is expanded as Keras does. <c>classAggregation</c>:
/// <c>"uniform_average"</c> (the mean of the columns' scores), <c>"variance_weighted_average"</c> (weighted by each
/// column's variance) or null (one score per column: read them with <see cref="CopyResults"/> or
/// <see cref="MultiValueMetricExtensions.ResultValues"/>; <see cref="Result"/> gives the first). A column whose score
/// is infinite (constant targets with non-zero error) scores 0, as in Keras. The adjusted score takes as the number of
/// samples every value seen (Keras' <c>ops.size(y_true)</c>) and falls back to the plain score when there are not
/// more samples than regressors + 1.
/// </remarks>
public sealed partial class R2Score : Metric, IMultiValueMetric
{
    private double[] _sum = [], _squaredSum = [], _residual = [], _count = [];
    private double _samples;
    private int _columns; // 0 until the first batch
    private double[]? _weights;

    /// <param name="classAggregation"><c>"uniform_average"</c>, <c>"variance_weighted_average"</c> or null (no aggregation).</param>
    /// <param name="numRegressors">Independent regressors for the adjusted R² (0: the plain score).</param>
    /// <param name="name">The name it is logged under.</param>
    /// <exception cref="ArgumentException">An argument is outside its range.</exception>
    public R2Score(string? classAggregation = "uniform_average", int numRegressors = 0, string name = "r2_score")
    {
        if (classAggregation is not (null or "uniform_average" or "variance_weighted_average"))
            throw new ArgumentException($"Invalid value for argument `class_aggregation`. Expected one of (None, 'uniform_average', 'variance_weighted_average'). Received: class_aggregation={classAggregation}", nameof(classAggregation));
        if (numRegressors < 0)
            throw new ArgumentException($"Invalid value for argument `num_regressors`. Expected a value >= 0. Received: num_regressors={numRegressors}", nameof(numRegressors));
        ArgumentNullException.ThrowIfNull(name);
        ClassAggregation = classAggregation;
        NumRegressors = numRegressors;
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    protected internal override bool? HigherIsBetter => true;

    /// <summary>Keras' <c>class_aggregation</c>.</summary>
    public string? ClassAggregation { get; }

    /// <summary>Keras' <c>num_regressors</c>.</summary>
    public int NumRegressors { get; }

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        UpdateState(yTrue, yTrueShape, yPred, yPredShape, [], default);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        MetricChecks.Lengths(Name, yTrue, yTrueShape, yPred, yPredShape);
        var t = yTrueShape.AsSpan();
        var p = yPredShape.AsSpan();
        // Keras' squeeze_or_expand_to_same_rank: only a (N,) side against (N, 1) leaves 2D inputs.
        bool twoD = (t.Length == 2 && p.Length == 2) || (t.Length == 1 && p.Length == 2 && p[1] == 1) || (p.Length == 1 && t.Length == 2 && t[1] == 1);
        if (!twoD)
            throw new ArgumentException($"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape={yPredShape} and y_true.shape={yTrueShape}.");
        TargetShapes.AlignedLastDim(yTrueShape, yPredShape, Name);
        var aligned = SampleWeights.Aligned(yTrueShape, yPredShape);
        int columns = aligned[1];
        if (_columns == 0) Build(columns);
        else if (columns != _columns)
            throw new ArgumentException($"{Name} scores {_columns} output columns but y_pred has shape {yPredShape}.");
        var weights = SampleWeights.Expand(Name, sampleWeight, sampleWeightShape, aligned, ref _weights);
        for (int i = 0; i < yTrue.Length; i++)
        {
            int c = i % columns;
            double w = weights.IsEmpty ? 1 : weights[i];
            double y = yTrue[i], e = y - yPred[i];
            _sum[c] += w * y;
            _squaredSum[c] += y * (w * y);
            _residual[c] += e * e * w;
            _count[c] += w;
        }
        _samples += yTrue.Length;
    }

    private void Build(int columns)
    {
        _columns = columns;
        _sum = new double[columns]; _squaredSum = new double[columns]; _residual = new double[columns]; _count = new double[columns];
    }

    /// <summary>Column <paramref name="c"/>'s plain score and its total sum of squares.</summary>
    private (double Score, double Total) Raw(int c)
    {
        double mean = _sum[c] / _count[c];
        double total = _squaredSum[c] - _sum[c] * mean;
        double score = 1 - _residual[c] / total;
        return (double.IsInfinity(score) ? 0 : score, total);
    }

    /// <summary>Keras' adjustment for <see cref="NumRegressors"/>, or the score itself when it does not apply.</summary>
    private double Adjust(double score)
    {
        double n = _samples, k = NumRegressors;
        if (k == 0 || k > n - 1 || k == n - 1) return score; // Keras warns and falls back to the plain score
        return 1 - (1 - score) * (n - 1) / (n - k - 1);
    }

    /// <inheritdoc/>
    public override double Result()
    {
        if (_columns == 0) return 0;
        double score;
        if (ClassAggregation == "uniform_average")
        {
            score = 0;
            for (int c = 0; c < _columns; c++) score += Raw(c).Score;
            score /= _columns;
        }
        else if (ClassAggregation == "variance_weighted_average")
        {
            double weighted = 0, totals = 0;
            for (int c = 0; c < _columns; c++)
            {
                var (s, total) = Raw(c);
                weighted += total * s;
                totals += total;
            }
            score = weighted / totals;
        }
        else score = Raw(0).Score;
        return Adjust(score);
    }

    /// <inheritdoc/>
    public int ResultCount => _columns == 0 ? 0 : ClassAggregation is null ? _columns : 1;

    /// <inheritdoc/>
    public void CopyResults(Span<double> destination)
    {
        MultiValueMetricExtensions.CheckDestination(destination, ResultCount);
        if (ClassAggregation is null) for (int c = 0; c < ResultCount; c++) destination[c] = Adjust(Raw(c).Score);
        else if (ResultCount == 1) destination[0] = Result();
    }

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_sum); Array.Clear(_squaredSum); Array.Clear(_residual); Array.Clear(_count);
        _samples = 0;
    }

    internal override int StateLength => 4 * _columns + (_columns == 0 ? 0 : 1);

    internal override void CopyState(Span<double> state)
    {
        int n = _columns;
        _sum.CopyTo(state); _squaredSum.CopyTo(state[n..]); _residual.CopyTo(state[(2 * n)..]); _count.CopyTo(state[(3 * n)..]);
        state[4 * n] = _samples;
    }

    internal override void SetState(ReadOnlySpan<double> state)
    {
        int n = _columns;
        state[..n].CopyTo(_sum); state.Slice(n, n).CopyTo(_squaredSum); state.Slice(2 * n, n).CopyTo(_residual); state.Slice(3 * n, n).CopyTo(_count);
        _samples = state[4 * n];
    }
}
