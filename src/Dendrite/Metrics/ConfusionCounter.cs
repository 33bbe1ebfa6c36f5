namespace Dendrite.Metrics;

/// <summary>
/// Keras' <c>update_confusion_matrix_variables</c> for metrics with a list of thresholds (<see cref="Precision"/>,
/// <see cref="Recall"/>, <see cref="TruePositives"/>, …): the (weighted) true/false positives/negatives at each
/// threshold, in the order the thresholds were given, accumulated over every batch. A target counts as positive when
/// it is not 0, a prediction when it is strictly above the threshold. <c>top_k</c> keeps only the k highest
/// predictions of each row of the last axis (the others never count as positive; ties go to the lower index, as
/// <c>ops.top_k</c>); <c>class_id</c> scores one column of the last axis as a binary problem.
/// </summary>
internal sealed class ConfusionCounter
{
    /// <summary>Keras' <c>NEG_INF</c>: the default threshold with <c>top_k</c>, and the value filtered-out predictions take.</summary>
    public const float NegativeInfinity = -1e10f;

    private readonly float[] _thresholds;
    private readonly int[] _order; // sorted position → position in _thresholds
    private readonly ThresholdBuckets _buckets;
    private readonly int? _topK, _classId;
    private readonly double[] _tp, _fp, _tn, _fn;
    private readonly double[] _positiveBuckets, _negativeBuckets;
    private double[]? _weights;
    private float[]? _filtered, _row;

    /// <param name="thresholds">The thresholds in the user's order (already checked).</param>
    /// <param name="topK">Keep only the k highest predictions of each row, or null.</param>
    /// <param name="classId">Score only this column of the last axis, or null.</param>
    /// <param name="evenlyDistributed">Whether Keras takes its evenly-spaced path (null: Keras' <c>is_evenly_distributed_thresholds</c>).</param>
    public ConfusionCounter(float[] thresholds, int? topK, int? classId, bool? evenlyDistributed = null)
    {
        _thresholds = thresholds;
        _topK = topK;
        _classId = classId;
        int n = thresholds.Length;
        var asDouble = new double[n];
        for (int i = 0; i < n; i++) asDouble[i] = thresholds[i];
        bool even = evenlyDistributed ?? ThresholdBuckets.IsEvenlyDistributed(asDouble);
        _order = Enumerable.Range(0, n).OrderBy(i => thresholds[i]).ToArray();
        _buckets = new ThresholdBuckets(_order.Select(i => thresholds[i]).ToArray(), even);
        _tp = new double[n]; _fp = new double[n]; _tn = new double[n]; _fn = new double[n];
        _positiveBuckets = new double[n];
        _negativeBuckets = new double[n];
    }

    /// <summary>The thresholds in the order given.</summary>
    public float[] Thresholds => _thresholds;

    public double[] TruePositives => _tp;
    public double[] FalsePositives => _fp;
    public double[] TrueNegatives => _tn;
    public double[] FalseNegatives => _fn;

    /// <summary>Adds one batch, weighted by Keras-placed sample weights (empty: weight 1).</summary>
    public void Update(string metric, ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        MetricChecks.Lengths(metric, yTrue, yTrueShape, yPred, yPredShape);
        int last = TargetShapes.AlignedLastDim(yTrueShape, yPredShape, metric);
        var aligned = SampleWeights.Aligned(yTrueShape, yPredShape);
        var weights = SampleWeights.Expand(metric, sampleWeight, sampleWeightShape, aligned, ref _weights);
        var predictions = _topK is int k ? FilterTopK(yPred, last, k) : yPred;
        int start = 0, stride = 1;
        if (_classId is int id)
        {
            if (aligned.Length < 2)
                throw new ArgumentException($"{metric}: When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), found shape: {yPredShape}");
            if (id >= last)
                throw new ArgumentException($"{metric}: classId {id} (Keras' class_id) needs more than {id} classes on the last axis; y_pred has shape {yPredShape}.");
            (start, stride) = (id, last);
        }
        Array.Clear(_positiveBuckets);
        Array.Clear(_negativeBuckets);
        double positives = 0, negatives = 0;
        for (int i = start; i < predictions.Length; i += stride)
        {
            double w = weights.IsEmpty ? 1 : weights[i];
            int bucket = _buckets.Bucket(predictions[i]);
            if (MetricChecks.IsPositive(yTrue[i]))
            {
                positives += w;
                if (bucket >= 0) _positiveBuckets[bucket] += w;
            }
            else
            {
                negatives += w;
                if (bucket >= 0) _negativeBuckets[bucket] += w;
            }
        }
        // A prediction above threshold s is above every lower one: summing the buckets from the top gives the counts.
        double tp = 0, fp = 0;
        for (int s = _order.Length - 1; s >= 0; s--)
        {
            tp += _positiveBuckets[s];
            fp += _negativeBuckets[s];
            int i = _order[s];
            _tp[i] += tp;
            _fp[i] += fp;
            _fn[i] += positives - tp;
            _tn[i] += negatives - fp;
        }
    }

    /// <summary>Keras' <c>_filter_top_k</c>: the k highest of each row keep their value, the rest become <see cref="NegativeInfinity"/>.</summary>
    private ReadOnlySpan<float> FilterTopK(ReadOnlySpan<float> predictions, int rowLength, int k)
    {
        if (_filtered is null || _filtered.Length < predictions.Length) _filtered = new float[predictions.Length];
        if (_row is null || _row.Length < rowLength) _row = new float[rowLength];
        var filtered = _filtered.AsSpan(0, predictions.Length);
        if (k >= rowLength)
        {
            predictions.CopyTo(filtered);
            return filtered;
        }
        var sorted = _row.AsSpan(0, rowLength);
        for (int r = 0; r + rowLength <= predictions.Length; r += rowLength)
        {
            var row = predictions.Slice(r, rowLength);
            row.CopyTo(sorted);
            sorted.Sort();
            float kth = sorted[rowLength - k];
            int above = 0;
            foreach (float v in row) if (v > kth) above++;
            int ties = k - above; // equal values: the first ones by index are in the top k
            for (int j = 0; j < rowLength; j++)
            {
                float v = row[j];
                bool keep = v > kth || (v == kth && ties-- > 0);
                filtered[r + j] = keep ? v : NegativeInfinity;
            }
        }
        return filtered;
    }

    public void Reset()
    {
        Array.Clear(_tp); Array.Clear(_fp); Array.Clear(_tn); Array.Clear(_fn);
    }

    public int StateLength => 4 * _tp.Length;

    public void CopyState(Span<double> state)
    {
        int n = _tp.Length;
        _tp.CopyTo(state);
        _fp.CopyTo(state[n..]);
        _tn.CopyTo(state[(2 * n)..]);
        _fn.CopyTo(state[(3 * n)..]);
    }

    public void SetState(ReadOnlySpan<double> state)
    {
        int n = _tp.Length;
        state[..n].CopyTo(_tp);
        state.Slice(n, n).CopyTo(_fp);
        state.Slice(2 * n, n).CopyTo(_tn);
        state.Slice(3 * n, n).CopyTo(_fn);
    }
}
