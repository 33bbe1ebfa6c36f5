using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Layers;

// MultiHeadAttention and Attention through the shared harness, against float64 references of Keras' formulas.
public partial class EveryLayerTests
{
    [Theory, MemberData(nameof(CasesOf), "MultiHeadAttention")] public void MultiHeadAttentionCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Attention")] public void AttentionCases(string name) => Run(name);

    static partial void AddAttentionSpecs(List<LayerSpec> specs)
    {
        // MultiHeadAttention: heads 1/2/3, Tq ≠ Tv, 1 and 7 steps, feature sizes 1/7/129, valueDim ≠ keyDim, a separate
        // key, no bias, an output shape, dropout (the identity at inference), and masked inputs (some steps padding).
        foreach (var c in new (int Heads, int KeyDim, int? ValueDim, bool Bias, int[]? Out, int[] Q, int[] V, int[]? K, bool Masked, double Dropout)[]
        {
            (2, 3, null, true, null, [5, 7], [5, 7], null, false, 0),
            (3, 2, 4, true, null, [1, 7], [7, 4], null, false, 0),
            (1, 1, null, false, null, [7, 1], [3, 1], [3, 2], false, 0),
            (2, 2, null, true, [3], [4, 129], [2, 5], null, false, 0),
            (2, 3, 2, true, null, [5, 7], [6, 7], [6, 4], true, 0),
            (1, 4, null, true, null, [6, 3], [6, 3], null, true, 0),
            (2, 2, null, true, null, [3, 4], [5, 4], null, false, 0.3),
        })
        {
            string name = $"MultiHeadAttention({c.Heads}, {c.KeyDim}{(c.ValueDim is int vd ? $", valueDim {vd}" : "")}{(c.Bias ? "" : ", no bias")}"
                + $"{(c.Out is null ? "" : $", outputShape ({Text(c.Out)})")}{(c.Dropout > 0 ? $", dropout {c.Dropout}" : "")}) on ({Text(c.Q)}), ({Text(c.V)})"
                + $"{(c.K is null ? "" : $", ({Text(c.K)})")}{(c.Masked ? ", masked" : "")}";
            int dim = c.Q[1], valueDim = c.ValueDim ?? c.KeyDim;
            int[] outDims = c.Out ?? [dim];
            var weights = new List<(string, int[], bool)>();
            foreach (var (input, depth) in new[] { (c.Q[1], c.KeyDim), ((c.K ?? c.V)[1], c.KeyDim), (c.V[1], valueDim) })
            {
                weights.Add(T("kernel", input, c.Heads, depth));
                if (c.Bias) weights.Add(T("bias", c.Heads, depth));
            }
            weights.Add(T("kernel", [c.Heads, valueDim, .. outDims]));
            if (c.Bias) weights.Add(T("bias", outDims));
            specs.Add(new()
            {
                Name = name,
                Create = () => new MultiHeadAttention(c.Heads, c.KeyDim, c.ValueDim, c.Dropout, c.Bias, c.Out, seed: c.Dropout > 0 ? 7 : null),
                InputShapes = c.K is null ? [c.Q, c.V] : [c.Q, c.V, c.K],
                ExpectedOutputShape = [c.Q[0], .. outDims],
                ExpectedWeights = [.. weights],
                Masked = c.Masked,
                // The key bias adds the same q·b to every score of a row: the softmax, and so the loss, ignore it.
                WeightsWithoutGradient = c.Bias ? [3] : [],
                Reference = (layer, x, batch) => AttentionReference.MultiHead((MultiHeadAttention)layer, x[0], x[1], x.Length == 3 ? x[2] : x[1], batch,
                    c.Q, c.V, c.K ?? c.V, c.Masked, c.K is not null),
            });
        }

        // Attention: dot and concat scores, with and without the learned scale, a separate key whose width differs from
        // the value's, 1 and 7 steps, 129 features, masked inputs, dropout.
        foreach (var c in new (bool Scale, string Mode, int[] Q, int[] V, int[]? K, bool Masked, double Dropout)[]
        {
            (false, "dot", [5, 7], [7, 7], null, false, 0),
            (true, "dot", [3, 4], [5, 2], [5, 4], false, 0),
            (false, "concat", [4, 3], [6, 3], null, false, 0),
            (true, "concat", [2, 7], [3, 5], [3, 7], false, 0),
            (false, "dot", [1, 129], [3, 129], null, false, 0),
            (false, "dot", [5, 3], [6, 3], null, true, 0),
            (true, "concat", [5, 2], [4, 3], [4, 2], true, 0),
            (false, "dot", [3, 4], [7, 4], null, false, 0.5),
        })
        {
            string name = $"Attention({c.Mode}{(c.Scale ? ", scale" : "")}{(c.Dropout > 0 ? $", dropout {c.Dropout}" : "")}) on ({Text(c.Q)}), ({Text(c.V)})"
                + $"{(c.K is null ? "" : $", ({Text(c.K)})")}{(c.Masked ? ", masked" : "")}";
            var weights = new List<(string, int[], bool)>();
            if (c.Scale) weights.Add(T("scale"));
            if (c.Mode == "concat") weights.Add(T("concat_score_weight"));
            specs.Add(new()
            {
                Name = name,
                Create = () => new Attention(c.Scale, c.Mode, c.Dropout, seed: c.Dropout > 0 ? 3 : null),
                InputShapes = c.K is null ? [c.Q, c.V] : [c.Q, c.V, c.K],
                ExpectedOutputShape = [c.Q[0], c.V[1]],
                ExpectedWeights = [.. weights],
                Masked = c.Masked,
                // Keras writes no seed for Attention: copies made from the config draw their own dropout masks.
                DeterministicTraining = c.Dropout == 0,
                // The scalar weights start within ±0.5 of 1 (a scale near 0 would flatten every score).
                Weights = (w, i) => Uniform(31 + i, w.Shape.Size, 0.5, 1.5),
                Reference = (layer, x, batch) => AttentionReference.Luong((Attention)layer, x[0], x[1], x.Length == 3 ? x[2] : x[1], batch, c.Q, c.V, c.K ?? c.V, c.Masked),
            });
        }
    }
}
