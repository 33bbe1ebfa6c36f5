using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// 1-D (temporal) convolution over channels-last sequences (Keras' <c>Conv1D</c>): inputs (batch, steps, channels),
/// a kernel of shape (kernelSize, channels, filters), outputs (batch, outSteps, filters). It runs on the Conv2D
/// kernels, the sequence seen as an image of height 1.
/// </summary>
/// <param name="filters">Output channels.</param>
/// <param name="kernelSize">Window length.</param>
/// <param name="strides">Step between windows; Keras' default 1.</param>
/// <param name="padding"><c>"valid"</c> (default, no padding), <c>"same"</c> (output length ceil(steps / strides)) or
/// <c>"causal"</c> (dilationRate·(kernelSize − 1) zeros before the first step, so that output t never sees a later input).</param>
/// <param name="dilationRate">Spacing between kernel taps; Keras' default 1. Cannot be combined with strides &gt; 1.</param>
/// <param name="activation">Applied to the output; <c>null</c> or <c>"linear"</c> for none.</param>
/// <param name="useBias">Whether to add a bias per filter.</param>
/// <param name="kernelInitializer">Keras' default <c>"glorot_uniform"</c> (fans include the window length).</param>
/// <param name="biasInitializer">Keras' default <c>"zeros"</c>.</param>
/// <param name="name">The layer's name; automatic (<c>conv1d</c>, <c>conv1d_1</c>, …) when null.</param>
/// <param name="kernelConstraint">Projection of the kernel after each optimizer update (<c>"max_norm"</c>, …); none when null.</param>
/// <param name="biasConstraint">Projection of the bias after each optimizer update; none when null.</param>
/// <remarks>
/// Like Keras' convolutions it does not support masking: a mask on its input is dropped. Keras' <c>groups</c> (grouped
/// convolutions) and <c>channels_first</c> are not available.
/// </remarks>
public sealed partial class Conv1D(
    int filters,
    int kernelSize,
    int strides = 1,
    string padding = "valid",
    int dilationRate = 1,
    ActivationFunction? activation = null,
    bool useBias = true,
    Initializer? kernelInitializer = null,
    Initializer? biasInitializer = null,
    string? name = null,
    Constraints.Constraint? kernelConstraint = null,
    Constraints.Constraint? biasConstraint = null) : Layer(name)
{
    private Variable? _kernel;
    private Variable? _bias;

    /// <summary>Output channels.</summary>
    public int Filters { get; } = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), $"Conv1D needs a positive number of filters. Received: filters={filters}");

    /// <summary>The window length.</summary>
    public int KernelSize { get; } = Positive(kernelSize, nameof(kernelSize));

    /// <summary>The step between windows.</summary>
    public int Strides { get; } = Positive(strides, nameof(strides));

    /// <summary>Valid, same or causal.</summary>
    public Padding Padding { get; } = PaddingNames.Parse(padding, "Conv1D", allowCausal: true);

    /// <summary>The spacing between kernel taps.</summary>
    public int DilationRate { get; } = CheckDilation(dilationRate, strides);

    /// <summary>The activation applied to the output.</summary>
    public ActivationFunction Activation { get; } = activation ?? ActivationFunction.Linear;

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; } = useBias;

    /// <summary>The kernel initializer.</summary>
    public Initializer KernelInitializer { get; } = kernelInitializer ?? new GlorotUniform();

    /// <summary>The bias initializer.</summary>
    public Initializer BiasInitializer { get; } = biasInitializer ?? new Zeros();

    /// <summary>The kernel's constraint (Keras' <c>kernel_constraint</c>), or null.</summary>
    public Constraints.Constraint? KernelConstraint { get; } = kernelConstraint;

    /// <summary>The bias's constraint (Keras' <c>bias_constraint</c>), or null.</summary>
    public Constraints.Constraint? BiasConstraint { get; } = biasConstraint;

    /// <summary>The (kernelSize, channels, filters) kernel; null until built.</summary>
    public Variable? Kernel => _kernel;

    /// <summary>The (filters,) bias; null until built or without bias.</summary>
    public Variable? Bias => _bias;

    private static int Positive(int value, string argument) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(argument, $"Conv1D: {argument} must be positive, got {value}.");

    private static int CheckDilation(int dilation, int strides)
    {
        Positive(dilation, "dilationRate");
        if (dilation > 1 && strides > 1)
            throw new ArgumentException($"Conv1D: strides > 1 are not supported together with dilationRate > 1 (as in Keras). Received: strides={strides}, dilationRate={dilation}.");
        return dilation;
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        ComputeOutputShape(inputShape); // throws when the input is not a sequence or the window does not fit
        _kernel = AddWeight("kernel", new Shape(KernelSize, inputShape[1], Filters), KernelInitializer, constraint: KernelConstraint);
        if (UseBias) _bias = AddWeight("bias", new Shape(Filters), BiasInitializer, constraint: BiasConstraint);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 2)
            throw new ArgumentException($"Conv1D '{Name}' expects sequences of shape (steps, channels) per sample, i.e. batches of rank 3; got per-sample shape {inputShape}.");
        var (outSteps, _) = ConvGeometry.Axis(inputShape[0], KernelSize, Strides, DilationRate, Padding);
        if (outSteps <= 0)
            throw new ArgumentException($"Conv1D '{Name}': a window of {KernelSize} (dilation {DilationRate}) does not fit {inputShape[0]} steps with padding \"{PaddingNames.Name(Padding)}\".");
        return new Shape(outSteps, Filters);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_kernel is null) throw new InvalidOperationException($"Conv1D '{Name}' is not built yet.");
        if (inputs.Shape.Rank != 3 || inputs.Shape[2] != _kernel.Shape[1])
            throw new ArgumentException($"Conv1D '{Name}' expected input of shape (batch, steps, {_kernel.Shape[1]}), got {inputs.Shape}.");
        // ReLU is fused into the product's epilogue, as in Conv2D.
        bool fusesRelu = ReferenceEquals(Activation, ActivationFunction.Relu);
        var y = Ops.Conv1D(inputs, _kernel.Value, _bias?.Value, Strides, Padding, DilationRate, fusesRelu);
        return fusesRelu ? y : Activation.Apply(y);
    }
}
