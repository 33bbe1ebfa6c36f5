using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

// Backpropagation through time for RecurrentOp.

internal sealed partial class RecurrentOp
{
    private float[] _dGates = null!;         // (T, B, K·U): gradients of the input side's pre-activations
    private float[] _dRecurrentGates = null!;// (T, B, K·U): of the recurrent product's outputs (the same buffer unless GRU reset after)
    private float[]? _dGatesZr;              // (T, B, 2·U): the reset-before GRU's z and r columns, contiguous for their products
    private float[]? _dCandidate;            // (T, B, U): the reset-before GRU's candidate column
    private float[] _dH = null!;             // (B, U): the running gradient of h
    private float[]? _dC;                    // (B, U): the running gradient of the LSTM's c
    private float[]? _dTemp;                 // (B, U): a recurrent product's result before the dropout mask, or d(r·h)
    private float[]? _dOperand;              // (B, U): the reset-before GRU's gradient of its recurrent operand
    private float[] _uTransposed = null!;    // (K·U, U), or the reset-before GRU's (2·U, U): Uᵀ, read in place by every step's product
    private float[]? _uCandidateTransposed;  // (U, U)
    private float[]? _dInputs;               // (T, B, D)
    private float[]? _dUGates, _dUCandidate; // the reset-before GRU's U gradient blocks

    private void AllocateBackward()
    {
        int rows = _steps * _batch, n = _units;
        _dGates = Rent(rows * _width);
        _dRecurrentGates = _s.GruResetAfter ? Rent(rows * _width) : _dGates;
        _dH = Rent(_batch * n);
        if (_s.Cell == RecurrentCell.Lstm) _dC = Rent(_batch * n);
        if (_dropRecurrent || _s.GruResetBefore) _dTemp = Rent(_batch * n);
        if (_s.GruResetBefore)
        {
            _dGatesZr = Rent(rows * 2 * n);
            _dCandidate = Rent(rows * n);
            _dOperand = Rent(_batch * n);
            _uTransposed = Rent(2 * n * n);
            _uCandidateTransposed = Rent(n * n);
            _dUGates = Rent(n * 2 * n);
            _dUCandidate = Rent(n * n);
        }
        else _uTransposed = Rent(_width * n);
        if (_x.RequiresGrad) _dInputs = Rent(rows * _features);
    }

    public override void Backward(int generation)
    {
        if (_dH is null) throw new InvalidOperationException("This recurrent op was recorded without its backward buffers.");
        int n = _units;
        if (_s.GruResetBefore)
        {
            Gemm.Transpose(_uGates, _uTransposed, n, 2 * n);
            Gemm.Transpose(_uCandidate, _uCandidateTransposed, n, n);
        }
        else Gemm.Transpose(_recurrentKernel.Values, _uTransposed, n, _width);
        SeedStateGradient(0, _dH, generation);
        if (_dC is not null) SeedStateGradient(1, _dC, generation);
        RunChunks(backward: true);
        InitialStateGradients(generation);
        WeightGradients(generation);
        InputGradient(generation);
    }

    /// <summary>Starts the running gradient of state <paramref name="index"/> from its final-state output's gradient, or zero.</summary>
    private void SeedStateGradient(int index, float[] running, int generation)
    {
        var state = index < StateOutputs.Length ? StateOutputs[index] : null;
        if (state is not null && state.GradBuffer is not null && state.GradGeneration == generation) state.Grad.CopyTo(running);
        else running.AsSpan(0, _batch * _units).Clear();
    }

    /// <summary>Every step, backwards through time, for rows [b0, b1).</summary>
    private void BackwardRange(int b0, int b1)
    {
        for (int s = _steps - 1; s >= 0; s--)
        {
            AddOutputGradient(s, b0, b1);
            if (_s.GruResetBefore) BackStepResetBefore(s, b0, b1);
            else BackStep(s, b0, b1);
        }
    }

    /// <summary>Adds the output's gradient at step <paramref name="s"/> to dh for rows [b0, b1) (none where the output was a masked zero).</summary>
    private void AddOutputGradient(int s, int b0, int b1)
    {
        if (!_s.ReturnSequences && s != _steps - 1) return;
        var dy = Output.Grad;
        int n = _units, position = OutputPosition(s);
        for (int b = b0; b < b1; b++)
        {
            if (_s.ZeroOutputForMask && !Active(s, b)) continue;
            var source = _s.ReturnSequences ? dy.Slice((b * _steps + position) * n, n) : dy.Slice(b * n, n);
            var dh = _dH.AsSpan(b * n, n);
            TensorPrimitives.Add(dh, source, dh);
        }
    }

    /// <summary>One step back, rows [b0, b1), for the cells with one recurrent product: the gate kernel per row, then dh_prev += dG·Uᵀ.</summary>
    private void BackStep(int s, int b0, int b1)
    {
        BackwardRows(Phase.Backward, s, b0, b1);
        int rows = b1 - b0, n = _units;
        var dRecurrent = Rows(_dRecurrentGates, s, _width, b0, b1);
        var dh = _dH.AsSpan(b0 * n, rows * n);
        if (_dropRecurrent)
        {
            var temp = _dTemp.AsSpan(b0 * n, rows * n);
            Gemm.Multiply(dRecurrent, _uTransposed, temp, rows, _width, n, false, false, 1f, 0f);
            TensorPrimitives.FusedMultiplyAdd(temp, _recurrentKeep.AsSpan(b0 * n, rows * n), dh, dh);
        }
        else Gemm.Multiply(dRecurrent, _uTransposed, dh, rows, _width, n, false, false, 1f, 1f);
    }

    /// <summary>One step back, rows [b0, b1), for the reset-before GRU: its two kernels around the candidate's and the gates' products.</summary>
    private void BackStepResetBefore(int s, int b0, int b1)
    {
        int rows = b1 - b0, n = _units;
        var temp = _dTemp.AsSpan(b0 * n, rows * n);
        var dOperand = _dOperand.AsSpan(b0 * n, rows * n);
        BackwardRows(Phase.Backward, s, b0, b1);
        Gemm.Multiply(Rows(_dCandidate!, s, n, b0, b1), _uCandidateTransposed, temp, rows, n, n, false, false, 1f, 0f);
        BackwardRows(Phase.BackwardGates, s, b0, b1);
        Gemm.Multiply(Rows(_dGatesZr!, s, 2 * n, b0, b1), _uTransposed, dOperand, rows, 2 * n, n, false, false, 1f, 1f);
        var dh = _dH.AsSpan(b0 * n, rows * n);
        if (_dropRecurrent) TensorPrimitives.FusedMultiplyAdd(dOperand, _recurrentKeep.AsSpan(b0 * n, rows * n), dh, dh);
        else TensorPrimitives.Add(dh, dOperand, dh);
    }

    /// <summary>The backward kernels for rows [b0, b1) of step <paramref name="s"/>.</summary>
    private void BackwardRows(Phase phase, int s, int b0, int b1)
    {
        int n = _units, w = _width;
        var act = _s.Activation; var rec = _s.RecurrentActivation;
        for (int b = b0; b < b1; b++)
        {
            int row = s * _batch + b;
            var gates = _gates.AsSpan(row * w, w);
            var dGates = _dGates.AsSpan(row * w, w);
            var dh = _dH.AsSpan(b * n, n);
            var hPrev = _h.AsSpan(row * n, n);
            bool active = Active(s, b);
            if (phase == Phase.BackwardGates)
            {
                var dOperand = _dOperand.AsSpan(b * n, n);
                var dZr = _dGatesZr.AsSpan(row * 2 * n, 2 * n);
                if (!active) { dOperand.Clear(); dZr.Clear(); continue; }
                var operand = _dropRecurrent ? _operands.AsSpan(row * n, n) : hPrev;
                GruKernels.GatesBackwardResetBefore(gates, operand, _dTemp.AsSpan(b * n, n), dGates, dOperand, rec);
                dGates[..(2 * n)].CopyTo(dZr);
                continue;
            }
            if (!active)
            {
                // A masked step passed the states through: their gradients pass back unchanged, the gates get none.
                dGates.Clear();
                if (!ReferenceEquals(_dRecurrentGates, _dGates)) _dRecurrentGates.AsSpan(row * w, w).Clear();
                if (_dCandidate is not null) _dCandidate.AsSpan(row * n, n).Clear();
                continue;
            }
            switch (_s.Cell)
            {
                case RecurrentCell.Lstm:
                    LstmKernels.Backward(gates, _c.AsSpan(row * n, n), _activatedCell.AsSpan(row * n, n), dh, _dC.AsSpan(b * n, n), dGates, act, rec);
                    dh.Clear(); // h_prev reaches h only through the product, added next
                    break;
                case RecurrentCell.SimpleRnn:
                    SimpleRnnKernels.Backward(_h.AsSpan(row * n + _batch * n, n), dh, dGates, act);
                    dh.Clear();
                    break;
                case RecurrentCell.Gru when _s.ResetAfter:
                    GruKernels.BackwardResetAfter(gates, _candidate.AsSpan(row * n, n), hPrev, dh, dGates, _dRecurrentGates.AsSpan(row * w, w), act, rec);
                    break;
                default:
                    GruKernels.CandidateBackwardResetBefore(gates, hPrev, dh, dGates, act, rec);
                    dGates.Slice(2 * n, n).CopyTo(_dCandidate.AsSpan(row * n, n));
                    break;
            }
        }
    }

    private void InitialStateGradients(int generation)
    {
        if (_initialStates is null) return;
        for (int i = 0; i < _initialStates.Count; i++)
        {
            var state = _initialStates[i];
            if (!state.RequiresGrad) continue;
            var running = (i == 0 ? _dH : _dC!).AsSpan(0, _batch * _units);
            var grad = state.GradForWrite(generation, out bool fresh);
            if (fresh) running.CopyTo(grad);
            else TensorPrimitives.Add(grad, running, grad);
        }
    }

    private void WeightGradients(int generation)
    {
        int rows = _steps * _batch, n = _units, w = _width;
        if (_kernel.RequiresGrad)
        {
            var dw = _kernel.GradForWrite(generation, out bool fresh);
            Gemm.Multiply(_inputs, _dGates, dw, _features, rows, w, transposeA: true, transposeB: false, 1f, fresh ? 0f : 1f);
        }
        if (_recurrentKernel.RequiresGrad)
        {
            // The operands of the recurrent products, all steps: h_0 … h_{T−1} (contiguous in _h), or their dropped-out copies.
            ReadOnlySpan<float> operands = _dropRecurrent ? _operands.AsSpan(0, rows * n) : _h.AsSpan(0, rows * n);
            var du = _recurrentKernel.GradForWrite(generation, out bool fresh);
            if (_s.GruResetBefore)
            {
                Gemm.Multiply(operands, _dGatesZr, _dUGates, n, rows, 2 * n, transposeA: true, transposeB: false, 1f, 0f);
                Gemm.Multiply(_candidate, _dCandidate, _dUCandidate, n, rows, n, transposeA: true, transposeB: false, 1f, 0f);
                for (int row = 0; row < n; row++)
                {
                    var target = du.Slice(row * w, w);
                    if (fresh)
                    {
                        _dUGates.AsSpan(row * 2 * n, 2 * n).CopyTo(target);
                        _dUCandidate.AsSpan(row * n, n).CopyTo(target[(2 * n)..]);
                    }
                    else
                    {
                        TensorPrimitives.Add(target[..(2 * n)], _dUGates.AsSpan(row * 2 * n, 2 * n), target[..(2 * n)]);
                        TensorPrimitives.Add(target[(2 * n)..], _dUCandidate.AsSpan(row * n, n), target[(2 * n)..]);
                    }
                }
            }
            else Gemm.Multiply(operands, _dRecurrentGates, du, n, rows, w, transposeA: true, transposeB: false, 1f, fresh ? 0f : 1f);
        }
        if (_bias is { RequiresGrad: true })
        {
            var db = _bias.GradForAccumulation(generation);
            Ops.MaskAndSumColumns(_dGates.AsSpan(0, rows * w), default, w, relu: false, db[..w]);
            if (_s.GruResetAfter) Ops.MaskAndSumColumns(_dRecurrentGates.AsSpan(0, rows * w), default, w, relu: false, db.Slice(w, w));
        }
    }

    /// <summary>dX = dG·Wᵀ for all steps at once, scattered back to (batch, time) order through the input dropout mask.</summary>
    private void InputGradient(int generation)
    {
        if (!_x.RequiresGrad) return;
        int rows = _steps * _batch, d = _features;
        Gemm.Multiply(_dGates, _kernel.Values, _dInputs, rows, _width, d, transposeA: false, transposeB: true, 1f, 0f);
        var dx = _x.GradForWrite(generation, out bool fresh);
        for (int s = 0; s < _steps; s++)
        {
            int t = TimeOf(s);
            for (int b = 0; b < _batch; b++)
            {
                var source = _dInputs.AsSpan((s * _batch + b) * d, d);
                var target = dx.Slice((b * _steps + t) * d, d);
                if (_dropInputs)
                {
                    var keep = _inputKeep.AsSpan(b * d, d);
                    if (fresh) TensorPrimitives.Multiply(source, keep, target);
                    else TensorPrimitives.FusedMultiplyAdd(source, keep, target, target);
                }
                else if (fresh) source.CopyTo(target);
                else TensorPrimitives.Add(target, source, target);
            }
        }
    }
}
