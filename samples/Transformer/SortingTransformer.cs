// The model of the Transformer sample, after keras.io's "Text classification with Transformer" example
// (TokenAndPositionEmbedding and TransformerBlock as custom layers), put to a task with a known answer: sorting a
// sequence of digits. Shared with the acceptance test, which trains it (tests/Dendrite.Tests/Acceptance).
using Dendrite;
using Dendrite.Autodiff;
using Dendrite.Layers;

namespace Dendrite.Samples.Transformer;

/// <summary>The sorting task and the two-block Transformer encoder that learns it.</summary>
public static class SortingTransformer
{
    /// <summary>Digits per sequence.</summary>
    public const int Length = 10;

    /// <summary>Token values: the digits 0–9.</summary>
    public const int Vocabulary = 10;

    /// <summary>
    /// <paramref name="count"/> sequences of random digits and, per position, the digit the sorted sequence has there:
    /// inputs (count, Length) and labels (count, Length), both whole numbers.
    /// </summary>
    public static (NDArray<float> X, NDArray<float> Y) Generate(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * Length];
        var y = new float[count * Length];
        var row = new int[Length];
        for (int n = 0; n < count; n++)
        {
            for (int t = 0; t < Length; t++) row[t] = random.Next(Vocabulary);
            for (int t = 0; t < Length; t++) x[n * Length + t] = row[t];
            Array.Sort(row);
            for (int t = 0; t < Length; t++) y[n * Length + t] = row[t];
        }
        return (new NDArray<float>(x, count, Length), new NDArray<float>(y, count, Length));
    }

    /// <summary>
    /// Token and position embeddings, then two Transformer blocks, then a softmax over the 10 digits at every
    /// position: (batch, Length) digits in, (batch, Length, 10) probabilities out.
    /// </summary>
    public static Model Build(int embedDim = 32, int numHeads = 2, int ffDim = 64, int blocks = 2)
    {
        var inputs = new Input([Length]);
        KerasTensor x = new TokenAndPositionEmbedding(Length, Vocabulary, embedDim).Call(inputs);
        for (int b = 0; b < blocks; b++) x = new TransformerBlock(embedDim, numHeads, ffDim).Call(x);
        var outputs = new Dense(Vocabulary, activation: "softmax").Call(x);
        return new Model(inputs, outputs, name: "sorting_transformer");
    }
}

/// <summary>
/// keras.io's <c>TransformerBlock</c>: self-attention and a two-layer feed-forward network, each followed by dropout, a
/// residual connection and layer normalisation. A custom layer made of other layers: each is registered with
/// <see cref="Layer.AddSublayer{T}"/>, built in <see cref="Build(Shape)"/> and called in <see cref="Call(Tensor, bool)"/>.
/// </summary>
public sealed class TransformerBlock : Layer
{
    private readonly MultiHeadAttention _attention;
    private readonly Dense _hidden, _projection;
    private readonly LayerNormalization _norm1, _norm2;
    private readonly Dropout _dropout1, _dropout2;

    /// <summary>A block for inputs of <paramref name="embedDim"/> features.</summary>
    public TransformerBlock(int embedDim, int numHeads, int ffDim, double rate = 0.1, string? name = null) : base(name)
    {
        _attention = AddSublayer("att", new MultiHeadAttention(numHeads, keyDim: embedDim));
        _hidden = AddSublayer("ffn_hidden", new Dense(ffDim, activation: "relu"));
        _projection = AddSublayer("ffn_output", new Dense(embedDim));
        _norm1 = AddSublayer("layernorm1", new LayerNormalization(epsilon: 1e-6));
        _norm2 = AddSublayer("layernorm2", new LayerNormalization(epsilon: 1e-6));
        _dropout1 = AddSublayer("dropout1", new Dropout(rate));
        _dropout2 = AddSublayer("dropout2", new Dropout(rate));
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        _attention.EnsureBuilt([inputShape, inputShape]);
        _hidden.EnsureBuilt(inputShape);
        _projection.EnsureBuilt(_hidden.ComputeOutputShape(inputShape));
        _norm1.EnsureBuilt(inputShape);
        _norm2.EnsureBuilt(inputShape);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        var attended = _dropout1.Call(_attention.Call(inputs, inputs, training: training), training);
        var out1 = _norm1.Call(inputs + attended);
        var ffn = _dropout2.Call(_projection.Call(_hidden.Call(out1)), training);
        return _norm2.Call(out1 + ffn);
    }
}

/// <summary>
/// keras.io's <c>TokenAndPositionEmbedding</c>: a learned vector per token plus a learned vector per position
/// (an Embedding over the positions 0 … maxlen − 1), so that attention, which is blind to order, sees where each token is.
/// </summary>
public sealed class TokenAndPositionEmbedding : Layer
{
    private readonly Embedding _tokens, _positions;
    private readonly Tensor _positionIndices;

    /// <summary>Embeddings of <paramref name="embedDim"/> for <paramref name="vocabSize"/> tokens and <paramref name="maxlen"/> positions.</summary>
    public TokenAndPositionEmbedding(int maxlen, int vocabSize, int embedDim, string? name = null) : base(name)
    {
        _tokens = AddSublayer("token_emb", new Embedding(vocabSize, embedDim));
        _positions = AddSublayer("pos_emb", new Embedding(maxlen, embedDim));
        _positionIndices = Ops.Constant([.. Enumerable.Range(0, maxlen).Select(i => (float)i)], maxlen);
    }

    /// <inheritdoc/>
    protected override void Build(Shape inputShape)
    {
        _tokens.EnsureBuilt(inputShape);
        _positions.EnsureBuilt(new Shape(_positionIndices.Size));
    }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => _tokens.ComputeOutputShape(inputShape);

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false) =>
        _tokens.Call(inputs) + _positions.Call(_positionIndices); // (batch, maxlen, dim) + (maxlen, dim)
}
