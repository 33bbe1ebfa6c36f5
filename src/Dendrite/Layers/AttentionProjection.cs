using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// One projection inside <see cref="MultiHeadAttention"/>, Keras' <c>EinsumDense</c> with the equations attention
/// builds: the query, key and value projections contract the feature axis into (heads, depth) —
/// <c>abc,cde->abde</c>, kernel (features, heads, depth), bias (heads, depth) — and the output projection contracts
/// (heads, depth) back — <c>abcd,cde->abe</c>, kernel (heads, depth, features), bias (features,). Either way it is one
/// matrix product over all batch·time rows.
/// </summary>
/// <param name="name">Keras' sublayer name: <c>query</c>, <c>key</c>, <c>value</c> or <c>attention_output</c>.</param>
/// <param name="contractedAxes">How many trailing input axes the kernel contracts (1 or 2).</param>
/// <param name="outputDims">The axes that replace them.</param>
/// <param name="useBias">Whether a bias of shape <paramref name="outputDims"/> is added.</param>
/// <param name="kernelInitializer">The kernel's initializer.</param>
/// <param name="biasInitializer">The bias's initializer.</param>
internal sealed class AttentionProjection(string name, int contractedAxes, int[] outputDims, bool useBias, Initializer kernelInitializer, Initializer biasInitializer)
    : Layer(name)
{
    private Variable? _kernel, _bias;

    /// <inheritdoc/>
    public override string ClassName => "EinsumDense";

    /// <summary>The kernel: the contracted input axes, then the output axes.</summary>
    public Variable? Kernel => _kernel;

    /// <summary>The bias (of the output axes' shape), or null.</summary>
    public Variable? Bias => _bias;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank < contractedAxes + 1)
            throw new ArgumentException($"The projection '{Name}' contracts {contractedAxes} axes after the time axis, got per-sample shape {inputShape}.");
        var contracted = inputShape.ToArray()[^contractedAxes..];
        _kernel = AddWeight("kernel", new Shape([.. contracted, .. outputDims]), kernelInitializer);
        if (useBias) _bias = AddWeight("bias", new Shape(outputDims), biasInitializer);
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => new([.. inputShape.ToArray()[..^contractedAxes], .. outputDims]);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_kernel is null) throw new InvalidOperationException($"The projection '{Name}' is not built yet.");
        return Ops.Projection(inputs, _kernel.Value, _bias?.Value, contractedAxes, outputDims);
    }
}
