using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Metrics;
using Dendrite.Optimizers;
using Dendrite.Saving;
using Dendrite.Training;

namespace Dendrite;

/// <summary>
/// A trainable stack of layers with Keras' workflow: <see cref="Compile"/>, <see cref="Fit"/>,
/// <see cref="Evaluate"/>, <see cref="Predict"/>. The concrete kind is <see cref="Sequential"/>.
/// </summary>
public abstract class Model
{
    private readonly List<Metric> _metrics = [];

    /// <summary>Creates a model; without a name it gets Keras' automatic one.</summary>
    protected Model(string? name, string defaultPrefix)
    {
        Name = name ?? LayerNames.Unique(defaultPrefix);
    }

    /// <summary>The model's name (<c>sequential</c>, <c>sequential_1</c>, …).</summary>
    public string Name { get; }

    /// <summary>The layers, in order.</summary>
    public abstract IReadOnlyList<Layer> Layers { get; }

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
    /// <param name="lineLength">Total width of the table; Keras' 88 by default.</param>
    /// <param name="printFn">Receives the text (one string, lines separated by '\n'); the console by default.</param>
    public void Summary(int? lineLength = null, Action<string>? printFn = null)
    {
        string text = SummaryText(lineLength ?? ModelSummary.DefaultLineLength);
        if (printFn is not null) printFn(text);
        else { Console.Out.Write(text); Console.Out.Flush(); }
    }

    /// <summary>The text <see cref="Summary"/> prints.</summary>
    public string SummaryText(int lineLength = ModelSummary.DefaultLineLength) => ModelSummary.Render(this, lineLength, optimizerParams: null);

    /// <summary>
    /// Configures training, as Keras' <c>compile</c>. Each argument takes an object or a Keras name:
    /// <c>Compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// </summary>
    /// <param name="optimizer">Defaults to RMSprop with Keras' defaults, as in Keras.</param>
    /// <param name="loss">The loss to minimise; required before <see cref="Fit"/>.</param>
    /// <param name="metrics">Metrics reported during training and evaluation.</param>
    /// <param name="runEagerly">
    /// False (Keras' default): the first training step for each batch size is recorded and replayed, like a traced
    /// <c>tf.function</c>, so steps allocate nothing. True: every step runs <see cref="Call"/> afresh — for models
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

    /// <summary>Builds every layer in turn and returns the per-sample output shape.</summary>
    private protected abstract Shape BuildLayers(Shape inputShape);

    /// <summary>Runs the layers on a batch.</summary>
    /// <param name="inputs">A batch whose first axis is the batch axis.</param>
    /// <param name="training">True in <see cref="Fit"/>.</param>
    public abstract Tensor Call(Tensor inputs, bool training = false);

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
    public History Fit(NDArray x, NDArray y, int epochs = 1, int batchSize = 32, bool shuffle = true,
        double validationSplit = 0.0, (NDArray X, NDArray Y)? validationData = null, int verbose = 1) =>
        new Trainer(this).Fit(x, y, epochs, batchSize, shuffle, validationSplit, validationData, verbose);

    /// <summary>The loss and metrics over <paramref name="x"/>, <paramref name="y"/>, in batches (Keras' <c>evaluate</c>).</summary>
    public EvaluationResult Evaluate(NDArray x, NDArray y, int batchSize = 32, int verbose = 1) =>
        new Trainer(this).Evaluate(x, y, batchSize, verbose);

    /// <summary>The model's outputs for <paramref name="x"/>, computed in batches (Keras' <c>predict</c>).</summary>
    public NDArray<float> Predict(NDArray x, int batchSize = 32, int verbose = 1) =>
        new Trainer(this).Predict(x, batchSize, verbose);

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
    /// <exception cref="ArgumentException">Another suffix (legacy <c>.h5</c> files are not supported).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    /// <exception cref="WeightsFileException">The file is not a readable weights file, or does not fit the model.</exception>
    public void LoadWeights(string path) => WeightsFile.Load(this, path);
}
