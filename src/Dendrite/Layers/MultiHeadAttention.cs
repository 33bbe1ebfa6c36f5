using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Multi-head attention (Keras' <c>MultiHeadAttention</c>, "Attention is all you need"): the query, key and value are
/// projected to <paramref name="numHeads"/> heads, each query attends to the keys by
/// <c>softmax(Q·Kᵀ / √keyDim)</c>, the values are averaged by those weights, and the heads are projected back.
/// With query = value it is self-attention.
/// </summary>
/// <param name="numHeads">Number of attention heads.</param>
/// <param name="keyDim">Size of each head for query and key.</param>
/// <param name="valueDim">Size of each head for value; <paramref name="keyDim"/> when null.</param>
/// <param name="dropout">Dropout rate on the attention probabilities, in training.</param>
/// <param name="useBias">Whether the projections have biases.</param>
/// <param name="outputShape">The output's feature axes (besides batch and time); the query's feature size when null.</param>
/// <param name="attentionAxes">The axes attention runs over; Dendrite attends over the time axis only (null, the
/// default, or <c>[1]</c>, which Keras writes once the layer is built).</param>
/// <param name="kernelInitializer">The projections' kernel initializer; Keras' default <c>"glorot_uniform"</c>.</param>
/// <param name="biasInitializer">The projections' bias initializer; Keras' default <c>"zeros"</c>.</param>
/// <param name="seed">Seeds the dropout masks; by default they come from the global seed.</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <remarks>
/// <para>Inputs are (batch, time, features): in the functional API <c>layer.Call(query, value)</c> or
/// <c>layer.Call(query, value, key)</c>; eagerly <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, bool, bool)"/>, with an
/// explicit attention mask and the causal mask, and <see cref="CallWithScores"/>, which also returns the attention
/// probabilities (Keras' <c>return_attention_scores=True</c>).</para>
/// <para>Masks are Keras': the query's mask (queries that attend to nothing, whose rows come out uniform), the value's and
/// the key's (keys not attended to), the explicit mask and the causal mask are combined with AND; the output carries the
/// query's mask.</para>
/// <para>Weights are Keras': the sublayers <c>query</c>, <c>key</c>, <c>value</c> (kernels (features, heads, depth),
/// biases (heads, depth)) and <c>attention_output</c> (kernel (heads, valueDim, features), bias (features,)), in that
/// order, saved under <c>query_dense</c>, <c>key_dense</c>, <c>value_dense</c> and <c>output_dense</c>.</para>
/// </remarks>
public sealed partial class MultiHeadAttention(
    int numHeads,
    int keyDim,
    int? valueDim = null,
    double dropout = 0.0,
    bool useBias = true,
    int[]? outputShape = null,
    int[]? attentionAxes = null,
    Initializer? kernelInitializer = null,
    Initializer? biasInitializer = null,
    int? seed = null,
    string? name = null) : Layer(name)
{
    /// <summary>Number of attention heads.</summary>
    public int NumHeads { get; } = numHeads > 0 ? numHeads : throw new ArgumentOutOfRangeException(nameof(numHeads), $"Invalid value for argument `num_heads`: expected a positive integer, got {numHeads}.");

    /// <summary>Size of each head for query and key.</summary>
    public int KeyDim { get; } = keyDim > 0 ? keyDim : throw new ArgumentOutOfRangeException(nameof(keyDim), $"Invalid value for argument `key_dim`: expected a positive integer, got {keyDim}.");

    /// <summary>Size of each head for value.</summary>
    public int ValueDim { get; } = valueDim is null ? keyDim : valueDim > 0 ? valueDim.Value : throw new ArgumentOutOfRangeException(nameof(valueDim), $"Invalid value for argument `value_dim`: expected a positive integer or null, got {valueDim}.");

    /// <summary>Dropout rate on the attention probabilities.</summary>
    public double Dropout { get; } = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), FormattableString.Invariant($"MultiHeadAttention needs a dropout rate in [0, 1), got {dropout}."));

    /// <summary>Whether the projections have biases.</summary>
    public bool UseBias { get; } = useBias;

    /// <summary>The output's feature axes as given, or null (the query's feature size).</summary>
    public int[]? OutputShape { get; } = outputShape is null or [] ? null
        : outputShape.All(d => d > 0) ? (int[])outputShape.Clone()
        : throw new ArgumentOutOfRangeException(nameof(outputShape), $"Invalid `output_shape`: ({string.Join(", ", outputShape)}); every size must be positive.");

    /// <summary>The attention axes: as given until the layer is built, then <c>[1]</c> (Keras resolves the default when building).</summary>
    public int[]? AttentionAxes { get; private set; } = CheckAxes(attentionAxes);

    /// <summary>The projections' kernel initializer.</summary>
    public Initializer KernelInitializer { get; } = kernelInitializer ?? new GlorotUniform();

    /// <summary>The projections' bias initializer.</summary>
    public Initializer BiasInitializer { get; } = biasInitializer ?? new Zeros();

    /// <summary>The dropout seed given at construction, if any.</summary>
    public int? Seed { get; } = seed;

    private readonly RandomGenerator _random = seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork();
    private AttentionProjection? _query, _key, _value, _output;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <summary>Keras writes the arguments of <c>build(query_shape, value_shape, key_shape)</c> by name.</summary>
    internal override IReadOnlyList<string>? BuildShapeNames => ["query_shape", "value_shape", "key_shape"];

    /// <summary>Keras' <c>call(query, value, key)</c> takes its tensors as separate arguments, not as one list.</summary>
    internal override bool TakesSeparateTensorArguments => true;

    private static int[]? CheckAxes(int[]? axes) =>
        axes is null || (axes.Length == 1 && axes[0] is 1 or -2) ? axes
        : throw new ArgumentException($"MultiHeadAttention: attention_axes ({string.Join(", ", axes)}) is not supported; Dendrite attends over the time axis of (batch, time, features) inputs only (attention_axes null or [1]).", nameof(axes));

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) =>
        throw new ArgumentException($"MultiHeadAttention '{Name}' takes a query and a value (and optionally a key): call it on 2 or 3 inputs, got one of shape {KerasTensor.Format(inputShape)}.");

    /// <inheritdoc/>
    protected override void Build(IReadOnlyList<Shape> inputShapes)
    {
        var (query, value, key) = CheckShapes(inputShapes);
        _query = AddSublayer("query_dense", new AttentionProjection("query", 1, [NumHeads, KeyDim], UseBias, KernelInitializer, BiasInitializer));
        _key = AddSublayer("key_dense", new AttentionProjection("key", 1, [NumHeads, KeyDim], UseBias, KernelInitializer, BiasInitializer));
        _value = AddSublayer("value_dense", new AttentionProjection("value", 1, [NumHeads, ValueDim], UseBias, KernelInitializer, BiasInitializer));
        _output = AddSublayer("output_dense", new AttentionProjection("attention_output", 2, OutputShape ?? [query[^1]], UseBias, KernelInitializer, BiasInitializer));
        _query.EnsureBuilt(query);
        _key.EnsureBuilt(key);
        _value.EnsureBuilt(value);
        _output.EnsureBuilt(new Shape(query[0], NumHeads, ValueDim));
        AttentionAxes = [1];
    }

    private (Shape Query, Shape Value, Shape Key) CheckShapes(IReadOnlyList<Shape> shapes)
    {
        if (shapes.Count is not (2 or 3))
            throw new ArgumentException($"MultiHeadAttention '{Name}' takes a query and a value (and optionally a key), got {shapes.Count} inputs.");
        var (query, value) = (shapes[0], shapes[1]);
        var key = shapes.Count == 3 ? shapes[2] : value;
        foreach (var (shape, what) in new[] { (query, "query"), (value, "value"), (key, "key") })
            if (shape.Rank != 2)
                throw new ArgumentException($"MultiHeadAttention '{Name}' takes (batch, time, features) inputs; the {what} has shape {KerasTensor.Format(shape)} (attention over several axes, Keras' attention_axes, is not supported).");
        if (key[0] != value[0])
            throw new ArgumentException($"All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape={KerasTensor.Format(value)} and key_shape={KerasTensor.Format(key)}");
        return (query, value, key);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        var (query, _, _) = CheckShapes(inputShapes);
        return new Shape([query[0], .. OutputShape ?? [query[^1]]]);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false) =>
        throw new ArgumentException($"MultiHeadAttention '{Name}' takes a query and a value: call Call(query, value) (self-attention: Call(x, x)).");

    /// <inheritdoc/>
    public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3)) throw new ArgumentException($"MultiHeadAttention '{Name}' takes a query and a value (and optionally a key), got {inputs.Count} inputs.");
        return Compute(inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null, null, false, training).Output;
    }

    /// <summary>
    /// The functional call with Keras' call options: attends from <paramref name="query"/> to <paramref name="value"/>
    /// (keyed by <paramref name="key"/>, or the value), with an explicit (batch, Tq, Tv) <paramref name="attentionMask"/>
    /// and the causal mask. The options are recorded with the call and saved as Keras' call arguments
    /// (<c>attention_mask</c>, <c>use_causal_mask</c>), so the model file loads in Keras with the same masks.
    /// </summary>
    /// <remarks>
    /// Keras' <c>return_attention_scores=True</c> makes a call with two outputs, which Dendrite's functional graph
    /// does not have: get the scores eagerly with <see cref="CallWithScores"/> (a model file with that option is refused).
    /// </remarks>
    public KerasTensor Call(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null, bool useCausalMask = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        KerasTensor[] positional = key is null ? [query, value] : [query, value, key];
        if (attentionMask is null && !useCausalMask) return Call(positional);
        if (attentionMask is not null && attentionMask.Shape != new Shape(query.Shape[0], value.Shape[0]))
            throw new ArgumentException($"MultiHeadAttention '{Name}': the attention mask should have per-sample shape ({query.Shape[0]}, {value.Shape[0]}) (Tq, Tv), got {KerasTensor.Format(attentionMask.Shape)}.");
        var values = new System.Text.Json.Nodes.JsonObject();
        if (useCausalMask) values["use_causal_mask"] = true;
        var arguments = new CallArguments(positional.Length, attentionMask is null ? [] : ["attention_mask"], values);
        return CallSymbolic(attentionMask is null ? positional : [.. positional, attentionMask], arguments);
    }

    internal override IReadOnlyList<string> PositionalTensorNames => ["query", "value", "key"];

    internal override string? RefuseCallArgument(string name, System.Text.Json.Nodes.JsonNode? value, bool isTensor) => name switch
    {
        "use_causal_mask" when !isTensor && value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out bool _) => null,
        "attention_mask" when isTensor => null,
        "return_attention_scores" when !isTensor && value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out bool b) && !b => null,
        "return_attention_scores" => "is called with return_attention_scores=True: that call has two outputs, and Dendrite's functional graph has one per call (CallWithScores returns the scores eagerly).",
        _ => base.RefuseCallArgument(name, value, isTensor),
    };

    internal override Tensor Call(IReadOnlyList<Tensor> inputs, CallArguments arguments, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(arguments);
        int n = arguments.PositionalCount;
        if (n is not (2 or 3)) throw new ArgumentException($"MultiHeadAttention '{Name}' takes a query and a value (and optionally a key), got {n} positional inputs.");
        return Compute(inputs[0], inputs[1], n == 3 ? inputs[2] : null, arguments.Tensor(inputs, "attention_mask"), arguments.Flag("use_causal_mask"), training).Output;
    }

    /// <inheritdoc/>
    /// <remarks>The query's mask, as in Keras.</remarks>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        return masks.Count > 0 ? masks[0] : null;
    }

    /// <summary>
    /// Attends from <paramref name="query"/> (batch, Tq, features) to <paramref name="value"/> (batch, Tv, features),
    /// the keys being <paramref name="key"/> (or the value). Builds the layer on first use.
    /// </summary>
    /// <param name="query">The queries; its mask, if any, is the output's.</param>
    /// <param name="value">The values (and keys, unless <paramref name="key"/> is given).</param>
    /// <param name="key">The keys, (batch, Tv, features); the value when null.</param>
    /// <param name="attentionMask">A (batch, Tq, Tv) mask: 1 where query i may attend to key j, 0 where not.</param>
    /// <param name="useCausalMask">Whether query i may only attend to keys j ≤ i (a decoder's self-attention).</param>
    /// <param name="training">Whether dropout applies.</param>
    /// <returns>(batch, Tq, features), or (batch, Tq, outputShape…).</returns>
    public Tensor Call(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null, bool useCausalMask = false, bool training = false) =>
        Compute(query, value, key, attentionMask, useCausalMask, training).Output;

    /// <summary>
    /// <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, bool, bool)"/> that also returns the attention probabilities
    /// (batch, heads, Tq, Tv), taken before dropout (Keras' <c>return_attention_scores=True</c>).
    /// </summary>
    public (Tensor Output, Tensor Scores) CallWithScores(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null, bool useCausalMask = false, bool training = false) =>
        Compute(query, value, key, attentionMask, useCausalMask, training);

    private (Tensor Output, Tensor Scores) Compute(Tensor query, Tensor value, Tensor? key, Tensor? attentionMask, bool useCausalMask, bool training)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        Shape[] shapes = key is null ? [PerSample(query), PerSample(value)] : [PerSample(query), PerSample(value), PerSample(key)];
        CheckShapes(shapes);
        EnsureBuilt(shapes); // eager use builds on the first call, as in Keras
        if (_query!.InputShape != shapes[0] || _value!.InputShape != shapes[1] || _key!.InputShape != shapes[^1])
            throw new ArgumentException($"MultiHeadAttention '{Name}' was built for inputs {string.Join(", ", InputShapes.Select(KerasTensor.Format))} and cannot be applied to {string.Join(", ", shapes.Select(KerasTensor.Format))}.");
        if (query.Shape[0] != value.Shape[0] || (key is not null && key.Shape[0] != value.Shape[0]))
            throw new ArgumentException($"MultiHeadAttention '{Name}': the query, value and key need one batch size, got {query.Shape}, {value.Shape}{(key is null ? "" : $" and {key.Shape}")}.");

        var masks = new AttentionMasks(query.Mask, value.Mask, key is null || ReferenceEquals(key, value) ? null : key.Mask, attentionMask, useCausalMask);
        try
        {
            masks.Check(query.Shape[0], query.Shape[1], value.Shape[1]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MultiHeadAttention '{Name}': {e.Message}", e);
        }
        var q = _query.Call(query);
        var k = _key.Call(key ?? value);
        var v = _value.Call(value);
        var scores = Ops.AttentionProbabilities(q, k, masks, (float)(1.0 / Math.Sqrt(KeyDim)));
        var dropped = training && Dropout > 0 ? Ops.Dropout(scores, Dropout, _random) : scores;
        var output = _output!.Call(Ops.AttentionCombine(dropped, v));
        output.Mask = query.Mask;
        return (output, scores);
    }

    private static Shape PerSample(Tensor t) => t.Shape.Rank == 0 ? t.Shape : new Shape(t.Shape.ToArray()[1..]);
}
