using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Long short-term memory (Keras' <c>LSTM</c>, Hochreiter 1997): per step, with z = x·W + h_prev·U + b split into the
/// gates i, f, c, o (that order in the kernels' columns), i = σ(z_i), f = σ(z_f), c = f·c_prev + i·tanh(z_c),
/// o = σ(z_o), h = o·tanh(c). Weights: kernel (input_dim, 4·units), recurrent_kernel (units, 4·units), bias (4·units).
/// See <see cref="RecurrentLayer"/> for sequences, states, masks and dropout.
/// </summary>
/// <param name="units">Size of the output and states.</param>
/// <param name="activation">Of the candidate and of the cell state (Keras' default <c>"tanh"</c>).</param>
/// <param name="recurrentActivation">Of the gates (Keras' default <c>"sigmoid"</c>).</param>
/// <param name="useBias">Whether to add a bias.</param>
/// <param name="kernelInitializer">Keras' default <c>"glorot_uniform"</c>.</param>
/// <param name="recurrentInitializer">Keras' default <c>"orthogonal"</c>.</param>
/// <param name="biasInitializer">Keras' default <c>"zeros"</c>.</param>
/// <param name="unitForgetBias">Whether the forget gate's bias starts at 1 (the rest from <paramref name="biasInitializer"/>), as Keras does by default.</param>
/// <param name="dropout">Fraction of the input features dropped in training.</param>
/// <param name="recurrentDropout">Fraction of the recurrent state dropped in training.</param>
/// <param name="seed">Seeds the dropout masks.</param>
/// <param name="returnSequences">Return every step's output instead of the last.</param>
/// <param name="returnState">Also return the final h and c (see <see cref="Layer.CallAll(KerasTensor[])"/>).</param>
/// <param name="goBackwards">Process the sequence from its end.</param>
/// <param name="stateful">Must be false (see <see cref="RecurrentLayer"/>).</param>
/// <param name="unroll">Accepted and ignored (see <see cref="RecurrentLayer"/>).</param>
/// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
/// <param name="name">The layer's name; automatic (<c>lstm</c>, <c>lstm_1</c>, …) when null.</param>
public sealed partial class LSTM(
    int units,
    ActivationFunction? activation = null,
    ActivationFunction? recurrentActivation = null,
    bool useBias = true,
    Initializer? kernelInitializer = null,
    Initializer? recurrentInitializer = null,
    Initializer? biasInitializer = null,
    bool unitForgetBias = true,
    double dropout = 0.0,
    double recurrentDropout = 0.0,
    int? seed = null,
    bool returnSequences = false,
    bool returnState = false,
    bool goBackwards = false,
    bool stateful = false,
    bool unroll = false,
    bool zeroOutputForMask = false,
    string? name = null)
    : RecurrentLayer(units, activation ?? ActivationFunction.Tanh, recurrentActivation ?? ActivationFunction.Sigmoid, useBias,
        kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, seed, returnSequences, returnState,
        goBackwards, stateful, unroll, zeroOutputForMask, name)
{
    /// <summary>Whether the forget gate's bias starts at 1.</summary>
    public bool UnitForgetBias { get; } = unitForgetBias;

    private protected override RecurrentCell Cell => RecurrentCell.Lstm;

    private protected override string CellName => "lstm_cell";

    /// <summary>Keras' unit forget bias: [init(units), ones(units), init(2·units)].</summary>
    private protected override float[] InitialBias()
    {
        if (!UnitForgetBias) return base.InitialBias();
        var values = new float[4 * Units];
        BiasInitializer.Generate(new Shape(Units)).CopyTo(values, 0);
        values.AsSpan(Units, Units).Fill(1f);
        BiasInitializer.Generate(new Shape(2 * Units)).CopyTo(values, 2 * Units);
        return values;
    }
}
