using Dendrite.Kernels;

namespace Dendrite.Autodiff;

/// <summary>
/// A recurrent layer's whole call (every time step, forward and backward) as one op. Per step, the products with the
/// weights are single matrix products over stacked operands: for the LSTM and SimpleRNN, [x_t, h_prev, 1]·[W; U; b]
/// gives every gate's pre-activation (input projection, recurrent product and bias at once); the GRU keeps its input
/// side [x_t, 1]·[W; b_in] apart from its recurrent side, which its reset gate scales. A fused kernel then applies the
/// gate activations and the state update row by row. The backward pass walks the steps in reverse with the same
/// kernels and one product per step for the gradient of h_prev (dG·Uᵀ), and accumulates the weight gradients step by
/// step as [x_t, h_prev, 1]ᵀ·dG while dG is still in cache, so no (time, batch, gates) gradient is ever stored.
/// </summary>
/// <remarks>
/// <para>
/// The samples of a batch do not interact through time, so the batch is cut into at most <see cref="MaxGroups"/>
/// fixed groups of rows, and each core runs the whole step loop (forward, and backward through time) for its groups,
/// with no synchronisation between steps: its share of every step's buffers stays in its own cache. Each group keeps
/// its own weight-gradient sums, added in group order at the end, and the groups depend only on the batch size, so
/// the results are the same bits on one thread or many (the other products' rows are independent of each other).
/// </para>
/// <para>
/// Every buffer is taken when the op is made (from the step's workspace when there is one), so a recorded training
/// step replays without allocating. Masked steps (mask 0) carry the previous states and output and get no gate
/// gradient, as in Keras' <c>backend.rnn</c>; with <c>zero_output_for_mask</c> their output is zero instead. Dropout
/// masks (training only) are drawn once per call: one over the input features, used at every step, and one over the
/// recurrent state, applied to the operands of the products.
/// </para>
/// </remarks>
internal sealed partial class RecurrentOp : Op, IParallelJob
{
    private readonly Tensor _x, _kernel, _recurrentKernel;
    private readonly Tensor? _bias, _mask;
    private readonly IReadOnlyList<Tensor>? _initialStates;
    private readonly RecurrentSettings _s;
    private readonly int _batch, _steps, _features, _units, _width;
    private readonly bool _dropInputs, _dropRecurrent;

    // The operands of the products, time-major (slot s holds processing step s), kept for the weight gradients.
    private readonly int _inputWidth;        // columns of the input operand: D (+ U for the fused cells) (+ 1 for the bias)
    private readonly int _stateWidth;        // the GRU's recurrent operand: U (+ 1 for its recurrent bias, reset after)
    private readonly float[] _inputOperand;  // (T, B, inputWidth): [x_t·keep, (h_prev·keep,) 1]
    private readonly float[]? _stateOperand; // (T, B, stateWidth): the GRU's [h_prev·keep, 1]
    private readonly float[] _inputWeights;  // (inputWidth, K·U): [W; (U;) b]
    private readonly float[]? _stateWeights; // the GRU's [U; b_rec] (reset after) or U's z and r columns (reset before)
    private readonly float[]? _candidateWeights; // the reset-before GRU's U_h (U, U)

    // Forward state, time-major.
    private readonly float[] _gates;         // (T, B, K·U): the gate activations of every step
    private readonly float[] _h;             // (T + 1, B, U): h_0 (the initial state), then h after each step
    private readonly float[]? _c;            // (T + 1, B, U): the LSTM's cell state, c_0 first
    private readonly float[]? _activatedCell;// (T, B, U): act(c) of the LSTM
    private readonly float[]? _candidate;    // (T, B, U): the GRU's h·U_h + b_h (reset after) or r·h (reset before)
    private readonly float[]? _stepMask;     // (T, B): the mask in processing order
    private readonly float[]? _inputKeep;    // (B, D): the input dropout mask (0 or 1 / (1 − rate))
    private readonly float[]? _recurrentKeep;// (B, U): the recurrent dropout mask
    private readonly float[]? _recurrentProduct; // (B, K·U) or (B, 2·U): a GRU step's recurrent product
    private readonly float[]? _candidateProduct; // (B, U): the reset-before GRU's (r·h)·U_h

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
        int rows = _steps * _batch, n = _units;
        bool gru = settings.Cell == RecurrentCell.Gru, hasBias = bias is not null;
        _inputWidth = _features + (gru ? 0 : n) + (hasBias ? 1 : 0);
        _inputOperand = Rent(rows * _inputWidth);
        _inputWeights = Rent(_inputWidth * _width);
        if (gru)
        {
            _stateWidth = n + (settings.ResetAfter && hasBias ? 1 : 0);
            _stateOperand = Rent(rows * _stateWidth);
            _stateWeights = Rent(_stateWidth * (settings.ResetAfter ? _width : 2 * n));
            _candidate = Rent(rows * n);
            _recurrentProduct = Rent(_batch * (settings.ResetAfter ? _width : 2 * n));
            if (!settings.ResetAfter)
            {
                _candidateWeights = Rent(n * n);
                _candidateProduct = Rent(_batch * n);
            }
        }
        _gates = Rent(rows * _width);
        _h = Rent((_steps + 1) * _batch * n);
        if (settings.Cell == RecurrentCell.Lstm)
        {
            _c = Rent((_steps + 1) * _batch * n);
            _activatedCell = Rent(rows * n);
        }
        if (mask is not null) _stepMask = Rent(rows);
        if (_dropInputs) _inputKeep = Rent(_batch * _features);
        if (_dropRecurrent) _recurrentKeep = Rent(_batch * n);
        if (withBackward) AllocateBackward();
    }

    private static float[] Rent(int size) => Workspace.Current is { } ws ? ws.Rent(size) : new float[size];

    /// <summary>Rows [b0, b1) of slot <paramref name="slot"/> of a (slots, batch, width) buffer.</summary>
    private Span<float> Rows(float[] buffer, int slot, int width, int b0, int b1) => buffer.AsSpan((slot * _batch + b0) * width, (b1 - b0) * width);

    /// <summary>State <paramref name="index"/> (0: h, 1: the LSTM's c) after the last step, (batch, units).</summary>
    public ReadOnlySpan<float> FinalState(int index) => Rows(index == 0 ? _h : _c!, _steps, _units, 0, _batch);

    /// <summary>Whether sample <paramref name="b"/> takes part in processing step <paramref name="s"/>.</summary>
    private bool Active(int s, int b) => _stepMask is null || _stepMask[s * _batch + b] != 0f;

    /// <summary>The time index of the input that processing step <paramref name="s"/> reads.</summary>
    private int TimeOf(int s) => _s.GoBackwards ? _steps - 1 - s : s;

    /// <summary>Where processing step <paramref name="s"/>'s output goes in a returned sequence.</summary>
    private int OutputPosition(int s) => _s.FlipOutput ? _steps - 1 - s : s;

    public override void Forward()
    {
        if (_dropInputs) DrawKeepMask(_inputKeep.AsSpan(0, _batch * _features), _s.Dropout);
        if (_dropRecurrent) DrawKeepMask(_recurrentKeep.AsSpan(0, _batch * _units), _s.RecurrentDropout);
        GatherMask();
        StackWeights();
        SetInitialStates();
        RunGroups(backward: false);
        WriteOutput();
    }

    private void DrawKeepMask(Span<float> mask, double rate)
    {
        ulong threshold = (ulong)(rate * 4294967296.0);
        _s.Random!.FillKeepMask(mask, threshold, (float)(1.0 / (1.0 - rate)));
    }

    private void GatherMask()
    {
        if (_stepMask is null) return;
        var m = _mask!.Values;
        for (int s = 0; s < _steps; s++)
        {
            int t = TimeOf(s);
            for (int b = 0; b < _batch; b++) _stepMask[s * _batch + b] = m[b * _steps + t];
        }
    }

    /// <summary>
    /// The weights as the per-step products read them: [W; U; b] for the LSTM and SimpleRNN; for the GRU, [W; b_in]
    /// and [U; b_rec] (reset after), or [W; b] and U split into its z–r columns and its h columns (reset before).
    /// </summary>
    private void StackWeights()
    {
        int d = _features, n = _units, w = _width;
        var kernel = _kernel.Values; var u = _recurrentKernel.Values;
        kernel.CopyTo(_inputWeights);
        int row = d;
        if (_s.Cell != RecurrentCell.Gru)
        {
            u.CopyTo(_inputWeights.AsSpan(row * w));
            row += n;
        }
        if (_bias is not null) _bias.Values[..w].CopyTo(_inputWeights.AsSpan(row * w, w));
        if (_s.GruResetAfter)
        {
            u.CopyTo(_stateWeights);
            if (_bias is not null) _bias.Values.Slice(w, w).CopyTo(_stateWeights.AsSpan(n * w, w));
        }
        else if (_s.GruResetBefore)
            for (int r = 0; r < n; r++)
            {
                u.Slice(r * w, 2 * n).CopyTo(_stateWeights.AsSpan(r * 2 * n, 2 * n));
                u.Slice(r * w + 2 * n, n).CopyTo(_candidateWeights.AsSpan(r * n, n));
            }
    }

    private void SetInitialStates()
    {
        for (int i = 0; i < _s.StateCount; i++)
        {
            var slot = Rows(i == 0 ? _h : _c!, 0, _units, 0, _batch);
            if (_initialStates is null) slot.Clear();
            else _initialStates[i].Values.CopyTo(slot);
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

    /// <summary>At most this many groups of rows run the step loop side by side.</summary>
    internal const int MaxGroups = 4;

    /// <summary>Groups have at least this many rows (a smaller batch is one group).</summary>
    internal const int MinGroupRows = 16;

    private int Groups => Math.Clamp(_batch / MinGroupRows, 1, MaxGroups);

    /// <summary>Rows [b0, b1) of group <paramref name="g"/>.</summary>
    private (int B0, int B1) GroupRows(int g) => (g * _batch / Groups, (g + 1) * _batch / Groups);

    private bool _runBackward;

    /// <summary>Runs the whole step loop (forward, or backward through time) for every group, the groups split over the threads.</summary>
    private void RunGroups(bool backward)
    {
        int parts = Math.Min(WorkerPool.MaxThreads, Groups);
        _runBackward = backward;
        if (parts <= 1) Execute(0, 1);
        else WorkerPool.Run(this, parts);
    }

    /// <summary>
    /// Part <paramref name="part"/>: the step loop over the rows of its groups, together (one product per step for
    /// all of them: a product's rows do not depend on each other, so this changes no bit), each group keeping its
    /// own weight-gradient sums.
    /// </summary>
    public void Execute(int part, int parts)
    {
        int groups = Groups;
        int g0 = groups * part / parts, g1 = groups * (part + 1) / parts;
        if (g0 >= g1) return;
        if (_runBackward) BackwardGroups(g0, g1);
        else ForwardRange(GroupRows(g0).B0, GroupRows(g1 - 1).B1);
    }
}

