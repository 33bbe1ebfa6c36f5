using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Metrics;

/// <summary>
/// A streaming metric (Keras' <c>keras.metrics</c>): <see cref="UpdateState(ReadOnlySpan{float}, Shape, ReadOnlySpan{float}, Shape)"/> after every batch, <see cref="Result"/>
/// for the value so far, <see cref="ResetState"/> at the start of every epoch. A string converts to the metric of
/// that Keras name (<c>"accuracy"</c>/<c>"acc"</c> picks sparse, categorical or binary accuracy from the shapes, as
/// Keras' <c>compile</c> does; the class <see cref="Accuracy"/> is Keras' exact-match <c>keras.metrics.Accuracy</c>).
/// </summary>
/// <remarks>
/// The trainer calls the span overloads of <c>UpdateState</c> and <see cref="Result"/> on every step, so neither may
/// allocate: a metric keeps its state in fields sized when it is made (or grown on a batch larger than any before).
/// </remarks>
public abstract partial class Metric
{
    /// <summary>The key under which the value is logged (<c>accuracy</c>, …).</summary>
    public abstract string Name { get; }

    /// <summary>Adds one batch: targets and predictions as flat C-order values with their shapes.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit the metric, or (for integer labels) a label is out of range.</exception>
    public abstract void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape);

    /// <summary>
    /// Adds a batch whose predictions carry a mask (1 for real steps, 0 for padding; one entry per prediction row, or
    /// per group of rows). The mean metrics (the accuracies, <c>mae</c>, <c>mse</c>) count only the real steps, as
    /// Keras 3's <c>MeanMetricWrapper</c> does (the mask stands for 0/1 sample weights); metrics without a masked
    /// form ignore the mask, as Keras' confusion-matrix metrics do.
    /// </summary>
    public virtual void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape, ReadOnlySpan<float> mask) =>
        UpdateState(yTrue, yTrueShape, yPred, yPredShape);

    /// <summary>
    /// Adds a batch with sample weights (Keras' <c>sample_weight</c>): one weight per sample (shape (N,) or (N, 1)),
    /// or a shape that broadcasts against the metric's per-sample values as in Keras, such as (N, steps) for
    /// sequences. An empty <paramref name="sampleWeight"/> means no weights. Every built-in metric supports weights;
    /// a subclass that does not override this refuses them.
    /// </summary>
    /// <exception cref="ArgumentException">The weights' shape does not fit the batch.</exception>
    /// <exception cref="NotSupportedException">The metric does not support sample weights.</exception>
    public virtual void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape)
    {
        if (sampleWeight.IsEmpty)
        {
            UpdateState(yTrue, yTrueShape, yPred, yPredShape);
            return;
        }
        throw new NotSupportedException($"The metric '{Name}' ({GetType().Name}) does not support sample weights: override UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape).");
    }

    /// <summary>
    /// Adds a batch with both sample weights and a mask on the predictions, as the trainer gives a weighted metric of
    /// a masked sequence output. The mean metrics multiply the mask into the weights (Keras' <c>apply_mask</c>); by
    /// default the mask is ignored, as Keras' confusion-matrix metrics ignore it.
    /// </summary>
    /// <exception cref="ArgumentException">The weights' or the mask's shape does not fit the batch.</exception>
    /// <exception cref="NotSupportedException">The metric does not support sample weights.</exception>
    public virtual void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape, ReadOnlySpan<float> mask)
    {
        if (sampleWeight.IsEmpty && !mask.IsEmpty) UpdateState(yTrue, yTrueShape, yPred, yPredShape, mask);
        else UpdateState(yTrue, yTrueShape, yPred, yPredShape, sampleWeight, sampleWeightShape);
    }

    /// <summary>
    /// Adds one batch given as arrays, as Keras' <c>update_state(y_true, y_pred, sample_weight=None)</c>: any element
    /// type (converted to float32), with optional sample weights (see the span overload for their shapes). It copies
    /// the arrays; the trainer uses the span overloads, which do not.
    /// </summary>
    /// <example><code>var m = new CategoricalAccuracy(); m.UpdateState(yTrue, yPred, sampleWeight: w); double acc = m.Result();</code></example>
    /// <exception cref="ArgumentException">The shapes do not fit the metric.</exception>
    public void UpdateState(NDArray yTrue, NDArray yPred, NDArray? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var t = yTrue.AsType<float>();
        var p = yPred.AsType<float>();
        var w = sampleWeight?.AsType<float>();
        UpdateState(t.AsSpan(), t.Shape, p.AsSpan(), p.Shape, w is null ? default : w.AsSpan(), w?.Shape ?? default);
    }

    /// <summary>The value over everything added since the last reset.</summary>
    public abstract double Result();

    /// <summary>Forgets everything added.</summary>
    public abstract void ResetState();

    /// <summary>
    /// How many numbers make up the metric's state when that state is additive (sums and counts, so that the state
    /// of several shards of data is the element-wise sum of theirs); 0 when it is not. Data-parallel training sums
    /// additive states across ranks, which gives exactly the metric of the whole batch; a metric with no additive
    /// state (a user's own subclass) is averaged across ranks instead.
    /// </summary>
    internal virtual int StateLength => 0;

    /// <summary>Copies the additive state into <paramref name="state"/> (<see cref="StateLength"/> numbers).</summary>
    internal virtual void CopyState(Span<double> state) { }

    /// <summary>Replaces the additive state with <paramref name="state"/> (<see cref="StateLength"/> numbers).</summary>
    internal virtual void SetState(ReadOnlySpan<double> state) { }

    /// <summary>
    /// Whether a larger value is better (true: accuracies), a smaller one (false), or unknown (null, the default):
    /// Keras' <c>_direction</c> ("up"/"down"), which <c>EarlyStopping</c> and <c>ReduceLROnPlateau</c> read in
    /// <c>mode: "auto"</c> to tell which way a monitored <c>val_&lt;name&gt;</c> or <c>&lt;name&gt;</c> should go.
    /// </summary>
    protected internal virtual bool? HigherIsBetter => null;

    /// <summary>
    /// The metric of a Keras name, with Keras' defaults, logged under that name as in Keras' <c>compile</c>
    /// (<c>"mae"</c> logs as <c>mae</c>). Case-insensitive: <c>accuracy</c>/<c>acc</c> (resolved from the shapes),
    /// <c>binary_accuracy</c>, <c>categorical_accuracy</c>, <c>sparse_categorical_accuracy</c>,
    /// <c>top_k_categorical_accuracy</c>, <c>sparse_top_k_categorical_accuracy</c>, <c>precision</c>, <c>recall</c>,
    /// <c>auc</c>, <c>mean_absolute_error</c>/<c>mae</c>, <c>mean_squared_error</c>/<c>mse</c>,
    /// <c>mean_absolute_percentage_error</c>/<c>mape</c>, <c>mean_squared_logarithmic_error</c>/<c>msle</c>,
    /// <c>logcosh</c>/<c>log_cosh</c>, <c>cosine_similarity</c>, <c>poisson</c>, <c>kl_divergence</c>/<c>kld</c>,
    /// <c>hinge</c>, <c>squared_hinge</c>, <c>categorical_hinge</c>, <c>binary_crossentropy</c>,
    /// <c>categorical_crossentropy</c>, <c>sparse_categorical_crossentropy</c>, or a class name such as
    /// <c>TopKCategoricalAccuracy</c> or <c>LogCoshError</c>; also <c>true_positives</c>, <c>false_positives</c>,
    /// <c>true_negatives</c>, <c>false_negatives</c>, <c>f1_score</c>, <c>f_beta_score</c>, <c>r2_score</c> and
    /// <c>binary_io_u</c> (the IoU metrics that need a class count have no name, as in Keras).
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static Metric Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var metric = Lookup(name);
        metric.Identifier = name; // compile configs keep the name the user gave, as Keras writes the string
        return metric;
    }

    private static Metric Lookup(string name)
    {
        return name.ToLowerInvariant() switch
        {
            "accuracy" or "acc" => new ResolvedAccuracy(name),
            "sparse_categorical_accuracy" or "sparsecategoricalaccuracy" => new SparseCategoricalAccuracy(name),
            "categorical_accuracy" or "categoricalaccuracy" => new CategoricalAccuracy(name),
            "binary_accuracy" or "binaryaccuracy" => new BinaryAccuracy(name),
            "top_k_categorical_accuracy" or "topkcategoricalaccuracy" => new TopKCategoricalAccuracy(name: name),
            "sparse_top_k_categorical_accuracy" or "sparsetopkcategoricalaccuracy" => new SparseTopKCategoricalAccuracy(name: name),
            "precision" => new Precision(name: name),
            "recall" => new Recall(name: name),
            "auc" => new AUC(name: name),
            "mean_absolute_error" or "meanabsoluteerror" or "mae" => new MeanAbsoluteError(name),
            "mean_squared_error" or "meansquarederror" or "mse" => new MeanSquaredError(name),
            "mean_absolute_percentage_error" or "meanabsolutepercentageerror" or "mape" => new MeanAbsolutePercentageError(name),
            "mean_squared_logarithmic_error" or "meansquaredlogarithmicerror" or "msle" => new MeanSquaredLogarithmicError(name),
            "logcosh" or "log_cosh" or "logcosherror" => new LogCoshError(name),
            "cosine_similarity" or "cosinesimilarity" => new CosineSimilarity(name),
            "poisson" => new Poisson(name),
            "kl_divergence" or "kldivergence" or "kld" or "kullback_leibler_divergence" => new KLDivergence(name),
            "hinge" => new Hinge(name),
            "squared_hinge" or "squaredhinge" => new SquaredHinge(name),
            "categorical_hinge" or "categoricalhinge" => new CategoricalHinge(name),
            "binary_crossentropy" or "binarycrossentropy" => new BinaryCrossentropy(name),
            "categorical_crossentropy" or "categoricalcrossentropy" => new CategoricalCrossentropy(name),
            "sparse_categorical_crossentropy" or "sparsecategoricalcrossentropy" => new SparseCategoricalCrossentropy(name),
            // Confusion-matrix, F-score, R² and IoU metrics with Keras' defaults (Keras' snake_case class names).
            "true_positives" or "truepositives" => new TruePositives(name: name),
            "false_positives" or "falsepositives" => new FalsePositives(name: name),
            "true_negatives" or "truenegatives" => new TrueNegatives(name: name),
            "false_negatives" or "falsenegatives" => new FalseNegatives(name: name),
            "f1_score" or "f1score" => new F1Score(name: name),
            "f_beta_score" or "fbetascore" => new FBetaScore(name: name),
            "r2_score" or "r2score" => new R2Score(name: name),
            "binary_io_u" or "binaryiou" => new BinaryIoU(name: name),
            _ => throw new ArgumentException($"Unknown metric: '{name}'. Known: accuracy (acc), binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, precision, recall, auc, mean_absolute_error (mae), mean_squared_error (mse), mean_absolute_percentage_error (mape), mean_squared_logarithmic_error (msle), logcosh, cosine_similarity, poisson, kl_divergence (kld), hinge, squared_hinge, categorical_hinge, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, true_positives, false_positives, true_negatives, false_negatives, f1_score, f_beta_score, r2_score, binary_io_u."),
        };
    }

    /// <summary>Lets a Keras name stand for the metric: <c>metrics: ["accuracy"]</c>.</summary>
    public static implicit operator Metric(string name) => Get(name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>The Keras name this metric was asked by (<see cref="Get"/>), written as such in compile configs; null for objects.</summary>
    internal string? Identifier { get; set; }

    /// <summary>Keras' class name, written as <c>class_name</c> in configs; the C# type name by default.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The metric's arguments under Keras' key names (Keras' <c>get_config</c>): <c>name</c>, <c>dtype</c>, and each metric's own.</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name, ["dtype"] = "float32" };

    /// <summary>The metric as Keras serializes it: <c>{"module": "keras.metrics", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.metrics", ClassName, GetConfig());

    /// <summary>Rebuilds a metric from its serialized form or its Keras name (Keras' <c>keras.metrics.deserialize</c>).</summary>
    /// <exception cref="ModelFormatException">The class or name is unknown, or its config holds something Dendrite cannot honour.</exception>
    public static Metric Deserialize(JsonNode serialized) => MetricConfigs.Deserialize(serialized, "a metric");
}

/// <summary>A running mean of per-sample values (correct/incorrect, losses), in double precision.</summary>
public abstract partial class MeanMetric : Metric
{
    private double _total;
    private double _count;

    /// <summary>Adds <paramref name="sum"/> over <paramref name="count"/> samples.</summary>
    protected void Accumulate(double sum, double count)
    {
        _total += sum;
        _count += count;
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0.0 : _total / _count;

    /// <inheritdoc/>
    public override void ResetState() => (_total, _count) = (0, 0);

    internal override int StateLength => 2;

    internal override void CopyState(Span<double> state) => (state[0], state[1]) = (_total, _count);

    internal override void SetState(ReadOnlySpan<double> state) => (_total, _count) = (state[0], state[1]);
}

/// <summary>
/// The (weighted) mean of values (Keras' <c>keras.metrics.Mean</c>); also how Keras tracks the epoch loss (each batch's
/// loss weighted by the batch size, through <see cref="Update"/>).
/// </summary>
/// <param name="name">The name it is logged under.</param>
public sealed partial class Mean(string name = "mean") : MeanMetric
{
    private double[] _values = [];

    /// <inheritdoc/>
    public override string Name { get; } = name;

    /// <summary>Adds <paramref name="value"/> with weight <paramref name="weight"/>.</summary>
    public void Update(double value, double weight = 1) => Accumulate(value * weight, weight);

    /// <summary>
    /// Adds values with optional sample weights, as Keras' <c>Mean.update_state(values, sample_weight)</c>: each
    /// sample (first axis) counts once, as the mean of its values; weights of shape (N,) or (N, 1) weigh the samples,
    /// weights shaped like leading axes of the values weigh each of them (a trailing 1 on either side is squeezed),
    /// and a scalar weight weighs the mean of the whole batch.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not fit the values; the message names both shapes.</exception>
    public void UpdateValues(ReadOnlySpan<float> values, Shape valuesShape, ReadOnlySpan<float> sampleWeight = default, Shape sampleWeightShape = default)
    {
        if (values.Length != valuesShape.Size)
            throw new ArgumentException($"{Name}: the values hold {values.Length} numbers but their shape {valuesShape} needs {valuesShape.Size}.");
        if (_values.Length < values.Length) _values = new double[values.Length];
        var buffer = _values.AsSpan(0, values.Length);
        for (int i = 0; i < values.Length; i++) buffer[i] = values[i];
        var (total, count) = SampleWeighting.Reduce(Name, buffer, valuesShape.AsSpan(), sampleWeight, sampleWeightShape.AsSpan(), default);
        Accumulate(total, count);
    }

    /// <summary>Keras' <c>Mean.update_state(values, sample_weight)</c> on arrays (copied to float32).</summary>
    /// <exception cref="ArgumentException">The weights do not fit the values.</exception>
    public void UpdateState(NDArray values, NDArray? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.AsType<float>();
        var w = sampleWeight?.AsType<float>();
        UpdateValues(v.AsSpan(), v.Shape, w is null ? default : w.AsSpan(), w?.Shape ?? default);
    }

    /// <inheritdoc/>
    /// <remarks>The predictions are the values; the targets are not read.</remarks>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape) =>
        UpdateValues(yPred, yPredShape);

    /// <inheritdoc/>
    public override void UpdateState(ReadOnlySpan<float> yTrue, Shape yTrueShape, ReadOnlySpan<float> yPred, Shape yPredShape,
        ReadOnlySpan<float> sampleWeight, Shape sampleWeightShape) =>
        UpdateValues(yPred, yPredShape, sampleWeight, sampleWeightShape);
}
