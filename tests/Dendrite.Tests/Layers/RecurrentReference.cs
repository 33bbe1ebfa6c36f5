using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// Keras' recurrent layers in float64, step by step from the formulas of <c>keras/src/layers/rnn/{simple_rnn,lstm,gru}.py</c>
/// and the masking of <c>backend/numpy/rnn.py</c> (a masked step keeps the states and outputs the previous h, or
/// zeros with zero_output_for_mask); nothing shared with Dendrite's kernels.
/// </summary>
internal static class RecurrentReference
{
    /// <summary>The recurrent settings the reference needs.</summary>
    internal sealed record Cell(string Kind, int Units, string Activation = "tanh", string RecurrentActivation = "sigmoid", bool ResetAfter = true,
        bool ReturnSequences = false, bool GoBackwards = false, bool ZeroOutputForMask = false, bool Flip = false)
    {
        public static Cell Of(RecurrentLayer layer, bool flip = false) => new(
            layer switch { LSTM => "lstm", GRU => "gru", _ => "simple" }, layer.Units, layer.Activation.Name, layer.RecurrentActivation.Name,
            layer is GRU { ResetAfter: true }, layer.ReturnSequences, layer.GoBackwards, layer.ZeroOutputForMask, flip);

        public int Gates => Kind switch { "lstm" => 4, "gru" => 3, _ => 1 };
    }

    public static double Act(string name, double x) => name switch
    {
        "tanh" => Math.Tanh(x),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        "relu" => Math.Max(0, x),
        "linear" => x,
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Runs the layer on x (batch, time, features). Weights as stored: kernel (D, k·U), recurrent (U, k·U), bias
    /// (k·U) or the reset-after GRU's (2, 3·U), or null. mask (batch, time) or null; initial states null (zeros) or
    /// per state (batch, U). Returns the output (batch, [time,] U) and the final states.
    /// </summary>
    public static (double[] Output, double[][] States) Run(Cell cell, float[] x, int batch, int steps, int features,
        float[] kernel, float[] recurrent, float[]? bias, bool[]? mask = null, float[][]? initialStates = null)
    {
        int u = cell.Units, w = cell.Gates * u;
        int stateCount = cell.Kind == "lstm" ? 2 : 1;
        var output = new double[batch * (cell.ReturnSequences ? steps : 1) * u];
        var finals = Enumerable.Range(0, stateCount).Select(_ => new double[batch * u]).ToArray();
        for (int b = 0; b < batch; b++)
        {
            var h = new double[u];
            var c = new double[u];
            if (initialStates is not null)
            {
                for (int j = 0; j < u; j++) h[j] = initialStates[0][b * u + j];
                if (stateCount == 2) for (int j = 0; j < u; j++) c[j] = initialStates[1][b * u + j];
            }
            double[] last = new double[u];
            for (int s = 0; s < steps; s++)
            {
                int t = cell.GoBackwards ? steps - 1 - s : s;
                var xt = new double[features];
                for (int d = 0; d < features; d++) xt[d] = x[(b * steps + t) * features + d];
                // z = x·W (+ input bias), r = h·U (+ recurrent bias)
                var zx = new double[w];
                var zh = new double[w];
                for (int k = 0; k < w; k++)
                {
                    double sx = 0, sh = 0;
                    for (int d = 0; d < features; d++) sx += xt[d] * kernel[d * w + k];
                    for (int j = 0; j < u; j++) sh += h[j] * recurrent[j * w + k];
                    if (bias is not null) sx += bias[k];
                    if (bias is not null && cell.Kind == "gru" && cell.ResetAfter) sh += bias[w + k];
                    zx[k] = sx; zh[k] = sh;
                }
                var hNew = new double[u];
                var cNew = new double[u];
                for (int j = 0; j < u; j++)
                {
                    switch (cell.Kind)
                    {
                        case "simple":
                            hNew[j] = Act(cell.Activation, zx[j] + zh[j]);
                            break;
                        case "lstm":
                            double i = Act(cell.RecurrentActivation, zx[j] + zh[j]);
                            double f = Act(cell.RecurrentActivation, zx[u + j] + zh[u + j]);
                            double g = Act(cell.Activation, zx[2 * u + j] + zh[2 * u + j]);
                            double o = Act(cell.RecurrentActivation, zx[3 * u + j] + zh[3 * u + j]);
                            cNew[j] = f * c[j] + i * g;
                            hNew[j] = o * Act(cell.Activation, cNew[j]);
                            break;
                    }
                }
                if (cell.Kind == "gru")
                {
                    var z = new double[u];
                    var r = new double[u];
                    for (int j = 0; j < u; j++)
                    {
                        z[j] = Act(cell.RecurrentActivation, zx[j] + zh[j]);
                        r[j] = Act(cell.RecurrentActivation, zx[u + j] + zh[u + j]);
                    }
                    for (int j = 0; j < u; j++)
                    {
                        double recurrentH;
                        if (cell.ResetAfter) recurrentH = r[j] * zh[2 * u + j];
                        else
                        {
                            recurrentH = 0;
                            for (int k = 0; k < u; k++) recurrentH += r[k] * h[k] * recurrent[k * w + 2 * u + j];
                        }
                        double hh = Act(cell.Activation, zx[2 * u + j] + recurrentH);
                        hNew[j] = z[j] * h[j] + (1 - z[j]) * hh;
                    }
                }
                bool active = mask is null || mask[b * steps + t];
                double[] outputNow;
                if (active)
                {
                    h = hNew; c = cNew;
                    outputNow = hNew;
                }
                else outputNow = cell.ZeroOutputForMask ? new double[u] : (double[])h.Clone();
                if (cell.ReturnSequences)
                {
                    int position = cell.Flip ? steps - 1 - s : s;
                    Array.Copy(outputNow, 0, output, (b * steps + position) * u, u);
                }
                last = outputNow;
            }
            if (!cell.ReturnSequences) Array.Copy(last, 0, output, b * u, u);
            Array.Copy(h, 0, finals[0], b * u, u);
            if (stateCount == 2) Array.Copy(c, 0, finals[1], b * u, u);
        }
        return (output, finals);
    }

    /// <summary>The mask a Masking layer makes from inputs whose padded steps are all zeros.</summary>
    public static bool[] MaskOfZeroRows(float[] x, int rows, int features)
    {
        var mask = new bool[rows];
        for (int r = 0; r < rows; r++) mask[r] = x.AsSpan(r * features, features).IndexOfAnyExcept(0f) >= 0;
        return mask;
    }

    /// <summary>The layer's output for the harness's inputs (masked where a step is all zeros when <paramref name="masked"/>).</summary>
    public static double[] Output(RecurrentLayer layer, float[] x, int batch, bool masked, bool flip = false)
    {
        int steps = layer.InputShape!.Value[0], features = layer.InputShape.Value[1];
        var mask = masked ? MaskOfZeroRows(x, batch * steps, features) : null;
        return Run(Cell.Of(layer, flip), x, batch, steps, features, layer.Kernel!.Value.Values.ToArray(), layer.RecurrentKernel!.Value.Values.ToArray(),
            layer.Bias?.Value.Values.ToArray(), mask).Output;
    }

    /// <summary>Bidirectional: the forward output merged with the flipped backward output, as Keras does.</summary>
    public static double[] Output(Bidirectional layer, float[] x, int batch, bool masked)
    {
        var forward = Output(layer.ForwardLayer, x, batch, masked);
        var backward = Output(layer.BackwardLayer, x, batch, masked, flip: layer.ReturnSequences);
        int uf = layer.ForwardLayer.Units, ub = layer.BackwardLayer.Units, rows = forward.Length / uf;
        return layer.MergeMode switch
        {
            "concat" => [.. Enumerable.Range(0, rows).SelectMany(r => forward.Skip(r * uf).Take(uf).Concat(backward.Skip(r * ub).Take(ub)))],
            "sum" => [.. forward.Zip(backward, (a, b) => a + b)],
            "mul" => [.. forward.Zip(backward, (a, b) => a * b)],
            "ave" => [.. forward.Zip(backward, (a, b) => (a + b) / 2)],
            _ => throw new ArgumentException(layer.MergeMode),
        };
    }
}
