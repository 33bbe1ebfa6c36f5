using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;

namespace Dendrite.Layers;

/// <summary>
/// Gated recurrent unit (Keras' <c>GRU</c>, Cho et al. 2014): per step, gates z (update) and r (reset) and a
/// candidate hh, in that order in the kernels' columns: z = σ(x·W_z + h·U_z + b_z), r = σ(x·W_r + h·U_r + b_r), then
/// with <see cref="ResetAfter"/> (Keras 3's default) hh = tanh(x·W_h + b_h + r·(h·U_h + b'_h)), else
/// hh = tanh(x·W_h + (r·h)·U_h + b_h); h = z·h_prev + (1 − z)·hh. Weights: kernel (input_dim, 3·units),
/// recurrent_kernel (units, 3·units), bias (2, 3·units) with reset_after (input and recurrent biases) or (3·units,).
/// See <see cref="RecurrentLayer"/> for sequences, states, masks and dropout.
/// </summary>
/// <param name="units">Size of the output and state.</param>
/// <param name="activation">Of the candidate (Keras' default <c>"tanh"</c>).</param>
/// <param name="recurrentActivation">Of the gates (Keras' default <c>"sigmoid"</c>).</param>
/// <param name="useBias">Whether to add biases.</param>
/// <param name="kernelInitializer">Keras' default <c>"glorot_uniform"</c>.</param>
/// <param name="recurrentInitializer">Keras' default <c>"orthogonal"</c>.</param>
/// <param name="biasInitializer">Keras' default <c>"zeros"</c>.</param>
/// <param name="dropout">Fraction of the input features dropped in training.</param>
/// <param name="recurrentDropout">Fraction of the recurrent state dropped in training.</param>
/// <param name="seed">Seeds the dropout masks.</param>
/// <param name="returnSequences">Return every step's output instead of the last.</param>
/// <param name="returnState">Also return the final state (see <see cref="Layer.CallAll(KerasTensor[])"/>).</param>
/// <param name="goBackwards">Process the sequence from its end.</param>
/// <param name="stateful">Must be false (see <see cref="RecurrentLayer"/>).</param>
/// <param name="unroll">Accepted and ignored (see <see cref="RecurrentLayer"/>).</param>
/// <param name="resetAfter">Whether r scales the recurrent product (true, Keras 3's and cuDNN's convention) or h before it.</param>
/// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
/// <param name="name">The layer's name; automatic (<c>gru</c>, <c>gru_1</c>, …) when null.</param>
public sealed partial class GRU(
    int units,
    ActivationFunction? activation = null,
    ActivationFunction? recurrentActivation = null,
    bool useBias = true,
    Initializer? kernelInitializer = null,
    Initializer? recurrentInitializer = null,
    Initializer? biasInitializer = null,
    double dropout = 0.0,
    double recurrentDropout = 0.0,
    int? seed = null,
    bool returnSequences = false,
    bool returnState = false,
    bool goBackwards = false,
    bool stateful = false,
    bool unroll = false,
    bool resetAfter = true,
    bool zeroOutputForMask = false,
    string? name = null)
    : RecurrentLayer(units, activation ?? ActivationFunction.Tanh, recurrentActivation ?? ActivationFunction.Sigmoid, useBias,
        kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, seed, returnSequences, returnState,
        goBackwards, stateful, unroll, zeroOutputForMask, name)
{
    /// <summary>Whether the reset gate is applied after the recurrent product (separate input and recurrent biases).</summary>
    public bool ResetAfter { get; } = resetAfter;

    private protected override bool GruResetAfter => ResetAfter;

    private protected override RecurrentCell Cell => RecurrentCell.Gru;

    private protected override string CellName => "gru_cell";

    private protected override Shape BiasShape => ResetAfter ? new Shape(2, 3 * Units) : new Shape(3 * Units);
}
