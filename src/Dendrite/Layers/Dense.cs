using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// A densely connected layer: <c>output = activation(inputs · kernel + bias)</c>, with a kernel of shape
/// (input_dim, units) applied to the last axis of the input (Keras' <c>Dense</c>).
/// </summary>
/// <param name="units">Size of the output's last axis.</param>
/// <param name="activation">Activation applied to the output; <c>null</c> or <c>"linear"</c> for none.</param>
/// <param name="useBias">Whether to add a bias vector.</param>
/// <param name="kernelInitializer">How the kernel starts; Keras' default <c>"glorot_uniform"</c>.</param>
/// <param name="biasInitializer">How the bias starts; Keras' default <c>"zeros"</c>.</param>
/// <param name="name">The layer's name; automatic (<c>dense</c>, <c>dense_1</c>, …) when null.</param>
/// <param name="kernelConstraint">Projection of the kernel after each optimizer update (<c>"max_norm"</c>, …); none when null.</param>
/// <param name="biasConstraint">Projection of the bias after each optimizer update; none when null.</param>
public sealed partial class Dense(
    int units,
    ActivationFunction? activation = null,
    bool useBias = true,
    Initializer? kernelInitializer = null,
    Initializer? biasInitializer = null,
    string? name = null,
    Constraints.Constraint? kernelConstraint = null,
    Constraints.Constraint? biasConstraint = null) : Layer(name)
{
    /// <inheritdoc/>
    /// <remarks>As in Keras, the mask passes through unchanged.</remarks>
    public override bool SupportsMasking => true;

    private Variable? _kernel;
    private Variable? _bias;

    /// <summary>Size of the output's last axis.</summary>
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), $"Dense needs a positive number of units. Received: units={units}");

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

    /// <summary>The (input_dim, units) kernel; null until built.</summary>
    public Variable? Kernel => _kernel;

    /// <summary>The (units,) bias; null until built or without bias.</summary>
    public Variable? Bias => _bias;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 1 || inputShape[^1] < 1)
            throw new ArgumentException($"Dense '{Name}' needs inputs with a known, non-zero last dimension, got per-sample shape {inputShape}.");
        _kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), KernelInitializer, constraint: KernelConstraint);
        if (UseBias) _bias = AddWeight("bias", new Shape(Units), BiasInitializer, constraint: BiasConstraint);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        var dims = inputShape.ToArray();
        dims[^1] = Units;
        return new Shape(dims);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_kernel is null) throw new InvalidOperationException($"Dense '{Name}' is not built yet.");
        int expected = _kernel.Shape[0];
        if (inputs.Shape.Rank < 2 || inputs.Shape[^1] != expected)
            throw new ArgumentException($"Dense '{Name}' expected input with last dimension {expected}, got {inputs.Shape}.");
        // ReLU and identity are fused into the matrix product's epilogue; other activations run as their own op
        // (softmax must stay one, so that the loss can use the logits behind it).
        bool relu = ReferenceEquals(Activation, ActivationFunction.Relu);
        var y = Ops.Dense(inputs, _kernel.Value, _bias?.Value, relu);
        return relu ? y : Activation.Apply(y);
    }
}
