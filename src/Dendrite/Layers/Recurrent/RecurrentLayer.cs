using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Kernels;
using Dendrite.Saving;

namespace Dendrite.Layers;

/// <summary>
/// What <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> share (Keras' <c>RNN</c> layer around their
/// cells): inputs of shape (batch, time, features); the output of the last step (units), or of every step
/// (time, units) with <see cref="ReturnSequences"/>; the final states as extra outputs with <see cref="ReturnState"/>
/// (use <see cref="Layer.CallAll(KerasTensor[])"/>); optional initial states as extra inputs
/// (<c>layer.Call(x, h0, c0)</c>, Keras' <c>initial_state</c>); input masks honoured as in Keras (a masked step
/// keeps the previous states and output); dropout on the inputs and on the recurrent state during training.
/// </summary>
/// <remarks>
/// <para>
/// A call runs as one fused op: per step one matrix product over the stacked operands [x_t, h_prev, 1] and one fused
/// gate kernel, the batch's rows split over the cores for the whole step loop, and a hand-written backward pass
/// through time that accumulates the weight gradients step by step. <c>unroll</c> is accepted for Keras
/// compatibility and ignored: the loop is always the fused one, which computes the same values. <c>stateful</c> is
/// refused (states do not carry over between batches). Keras' weights live in the layer's <c>cell</c>; Dendrite keeps
/// them on the layer (<c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>) and saves them where Keras does
/// (<c>layers/lstm/cell/vars</c>), so files move both ways.
/// </para>
/// <para>
/// Masks follow Keras' <c>backend.rnn</c> (the JAX and NumPy backends): a masked step keeps the states, and its output
/// is the previous h (zeros with <see cref="ZeroOutputForMask"/>). Keras' TensorFlow backend differs in one corner:
/// when the first steps are masked and the initial state is not zero, it outputs zeros there instead of the initial h.
/// </para>
/// <para>
/// Dropout, in training only: one mask over the input features and one over the recurrent state, drawn once per call
/// and used at every step. With <c>recurrent_dropout</c> Keras 3 switches its cells to "implementation 1", which draws
/// a separate mask per gate; Dendrite keeps one mask shared by the gates (tf.keras' implementation 2), so that every
/// step stays one product. The regularisation is of the same kind; the random draws cannot match Keras' anyway.
/// </para>
/// </remarks>
public abstract partial class RecurrentLayer : Layer
{
    private Variable? _kernel, _recurrentKernel, _bias;
    private readonly RandomGenerator _random;

    private protected RecurrentLayer(int units, ActivationFunction? activation, ActivationFunction? recurrentActivation, bool useBias,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        double dropout, double recurrentDropout, int? seed, bool returnSequences, bool returnState, bool goBackwards,
        bool stateful, bool unroll, bool zeroOutputForMask, string? name) : base(name)
    {
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), $"Received an invalid value for argument `units`, expected a positive integer, got {units}.");
        if (stateful)
            throw new NotSupportedException($"{GetType().Name}: stateful=True is not supported. Dendrite's recurrent layers start every batch from zeros (or from the initial states passed to the call); pass the last states of one batch as the initial states of the next (returnState: true) to carry them over.");
        if (!double.IsFinite(dropout) || !double.IsFinite(recurrentDropout))
            throw new ArgumentOutOfRangeException(nameof(dropout), FormattableString.Invariant($"{GetType().Name}: dropout rates must be numbers in [0, 1], got dropout={dropout}, recurrent_dropout={recurrentDropout}."));
        Units = units;
        Activation = activation ?? ActivationFunction.Linear;
        RecurrentActivation = recurrentActivation ?? ActivationFunction.Linear;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        RecurrentInitializer = recurrentInitializer ?? new Orthogonal();
        BiasInitializer = biasInitializer ?? new Zeros();
        // Keras clamps the rates into [0, 1].
        Dropout = Math.Clamp(dropout, 0.0, 1.0);
        RecurrentDropout = Math.Clamp(recurrentDropout, 0.0, 1.0);
        Seed = seed;
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
        Unroll = unroll;
        ZeroOutputForMask = zeroOutputForMask;
        GateActivationOf(Activation, "activation");
        GateActivationOf(RecurrentActivation, "recurrent_activation");
        // Drawn when the layer is made, like Keras' SeedGenerator, so that one global seed fixes every mask.
        _random = seed is int s ? new RandomGenerator((ulong)(uint)s) : GlobalRandom.Fork();
    }

    /// <summary>Size of the output and of each state.</summary>
    public int Units { get; }

    /// <summary>The activation of the candidate (and, for the LSTM, of the cell state on its way out).</summary>
    public ActivationFunction Activation { get; }

    /// <summary>The activation of the gates (Keras' <c>recurrent_activation</c>); SimpleRNN has none.</summary>
    public ActivationFunction RecurrentActivation { get; }

    /// <summary>Whether the layer adds a bias.</summary>
    public bool UseBias { get; }

    /// <summary>How the kernel starts; Keras' default <c>glorot_uniform</c>.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>How the recurrent kernel starts; Keras' default <c>orthogonal</c>.</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>How the bias starts; Keras' default <c>zeros</c>.</summary>
    public Initializer BiasInitializer { get; }

    private Constraints.Constraint? _kernelConstraint, _recurrentConstraint, _biasConstraint;

    /// <summary>Projection of the kernel after each optimizer update (Keras' <c>kernel_constraint</c>); set before the layer is built.</summary>
    public Constraints.Constraint? KernelConstraint { get => _kernelConstraint; init => _kernelConstraint = value; }

    /// <summary>Projection of the recurrent kernel after each optimizer update (Keras' <c>recurrent_constraint</c>).</summary>
    public Constraints.Constraint? RecurrentConstraint { get => _recurrentConstraint; init => _recurrentConstraint = value; }

    /// <summary>Projection of the bias after each optimizer update (Keras' <c>bias_constraint</c>).</summary>
    public Constraints.Constraint? BiasConstraint { get => _biasConstraint; init => _biasConstraint = value; }

    /// <summary>Sets the three constraints read from a config.</summary>
    private protected T WithConstraints<T>(Constraints.Constraint? kernel, Constraints.Constraint? recurrent, Constraints.Constraint? bias) where T : RecurrentLayer
    {
        (_kernelConstraint, _recurrentConstraint, _biasConstraint) = (kernel, recurrent, bias);
        return (T)this;
    }

    /// <summary>Fraction of the input features dropped in training (one mask per sequence, the same at every step).</summary>
    public double Dropout { get; }

    /// <summary>Fraction of the recurrent state dropped in training, before its product with the recurrent kernel (one mask per sequence).</summary>
    public double RecurrentDropout { get; }

    /// <summary>The seed of the dropout masks, if given.</summary>
    public int? Seed { get; }

    /// <summary>Whether the output is every step's (batch, time, units) instead of the last step's (batch, units).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the final states are returned after the output (the layer then has several outputs).</summary>
    public bool ReturnState { get; }

    /// <summary>Whether the sequence is processed from its end; a returned sequence is then in processing (reversed) order, as in Keras.</summary>
    public bool GoBackwards { get; }

    /// <summary>Always false: see the class remarks.</summary>
    public bool Stateful => false;

    /// <summary>Keras' <c>unroll</c>, kept for the config; it does not change how Dendrite computes.</summary>
    public bool Unroll { get; }

    /// <summary>Whether masked steps output zeros instead of the previous output (only matters with <see cref="ReturnSequences"/> and a mask).</summary>
    public bool ZeroOutputForMask { get; internal set; }

    /// <summary>The (input_dim, k·units) kernel; null until built.</summary>
    public Variable? Kernel => _kernel;

    /// <summary>The (units, k·units) recurrent kernel; null until built.</summary>
    public Variable? RecurrentKernel => _recurrentKernel;

    /// <summary>The bias; null until built or without bias.</summary>
    public Variable? Bias => _bias;

    /// <summary>How many states the cell carries: 2 for the LSTM (h, c), else 1.</summary>
    public int StateCount => Cell == RecurrentCell.Lstm ? 2 : 1;

    private protected abstract RecurrentCell Cell { get; }

    /// <summary>The cell's gate blocks of <see cref="Units"/> columns in the kernels.</summary>
    private protected int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    /// <summary>Keras' name of the cell (<c>lstm_cell</c>), written on its weights group.</summary>
    private protected abstract string CellName { get; }

    /// <summary>The bias shape: (k·units,), or the reset-after GRU's (2, 3·units).</summary>
    private protected virtual Shape BiasShape => new(Gates * Units);

    /// <summary>The bias's starting values (the LSTM's unit forget bias overrides this).</summary>
    private protected virtual float[] InitialBias() => BiasInitializer.Generate(BiasShape);

    private protected virtual bool GruResetAfter => false;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int OutputCount => ReturnState ? 1 + StateCount : 1;

    internal override string? TrailingInputsKeyword => "initial_state";

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank != 2 || inputShape[1] < 1)
            throw new ArgumentException($"{GetType().Name} '{Name}' expects inputs of shape (batch, time, features), got per-sample shape {inputShape}.");
        int width = Gates * Units;
        _kernel = AddWeight("kernel", new Shape(inputShape[1], width), KernelInitializer, constraint: KernelConstraint);
        _recurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, width), RecurrentInitializer, constraint: RecurrentConstraint);
        if (UseBias) _bias = AddWeight("bias", BiasShape, new GivenValues(InitialBias()), constraint: BiasConstraint);
    }

    /// <inheritdoc/>
    protected override void Build(IReadOnlyList<Shape> inputShapes)
    {
        CheckStateShapes(inputShapes);
        Build(inputShapes[0]);
    }

    private void CheckStateShapes(IReadOnlyList<Shape> inputShapes)
    {
        if (inputShapes.Count != 1 + StateCount)
            throw new ArgumentException($"{GetType().Name} '{Name}' takes the sequence and {StateCount} initial state(s) ({(StateCount == 2 ? "h and c" : "h")}), got {inputShapes.Count} input(s).");
        for (int i = 1; i < inputShapes.Count; i++)
            if (inputShapes[i] != new Shape(Units))
                throw new ArgumentException($"{GetType().Name} '{Name}': initial state {i - 1} should have per-sample shape ({Units},), got {inputShapes[i]}.");
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 2)
            throw new ArgumentException($"{GetType().Name} '{Name}' expects inputs of shape (batch, time, features), got per-sample shape {inputShape}.");
        return ReturnSequences ? new Shape(inputShape[0], Units) : new Shape(Units);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count > 1) CheckStateShapes(inputShapes);
        return ComputeOutputShape(inputShapes[0]);
    }

    /// <inheritdoc/>
    public override Shape[] ComputeOutputShapes(IReadOnlyList<Shape> inputShapes)
    {
        var output = ComputeOutputShape(inputShapes);
        return ReturnState ? [output, .. Enumerable.Repeat(new Shape(Units), StateCount)] : [output];
    }

    /// <inheritdoc/>
    /// <remarks>As in Keras, the output keeps the input's mask when it is a sequence, and has none otherwise.</remarks>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

    /// <inheritdoc/>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        return ReturnSequences ? masks[0] : null;
    }

    /// <summary>The output for a batch of sequences, from zero initial states (with <see cref="ReturnState"/>, the states are dropped: use <see cref="CallAll"/>).</summary>
    public override Tensor Call(Tensor inputs, bool training = false) => Run(inputs, null, training, returnStates: false).Output;

    /// <summary>The output for a batch of sequences from the given initial states (Keras' <c>initial_state</c>): h, and c for the LSTM, each (batch, units).</summary>
    public Tensor Call(Tensor inputs, IReadOnlyList<Tensor>? initialState, bool training = false) => Run(inputs, initialState, training, returnStates: false).Output;

    /// <summary>The output for <c>[sequence, initial states…]</c> (the form models call it in).</summary>
    public override Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Run(inputs[0], inputs.Count > 1 ? inputs.Skip(1).ToArray() : null, training, returnStates: false).Output;
    }

    /// <summary>The output, then (with <see cref="ReturnState"/>) the final states, for <c>[sequence, initial states…]</c>.</summary>
    public override Tensor[] CallAll(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (output, states) = Run(inputs[0], inputs.Count > 1 ? inputs.Skip(1).ToArray() : null, training, ReturnState);
        return [output, .. states];
    }

    /// <summary>Runs the fused op on one batch; the mask comes from the sequence (<see cref="Tensor.Mask"/>).</summary>
    internal (Tensor Output, Tensor[] States) Run(Tensor inputs, IReadOnlyList<Tensor>? initialState, bool training, bool returnStates, bool flipOutput = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_kernel is null || _recurrentKernel is null) throw new InvalidOperationException($"{GetType().Name} '{Name}' is not built yet.");
        if (inputs.Shape.Rank != 3 || inputs.Shape[2] != _kernel.Shape[0])
            throw new ArgumentException($"{GetType().Name} '{Name}' expected inputs of shape (batch, time, {_kernel.Shape[0]}), got {inputs.Shape}.");
        // Keras applies a dropout rate only strictly between 0 and 1.
        bool drop = Dropout is > 0 and < 1, dropRecurrent = RecurrentDropout is > 0 and < 1;
        var settings = new RecurrentSettings(Cell, Units, GateActivationOf(Activation, "activation"), GateActivationOf(RecurrentActivation, "recurrent_activation"),
            GruResetAfter, ReturnSequences, GoBackwards, ZeroOutputForMask, drop ? Dropout : 0, dropRecurrent ? RecurrentDropout : 0, _random)
        { FlipOutput = flipOutput };
        try
        {
            return Ops.Recurrent(inputs, _kernel.Value, _recurrentKernel.Value, _bias?.Value, initialState, inputs.Mask, settings, training, returnStates);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{GetType().Name} '{Name}': {e.Message}", e);
        }
    }

    /// <summary>The recurrent kernels' activations: tanh, sigmoid, relu and linear, whose derivatives follow from their outputs.</summary>
    private GateActivation GateActivationOf(ActivationFunction function, string key) =>
        ReferenceEquals(function, ActivationFunction.Tanh) ? GateActivation.Tanh
        : ReferenceEquals(function, ActivationFunction.Sigmoid) ? GateActivation.Sigmoid
        : ReferenceEquals(function, ActivationFunction.Relu) ? GateActivation.Relu
        : ReferenceEquals(function, ActivationFunction.Linear) ? GateActivation.Linear
        : throw new ArgumentException($"{GetType().Name} supports the {key} functions tanh, sigmoid, relu and linear (its fused kernels differentiate them from their outputs), got '{function.Name}'.", key);

    /// <summary>Keras keeps the weights in the layer's cell: an empty group for the layer, then <c>cell</c> with kernel, recurrent_kernel and bias.</summary>
    internal override (string Attribute, string Name)? OwnVariablesAttribute => ("cell", CellName);

    /// <summary>Fixed starting values, for a bias assembled from several initializers.</summary>
    private sealed class GivenValues(float[] values) : Initializer
    {
        public override float[] Generate(Shape shape) => values.Length == shape.Size ? values
            : throw new ArgumentException($"{values.Length} starting values cannot fill shape {shape}.");
    }
}
