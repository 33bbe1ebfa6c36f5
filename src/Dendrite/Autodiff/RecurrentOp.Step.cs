using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite.Autodiff;

// RecurrentOp's forward steps: the stacked operands, the products, and the fused gate kernels, for one group of rows.

internal sealed partial class RecurrentOp
{
    /// <summary>Every step, forward, for rows [b0, b1).</summary>
    private void ForwardRange(int b0, int b1)
    {
        for (int s = 0; s < _steps; s++)
        {
            BuildOperands(s, b0, b1);
            Step(s, b0, b1);
        }
    }

    /// <summary>
    /// Writes step <paramref name="s"/>'s operands for rows [b0, b1): x_t (times the input dropout mask), h_prev (times
    /// the recurrent dropout mask) — beside x_t for the fused cells, apart for the GRU — and the 1 that multiplies the bias.
    /// </summary>
    private void BuildOperands(int s, int b0, int b1)
    {
        int d = _features, n = _units, t = TimeOf(s);
        bool gru = _s.Cell == RecurrentCell.Gru;
        var x = _x.Values;
        for (int b = b0; b < b1; b++)
        {
            var row = _inputOperand.AsSpan((s * _batch + b) * _inputWidth, _inputWidth);
            var xt = x.Slice((b * _steps + t) * d, d);
            if (_dropInputs) TensorPrimitives.Multiply(xt, _inputKeep.AsSpan(b * d, d), row[..d]);
            else xt.CopyTo(row);
            var hPrev = _h.AsSpan((s * _batch + b) * n, n);
            var state = gru ? _stateOperand.AsSpan((s * _batch + b) * _stateWidth, _stateWidth) : row.Slice(d, n);
            if (_dropRecurrent) TensorPrimitives.Multiply(hPrev, _recurrentKeep.AsSpan(b * n, n), state[..n]);
            else hPrev.CopyTo(state);
            if (_bias is not null) row[^1] = 1f;
            if (gru && _stateWidth > n) state[^1] = 1f;
        }
    }

    /// <summary>Step <paramref name="s"/> for rows [b0, b1): the products, then the gate kernel on each row.</summary>
    private void Step(int s, int b0, int b1)
    {
        int rows = b1 - b0, n = _units, w = _width;
        var gates = Rows(_gates, s, w, b0, b1);
        Gemm.Multiply(Rows(_inputOperand, s, _inputWidth, b0, b1), _inputWeights, gates, rows, _inputWidth, w, false, false, 1f, 0f);
        switch (_s.Cell)
        {
            case RecurrentCell.Lstm:
            case RecurrentCell.SimpleRnn:
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
            case RecurrentCell.Gru when _s.ResetAfter:
                Gemm.Multiply(Rows(_stateOperand!, s, _stateWidth, b0, b1), _stateWeights, _recurrentProduct.AsSpan(b0 * w, rows * w),
                    rows, _stateWidth, w, false, false, 1f, 0f);
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
            default:
                Gemm.Multiply(Rows(_stateOperand!, s, n, b0, b1), _stateWeights, _recurrentProduct.AsSpan(b0 * 2 * n, rows * 2 * n),
                    rows, n, 2 * n, false, false, 1f, 0f);
                ForwardRows(Phase.ForwardGates, s, b0, b1);
                Gemm.Multiply(Rows(_candidate!, s, n, b0, b1), _candidateWeights, _candidateProduct.AsSpan(b0 * n, rows * n),
                    rows, n, n, false, false, 1f, 0f);
                ForwardRows(Phase.Forward, s, b0, b1);
                break;
        }
    }

    private enum Phase { Forward, ForwardGates, Backward, BackwardGates }

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
                GruKernels.GatesResetBefore(gates, _recurrentProduct.AsSpan(b * 2 * n, 2 * n), _stateOperand.AsSpan(row * n, n), _candidate.AsSpan(row * n, n), rec);
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
                    // The recurrent bias came with the product (the operand's column of ones).
                    GruKernels.ForwardResetAfter(gates, _recurrentProduct.AsSpan(b * w, w), default, hPrev, _candidate.AsSpan(row * n, n), h, act, rec);
                    break;
                default:
                    GruKernels.CandidateResetBefore(gates, _candidateProduct.AsSpan(b * n, n), hPrev, h, act);
                    break;
            }
        }
    }
}
