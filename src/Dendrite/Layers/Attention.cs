using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Dot-product attention, Luong-style (Keras' <c>Attention</c>): inputs [query (batch, Tq, dim), value (batch, Tv,
/// valueDim)] or [query, value, key (batch, Tv, dim)]; scores are <c>query·keyᵀ</c> (or, with
/// <c>scoreMode: "concat"</c>, <c>Σ tanh(query + key)</c>), softmaxed over the keys, and the result averages the values
/// by them: (batch, Tq, valueDim).
/// </summary>
/// <param name="useScale">Whether a learned scalar <c>scale</c> (starting at 1) multiplies the scores (in concat mode, the sum inside tanh).</param>
/// <param name="scoreMode"><c>"dot"</c> (the product of query and key) or <c>"concat"</c> (tanh of their sum, times a learned scalar <c>concat_score_weight</c>).</param>
/// <param name="dropout">Dropout rate on the attention probabilities, in training.</param>
/// <param name="seed">Seeds the dropout masks; by default they come from the global seed.</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <remarks>
/// Masks as in Keras: the value's mask (and the causal mask) decides which keys are attended to; the query's mask
/// zeroes the output at masked queries and is the output's mask. The key's mask is not used.
/// </remarks>
public sealed partial class Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0.0, int? seed = null, string? name = null) : Layer(name)
{
    /// <summary>Whether a learned scale multiplies the scores.</summary>
    public bool UseScale { get; } = useScale;

    /// <summary><c>"dot"</c> or <c>"concat"</c>.</summary>
    public string ScoreMode { get; } = scoreMode is "dot" or "concat" ? scoreMode
        : throw new ArgumentException($"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. Received: score_mode={scoreMode}", nameof(scoreMode));

    /// <summary>Dropout rate on the attention probabilities.</summary>
    public double Dropout { get; } = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), FormattableString.Invariant($"Attention needs a dropout rate in [0, 1), got {dropout}."));

    /// <summary>The dropout seed given at construction, if any.</summary>
    public int? Seed { get; } = seed;

    private readonly RandomGenerator _random = seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork();
    private Variable? _scale, _concatScoreWeight;

    /// <summary>The learned scale (shape ()), or null without <c>useScale</c>.</summary>
    public Variable? Scale => _scale;

    /// <summary>The learned factor of concat scores (shape ()), or null in dot mode.</summary>
    public Variable? ConcatScoreWeight => _concatScoreWeight;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) =>
        throw new ArgumentException($"Attention layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received one input of shape {KerasTensor.Format(inputShape)}.");

    /// <inheritdoc/>
    protected override void Build(IReadOnlyList<Shape> inputShapes)
    {
        CheckShapes(inputShapes);
        if (UseScale) _scale = AddWeight("scale", new Shape(), new Ones());
        if (ScoreMode == "concat") _concatScoreWeight = AddWeight("concat_score_weight", new Shape(), new Ones());
    }

    private void CheckShapes(IReadOnlyList<Shape> shapes)
    {
        if (shapes.Count is not (2 or 3))
            throw new ArgumentException($"Attention layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: {shapes.Count}.");
        var (query, value) = (shapes[0], shapes[1]);
        var key = shapes.Count == 3 ? shapes[2] : value;
        foreach (var (shape, what) in new[] { (query, "query"), (value, "value"), (key, "key") })
            if (shape.Rank != 2)
                throw new ArgumentException($"Attention '{Name}' takes (batch, time, features) inputs; the {what} has shape {KerasTensor.Format(shape)}.");
        if (key[0] != value[0])
            throw new ArgumentException($"Attention '{Name}': the value {KerasTensor.Format(value)} and the key {KerasTensor.Format(key)} need the same number of steps.");
        if (key[1] != query[1])
            throw new ArgumentException($"Attention '{Name}': the query {KerasTensor.Format(query)} and the key {KerasTensor.Format(key)} need the same feature size.");
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        CheckShapes(inputShapes);
        return new Shape(inputShapes[0][0], inputShapes[1][^1]);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false) =>
        throw new ArgumentException($"Attention layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received one tensor of shape {inputs?.Shape}.");

    /// <inheritdoc/>
    public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3))
            throw new ArgumentException($"Attention layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: {inputs.Count}.");
        return Compute(inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null, false, training).Output;
    }

    /// <summary>Attends from <paramref name="query"/> to <paramref name="value"/> (keyed by <paramref name="key"/>, or the value); builds the layer on first use.</summary>
    /// <param name="query">(batch, Tq, dim); its mask zeroes the output at masked queries.</param>
    /// <param name="value">(batch, Tv, valueDim); its mask hides keys.</param>
    /// <param name="key">(batch, Tv, dim); the value when null.</param>
    /// <param name="useCausalMask">Whether query i may only attend to keys j ≤ i.</param>
    /// <param name="training">Whether dropout applies.</param>
    public Tensor Call(Tensor query, Tensor value, Tensor? key = null, bool useCausalMask = false, bool training = false) =>
        Compute(query, value, key, useCausalMask, training).Output;

    /// <summary>
    /// <see cref="Call(Tensor, Tensor, Tensor?, bool, bool)"/> that also returns the attention distribution (batch, Tq,
    /// Tv), after dropout as Keras returns it (Keras' <c>return_attention_scores=True</c>).
    /// </summary>
    public (Tensor Output, Tensor Scores) CallWithScores(Tensor query, Tensor value, Tensor? key = null, bool useCausalMask = false, bool training = false) =>
        Compute(query, value, key, useCausalMask, training);

    /// <summary>
    /// The functional call: <c>Call(query, value)</c> or with a key, and Keras' <c>use_causal_mask</c>, which is
    /// recorded with the call and saved as Keras' call argument. Keras' <c>return_attention_scores=True</c> (two
    /// outputs) is eager only: <see cref="CallWithScores"/>.
    /// </summary>
    public KerasTensor Call(KerasTensor query, KerasTensor value, KerasTensor? key = null, bool useCausalMask = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        KerasTensor[] inputs = key is null ? [query, value] : [query, value, key];
        if (!useCausalMask) return Call(inputs);
        return CallSymbolic(inputs, new CallArguments(inputs.Length, [], new System.Text.Json.Nodes.JsonObject { ["use_causal_mask"] = true }));
    }

    internal override string? RefuseCallArgument(string name, System.Text.Json.Nodes.JsonNode? value, bool isTensor) => name switch
    {
        "use_causal_mask" when !isTensor && value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out bool _) => null,
        "return_attention_scores" when !isTensor && value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out bool b) && !b => null,
        "return_attention_scores" => "is called with return_attention_scores=True: that call has two outputs, and Dendrite's functional graph has one per call (CallWithScores returns the scores eagerly).",
        _ => base.RefuseCallArgument(name, value, isTensor),
    };

    internal override Tensor Call(IReadOnlyList<Tensor> inputs, CallArguments arguments, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(arguments);
        int n = arguments.PositionalCount;
        if (n is not (2 or 3)) throw new ArgumentException($"Attention layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: {n}.");
        return Compute(inputs[0], inputs[1], n == 3 ? inputs[2] : null, arguments.Flag("use_causal_mask"), training).Output;
    }

    /// <inheritdoc/>
    /// <remarks>The query's mask, as in Keras.</remarks>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        return masks.Count > 0 ? masks[0] : null;
    }

    private (Tensor Output, Tensor Scores) Compute(Tensor query, Tensor value, Tensor? key, bool useCausalMask, bool training)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        Shape PerSample(Tensor t) => t.Shape.Rank == 0 ? t.Shape : new Shape(t.Shape.ToArray()[1..]);
        Shape[] shapes = key is null ? [PerSample(query), PerSample(value)] : [PerSample(query), PerSample(value), PerSample(key)];
        CheckShapes(shapes);
        EnsureBuilt(shapes);
        key ??= value;
        if (query.Shape[0] != value.Shape[0] || key.Shape[0] != value.Shape[0])
            throw new ArgumentException($"Attention '{Name}': the query, value and key need one batch size, got {query.Shape}, {value.Shape} and {key.Shape}.");

        // Keras: the value's mask and the causal mask hide keys; the query's mask only zeroes the result.
        var masks = new AttentionMasks(Value: value.Mask, Causal: useCausalMask);
        Tensor weights;
        if (ScoreMode == "dot")
        {
            var scaledQuery = _scale is null ? query : Ops.Multiply(query, _scale.Value);
            weights = Ops.AttentionProbabilities(scaledQuery, key, masks, 1f);
        }
        else
        {
            int batch = query.Shape[0], tq = query.Shape[1], tv = key.Shape[1], dim = query.Shape[2];
            var sum = Ops.Add(Ops.Reshape(query, batch, tq, 1, dim), Ops.Reshape(key, batch, 1, tv, dim));
            if (_scale is not null) sum = Ops.Multiply(sum, _scale.Value);
            var scores = Ops.Multiply(Ops.Sum(Ops.Tanh(sum), -1), _concatScoreWeight!.Value);
            weights = Ops.MaskedSoftmax(scores, masks);
        }
        if (training && Dropout > 0) weights = Ops.Dropout(weights, Dropout, _random);
        var result = Ops.AttentionCombine(weights, value);
        if (query.Mask is not null) result = Ops.MaskRows(result, query.Mask);
        result.Mask = query.Mask;
        return (result, weights);
    }
}
