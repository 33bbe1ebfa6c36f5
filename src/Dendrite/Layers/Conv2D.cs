using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// 2-D convolution over channels-last images (Keras' <c>Conv2D</c>): inputs (batch, height, width, channels),
/// a kernel of shape (kernelHeight, kernelWidth, channels, filters), outputs (batch, outHeight, outWidth, filters).
/// </summary>
/// <param name="filters">Output channels.</param>
/// <param name="kernelSize">Window size: one number or (height, width).</param>
/// <param name="strides">Step between windows; Keras' default 1.</param>
/// <param name="padding"><c>"valid"</c> (default, no padding) or <c>"same"</c> (output size ceil(input / stride)).</param>
/// <param name="dilationRate">Spacing between kernel taps; Keras' default 1. Cannot be combined with strides &gt; 1.</param>
/// <param name="activation">Applied to the output; <c>null</c> or <c>"linear"</c> for none.</param>
/// <param name="useBias">Whether to add a bias per filter.</param>
/// <param name="kernelInitializer">Keras' default <c>"glorot_uniform"</c> (fans include the receptive field).</param>
/// <param name="biasInitializer">Keras' default <c>"zeros"</c>.</param>
/// <param name="name">The layer's name; automatic (<c>conv2d</c>, <c>conv2d_1</c>, …) when null.</param>
/// <param name="kernelConstraint">Projection of the kernel after each optimizer update (<c>"max_norm"</c>, …); none when null.</param>
/// <param name="biasConstraint">Projection of the bias after each optimizer update; none when null.</param>
public sealed partial class Conv2D(
    int filters,
    Size2D kernelSize,
    Size2D? strides = null,
    string padding = "valid",
    Size2D? dilationRate = null,
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
    public int Filters { get; } = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), $"Conv2D needs a positive number of filters. Received: filters={filters}");

    /// <summary>The window size.</summary>
    public Size2D KernelSize { get; } = kernelSize.RequirePositive("Conv2D", nameof(kernelSize));

    /// <summary>The step between windows.</summary>
    public Size2D Strides { get; } = (strides ?? 1).RequirePositive("Conv2D", nameof(strides));

    /// <summary>Valid or same.</summary>
    public Padding Padding { get; } = PaddingNames.Parse(padding, "Conv2D");

    /// <summary>The spacing between kernel taps.</summary>
    public Size2D DilationRate { get; } = CheckDilation(dilationRate ?? 1, strides ?? 1);

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

    /// <summary>The (kernelHeight, kernelWidth, channels, filters) kernel; null until built.</summary>
    public Variable? Kernel => _kernel;

    /// <summary>The (filters,) bias; null until built or without bias.</summary>
    public Variable? Bias => _bias;

    private static Size2D CheckDilation(Size2D dilation, Size2D strides)
    {
        dilation.RequirePositive("Conv2D", "dilationRate");
        if ((dilation.Height > 1 || dilation.Width > 1) && (strides.Height > 1 || strides.Width > 1))
            throw new ArgumentException($"Conv2D: strides > 1 are not supported together with dilationRate > 1 (as in Keras). Received: strides={strides}, dilationRate={dilation}.");
        return dilation;
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        ComputeOutputShape(inputShape); // throws when the input is not an image or the window does not fit
        _kernel = AddWeight("kernel", new Shape(KernelSize.Height, KernelSize.Width, inputShape[2], Filters), KernelInitializer, constraint: KernelConstraint);
        if (UseBias) _bias = AddWeight("bias", new Shape(Filters), BiasInitializer, constraint: BiasConstraint);
    }

    private void RequireImage(Shape inputShape)
    {
        if (inputShape.Rank != 3)
            throw new ArgumentException($"Conv2D '{Name}' expects images of shape (height, width, channels) per sample, i.e. batches of rank 4; got per-sample shape {inputShape}.");
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        RequireImage(inputShape);
        var g = ConvGeometry.Create(1, inputShape[0], inputShape[1], inputShape[2], KernelSize.Tuple, Strides.Tuple, DilationRate.Tuple, Padding, $"Conv2D '{Name}'");
        return new Shape(g.OutHeight, g.OutWidth, Filters);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (kernel, bias) = CheckedWeights(inputs);
        // ReLU is fused into the product's epilogue, as in Dense.
        var y = Ops.Conv2D(inputs, kernel, bias, Strides.Tuple, Padding, DilationRate.Tuple, FusesRelu);
        return FusesRelu ? y : Activation.Apply(y);
    }

    /// <summary>The kernel and bias, after checking that the layer is built and <paramref name="inputs"/> fits it.</summary>
    private (Tensor Kernel, Tensor? Bias) CheckedWeights(Tensor inputs)
    {
        if (_kernel is null) throw new InvalidOperationException($"Conv2D '{Name}' is not built yet.");
        if (inputs.Shape.Rank != 4 || inputs.Shape[3] != _kernel.Shape[2])
            throw new ArgumentException($"Conv2D '{Name}' expected input of shape (batch, height, width, {_kernel.Shape[2]}), got {inputs.Shape}.");
        return (_kernel.Value, _bias?.Value);
    }

    /// <summary>Whether the activation is the ReLU the convolution applies in its own epilogue.</summary>
    internal bool FusesRelu => ReferenceEquals(Activation, ActivationFunction.Relu);

    /// <summary>
    /// <c>pool.Call(Call(inputs))</c> for a ReLU convolution, as one op where that is faster (see
    /// <see cref="Ops.Conv2DReluMaxPool"/>); the model graph calls it when nothing else reads the convolution's output.
    /// </summary>
    internal Tensor CallThenMaxPool(Tensor inputs, MaxPooling2D pool)
    {
        if (!FusesRelu) throw new InvalidOperationException($"Conv2D '{Name}' has activation {Activation.Name}; only a ReLU convolution runs fused with its pooling.");
        var (kernel, bias) = CheckedWeights(inputs);
        return Ops.Conv2DReluMaxPool(inputs, kernel, bias, Strides.Tuple, Padding, DilationRate.Tuple, pool.PoolSize.Tuple, pool.Strides.Tuple, pool.Padding);
    }
}
