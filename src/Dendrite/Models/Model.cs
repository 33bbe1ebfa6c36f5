using Dendrite.Autodiff;
using Dendrite.Callbacks;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Training;

namespace Dendrite;

/// <summary>
/// A trainable graph of layers with Keras' workflow: <see cref="Compile"/>, <see cref="Fit"/>,
/// <see cref="Evaluate"/>, <see cref="Predict"/>. Made from symbolic inputs and outputs (the functional API:
/// <c>new Model(inputs, outputs)</c>) or as a <see cref="Sequential"/> stack, which builds the same kind of graph.
/// </summary>
public class Model
{
    private readonly List<Metric> _metrics = [];

    /// <summary>Creates a model; without a name it gets Keras' automatic one.</summary>
    protected Model(string? name, string defaultPrefix)
    {
        Name = name ?? LayerNames.Unique(defaultPrefix);
    }

    /// <summary>
    /// A functional model from <paramref name="inputs"/> (made with <c>new Input(shape)</c>) to
    /// <paramref name="outputs"/> (the results of calling layers on them), as Keras' <c>keras.Model(inputs, outputs)</c>.
    /// </summary>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null) : this([inputs], [outputs], name) { }

    /// <summary>A functional model with several inputs and/or outputs.</summary>
    public Model(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null) : this(name, "functional")
    {
        Graph = new FunctionalGraph(inputs, outputs, Name);
        SetBuilt(Graph);
    }

    /// <summary>The layer graph; null for a Sequential model that is not built yet.</summary>
    internal FunctionalGraph? Graph { get; private protected set; }

    /// <summary>Records the shapes of a built graph.</summary>
    private protected void SetBuilt(FunctionalGraph graph)
    {
        InputShape = graph.Inputs[0].Shape;
        OutputShape = graph.Outputs[0].Shape;
    }

    /// <summary>The symbolic inputs (empty before a Sequential model is built).</summary>
    public IReadOnlyList<KerasTensor> Inputs => Graph?.Inputs ?? [];

    /// <summary>The symbolic outputs (empty before a Sequential model is built).</summary>
    public IReadOnlyList<KerasTensor> Outputs => Graph?.Outputs ?? [];

    /// <summary>The model's name (<c>sequential</c>, <c>functional</c>, …, with <c>_1</c>, <c>_2</c> for later ones).</summary>
    public string Name { get; }

    /// <summary>The layers, in order (for a functional model, its InputLayers first, as Keras lists them).</summary>
    public virtual IReadOnlyList<Layer> Layers => Graph?.Layers ?? [];

    /// <summary>The per-sample input shape the model was built for (no batch axis); null before it is built.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>The per-sample output shape; null before the model is built.</summary>
    public Shape? OutputShape { get; private set; }

    /// <summary>Whether the weights exist (after <see cref="Build"/>, or the first <see cref="Fit"/>).</summary>
    public bool Built => InputShape is not null;

    /// <summary>The optimizer given to <see cref="Compile"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <see cref="Compile"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics given to <see cref="Compile"/>, in order.</summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>Whether training steps run eagerly instead of replaying a recorded step (see <see cref="Compile"/>).</summary>
    public bool RunEagerly { get; private set; }

    /// <summary>Whether <see cref="Compile"/> has been called.</summary>
    public bool Compiled => Optimizer is not null;

    /// <summary>Every weight of every layer, in layer order.</summary>
    public IReadOnlyList<Variable> Weights => Layers.SelectMany(l => l.Weights).ToList();

    /// <summary>The weights the optimizer updates, in layer order.</summary>
    public IReadOnlyList<Variable> TrainableWeights => Layers.SelectMany(l => l.TrainableWeights).ToList();

    /// <summary>Total number of weight elements.</summary>
    public long CountParams() => Layers.Sum(l => l.CountParams());

    /// <summary>
    /// Prints Keras 3's summary table: each layer's name and type, output shape and parameter count, then the
    /// totals with their float32 size (Keras' <c>model.summary()</c>).
    /// </summary>
    /// <param name="lineLength">Total width of the table; Keras' 88 by default (108 for graphs that are not a chain).</param>
    /// <param name="printFn">Receives the text (one string, lines separated by '\n'); the console by default.</param>
    public void Summary(int? lineLength = null, Action<string>? printFn = null)
    {
        string text = SummaryText(lineLength);
        if (printFn is not null) printFn(text);
        else { Console.Out.Write(text); Console.Out.Flush(); }
    }

    /// <summary>The text <see cref="Summary"/> prints.</summary>
    /// <remarks>Once training has built the optimizer, its variables count in the total, as in Keras.</remarks>
    public string SummaryText(int? lineLength = null) => ModelSummary.Render(this, lineLength, Optimizer?.VariableCount);

    /// <summary>
    /// Configures training, as Keras' <c>compile</c>. Each argument takes an object or a Keras name:
    /// <c>Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// </summary>
    /// <param name="optimizer">Defaults to RMSprop with Keras' defaults, as in Keras.</param>
    /// <param name="loss">The loss to minimise; required before <see cref="Fit"/>.</param>
    /// <param name="metrics">Metrics reported during training and evaluation.</param>
    /// <param name="runEagerly">
    /// False (Keras' default): the first training step for each batch size is recorded and replayed, like a traced
    /// <c>tf.function</c>, so steps allocate nothing. True: every step runs <see cref="Call(Tensor, bool)"/> afresh — for models
    /// whose graph changes from batch to batch, and for debugging.
    /// </param>
    public void Compile(Optimizer? optimizer = null, Loss? loss = null, Metric[]? metrics = null, bool runEagerly = false)
    {
        Optimizer = optimizer ?? new RMSprop();
        RunEagerly = runEagerly;
        Loss = loss;
        _metrics.Clear();
        if (metrics is not null)
            foreach (var metric in metrics)
            {
                ArgumentNullException.ThrowIfNull(metric, nameof(metrics));
                if (_metrics.Exists(m => m.Name == metric.Name))
                    throw new ArgumentException($"Two metrics are named '{metric.Name}'; metric names must be unique.", nameof(metrics));
                _metrics.Add(metric);
            }
    }

    /// <summary>Creates the weights for inputs of per-sample shape <paramref name="inputShape"/> (no batch axis), e.g. <c>Build(784)</c>.</summary>
    public void Build(params int[] inputShape)
    {
        var shape = new Shape(inputShape);
        if (Built)
        {
            if (InputShape != shape) throw IncompatibleInput(shape, $"(None, {string.Join(", ", inputShape)})");
            return;
        }
        if (Layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers; add some before building it.");
        OutputShape = BuildLayers(shape);
        InputShape = shape;
    }

    /// <summary>Builds every layer in turn and returns the per-sample output shape (a functional model is built from the start).</summary>
    private protected virtual Shape BuildLayers(Shape inputShape) => OutputShape!.Value;

    /// <summary>Runs the layers on a batch, for a model with one input and one output.</summary>
    /// <param name="inputs">A batch whose first axis is the batch axis.</param>
    /// <param name="training">True in <see cref="Fit"/>.</param>
    public virtual Tensor Call(Tensor inputs, bool training = false)
    {
        var graph = RequireGraph();
        if (graph.Inputs.Count != 1 || graph.Outputs.Count != 1)
            throw new InvalidOperationException($"Model '{Name}' has {graph.Inputs.Count} input(s) and {graph.Outputs.Count} output(s); call it with a list of inputs.");
        return graph.Run([inputs], training)[0];
    }

    /// <summary>Runs the model on one batch per input; returns one batch per output.</summary>
    public virtual IReadOnlyList<Tensor> Call(IReadOnlyList<Tensor> inputs, bool training = false) => RequireGraph().Run(inputs, training);

    private FunctionalGraph RequireGraph() => Graph ?? throw new InvalidOperationException($"Model '{Name}' has not been built yet: call Build(inputShape) or Fit first.");

    /// <summary>Builds from the per-sample shape of <paramref name="x"/> when not built yet, otherwise checks that shape.</summary>
    internal void EnsureBuiltFor(NDArray x, string argument)
    {
        if (x.Rank < 2)
            throw new ArgumentException($"{argument} must have a batch axis and at least one feature axis, got shape {x.Shape}.", argument);
        var perSample = new Shape(x.Shape.ToArray()[1..]);
        if (!Built) Build(perSample.ToArray());
        else if (InputShape != perSample) throw IncompatibleInput(perSample, x.Shape.ToString());
    }

    /// <summary>Throws unless <paramref name="x"/> fits the built model.</summary>
    internal void RequireBuiltFor(NDArray x, string argument)
    {
        if (!Built)
            throw new InvalidOperationException($"Model '{Name}' has not been built yet, so it has no weights to predict with. Call Fit(...) or Build(inputShape) first.");
        if (x.Rank < 2) throw new ArgumentException($"{argument} must have a batch axis and at least one feature axis, got shape {x.Shape}.", argument);
        var perSample = new Shape(x.Shape.ToArray()[1..]);
        if (InputShape != perSample) throw IncompatibleInput(perSample, x.Shape.ToString());
    }

    private ArgumentException IncompatibleInput(Shape perSample, string got)
    {
        var first = Layers[0];
        var expected = InputShape!.Value;
        if (first is Dense && expected.Rank == perSample.Rank)
            return new ArgumentException($"Dense '{first.Name}' expected input with last dimension {expected[^1]}, got {got}.");
        return new ArgumentException($"Model '{Name}' (first layer {first.GetType().Name} '{first.Name}') expected input of shape (None, {string.Join(", ", expected)}), got {got}.");
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over the data, as Keras' <c>fit</c>: batches of
    /// <paramref name="batchSize"/> (the last partial batch kept), reshuffled every epoch, with a progress bar.
    /// </summary>
    /// <param name="x">Inputs, first axis = samples (any element type; converted to float32 per batch).</param>
    /// <param name="y">Targets, one per sample (integer labels for sparse categorical cross-entropy).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per gradient step.</param>
    /// <param name="shuffle">Reshuffle the training samples before every epoch.</param>
    /// <param name="validationSplit">Fraction of the samples, taken from the end before shuffling, held out for validation.</param>
    /// <param name="validationData">Data evaluated at the end of every epoch (overrides <paramref name="validationSplit"/>).</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <returns>The per-epoch logs.</returns>
    /// <param name="callbacks">Called at the start and end of training, of every epoch and of every batch (see <see cref="Callback"/>).</param>
    public History Fit(NDArray x, NDArray y, int epochs = 1, int batchSize = 32, bool shuffle = true,
        double validationSplit = 0.0, (NDArray X, NDArray Y)? validationData = null, int verbose = 1,
        IEnumerable<Callback>? callbacks = null) =>
        new Trainer(this).Fit(x, y, epochs, batchSize, shuffle, validationSplit, validationData, verbose, callbacks);

    /// <summary>The loss and metrics over <paramref name="x"/>, <paramref name="y"/>, in batches (Keras' <c>evaluate</c>).</summary>
    public EvaluationResult Evaluate(NDArray x, NDArray y, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null) =>
        new Trainer(this).Evaluate(x, y, batchSize, verbose, callbacks);

    /// <summary>The model's outputs for <paramref name="x"/>, computed in batches (Keras' <c>predict</c>).</summary>
    public NDArray<float> Predict(NDArray x, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null) =>
        new Trainer(this).Predict(x, batchSize, verbose, callbacks);

    /// <summary>
    /// Set by a callback (or any code during training) to end <see cref="Fit"/> after the current batch (Keras'
    /// <c>model.stop_training</c>): as in Keras the epoch still ends normally (validation, <c>OnEpochEnd</c>), then
    /// <c>OnTrainEnd</c>. <see cref="Fit"/> clears it just before <c>OnTrainBegin</c>, so setting it there still lets one
    /// batch run.
    /// </summary>
    public bool StopTraining { get; set; }

    /// <summary>Copies of every weight's values, in <see cref="Weights"/> order (Keras' <c>get_weights</c>).</summary>
    public IReadOnlyList<NDArray<float>> GetWeights() => Weights.Select(w => w.Value.ToNDArray()).ToList();

    /// <summary>Sets every weight from <paramref name="values"/>, in <see cref="Weights"/> order (Keras' <c>set_weights</c>).</summary>
    public void SetWeights(IReadOnlyList<NDArray<float>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var weights = Weights;
        if (values.Count != weights.Count)
            throw new ArgumentException($"You called SetWeights with a list of length {values.Count}, but model '{Name}' has {weights.Count} weights.", nameof(values));
        for (int i = 0; i < weights.Count; i++)
            if (values[i].Shape != weights[i].Shape)
                throw new ArgumentException($"Weight {i} ('{weights[i].Name}') has shape {weights[i].Shape}; the value given has shape {values[i].Shape}.", nameof(values));
        for (int i = 0; i < weights.Count; i++) values[i].CopyTo(weights[i].Value.Values);
    }
}
