using Dendrite.Kernels;

namespace Dendrite.Autodiff;

/// <summary>The cell a recurrent op runs at every step.</summary>
internal enum RecurrentCell
{
    SimpleRnn,
    Lstm,
    Gru,
}

/// <summary>
/// Everything a recurrent op needs to know besides its tensors: the cell, its activations, Keras' RNN options, and
/// the dropout rates with the generator their masks come from (used only in training).
/// </summary>
internal sealed record RecurrentSettings(
    RecurrentCell Cell,
    int Units,
    GateActivation Activation,
    GateActivation RecurrentActivation,
    bool ResetAfter,
    bool ReturnSequences,
    bool GoBackwards,
    bool ZeroOutputForMask,
    double Dropout,
    double RecurrentDropout,
    RandomGenerator? Random)
{
    /// <summary>
    /// With <see cref="ReturnSequences"/>: write the returned sequence in reverse (step s at position T − 1 − s).
    /// Keras' Bidirectional flips its backward layer's sequence (which comes in processing order) this way; doing it
    /// while writing saves the flip.
    /// </summary>
    public bool FlipOutput { get; init; }

    /// <summary>How many gate blocks of <see cref="Units"/> the kernels hold: 1, 4 (i, f, c, o) or 3 (z, r, h).</summary>
    public int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    /// <summary>How many state tensors the cell carries: h and c for an LSTM, h otherwise.</summary>
    public int StateCount => Cell == RecurrentCell.Lstm ? 2 : 1;

    /// <summary>Whether the GRU keeps a separate recurrent bias (bias of shape (2, 3·units)) and one product per step.</summary>
    public bool GruResetAfter => Cell == RecurrentCell.Gru && ResetAfter;

    /// <summary>Whether the GRU scales h_prev by r before its product with U_h (two products per step).</summary>
    public bool GruResetBefore => Cell == RecurrentCell.Gru && !ResetAfter;
}

public static partial class Ops
{
    /// <summary>
    /// A whole recurrent layer call as one op (Keras' <c>RNN.call</c> with an LSTM, GRU or SimpleRNN cell): per step one
    /// matrix product over the stacked operands [x_t, h_prev, 1] and the fused gate kernel, with a hand-written
    /// backward through time (see <see cref="RecurrentOp"/>). <paramref name="x"/> is (batch, time, features);
    /// <paramref name="initialStates"/> is null (zeros) or one (batch, units) tensor per state; <paramref name="mask"/>
    /// is null or (batch, time). Returns the output and, when <paramref name="returnStates"/>, the final states.
    /// </summary>
    internal static (Tensor Output, Tensor[] States) Recurrent(Tensor x, Tensor kernel, Tensor recurrentKernel, Tensor? bias,
        IReadOnlyList<Tensor>? initialStates, Tensor? mask, RecurrentSettings settings, bool training, bool returnStates)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(recurrentKernel);
        CheckRecurrentShapes(x, kernel, recurrentKernel, bias, initialStates, mask, settings);
        bool dropping = training && settings.Random is not null && (settings.Dropout > 0 || settings.RecurrentDropout > 0);
        bool anyGrad = x.RequiresGrad || kernel.RequiresGrad || recurrentKernel.RequiresGrad || (bias?.RequiresGrad ?? false)
            || (initialStates?.Any(s => s.RequiresGrad) ?? false);
        var op = new RecurrentOp(x, kernel, recurrentKernel, bias, initialStates, mask, settings, dropping,
            withBackward: GradientTape.ShouldRecord(anyGrad) && anyGrad);
        int batch = x.Shape[0], units = settings.Units;
        var outputShape = settings.ReturnSequences ? new Shape(batch, x.Shape[1], units) : new Shape(batch, units);
        var output = Run(op, outputShape, anyGrad);
        if (!returnStates) return (output, []);
        var states = new Tensor[settings.StateCount];
        for (int i = 0; i < states.Length; i++)
            states[i] = Run(new RecurrentStateOp(op, i), new Shape(batch, units), anyGrad);
        op.StateOutputs = states;
        return (output, states);
    }

    private static void CheckRecurrentShapes(Tensor x, Tensor kernel, Tensor recurrentKernel, Tensor? bias,
        IReadOnlyList<Tensor>? initialStates, Tensor? mask, RecurrentSettings s)
    {
        string cell = s.Cell switch { RecurrentCell.Lstm => "LSTM", RecurrentCell.Gru => "GRU", _ => "SimpleRNN" };
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"{cell} expects inputs of shape (batch, time, features), got {x.Shape}.");
        int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], width = s.Gates * s.Units;
        if (steps < 1) throw new ArgumentException($"{cell} needs at least one time step, got inputs of shape {x.Shape}.");
        if (kernel.Shape != new Shape(features, width))
            throw new ArgumentException($"{cell} kernel should have shape ({features}, {width}) for inputs {x.Shape}, got {kernel.Shape}.");
        if (recurrentKernel.Shape != new Shape(s.Units, width))
            throw new ArgumentException($"{cell} recurrent kernel should have shape ({s.Units}, {width}), got {recurrentKernel.Shape}.");
        var biasShape = s.GruResetAfter ? new Shape(2, width) : new Shape(width);
        if (bias is not null && bias.Shape != biasShape)
            throw new ArgumentException($"{cell} bias should have shape {biasShape}, got {bias.Shape}.");
        if (initialStates is not null)
        {
            if (initialStates.Count != s.StateCount)
                throw new ArgumentException($"{cell} takes {s.StateCount} initial state tensor(s) ({(s.StateCount == 2 ? "h and c" : "h")}), got {initialStates.Count}.");
            for (int i = 0; i < initialStates.Count; i++)
                if (initialStates[i].Shape != new Shape(batch, s.Units))
                    throw new ArgumentException($"{cell} initial state {i} should have shape ({batch}, {s.Units}) for a batch of {batch}, got {initialStates[i].Shape}.");
        }
        if (mask is not null && mask.Shape != new Shape(batch, steps))
            throw new ArgumentException($"{cell} mask should have shape ({batch}, {steps}) (batch, time), got {mask.Shape}.");
    }

    /// <summary>
    /// One final state of a recurrent op as a tensor of its own. Its backward only makes sure the recurrent op's
    /// backward runs (by touching that op's output gradient): the recurrent op reads this tensor's gradient itself.
    /// </summary>
    private sealed class RecurrentStateOp(RecurrentOp recurrent, int index) : Op
    {
        public override void Forward() => recurrent.FinalState(index).CopyTo(Output.Values);

        public override void Backward(int generation) => recurrent.Output.GradForAccumulation(generation);
    }
}
