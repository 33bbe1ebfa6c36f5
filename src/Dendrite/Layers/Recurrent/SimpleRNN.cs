using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// A fully-connected recurrent layer whose output is fed back (Keras' <c>SimpleRNN</c>): h = act(x·W + h_prev·U + b).
/// Weights: kernel (input_dim, units), recurrent_kernel (units, units), bias (units). See <see cref="RecurrentLayer"/>
/// for sequences, states, masks and dropout.
/// </summary>
/// <param name="units">Size of the output and state.</param>
/// <param name="activation">Keras' default <c>"tanh"</c>.</param>
/// <param name="useBias">Whether to add a bias.</param>
/// <param name="kernelInitializer">Keras' default <c>"glorot_uniform"</c>.</param>
/// <param name="recurrentInitializer">Keras' default <c>"orthogonal"</c>.</param>
/// <param name="biasInitializer">Keras' default <c>"zeros"</c>.</param>
/// <param name="dropout">Fraction of the input features dropped in training.</param>
/// <param name="recurrentDropout">Fraction of the recurrent state dropped in training.</param>
/// <param name="returnSequences">Return every step's output instead of the last.</param>
/// <param name="returnState">Also return the final state (see <see cref="Layer.CallAll(KerasTensor[])"/>).</param>
/// <param name="goBackwards">Process the sequence from its end.</param>
/// <param name="stateful">Must be false (see <see cref="RecurrentLayer"/>).</param>
/// <param name="unroll">Accepted and ignored (see <see cref="RecurrentLayer"/>).</param>
/// <param name="seed">Seeds the dropout masks.</param>
/// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
/// <param name="name">The layer's name; automatic (<c>simple_rnn</c>, <c>simple_rnn_1</c>, …) when null.</param>
public sealed partial class SimpleRNN(
    int units,
    ActivationFunction? activation = null,
    bool useBias = true,
    Initializer? kernelInitializer = null,
    Initializer? recurrentInitializer = null,
    Initializer? biasInitializer = null,
    double dropout = 0.0,
    double recurrentDropout = 0.0,
    bool returnSequences = false,
    bool returnState = false,
    bool goBackwards = false,
    bool stateful = false,
    bool unroll = false,
    int? seed = null,
    bool zeroOutputForMask = false,
    string? name = null)
    : RecurrentLayer(units, activation ?? ActivationFunction.Tanh, ActivationFunction.Linear, useBias,
        kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, seed, returnSequences, returnState,
        goBackwards, stateful, unroll, zeroOutputForMask, name)
{
    private protected override RecurrentCell Cell => RecurrentCell.SimpleRnn;

    private protected override string CellName => "simple_rnn_cell";
}
