using Dendrite.Autodiff;
using Dendrite.Callbacks;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Training;

namespace Dendrite;

/// <summary>
/// A trainable graph of layers with Keras' workflow: <c>Compile</c>, <c>Fit</c>,
/// <c>Evaluate</c>, <c>Predict</c>. Made from symbolic inputs and outputs (the functional API:
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

    /// <summary>
    /// The layers, in Keras' order (Keras' <c>model.layers</c>): a Sequential model's as added; a functional model's by
    /// decreasing depth from the outputs, ties in the order a walk from the outputs first meets them, as Keras'
    /// <c>map_graph</c> orders them. Weights, files and summaries follow this order.
    /// </summary>
    public virtual IReadOnlyList<Layer> Layers => Graph?.Layers ?? [];

    /// <summary>The per-sample input shape the model was built for (no batch axis); null before it is built.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>The per-sample output shape; null before the model is built.</summary>
    public Shape? OutputShape { get; private set; }

    /// <summary>Each output's name; "output" for a model whose graph is not built yet (one output).</summary>
    internal string[] OutputNames => Outputs.Count == 0 ? ["output"] : [.. Outputs.Select(o => o.Name)];

    /// <summary>Each output's per-sample shape; <see cref="OutputShape"/> for a model whose graph is not built yet.</summary>
    internal Shape[] OutputShapes => Outputs.Count == 0 ? [OutputShape!.Value] : [.. Outputs.Select(o => o.Shape)];

    /// <summary>Whether the weights exist (after <see cref="Build"/>, or the first <c>Fit</c>).</summary>
    public bool Built => InputShape is not null;

    /// <summary>The optimizer given to <c>Compile</c>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <c>Compile</c> (the first one, for a model compiled with one loss per output).</summary>
    public Loss? Loss => CompiledLosses.Count > 0 ? CompiledLosses[0] : null;

    /// <summary>
    /// The metrics given to <c>Compile</c> in the order Keras logs them: the unweighted ones, then the weighted ones
    /// (each under the name it is logged as: <c>out_accuracy</c>, <c>weighted_accuracy</c>).
    /// </summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>Whether training steps run eagerly instead of replaying a recorded step (see <c>Compile</c>).</summary>
    public bool RunEagerly { get; private set; }

    /// <summary>Whether <c>Compile</c> has been called.</summary>
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
    /// <param name="loss">The loss to minimise; required before <c>Fit</c>.</param>
    /// <param name="metrics">Metrics reported during training and evaluation, unweighted (Keras 3's <c>metrics</c>).</param>
    /// <param name="runEagerly">
    /// False (Keras' default): the first training step for each batch size is recorded and replayed, like a traced
    /// <c>tf.function</c>, so steps allocate nothing. True: every step runs <see cref="Call(Tensor, bool)"/> afresh — for models
    /// whose graph changes from batch to batch, and for debugging.
    /// </param>
    /// <param name="weightedMetrics">
    /// Metrics that <c>Fit</c> and <c>Evaluate</c> weight by the sample weights (or by the class weights, turned into
    /// sample weights), Keras' <c>weighted_metrics</c>; logged after <paramref name="metrics"/>. A weighted metric whose
    /// name an unweighted one already has is logged as <c>weighted_&lt;name&gt;</c>, as Keras does.
    /// </param>
    public void Compile(Optimizer? optimizer = null, Loss? loss = null, Metric[]? metrics = null, bool runEagerly = false, Metric[]? weightedMetrics = null) =>
        Configure(optimizer, loss is null ? [] : [loss], null, metrics, null, weightedMetrics, null, runEagerly);

    /// <summary>
    /// Compiles a model with several outputs: one loss per output (or one for all), optional loss weights (the total
    /// loss is Σ weightᵢ·lossᵢ), and metrics per output, logged as <c>&lt;output name&gt;_&lt;metric&gt;</c>; each output's loss is
    /// logged as <c>&lt;output name&gt;_loss</c>, as in Keras. <paramref name="outputWeightedMetrics"/> are Keras'
    /// <c>weighted_metrics</c> per output: every output's are weighted by the same sample weights.
    /// </summary>
    /// <example><code>model.Compile("adam", losses: ["sparse_categorical_crossentropy", "mse"], outputMetrics: [["accuracy"], []], lossWeights: [1.0, 0.5]);</code></example>
    public void Compile(Optimizer? optimizer, IReadOnlyList<Loss> losses, IReadOnlyList<Metric[]>? outputMetrics = null,
        IReadOnlyList<double>? lossWeights = null, bool runEagerly = false, IReadOnlyList<Metric[]>? outputWeightedMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(losses);
        Configure(optimizer, losses, lossWeights, null, outputMetrics, null, outputWeightedMetrics, runEagerly);
    }

    private void Configure(Optimizer? optimizer, IReadOnlyList<Loss> losses, IReadOnlyList<double>? lossWeights, Metric[]? metrics,
        IReadOnlyList<Metric[]>? outputMetrics, Metric[]? weightedMetrics, IReadOnlyList<Metric[]>? outputWeightedMetrics, bool runEagerly)
    {
        foreach (var l in losses) ArgumentNullException.ThrowIfNull(l, nameof(losses));
        if (lossWeights is not null && lossWeights.Any(w => !double.IsFinite(w)))
            throw new ArgumentException("Loss weights must be finite numbers.", nameof(lossWeights));
        var unweighted = CompiledMetrics.Gather(this, metrics, outputMetrics, nameof(metrics), nameof(outputMetrics));
        var weighted = CompiledMetrics.Gather(this, weightedMetrics, outputWeightedMetrics, nameof(weightedMetrics), nameof(outputWeightedMetrics));
        var chosen = CompiledMetrics.Name(unweighted, weighted);
        Optimizer = optimizer ?? new RMSprop();
        RunEagerly = runEagerly;
        CompiledLosses = [.. losses];
        LossWeights = lossWeights is null ? null : [.. lossWeights];
        _metrics.Clear();
        _metrics.AddRange(chosen.Select(c => c.Metric));
        WeightedMetricStart = unweighted.Count;
        MetricOutputs = outputMetrics is null && outputWeightedMetrics is null ? [] : [.. chosen.Select(c => c.Output)];
    }

    /// <summary>Where the weighted metrics start in <see cref="Metrics"/> (they follow the unweighted ones, as Keras logs them).</summary>
    internal int WeightedMetricStart { get; private set; }

    /// <summary>The losses given to <see cref="Compile(Optimizer?, Loss?, Metric[], bool, Metric[])"/>: one, or one per output.</summary>
    internal IReadOnlyList<Loss> CompiledLosses { get; private set; } = [];

    /// <summary>The loss weights, or null for 1 each.</summary>
    internal IReadOnlyList<double>? LossWeights { get; private set; }

    /// <summary>For metrics compiled per output, the output each one watches (empty when compiled as one list).</summary>
    internal IReadOnlyList<int> MetricOutputs { get; private set; } = [];

    /// <summary>Creates the weights for inputs of per-sample shape <paramref name="inputShape"/> (no batch axis), e.g. <c>Build(784)</c>.</summary>
    public void Build(params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"Model '{Name}': Build needs the per-sample input shape (no batch axis) as positive dimensions, got inputShape=({string.Join(", ", inputShape)}{(inputShape.Length == 1 ? "," : "")}).", nameof(inputShape));
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
    /// <param name="training">True in <c>Fit</c>.</param>
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

    /// <summary>For a list of input arrays: builds a single-input model from the first, or checks each against its input.</summary>
    internal void EnsureBuiltFor(IReadOnlyList<NDArray> x, string argument)
    {
        if (x.Count == 1 && (Graph is null || Graph.Inputs.Count == 1)) EnsureBuiltFor(x[0], argument);
        else RequireBuiltFor(x, argument);
    }

    /// <summary>Throws unless every array of <paramref name="x"/> fits its input of the built model.</summary>
    internal void RequireBuiltFor(IReadOnlyList<NDArray> x, string argument)
    {
        if (x.Count == 1 && (Graph is null || Graph.Inputs.Count == 1)) { RequireBuiltFor(x[0], argument); return; }
        if (Graph is null)
            throw new InvalidOperationException($"Model '{Name}' has not been built yet. Call Fit(...) or Build(inputShape) first.");
        if (x.Count != Graph.Inputs.Count)
            throw new ArgumentException($"Model '{Name}' has {Graph.Inputs.Count} input(s) ({string.Join(", ", Graph.Inputs.Select(i => $"'{i.Name}' {KerasTensor.Format(i.Shape)}"))}); {argument} holds {x.Count} array(s).", argument);
        for (int i = 0; i < x.Count; i++)
        {
            var expected = Graph.Inputs[i].Shape;
            if (x[i].Rank < 1 || new Shape(x[i].Shape.ToArray()[1..]) != expected)
                throw new ArgumentException($"Input {i} ('{Graph.Inputs[i].Name}') of model '{Name}' expects shape {KerasTensor.Format(expected)}; {argument}[{i}] has shape {x[i].Shape}.", argument);
        }
    }

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
    /// <param name="validationData">Data evaluated at the end of every epoch (overrides <paramref name="validationSplit"/>): <c>(xVal, yVal)</c>, or <c>(xVal, yVal, weights)</c> to weight the validation loss (see <see cref="ValidationData"/>).</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <returns>The per-epoch logs.</returns>
    /// <param name="callbacks">Called at the start and end of training, of every epoch and of every batch (see <see cref="Callback"/>).</param>
    /// <param name="sampleWeight">One weight per sample, (N,), or per step, (N, steps), for sequence outputs (N, steps, …): each sample's (step's) loss is multiplied by it, and so are the compiled <c>weightedMetrics</c> (Keras' <c>sample_weight</c>; the compiled <c>metrics</c> stay unweighted, as in Keras 3).</param>
    /// <param name="classWeight">A weight per class, applied to each sample through its label (Keras' <c>class_weight</c>; single-output models): it weights the training loss and the <c>weightedMetrics</c>, not the validation.</param>
    /// <param name="initialEpoch">
    /// The epoch to start from (Keras' <c>initial_epoch</c>), for resuming a run: <paramref name="epochs"/> is then the
    /// number of the last epoch, not a count. After <see cref="Utils.SetRandomSeed"/>, <c>Fit(epochs: 5)</c> and
    /// <c>Fit(epochs: 2)</c>, save, load, <c>Fit(epochs: 5, initialEpoch: 2)</c> train on the same batches.
    /// </param>
    public History Fit(NDArray x, NDArray y, int epochs = 1, int batchSize = 32, bool shuffle = true,
        double validationSplit = 0.0, ValidationData? validationData = null, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, NDArray? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0) =>
        new Trainer(this).Fit([x], [y], epochs, batchSize, shuffle, validationSplit, validationData, verbose, callbacks, sampleWeight, classWeight, initialEpoch);

    /// <summary>
    /// <c>Fit(x, y, …)</c>
    /// for a model with several inputs and/or outputs: one array per input, in the order of <see cref="Inputs"/>,
    /// and one target array per output.
    /// </summary>
    public History Fit(NDArray[] x, NDArray[] y, int epochs = 1, int batchSize = 32, bool shuffle = true,
        double validationSplit = 0.0, ValidationData? validationData = null, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, NDArray? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0) =>
        new Trainer(this).Fit(x, y, epochs, batchSize, shuffle, validationSplit, validationData, verbose, callbacks, sampleWeight, classWeight, initialEpoch);

    /// <summary>The loss and metrics over <paramref name="x"/>, <paramref name="y"/>, in batches (Keras' <c>evaluate</c>).</summary>
    /// <param name="x">Inputs, first axis = samples.</param>
    /// <param name="y">Targets, one per sample.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line.</param>
    /// <param name="callbacks">Called around the evaluation and every batch (<c>OnTest…</c> hooks).</param>
    /// <param name="sampleWeight">One weight per sample, (N,), or per step, (N, steps), for sequence outputs: the loss is Σ wᵣ·lossᵣ / N (Keras' <c>sample_weight</c>) and the <c>weightedMetrics</c> are weighted; the other metrics stay unweighted.</param>
    public EvaluationResult Evaluate(NDArray x, NDArray y, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null, NDArray? sampleWeight = null) =>
        new Trainer(this).Evaluate([x], [y], batchSize, verbose, callbacks, sampleWeight);

    /// <summary>Evaluates a model with several inputs and/or outputs: one array per input and one target array per output.</summary>
    public EvaluationResult Evaluate(NDArray[] x, NDArray[] y, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null, NDArray? sampleWeight = null) =>
        new Trainer(this).Evaluate(x, y, batchSize, verbose, callbacks, sampleWeight);

    /// <summary>The model's outputs for <paramref name="x"/>, computed in batches (Keras' <c>predict</c>).</summary>
    public NDArray<float> Predict(NDArray x, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null)
    {
        var outputs = new Trainer(this).Predict([x], batchSize, verbose, callbacks);
        return outputs.Length == 1 ? outputs[0]
            : throw new InvalidOperationException($"Model '{Name}' has {outputs.Length} outputs; use Predict(NDArray[]), which returns one array per output.");
    }

    /// <summary>The outputs of a model with several inputs and/or outputs: one array per output.</summary>
    public NDArray<float>[] Predict(NDArray[] x, int batchSize = 32, int verbose = 1, IEnumerable<Callback>? callbacks = null) =>
        new Trainer(this).Predict(x, batchSize, verbose, callbacks);

    /// <summary>
    /// Set by a callback (or any code during training) to end <c>Fit</c> after the current batch (Keras'
    /// <c>model.stop_training</c>): as in Keras the epoch still ends normally (validation, <c>OnEpochEnd</c>), then
    /// <c>OnTrainEnd</c>. <c>Fit</c> clears it just before <c>OnTrainBegin</c>, so setting it there still lets one
    /// batch run.
    /// </summary>
    public bool StopTraining { get; set; }

    // The thread running Fit on this model (0: none). Inference from other threads meanwhile would read weights in
    // the middle of an update, so it is refused; the training thread itself (callbacks) may predict.
    private int _fitThread;

    /// <summary>Serialises Evaluate calls: the compiled metrics are the model's own, stateful objects.</summary>
    internal object MetricLock { get; } = new();

    /// <summary>Marks the model as being trained by the calling thread until disposed; refuses a second trainer.</summary>
    internal IDisposable EnterFit()
    {
        int me = Environment.CurrentManagedThreadId;
        int other = Interlocked.CompareExchange(ref _fitThread, me, 0);
        if (other != 0 && other != me)
            throw new InvalidOperationException($"Model '{Name}' is already being trained by Fit on another thread; train a model on one thread at a time.");
        return new FitScope(this, owner: other == 0);
    }

    /// <summary>Throws when another thread is training the model (Predict and Evaluate would read half-updated weights).</summary>
    internal void RefuseWhileTrainingElsewhere(string operation)
    {
        int trainer = Volatile.Read(ref _fitThread);
        if (trainer != 0 && trainer != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException($"{operation} was called on model '{Name}' while another thread is training it with Fit; its weights change at every step. Wait for Fit to return, or predict with a copy of the model (Save and Load it).");
    }

    private sealed class FitScope(Model model, bool owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner) Volatile.Write(ref model._fitThread, 0);
        }
    }

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
            if (values[i] is null)
                throw new ArgumentNullException(nameof(values), $"SetWeights: value {i} (for weight '{weights[i].Name}' of shape {weights[i].Shape}) is null.");
            else if (values[i].Shape != weights[i].Shape)
                throw new ArgumentException($"Weight {i} ('{weights[i].Name}') has shape {weights[i].Shape}; the value given has shape {values[i].Shape}.", nameof(values));
        for (int i = 0; i < weights.Count; i++) values[i].CopyTo(weights[i].Value.Values);
    }

    /// <summary>
    /// Saves the weights in Keras 3's <c>.weights.h5</c> format (Keras' <c>save_weights</c>), which Keras loads with
    /// <c>model.load_weights</c> into the same architecture: each layer under <c>layers/&lt;key&gt;/vars/0, 1, …</c>
    /// (the key is the snake-cased class name numbered in layer order: <c>conv2d</c>, <c>conv2d_1</c>, <c>dense</c>),
    /// trainable variables first, as float32; and, when the model is compiled, the optimizer's iteration count,
    /// learning rate and per-variable state under <c>optimizer/vars</c>.
    /// </summary>
    /// <remarks>
    /// The file is written to a temporary file in the same folder and then renamed over <paramref name="path"/>, so an
    /// interrupted save never leaves a half-written file. The state of an optimizer that does not expose it to the
    /// saver is left out (RMSprop and SGD expose theirs).
    /// </remarks>
    /// <param name="path">The file to write; it must end in <c>.weights.h5</c>, as Keras requires.</param>
    /// <param name="overwrite">Whether an existing file is replaced; when false it is an <see cref="IOException"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> does not end in <c>.weights.h5</c>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet, so it has no weights.</exception>
    public void SaveWeights(string path, bool overwrite = true) => WeightsFile.Save(this, path, overwrite);

    /// <summary>
    /// Loads weights saved by Keras 3 or by <see cref="SaveWeights"/> (Keras' <c>load_weights</c>): a
    /// <c>.weights.h5</c> file, or the <c>model.weights.h5</c> inside a <c>.keras</c> archive. Layers are matched
    /// as Keras matches them, by position and class (the n-th <c>Dense</c> is <c>layers/dense_n</c>), not by name,
    /// so the model must have the architecture the file was saved from.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The model must be built (started with an <see cref="InputLayer"/>, or <see cref="Build"/> called) so that its
    /// variables exist. The whole file is checked before any weight changes: a missing layer group, a different number
    /// of variables or a different shape throws <see cref="WeightsFileException"/> naming the layer, the variable,
    /// both shapes and the file, and leaves the model as it was.
    /// </para>
    /// <para>
    /// When the model is compiled and its optimizer already built (it has taken a training step), the optimizer's
    /// iteration count, learning rate and state are restored too. As in Keras, an optimizer whose number of variables
    /// differs from the file's (not built yet, another kind) is skipped with a warning on standard error.
    /// </para>
    /// </remarks>
    /// <param name="path">A <c>.weights.h5</c> or <c>.keras</c> file.</param>
    /// <exception cref="ArgumentException">A suffix other than <c>.weights.h5</c>, <c>.keras</c>, <c>.h5</c> or <c>.hdf5</c>.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    /// <exception cref="WeightsFileException">The file is not a readable weights file, or does not fit the model.</exception>
    public void LoadWeights(string path) => WeightsFile.Load(this, path);

    /// <summary>
    /// Saves the whole model in Keras 3's native <c>.keras</c> format (Keras' <c>model.save</c>): architecture,
    /// weights, the compile settings (optimizer with its hyper-parameters, losses, metrics, loss weights) and the
    /// optimizer's state, so that <see cref="Load"/> — in Dendrite or in Python Keras — gives back a model that predicts
    /// the same and whose training goes on as if it had never stopped.
    /// </summary>
    /// <remarks>
    /// The file is an uncompressed zip of <c>metadata.json</c>, <c>config.json</c> and <c>model.weights.h5</c> in
    /// Keras 3.12's schema. It is written to a temporary file in the same folder and renamed over
    /// <paramref name="path"/>, so an interrupted save never leaves a half-written file. A loss given as a C# function is
    /// saved by its name; pass the function to <see cref="Load"/> in <c>customObjects</c> under that name.
    /// </remarks>
    /// <param name="path">The file to write; it must end in <c>.keras</c>, as Keras requires.</param>
    /// <param name="overwrite">Whether an existing file is replaced; when false it is an <see cref="IOException"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> does not end in <c>.keras</c>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    public void Save(string path, bool overwrite = true) => ModelFile.Save(this, path, overwrite);

    /// <summary>
    /// Loads a whole model (Keras' <c>keras.models.load_model</c>): a <c>.keras</c> archive from Keras 3.0–3.15, tf.keras
    /// 2.13–2.15 or Dendrite, or a legacy <c>.h5</c> model from tf.keras 2.x or Keras 3. The format is told from the
    /// content, not the name. The result is a <see cref="Sequential"/> when the file holds one, otherwise a functional
    /// <see cref="Model"/>, with its weights, and — unless <paramref name="compile"/> is false — compiled as it was
    /// saved, with its optimizer's state restored.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="compile">Whether to compile the model from its saved compile settings (Keras' <c>compile</c>).</param>
    /// <param name="customObjects">
    /// Custom classes and objects by the name the file uses (Keras' <c>custom_objects</c>): a custom layer's
    /// <see cref="Type"/>, a loss or metric instance, or a loss function <c>Func&lt;Tensor, Tensor, Tensor&gt;</c>.
    /// Classes marked <see cref="KerasSerializableAttribute"/> or registered with <see cref="KerasRegistry"/> are found
    /// without it.
    /// </param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">
    /// The file is not a readable model, or describes something Dendrite cannot build faithfully (an unknown layer,
    /// activation or setting); the message names the file, the object, the key and the value.
    /// </exception>
    public static Model Load(string path, bool compile = true, IReadOnlyDictionary<string, object>? customObjects = null) =>
        ModelFile.Load(path, compile, customObjects);

    /// <summary>
    /// Exports the model for inference (Keras 3's <c>model.export(path, format="onnx")</c>): an ONNX model (opset 17,
    /// IR version 8) that ONNX Runtime and other ONNX tools can run without Dendrite. Its inputs and outputs carry the
    /// model's input and output names, in Keras' channels-last layout, float32, with a dynamic batch axis named
    /// <c>batch</c>; the weights are stored in the file. Dropout is the identity and BatchNormalization uses its moving
    /// statistics, as in <c>Predict</c>.
    /// </summary>
    /// <remarks>
    /// Every built-in layer and activation converts. The file is written to a temporary file in the same folder and then
    /// renamed over <paramref name="path"/>, so an interrupted export never leaves a half-written file.
    /// </remarks>
    /// <example><code>model.Export("mnist.onnx", format: "onnx");</code></example>
    /// <param name="path">The file to write, e.g. <c>model.onnx</c>; an existing file is replaced.</param>
    /// <param name="format">The export format; only <c>"onnx"</c> is supported.</param>
    /// <exception cref="ArgumentException"><paramref name="format"/> is not <c>"onnx"</c>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet, so it has no weights.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX conversion (for example a custom layer); the message names it.</exception>
    public void Export(string path, string format = "onnx") => Saving.Onnx.OnnxExporter.Export(this, path, format);
}
