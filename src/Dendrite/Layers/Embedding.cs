using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Turns non-negative integer indices into dense vectors (Keras' <c>Embedding</c>): inputs of shape (batch, length)
/// holding indices in [0, input_dim) become (batch, length, output_dim). Dendrite's inputs are float32 arrays, so
/// the indices arrive as whole-number floats; anything else is refused with its position.
/// </summary>
/// <param name="inputDim">Size of the vocabulary: the largest index plus one.</param>
/// <param name="outputDim">Length of each embedding vector.</param>
/// <param name="embeddingsInitializer">How the table starts; Keras' default <c>"uniform"</c> (uniform in [−0.05, 0.05]).</param>
/// <param name="maskZero">Whether index 0 is padding: the output then carries a mask that is 0 where the input is 0,
/// which recurrent layers, pooling, attention, losses and metrics honour. Index 0 is then not a word (input_dim =
/// vocabulary size + 1).</param>
/// <param name="name">The layer's name; automatic when null.</param>
/// <param name="embeddingsConstraint">Projection of the table after each optimizer update (<c>"unit_norm"</c>, …); none when null.</param>
public sealed partial class Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, bool maskZero = false, string? name = null,
    Constraints.Constraint? embeddingsConstraint = null) : Layer(name)
{
    private Variable? _embeddings;

    /// <summary>Size of the vocabulary.</summary>
    public int InputDim { get; } = inputDim > 0 ? inputDim : throw new ArgumentOutOfRangeException(nameof(inputDim), $"Embedding needs a positive input_dim, got {inputDim}.");

    /// <summary>Length of each embedding vector.</summary>
    public int OutputDim { get; } = outputDim > 0 ? outputDim : throw new ArgumentOutOfRangeException(nameof(outputDim), $"Embedding needs a positive output_dim, got {outputDim}.");

    /// <summary>The table's initializer.</summary>
    public Initializer EmbeddingsInitializer { get; } = embeddingsInitializer ?? new RandomUniform();

    /// <summary>The table's constraint (Keras' <c>embeddings_constraint</c>), or null.</summary>
    public Constraints.Constraint? EmbeddingsConstraint { get; } = embeddingsConstraint;

    /// <summary>Whether index 0 is padding and masked.</summary>
    public bool MaskZero { get; } = maskZero;

    /// <summary>The (input_dim, output_dim) table; null until built.</summary>
    public Variable? Embeddings => _embeddings;

    /// <inheritdoc/>
    public override bool SupportsMasking => MaskZero;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape) =>
        _embeddings = AddWeight("embeddings", new Shape(InputDim, OutputDim), EmbeddingsInitializer, constraint: EmbeddingsConstraint);

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => new([.. inputShape.ToArray(), OutputDim]);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_embeddings is null) throw new InvalidOperationException($"Embedding '{Name}' is not built yet.");
        try
        {
            return Ops.Embedding(inputs, _embeddings.Value);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Embedding '{Name}': {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => MaskZero ? Ops.NotEqualMask(inputs, 0f) : null;
}

/// <summary>
/// Masks time steps whose features all equal <c>maskValue</c> (Keras' <c>Masking</c>): those steps become zeros and
/// the output carries a mask, of shape (batch, time), that later layers honour.
/// </summary>
/// <param name="maskValue">The padding value; Keras' default 0.</param>
/// <param name="name">The layer's name; automatic when null.</param>
public sealed partial class Masking(double maskValue = 0.0, string? name = null) : Layer(name)
{
    /// <summary>The padding value.</summary>
    public double MaskValue { get; } = maskValue;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 1) throw new ArgumentException($"Masking '{Name}' needs inputs with a feature axis, got per-sample shape {inputShape}.");
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var mask = Ops.AnyNotEqualMask(inputs, (float)MaskValue);
        var output = Ops.MaskRows(inputs, mask);
        output.Mask = mask;
        return output;
    }

    /// <inheritdoc/>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => Ops.AnyNotEqualMask(inputs, (float)MaskValue);
}
