using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

/// <summary>
/// The base of every layer, after Keras' <c>Layer</c>: weights are created lazily in <see cref="Build(Shape)"/> from the
/// shape of the first input, and <see cref="Call(Tensor, bool)"/> computes the output with differentiable <see cref="Ops"/>, so a
/// layer trains without any hand-written backward code.
/// </summary>
/// <remarks>Shapes handed to <see cref="Build(Shape)"/> and <see cref="ComputeOutputShape(Shape)"/> are per sample: they leave out the batch axis.</remarks>
public abstract class Layer
{
    private readonly List<Variable> _weights = [];

    /// <summary>Creates a layer; without a name it gets Keras' automatic one (<c>dense</c>, <c>dense_1</c>, …).</summary>
    protected Layer(string? name = null)
    {
        Name = name ?? LayerNames.Unique(LayerNames.SnakeCase(GetType().Name));
    }

    /// <summary>The layer's name, unique among the layers created in this process unless given explicitly.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Build(Shape)"/> has run and the weights exist.</summary>
    public bool Built { get; private set; }

    /// <summary>The per-sample input shape the layer was built for.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>
    /// Every weight (Keras' <c>weights</c>): the layer's own in creation order, then each sublayer's (see
    /// <see cref="AddSublayer{T}"/>) in the order they were added.
    /// </summary>
    public IReadOnlyList<Variable> Weights => _sublayers.Count == 0 ? _weights : [.. _weights, .. _sublayers.SelectMany(s => s.Layer.Weights)];

    /// <summary>The weights the optimizer updates: none while the layer is frozen (<see cref="Trainable"/> false).</summary>
    public IEnumerable<Variable> TrainableWeights => _trainable ? _weights.Where(w => w.Trainable).Concat(_sublayers.SelectMany(s => s.Layer.TrainableWeights)) : [];

    /// <summary>The weights the optimizer leaves alone (moving statistics, and every weight of a frozen layer).</summary>
    public IEnumerable<Variable> NonTrainableWeights => _trainable ? _weights.Where(w => !w.Trainable).Concat(_sublayers.SelectMany(s => s.Layer.NonTrainableWeights)) : Weights;

    /// <summary>The weights this layer created itself with <see cref="AddWeight"/>, without its sublayers' (what Keras saves in its own <c>vars</c> group).</summary>
    internal IReadOnlyList<Variable> OwnWeights => _weights;

    private readonly List<(string Attribute, Layer Layer)> _sublayers = [];

    /// <summary>
    /// The layers this one calls inside its own <see cref="Call(Tensor, bool)"/> (Keras tracks a layer assigned to an
    /// attribute of another), each with the attribute name Keras saves it under: <c>query_dense</c> of a
    /// <c>MultiHeadAttention</c> is stored in <c>layers/multi_head_attention/query_dense/vars</c>.
    /// </summary>
    public IReadOnlyList<(string Attribute, Layer Layer)> Sublayers => _sublayers;

    /// <summary>
    /// Registers a layer that this one calls (Keras: <c>self.query_dense = EinsumDense(...)</c>): its weights become
    /// part of this layer's <see cref="Weights"/>, it freezes with this layer, and model files store its weights under
    /// this layer's group at <paramref name="attribute"/>, the name of the Python attribute Keras walks (for a
    /// Keras-compatible file, the public name its saving walk meets first). Build it from this layer's
    /// <see cref="Build(Shape)"/> with <see cref="EnsureBuilt(Shape)"/>.
    /// </summary>
    /// <returns><paramref name="layer"/>, for assigning to a field.</returns>
    protected T AddSublayer<T>(string attribute, T layer) where T : Layer
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attribute);
        ArgumentNullException.ThrowIfNull(layer);
        if (ReferenceEquals(layer, this)) throw new ArgumentException($"Layer '{Name}' cannot be its own sublayer.", nameof(layer));
        if (_sublayers.Any(s => s.Attribute == attribute))
            throw new ArgumentException($"Layer '{Name}' already has a sublayer at '{attribute}'.", nameof(attribute));
        if (!_trainable) layer.Trainable = false;
        _sublayers.Add((attribute, layer));
        return layer;
    }

    private bool _trainable = true;

    /// <summary>
    /// Whether training updates this layer's weights (Keras' <c>layer.trainable</c>). Setting it to false freezes the
    /// layer: its weights get no gradient and the optimizer skips them, and a <see cref="BatchNormalization"/> layer
    /// then runs in inference mode even in <c>Fit</c>, as in Keras. As in Keras, compile the model again after
    /// changing it (the optimizer was built for the weights that were trainable then).
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            // Frozen weights need no gradient: the tape then skips computing them.
            foreach (var w in _weights) w.Value.RequiresGrad = value && w.Trainable;
            foreach (var (_, sublayer) in _sublayers) sublayer.Trainable = value; // as Keras' trainable setter
        }
    }

    /// <summary>Total number of weight elements.</summary>
    public long CountParams() => Weights.Sum(w => (long)w.Shape.Size);

    /// <summary>Creates the layer's weights for inputs of per-sample shape <paramref name="inputShape"/>.</summary>
    protected virtual void Build(Shape inputShape) { }

    /// <summary>Computes the output for a batch of inputs.</summary>
    /// <param name="inputs">A batch: the first axis is the batch axis.</param>
    /// <param name="training">True during <c>Fit</c> (layers such as dropout behave differently).</param>
    public abstract Tensor Call(Tensor inputs, bool training = false);

    /// <summary>
    /// Whether the layer carries a mask from its input to its output unchanged when it does not compute one of its
    /// own (Keras' <c>supports_masking</c>). A layer that does not support masking drops the mask, as in Keras.
    /// </summary>
    public virtual bool SupportsMasking => false;

    /// <summary>
    /// The mask of the output, given the input and its mask (Keras' <c>compute_mask</c>): by default the input's mask
    /// when <see cref="SupportsMasking"/>, otherwise none. Models call it after <see cref="Call(Tensor, bool)"/> unless
    /// the output already has a mask. A layer that makes a mask computes it with <see cref="Ops"/>, so that a
    /// recorded training step recomputes it.
    /// </summary>
    public virtual Tensor? ComputeMask(Tensor inputs, Tensor? mask) => SupportsMasking ? mask : null;

    /// <summary>The output mask of a layer with several inputs: by default the first input's mask when <see cref="SupportsMasking"/>.</summary>
    public virtual Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(masks);
        return inputs.Count == 1 ? ComputeMask(inputs[0], masks[0]) : SupportsMasking ? masks[0] : null;
    }

    /// <summary>
    /// Calls the layer and gives the output its mask (what Keras' <c>__call__</c> adds around <c>call</c>): models run
    /// every layer through this. A layer that wraps another (Bidirectional, TimeDistributed) calls it too.
    /// </summary>
    public Tensor Apply(IReadOnlyList<Tensor> inputs, bool training = false) => Apply(inputs, training, null);

    /// <summary><see cref="Apply(IReadOnlyList{Tensor}, bool)"/> for a functional call with keyword arguments (their tensors last).</summary>
    internal Tensor Apply(IReadOnlyList<Tensor> inputs, bool training, CallArguments? arguments)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var output = arguments is not null ? Call(inputs, arguments, training) : inputs.Count == 1 ? Call(inputs[0], training) : Call(inputs, training);
        var positional = arguments is null ? inputs : [.. inputs.Take(arguments.PositionalCount)];
        if (output.Mask is null && !inputs.Contains(output))
            output.Mask = positional.Count == 1 ? ComputeMask(positional[0], positional[0].Mask) : ComputeMask(positional, [.. positional.Select(t => t.Mask)]);
        return output;
    }

    /// <summary>
    /// How many tensors one call returns: 1, or more for a layer that returns a list in Keras (a recurrent layer with
    /// <c>returnState</c>: its output, then its final states). Models run such layers through <see cref="ApplyAll(IReadOnlyList{Tensor}, bool)"/>.
    /// </summary>
    public virtual int OutputCount => 1;

    /// <summary>Computes every output of a call (<see cref="OutputCount"/> tensors); by default the one of <see cref="Call(Tensor, bool)"/>.</summary>
    public virtual Tensor[] CallAll(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return [inputs.Count == 1 ? Call(inputs[0], training) : Call(inputs, training)];
    }

    /// <summary>The per-sample shape of every output (<see cref="OutputCount"/> of them); by default the one of <see cref="ComputeOutputShape(IReadOnlyList{Shape})"/>.</summary>
    public virtual Shape[] ComputeOutputShapes(IReadOnlyList<Shape> inputShapes) => [ComputeOutputShape(inputShapes)];

    /// <summary>
    /// <see cref="Apply(IReadOnlyList{Tensor}, bool)"/> for a layer with several outputs: calls it and gives the first output its mask (the
    /// others, a recurrent layer's states, have none, as in Keras).
    /// </summary>
    public Tensor[] ApplyAll(IReadOnlyList<Tensor> inputs, bool training = false) => ApplyAll(inputs, training, null);

    /// <summary><see cref="ApplyAll(IReadOnlyList{Tensor}, bool)"/> for a functional call with keyword arguments (their tensors last).</summary>
    internal Tensor[] ApplyAll(IReadOnlyList<Tensor> inputs, bool training, CallArguments? arguments)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (OutputCount == 1) return [Apply(inputs, training, arguments)];
        if (arguments is not null) throw new InvalidOperationException($"{GetType().Name} '{Name}' returns several tensors and takes no keyword call arguments.");
        var outputs = CallAll(inputs, training);
        if (outputs[0].Mask is null && !inputs.Contains(outputs[0]))
            outputs[0].Mask = inputs.Count == 1 ? ComputeMask(inputs[0], inputs[0].Mask) : ComputeMask(inputs, [.. inputs.Select(t => t.Mask)]);
        return outputs;
    }

    /// <summary>The per-sample output shape for a per-sample input shape.</summary>
    public virtual Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <summary>Builds the layer once, the first time it sees an input shape (called by models before <see cref="Call(Tensor, bool)"/>).</summary>
    public void EnsureBuilt(Shape inputShape) => EnsureBuilt([inputShape]);

    /// <summary>Builds the layer once for the per-sample shapes of its inputs (several for merging layers).</summary>
    public void EnsureBuilt(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (Built) return;
        if (inputShapes.Count == 1) Build(inputShapes[0]);
        else Build(inputShapes);
        InputShape = inputShapes.Count == 1 ? inputShapes[0] : (Shape?)null;
        InputShapes = [.. inputShapes];
        Built = true;
    }

    /// <summary>The per-sample shapes of every input the layer was built for.</summary>
    public IReadOnlyList<Shape> InputShapes { get; private set; } = [];

    /// <summary>Creates the weights of a layer with several inputs; layers with one input override <see cref="Build(Shape)"/>.</summary>
    protected virtual void Build(IReadOnlyList<Shape> inputShapes) =>
        throw new ArgumentException($"{GetType().Name} '{Name}' takes one input, got {inputShapes.Count}.");

    /// <summary>Computes the output for several inputs (merging layers override this; others take exactly one).</summary>
    public virtual Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Count == 1 ? Call(inputs[0], training)
            : throw new ArgumentException($"{GetType().Name} '{Name}' takes one input, got {inputs.Count}.");
    }

    /// <summary>The per-sample output shape for the shapes of several inputs.</summary>
    public virtual Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) =>
        inputShapes.Count == 1 ? ComputeOutputShape(inputShapes[0])
        : throw new ArgumentException($"{GetType().Name} '{Name}' takes one input, got {inputShapes.Count}.");

    /// <summary>
    /// Applies the layer to symbolic inputs (the functional API): builds it for their shapes, checks them, and returns
    /// the symbolic output, recording the connection so that <c>new Model(inputs, outputs)</c> can run the graph.
    /// </summary>
    /// <example><code>var x = new Conv2D(32, 3, activation: "relu").Call(inputs);</code></example>
    public KerasTensor Call(params KerasTensor[] inputs) => CallSymbolic(inputs, null);

    /// <summary>
    /// The functional call with Keras keyword arguments: <paramref name="arguments"/>' keyword tensors follow the
    /// positional <paramref name="inputs"/>; the layer is built for, and its output shape computed from, the positional ones.
    /// </summary>
    internal KerasTensor CallSymbolic(KerasTensor[] inputs, CallArguments? arguments)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var all = inputs;
        if (arguments is not null) inputs = inputs[..arguments.PositionalCount];
        if (OutputCount > 1)
            throw new InvalidOperationException($"{GetType().Name} '{Name}' returns {OutputCount} tensors (its output and final states, returnState: true); use CallAll(...) to get them all.");
        return CallAllSymbolic(all, arguments)[0];
    }

    /// <summary>
    /// The functional API for a layer with several outputs (<see cref="OutputCount"/>): like
    /// <see cref="Call(KerasTensor[])"/>, returning every symbolic output (Keras returns a list).
    /// </summary>
    /// <example><code>var outputs = new LSTM(64, returnState: true).CallAll(inputs);   // output, h, c</code></example>
    public KerasTensor[] CallAll(params KerasTensor[] inputs) => CallAllSymbolic(inputs, null);

    /// <summary>The functional call returning every output, with optional keyword arguments (their tensors after the positional inputs).</summary>
    internal KerasTensor[] CallAllSymbolic(KerasTensor[] inputs, CallArguments? arguments)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var all = inputs;
        if (arguments is not null) inputs = inputs[..arguments.PositionalCount];
        if (inputs.Length == 0) throw new ArgumentException($"{GetType().Name} '{Name}' was called on no inputs.", nameof(inputs));
        if (this is InputLayer) throw new InvalidOperationException($"InputLayer '{Name}' cannot be called on tensors; use new Input(shape) to start a graph.");
        var shapes = new Shape[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) shapes[i] = (inputs[i] ?? throw new ArgumentNullException(nameof(inputs))).Shape;
        Shape[] output;
        try
        {
            if (Built && !InputShapes.SequenceEqual(shapes))
                throw new ArgumentException($"it was built for input shape {FormatShapes(InputShapes)} and cannot be applied to {FormatShapes(shapes)}.");
            EnsureBuilt(shapes);
            output = ComputeOutputShapes(shapes);
        }
        catch (ArgumentException e)
        {
            // Name both ends of the mismatch: what produced each input and this layer.
            string from = string.Join(" and ", inputs.Select(t => t.Producer is { } p && p.Layer is not InputLayer
                ? $"the output of layer '{p.Layer.Name}' ({p.Layer.GetType().Name}), of shape {KerasTensor.Format(t.Shape)}"
                : $"the model's input '{t.Name}', of shape {KerasTensor.Format(t.Shape)}"));
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) cannot take {from}: {e.Message}", e);
        }
        return new Node(this, all, output) { Arguments = arguments }.Outputs;
    }

    /// <summary>
    /// Runs a functional call that has Keras keyword arguments (see <see cref="CallSymbolic"/>). Layers that take
    /// keyword arguments override it; they are refused elsewhere before a call can have any.
    /// </summary>
    internal virtual Tensor Call(IReadOnlyList<Tensor> inputs, CallArguments arguments, bool training) =>
        throw new InvalidOperationException($"{GetType().Name} '{Name}' takes no keyword call arguments.");

    /// <summary>
    /// Checks one keyword argument of a call in a model file (<paramref name="value"/> is null for a tensor): a layer
    /// that takes it returns normally, otherwise the message says why not. Most layers take none, and none takes
    /// <c>training</c>: Dendrite's layers follow the model's mode.
    /// </summary>
    internal virtual string? RefuseCallArgument(string name, JsonNode? value, bool isTensor) => name == "training"
        ? $"is called with training={(value is null ? "a tensor" : value.ToJsonString())}; Dendrite's layers follow the model's mode (training in Fit, inference otherwise), so that call would compute differently."
        : $"is called with the argument '{name}' = {(isTensor ? "a tensor" : value?.ToJsonString() ?? "null")}, which Dendrite's {GetType().Name} does not take.";

    /// <summary>
    /// The names of Keras' positional tensor parameters (<c>call(query, value, key)</c>), for a file whose call passed
    /// them by keyword (<c>mha(query=x, value=y)</c>): those keyword tensors become positional inputs in this order.
    /// Null for layers whose call takes one tensor or one list.
    /// </summary>
    internal virtual IReadOnlyList<string>? PositionalTensorNames => null;

    private static string FormatShapes(IEnumerable<Shape> shapes) => string.Join(", ", shapes.Select(KerasTensor.Format));

    /// <summary>Creates a weight; call from <see cref="Build(Shape)"/>.</summary>
    protected Variable AddWeight(string name, Shape shape, Initializer initializer, bool trainable = true, Constraints.Constraint? constraint = null)
    {
        WeightBudget.Take($"layer '{Name}' ({GetType().Name})", name, shape);
        if (shape.LongSize > Array.MaxLength)
            throw new ArgumentException(FormattableString.Invariant($"{GetType().Name} '{Name}': weight '{name}' of shape {shape} would hold {shape.LongSize:N0} elements, more than one array can hold ({Array.MaxLength:N0})."));
        var variable = new Variable(name, shape, initializer.Generate(shape), trainable) { Constraint = constraint };
        if (!_trainable) variable.Value.RequiresGrad = false; // created while the layer is frozen
        _weights.Add(variable);
        return variable;
    }

    /// <summary>
    /// For a layer whose Keras <c>build</c> takes its input shapes as named arguments
    /// (<c>build(query_shape, value_shape, key_shape)</c>), those names in order: its <c>build_config</c> is then
    /// Keras' <c>{"shapes_dict": {name: shape, …}}</c> instead of <c>{"input_shape": …}</c>. Null by default.
    /// </summary>
    internal virtual IReadOnlyList<string>? BuildShapeNames => null;

    /// <summary>
    /// Whether Keras' <c>call</c> takes the layer's tensors as separate positional arguments (<c>call(query, value)</c>)
    /// rather than as one list (<c>call([a, b])</c>, the merging layers'): a functional config's inbound node then lists
    /// them as <c>"args": [a, b]</c> instead of <c>"args": [[a, b]]</c>.
    /// </summary>
    internal virtual bool TakesSeparateTensorArguments => false;

    /// <summary>
    /// The keyword under which Keras passes a call's inputs after the first (a recurrent layer's <c>initial_state</c>);
    /// null when all inputs are positional. Model configs write and read such calls that way.
    /// </summary>
    internal virtual string? TrailingInputsKeyword => null;

    /// <summary>
    /// Where Keras 3 keeps this layer's own variables below the layer's group in a weights file: null for the layer's
    /// own <c>vars</c>; <c>"cell"</c> for a recurrent layer, whose weights belong to its cell object in Keras
    /// (<c>layers/lstm/cell/vars</c>, the layer's own <c>vars</c> group then empty), with the name Keras writes on that
    /// group (the cell's, <c>lstm_cell</c>).
    /// </summary>
    internal virtual (string Attribute, string Name)? OwnVariablesAttribute => null;

    /// <summary>Keras' class name, written as <c>class_name</c> in configs; the C# type name by default.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>
    /// The layer's constructor arguments under Keras' key names (Keras' <c>get_config</c>): <c>name</c>,
    /// <c>trainable</c> and <c>dtype</c> here, and each layer's own arguments added by its override. A custom layer
    /// adds its arguments to this, so that it saves and loads (see <see cref="KerasSerializableAttribute"/>).
    /// </summary>
    public virtual JsonObject GetConfig() => new()
    {
        ["name"] = Name,
        ["trainable"] = Trainable,
        ["dtype"] = KerasObject.Float32Policy(),
    };

    /// <summary>The layer as Keras serializes it: <c>{"module": "keras.layers", "class_name", "config", "registered_name"}</c>.</summary>
    public JsonObject Serialize() => KerasRegistry.Serialize(this, "keras.layers", ClassName, GetConfig());

    /// <summary>
    /// Rebuilds a layer from its serialized form (Keras' <c>keras.layers.deserialize</c>): a built-in class by its
    /// Keras class name, or a registered custom one.
    /// </summary>
    /// <exception cref="ModelFormatException">The class is unknown, or its config holds something Dendrite cannot honour.</exception>
    public static Layer Deserialize(JsonNode serialized) => LayerConfigs.Deserialize(serialized, "a layer");

    /// <summary>
    /// The per-sample input shape a config declared for the layer (tf.keras' <c>batch_input_shape</c> on the first
    /// layer of a Sequential model), which the model reader turns into an input layer; null otherwise.
    /// </summary>
    internal Shape? DeclaredInputShape { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({GetType().Name})";
}

/// <summary>Keras' automatic layer names: the snake-cased class name, then <c>_1</c>, <c>_2</c>, … for later ones.</summary>
internal static class LayerNames
{
    private static readonly Dictionary<string, int> s_counts = [];

    public static string Unique(string prefix)
    {
        lock (s_counts)
        {
            s_counts.TryGetValue(prefix, out int count);
            s_counts[prefix] = count + 1;
            return count == 0 ? prefix : $"{prefix}_{count}";
        }
    }

    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
