using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

// Backpropagation through time for RecurrentOp, one group of rows per core.

internal sealed partial class RecurrentOp
{
    private float[] _dGates = null!;         // (B, K·U): this step's gradients of the input side's pre-activations
    private float[] _dRecurrentGates = null!;// (B, K·U): of the recurrent product's outputs (the same buffer unless GRU reset after)
    private float[]? _dGatesZr;              // (B, 2·U): the reset-before GRU's z and r columns, contiguous for their products
    private float[]? _dCandidate;            // (B, U): the reset-before GRU's candidate column
    private float[] _dH = null!;             // (B, U): the running gradient of h
    private float[]? _dC;                    // (B, U): the running gradient of the LSTM's c
    private float[]? _dTemp;                 // (B, U): a recurrent product's result before the dropout mask, or d(r·h)
    private float[]? _dOperand;              // (B, U): the reset-before GRU's gradient of its recurrent operand
    private float[] _uTransposed = null!;    // (K·U, U), or the reset-before GRU's (2·U, U): Uᵀ
    private float[]? _uCandidateTransposed;  // (U, U)
    private float[]? _kernelTransposed;      // (K·U, D): Wᵀ, when x needs a gradient
    private float[]? _dInputs;               // (B, D): this step's gradient of x_t
    private float[] _partials = null!;       // (groups, partial size): each group's weight-gradient sums
    private int _partialSize, _stateOffset, _candidateOffset;
    private bool _inputGradFresh, _weightGrads;

    private void AllocateBackward()
    {
        int n = _units, w = _width;
        _dGates = Rent(_batch * w);
        _dRecurrentGates = _s.GruResetAfter ? Rent(_batch * w) : _dGates;
        _dH = Rent(_batch * n);
        if (_s.Cell == RecurrentCell.Lstm) _dC = Rent(_batch * n);
        if (_dropRecurrent || _s.GruResetBefore) _dTemp = Rent(_batch * n);
        _stateOffset = _inputWidth * w;
        if (_s.GruResetBefore)
        {
            _dGatesZr = Rent(_batch * 2 * n);
            _dCandidate = Rent(_batch * n);
            _dOperand = Rent(_batch * n);
            _uTransposed = Rent(2 * n * n);
            _uCandidateTransposed = Rent(n * n);
            _candidateOffset = _stateOffset + n * 2 * n;
            _partialSize = _candidateOffset + n * n;
        }
        else
        {
            _uTransposed = Rent(w * n);
            _partialSize = _s.GruResetAfter ? _stateOffset + _stateWidth * w : _stateOffset;
        }
        if (_x.RequiresGrad)
        {
            _kernelTransposed = Rent(w * _features);
            _dInputs = Rent(_batch * _features);
        }
        _partials = Rent(Groups * _partialSize);
    }

    public override void Backward(int generation)
    {
        if (_dH is null) throw new InvalidOperationException("This recurrent op was recorded without its backward buffers.");
        int n = _units;
        if (_s.GruResetBefore)
        {
            Gemm.Transpose(_stateWeights, _uTransposed, n, 2 * n);
            Gemm.Transpose(_candidateWeights, _uCandidateTransposed, n, n);
        }
        else Gemm.Transpose(_recurrentKernel.Values, _uTransposed, n, _width);
        if (_x.RequiresGrad)
        {
            Gemm.Transpose(_kernel.Values, _kernelTransposed, _features, _width);
            _x.GradForWrite(generation, out _inputGradFresh); // taken here: the workers only write into it
        }
        _weightGrads = _kernel.RequiresGrad || _recurrentKernel.RequiresGrad || (_bias?.RequiresGrad ?? false);
        SeedStateGradient(0, _dH, generation);
        if (_dC is not null) SeedStateGradient(1, _dC, generation);
        RunGroups(backward: true);
        InitialStateGradients(generation);
        WeightGradients(generation);
    }

    /// <summary>Starts the running gradient of state <paramref name="index"/> from its final-state output's gradient, or zero.</summary>
    private void SeedStateGradient(int index, float[] running, int generation)
    {
        var state = index < StateOutputs.Length ? StateOutputs[index] : null;
        if (state is not null && state.GradBuffer is not null && state.GradGeneration == generation) state.Grad.CopyTo(running);
        else running.AsSpan(0, _batch * _units).Clear();
    }

    /// <summary>Every step, backwards through time, for the rows of groups [g0, g1), each group adding to its own sums.</summary>
    private void BackwardGroups(int g0, int g1)
    {
        int b0 = GroupRows(g0).B0, b1 = GroupRows(g1 - 1).B1;
        for (int s = _steps - 1; s >= 0; s--)
        {
            AddOutputGradient(s, b0, b1);
            if (_s.GruResetBefore) BackStepResetBefore(s, b0, b1);
            else BackStep(s, b0, b1);
            if (_weightGrads)
                for (int g = g0; g < g1; g++)
                {
                    var (r0, r1) = GroupRows(g);
                    AccumulateWeightGradients(s, r0, r1, _partials.AsSpan(g * _partialSize, _partialSize), first: s == _steps - 1);
                }
            if (_x.RequiresGrad) InputGradient(s, b0, b1);
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
        var dRecurrent = _dRecurrentGates.AsSpan(b0 * _width, rows * _width);
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
        Gemm.Multiply(_dCandidate.AsSpan(b0 * n, rows * n), _uCandidateTransposed, temp, rows, n, n, false, false, 1f, 0f);
        BackwardRows(Phase.BackwardGates, s, b0, b1);
        Gemm.Multiply(_dGatesZr.AsSpan(b0 * 2 * n, rows * 2 * n), _uTransposed, dOperand, rows, 2 * n, n, false, false, 1f, 1f);
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
            var dGates = _dGates.AsSpan(b * w, w);
            var dh = _dH.AsSpan(b * n, n);
            var hPrev = _h.AsSpan(row * n, n);
            bool active = Active(s, b);
            if (phase == Phase.BackwardGates)
            {
                var dOperand = _dOperand.AsSpan(b * n, n);
                var dZr = _dGatesZr.AsSpan(b * 2 * n, 2 * n);
                if (!active) { dOperand.Clear(); dZr.Clear(); continue; }
                GruKernels.GatesBackwardResetBefore(gates, _stateOperand.AsSpan(row * n, n), _dTemp.AsSpan(b * n, n), dGates, dOperand, rec);
                dGates[..(2 * n)].CopyTo(dZr);
                continue;
            }
            if (!active)
            {
                // A masked step passed the states through: their gradients pass back unchanged, the gates get none.
                dGates.Clear();
                if (!ReferenceEquals(_dRecurrentGates, _dGates)) _dRecurrentGates.AsSpan(b * w, w).Clear();
                if (_dCandidate is not null) _dCandidate.AsSpan(b * n, n).Clear();
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
                    GruKernels.BackwardResetAfter(gates, _candidate.AsSpan(row * n, n), hPrev, dh, dGates, _dRecurrentGates.AsSpan(b * w, w), act, rec);
                    break;
                default:
                    GruKernels.CandidateBackwardResetBefore(gates, hPrev, dh, dGates, act, rec);
                    dGates.Slice(2 * n, n).CopyTo(_dCandidate.AsSpan(b * n, n));
                    break;
            }
        }
    }

    /// <summary>
    /// Adds step <paramref name="s"/>'s share of the weight gradients for rows [b0, b1) to the group's sums: operandᵀ·dG
    /// for each product of the step (the operand's column of ones gives the bias gradient).
    /// </summary>
    private void AccumulateWeightGradients(int s, int b0, int b1, Span<float> partial, bool first)
    {
        int rows = b1 - b0, n = _units, w = _width;
        float beta = first ? 0f : 1f;
        Gemm.Multiply(Rows(_inputOperand, s, _inputWidth, b0, b1), _dGates.AsSpan(b0 * w, rows * w), partial[.._stateOffset],
            _inputWidth, rows, w, transposeA: true, transposeB: false, 1f, beta);
        if (_s.GruResetAfter)
            Gemm.Multiply(Rows(_stateOperand!, s, _stateWidth, b0, b1), _dRecurrentGates.AsSpan(b0 * w, rows * w), partial[_stateOffset..],
                _stateWidth, rows, w, transposeA: true, transposeB: false, 1f, beta);
        else if (_s.GruResetBefore)
        {
            Gemm.Multiply(Rows(_stateOperand!, s, n, b0, b1), _dGatesZr.AsSpan(b0 * 2 * n, rows * 2 * n), partial[_stateOffset.._candidateOffset],
                n, rows, 2 * n, transposeA: true, transposeB: false, 1f, beta);
            Gemm.Multiply(Rows(_candidate!, s, n, b0, b1), _dCandidate.AsSpan(b0 * n, rows * n), partial[_candidateOffset..],
                n, rows, n, transposeA: true, transposeB: false, 1f, beta);
        }
    }

    /// <summary>dx_t = dG·Wᵀ for rows [b0, b1), written to x's gradient at the step's time through the input dropout mask.</summary>
    private void InputGradient(int s, int b0, int b1)
    {
        int rows = b1 - b0, d = _features, t = TimeOf(s);
        var temp = _dInputs.AsSpan(b0 * d, rows * d);
        Gemm.Multiply(_dGates.AsSpan(b0 * _width, rows * _width), _kernelTransposed, temp, rows, _width, d, false, false, 1f, 0f);
        var dx = _x.Grad;
        for (int b = b0; b < b1; b++)
        {
            var source = temp.Slice((b - b0) * d, d);
            var target = dx.Slice((b * _steps + t) * d, d);
            if (_dropInputs)
            {
                var keep = _inputKeep.AsSpan(b * d, d);
                if (_inputGradFresh) TensorPrimitives.Multiply(source, keep, target);
                else TensorPrimitives.FusedMultiplyAdd(source, keep, target, target);
            }
            else if (_inputGradFresh) source.CopyTo(target);
            else TensorPrimitives.Add(target, source, target);
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

    /// <summary>Adds the groups' sums in group order, then hands each weight its block: W, U and b from the stacked layout.</summary>
    private void WeightGradients(int generation)
    {
        if (!_weightGrads) return;
        var total = _partials.AsSpan(0, _partialSize);
        for (int g = 1; g < Groups; g++) TensorPrimitives.Add(total, _partials.AsSpan(g * _partialSize, _partialSize), total);
        int d = _features, n = _units, w = _width;
        if (_kernel.RequiresGrad) Deliver(_kernel, total[..(d * w)], generation);
        if (_recurrentKernel.RequiresGrad)
        {
            if (_s.Cell != RecurrentCell.Gru) Deliver(_recurrentKernel, total.Slice(d * w, n * w), generation);
            else if (_s.ResetAfter) Deliver(_recurrentKernel, total.Slice(_stateOffset, n * w), generation);
            else
            {
                var du = _recurrentKernel.GradForWrite(generation, out bool fresh);
                for (int row = 0; row < n; row++)
                {
                    var target = du.Slice(row * w, w);
                    var gates = total.Slice(_stateOffset + row * 2 * n, 2 * n);
                    var candidate = total.Slice(_candidateOffset + row * n, n);
                    if (fresh) { gates.CopyTo(target); candidate.CopyTo(target[(2 * n)..]); }
                    else
                    {
                        TensorPrimitives.Add(target[..(2 * n)], gates, target[..(2 * n)]);
                        TensorPrimitives.Add(target[(2 * n)..], candidate, target[(2 * n)..]);
                    }
                }
            }
        }
        if (_bias is { RequiresGrad: true })
        {
            var db = _bias.GradForWrite(generation, out bool fresh);
            Merge(db[..w], total.Slice((_inputWidth - 1) * w, w), fresh);
            if (_s.GruResetAfter) Merge(db.Slice(w, w), total.Slice(_stateOffset + n * w, w), fresh);
        }
    }

    private static void Deliver(Tensor weight, ReadOnlySpan<float> gradient, int generation)
    {
        var grad = weight.GradForWrite(generation, out bool fresh);
        Merge(grad, gradient, fresh);
    }

    private static void Merge(Span<float> target, ReadOnlySpan<float> source, bool fresh)
    {
        if (fresh) source.CopyTo(target);
        else TensorPrimitives.Add(target, source, target);
    }
}
