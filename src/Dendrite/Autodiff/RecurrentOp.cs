using Dendrite.Kernels;

namespace Dendrite.Autodiff;

/// <summary>
/// A recurrent layer's whole call (every time step, forward and backward) as one op. Everything runs time-major, in
/// processing order (reversed when going backwards): the inputs are gathered once into (time, batch, features), so
/// that their projection x·W (+ bias) for all steps is one matrix product and each step's slice of it is contiguous;
/// then each step adds h_prev·U with one product (accumulated into that slice) and runs the fused gate kernel over
/// the batch's rows. The activations, states and cell values of every step are kept for the backward pass, which
/// walks the steps in reverse with one product per step (the gate gradients times Uᵀ) and then forms the weight
/// gradients as three large products over all steps: dW = Xᵀ·dG, dU = Hᵀ·dG, dX = dG·Wᵀ.
/// </summary>
/// <remarks>
/// The samples of a batch do not interact through time, so the step loop (forward and backward) runs on every core
/// at once, each core over its own rows for all the steps, with no synchronisation between steps: its share of U
/// and of every step's buffers stays in its own cache. Rows are cut into fixed chunks of about
/// <see cref="ChunkRows"/> whatever the thread count, and a chunk is never split, so the numbers do not depend on
/// how many threads run. The large products before and after the loop use all cores through <see cref="Gemm"/>.
/// </remarks>
/// <remarks>
/// Every buffer is taken when the op is made (from the step's workspace when there is one), so a recorded training
/// step replays without allocating. Masked steps (mask 0) carry the previous states and output and get no gate
/// gradient, as in Keras' <c>backend.rnn</c>; with <c>zero_output_for_mask</c> their output is zero instead.
/// Dropout masks (training only) are drawn once per call: one over the input features for every step and one over
/// the recurrent state, applied to the operands of the matrix products.
/// </remarks>
internal sealed partial class RecurrentOp : Op, IParallelJob
{
    private readonly Tensor _x, _kernel, _recurrentKernel;
    private readonly Tensor? _bias, _mask;
    private readonly IReadOnlyList<Tensor>? _initialStates;
    private readonly RecurrentSettings _s;
    private readonly int _batch, _steps, _features, _units, _width;
    private readonly bool _dropInputs, _dropRecurrent;

    // Forward state, time-major: slot s of each holds processing step s.
    private readonly float[] _inputs;        // (T, B, D): x in processing order, input dropout applied
    private readonly float[] _gates;         // (T, B, K·U): pre-activations, then the activations kept for backward
    private readonly float[] _h;             // (T + 1, B, U): h_0 (the initial state), then h after each step
    private readonly float[]? _c;            // (T + 1, B, U): the LSTM's cell state, c_0 first
    private readonly float[]? _activatedCell;// (T, B, U): act(c) of the LSTM
    private readonly float[]? _candidate;    // (T, B, U): the GRU's h·U_h + b_h (reset after) or r·h (reset before)
    private readonly float[]? _operands;     // (T, B, U): h_prev with recurrent dropout applied (else h is the operand)
    private readonly float[]? _stepMask;     // (T, B): the mask in processing order
    private readonly float[]? _inputKeep;    // (B, D): the input dropout mask (0 or 1 / (1 − rate))
    private readonly float[]? _recurrentKeep;// (B, U): the recurrent dropout mask
    private readonly float[]? _recurrentProduct; // (B, K·U) or (B, 2·U): a GRU step's h·U (the LSTM adds its product into the gates)
    private readonly float[]? _candidateProduct; // (B, U): the reset-before GRU's (r·h)·U_h
    private readonly float[]? _uGates, _uCandidate; // the reset-before GRU's U split into (U, 2·U) and (U, U) blocks

    /// <summary>The final-state tensors made for this op (Keras' return_state), whose gradients the backward reads.</summary>
    public Tensor[] StateOutputs { get; set; } = [];

    public RecurrentOp(Tensor x, Tensor kernel, Tensor recurrentKernel, Tensor? bias, IReadOnlyList<Tensor>? initialStates, Tensor? mask,
        RecurrentSettings settings, bool dropping, bool withBackward)
    {
        (_x, _kernel, _recurrentKernel, _bias, _initialStates, _mask, _s) = (x, kernel, recurrentKernel, bias, initialStates, mask, settings);
        _batch = x.Shape[0]; _steps = x.Shape[1]; _features = x.Shape[2];
        _units = settings.Units; _width = settings.Gates * _units;
        _dropInputs = dropping && settings.Dropout > 0;
        _dropRecurrent = dropping && settings.RecurrentDropout > 0;
        int rows = _steps * _batch;
        _inputs = Rent(rows * _features);
        _gates = Rent(rows * _width);
        _h = Rent((_steps + 1) * _batch * _units);
        if (settings.Cell == RecurrentCell.Lstm)
        {
            _c = Rent((_steps + 1) * _batch * _units);
            _activatedCell = Rent(rows * _units);
        }
        if (settings.Cell == RecurrentCell.Gru)
        {
            _candidate = Rent(rows * _units);
            _recurrentProduct = Rent(_batch * (settings.ResetAfter ? _width : 2 * _units));
        }
        if (settings.GruResetBefore)
        {
            _candidateProduct = Rent(_batch * _units);
            _uGates = Rent(_units * 2 * _units);
            _uCandidate = Rent(_units * _units);
        }
        if (_dropRecurrent) _operands = Rent(rows * _units);
        if (mask is not null) _stepMask = Rent(rows);
        if (_dropInputs) _inputKeep = Rent(_batch * _features);
        if (_dropRecurrent) _recurrentKeep = Rent(_batch * _units);
        if (withBackward) AllocateBackward();
    }

    private static float[] Rent(int size) => Workspace.Current is { } ws ? ws.Rent(size) : new float[size];

    private Span<float> Slab(float[] buffer, int slot, int width) => buffer.AsSpan(slot * _batch * width, _batch * width);

    /// <summary>Rows [b0, b1) of slot <paramref name="slot"/> of a (slots, batch, width) buffer.</summary>
    private Span<float> Rows(float[] buffer, int slot, int width, int b0, int b1) => buffer.AsSpan((slot * _batch + b0) * width, (b1 - b0) * width);

    /// <summary>State <paramref name="index"/> (0: h, 1: the LSTM's c) after the last step, (batch, units).</summary>
    public ReadOnlySpan<float> FinalState(int index) => Slab(index == 0 ? _h : _c!, _steps, _units);

    /// <summary>Whether sample <paramref name="b"/> takes part in processing step <paramref name="s"/>.</summary>
    private bool Active(int s, int b) => _stepMask is null || _stepMask[s * _batch + b] != 0f;

    /// <summary>The time index of the input that processing step <paramref name="s"/> reads.</summary>
    private int TimeOf(int s) => _s.GoBackwards ? _steps - 1 - s : s;

    /// <summary>Where processing step <paramref name="s"/>'s output goes in a returned sequence.</summary>
    private int OutputPosition(int s) => _s.FlipOutput ? _steps - 1 - s : s;

    public override void Forward()
    {
        GatherInputs();
        ProjectInputs();
        SetInitialStates();
        if (_s.GruResetBefore) SplitRecurrentKernel();
        RunChunks(backward: false);
        WriteOutput();
    }

    /// <summary>Every step, forward, for rows [b0, b1).</summary>
    private void ForwardRange(int b0, int b1)
    {
        for (int s = 0; s < _steps; s++) Step(s, b0, b1);
    }

    /// <summary>Draws the dropout masks, then copies x into time-major processing order (scaled by the input mask) and the mask likewise.</summary>
    private void GatherInputs()
    {
        if (_dropInputs) DrawKeepMask(_inputKeep.AsSpan(0, _batch * _features), _s.Dropout);
        if (_dropRecurrent) DrawKeepMask(_recurrentKeep.AsSpan(0, _batch * _units), _s.RecurrentDropout);
        var x = _x.Values;
        int d = _features;
        for (int s = 0; s < _steps; s++)
        {
            int t = TimeOf(s);
            for (int b = 0; b < _batch; b++)
            {
                var source = x.Slice((b * _steps + t) * d, d);
                var target = _inputs.AsSpan((s * _batch + b) * d, d);
                if (_dropInputs) System.Numerics.Tensors.TensorPrimitives.Multiply(source, _inputKeep.AsSpan(b * d, d), target);
                else source.CopyTo(target);
            }
        }
        if (_stepMask is not null)
        {
            var m = _mask!.Values;
            for (int s = 0; s < _steps; s++)
            {
                int t = TimeOf(s);
                for (int b = 0; b < _batch; b++) _stepMask[s * _batch + b] = m[b * _steps + t];
            }
        }
    }

    private void DrawKeepMask(Span<float> mask, double rate)
    {
        ulong threshold = (ulong)(rate * 4294967296.0);
        _s.Random!.FillKeepMask(mask, threshold, (float)(1.0 / (1.0 - rate)));
    }

    /// <summary>All steps' x·W + b at once (the GRU's input bias only: its recurrent bias is added per step).</summary>
    private void ProjectInputs()
    {
        ReadOnlySpan<float> inputBias = _bias is null ? default : _bias.Values[.._width];
        Gemm.Multiply(_inputs, _kernel.Values, _gates, _steps * _batch, _features, _width, false, false, 1f, 0f, inputBias);
    }

    private void SetInitialStates()
    {
        for (int i = 0; i < _s.StateCount; i++)
        {
            var slot = Slab(i == 0 ? _h : _c!, 0, _units);
            if (_initialStates is null) slot.Clear();
            else _initialStates[i].Values.CopyTo(slot);
        }
    }

    /// <summary>The reset-before GRU multiplies h by U's z and r columns and r·h by its h columns: two contiguous copies.</summary>
    private void SplitRecurrentKernel()
    {
        var u = _recurrentKernel.Values;
        int n = _units;
        for (int row = 0; row < n; row++)
        {
            u.Slice(row * 3 * n, 2 * n).CopyTo(_uGates.AsSpan(row * 2 * n, 2 * n));
            u.Slice(row * 3 * n + 2 * n, n).CopyTo(_uCandidate.AsSpan(row * n, n));
        }
    }

    /// <summary>
    /// The left operand of step <paramref name="s"/>'s recurrent product for rows [b0, b1): h_prev, or h_prev times the
    /// recurrent dropout mask.
    /// </summary>
    private ReadOnlySpan<float> Operand(int s, int b0, int b1)
    {
        var hPrev = Rows(_h, s, _units, b0, b1);
        if (!_dropRecurrent) return hPrev;
        var operand = Rows(_operands!, s, _units, b0, b1);
        System.Numerics.Tensors.TensorPrimitives.Multiply(hPrev, _recurrentKeep.AsSpan(b0 * _units, (b1 - b0) * _units), operand);
        return operand;
    }

    /// <summary>Step <paramref name="s"/> for rows [b0, b1): the recurrent product(s), then the gate kernel on each row.</summary>
    private void Step(int s, int b0, int b1)
    {
        var operand = Operand(s, b0, b1);
        var u = _recurrentKernel.Values;
        int rows = b1 - b0, n = _units, w = _width;
        switch (_s.Cell)
        {
            case RecurrentCell.Lstm:
            case RecurrentCell.SimpleRnn:
                Gemm.Multiply(operand, u, Rows(_gates, s, w, b0, b1), rows, n, w, false, false, 1f, 1f);
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
            case RecurrentCell.Gru when _s.ResetAfter:
                Gemm.Multiply(operand, u, _recurrentProduct.AsSpan(b0 * w, rows * w), rows, n, w, false, false, 1f, 0f);
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
            default:
                Gemm.Multiply(operand, _uGates, _recurrentProduct.AsSpan(b0 * 2 * n, rows * 2 * n), rows, n, 2 * n, false, false, 1f, 0f);
                ForwardRows(Phase.ForwardGates, s, b0, b1);
                Gemm.Multiply(Rows(_candidate!, s, n, b0, b1), _uCandidate, _candidateProduct.AsSpan(b0 * n, rows * n), rows, n, n, false, false, 1f, 0f);
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
        }
    }

    /// <summary>The forward kernels for rows [b0, b1) of step <paramref name="s"/>.</summary>
    private void ForwardRows(Phase phase, int s, int b0, int b1)
    {
        int n = _units, w = _width;
        var act = _s.Activation; var rec = _s.RecurrentActivation;
        for (int b = b0; b < b1; b++)
        {
            int row = s * _batch + b;
            var gates = _gates.AsSpan(row * w, w);
            var hPrev = _h.AsSpan(row * n, n);
            var h = _h.AsSpan(row * n + _batch * n, n);
            if (phase == Phase.ForwardGates)
            {
                // The reset-before GRU's first half; a masked row computes it too (harmlessly) and is carried below.
                var operand = _dropRecurrent ? _operands.AsSpan(row * n, n) : hPrev;
                GruKernels.GatesResetBefore(gates, _recurrentProduct.AsSpan(b * 2 * n, 2 * n), operand, _candidate.AsSpan(row * n, n), rec);
                continue;
            }
            if (!Active(s, b))
            {
                // A masked step carries the states (and so the output) unchanged.
                hPrev.CopyTo(h);
                if (_c is not null) _c.AsSpan(row * n, n).CopyTo(_c.AsSpan(row * n + _batch * n, n));
                continue;
            }
            switch (_s.Cell)
            {
                case RecurrentCell.Lstm:
                    LstmKernels.Forward(gates, _c.AsSpan(row * n, n), _c.AsSpan(row * n + _batch * n, n), _activatedCell.AsSpan(row * n, n), h, act, rec);
                    break;
                case RecurrentCell.SimpleRnn:
                    SimpleRnnKernels.Forward(gates, h, act);
                    break;
                case RecurrentCell.Gru when _s.ResetAfter:
                    ReadOnlySpan<float> recurrentBias = _bias is null ? default : _bias.Values.Slice(w, w);
                    GruKernels.ForwardResetAfter(gates, _recurrentProduct.AsSpan(b * w, w), recurrentBias, hPrev, _candidate.AsSpan(row * n, n), h, act, rec);
                    break;
                default:
                    GruKernels.CandidateResetBefore(gates, _candidateProduct.AsSpan(b * n, n), hPrev, h, act);
                    break;
            }
        }
    }

    /// <summary>Copies h of every step (or the last) into the output; zero at masked steps under zero_output_for_mask.</summary>
    private void WriteOutput()
    {
        var y = Output.Values;
        int n = _units;
        if (!_s.ReturnSequences)
        {
            int last = _steps - 1;
            for (int b = 0; b < _batch; b++)
            {
                var target = y.Slice(b * n, n);
                if (_s.ZeroOutputForMask && !Active(last, b)) target.Clear();
                else _h.AsSpan((_steps * _batch + b) * n, n).CopyTo(target);
            }
            return;
        }
        for (int s = 0; s < _steps; s++)
        {
            int position = OutputPosition(s);
            for (int b = 0; b < _batch; b++)
            {
                var target = y.Slice((b * _steps + position) * n, n);
                if (_s.ZeroOutputForMask && !Active(s, b)) target.Clear();
                else _h.AsSpan(((s + 1) * _batch + b) * n, n).CopyTo(target);
            }
        }
    }

    // ---- The step loop on every core ----

    private enum Phase { Forward, ForwardGates, Backward, BackwardGates }

    /// <summary>About this many rows per chunk of the step loop (each at least this many when the batch has that many).</summary>
    internal const int ChunkRows = 16;

    private int Chunks => Math.Max(1, _batch / ChunkRows);

    private bool _runBackward;

    /// <summary>Runs the whole step loop (forward, or backward through time) over the batch's chunks, split over the threads.</summary>
    private void RunChunks(bool backward)
    {
        int parts = Math.Min(WorkerPool.MaxThreads, Chunks);
        _runBackward = backward;
        if (parts <= 1) Execute(0, 1);
        else WorkerPool.Run(this, parts);
    }

    /// <summary>Part <paramref name="part"/>: the step loop for its whole chunks, one contiguous block of rows.</summary>
    public void Execute(int part, int parts)
    {
        int chunks = Chunks;
        int first = chunks * part / parts, last = chunks * (part + 1) / parts;
        int b0 = first * _batch / chunks, b1 = last * _batch / chunks;
        if (b0 >= b1) return;
        if (_runBackward) BackwardRange(b0, b1);
        else ForwardRange(b0, b1);
    }
}
