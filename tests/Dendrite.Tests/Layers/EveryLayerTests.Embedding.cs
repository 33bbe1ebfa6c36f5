using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Layers;

// Embedding and Masking through the shared harness.
public partial class EveryLayerTests
{
    [Theory, MemberData(nameof(CasesOf), "Embedding")] public void EmbeddingCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Masking")] public void MaskingCases(string name) => Run(name);

    static partial void AddRecurrentSpecs(List<LayerSpec> specs);
    static partial void AddConvolution1DSpecs(List<LayerSpec> specs);
    static partial void AddAttentionSpecs(List<LayerSpec> specs);

    private static void AddEmbeddingSpecs(List<LayerSpec> specs)
    {
        foreach (var (inputDim, outputDim, shape, maskZero) in new (int, int, int[], bool)[]
        {
            (1, 1, [1], false), (7, 3, [5], false), (129, 7, [4], true), (10, 4, [2, 3], true),
        })
            specs.Add(new()
            {
                Name = $"Embedding({inputDim}, {outputDim}{(maskZero ? ", maskZero" : "")}) on ({Text(shape)})",
                Create = () => new Embedding(inputDim, outputDim, maskZero: maskZero),
                InputShapes = [shape],
                ExpectedOutputShape = [.. shape, outputDim],
                ExpectedWeights = [T("embeddings", inputDim, outputDim)],
                InputsNotDifferentiable = true,
                // Every index of the vocabulary, repeated and in an awkward order (0 included: it is an ordinary row
                // of the table even when masked).
                Inputs = counts => [.. counts.Select(n => Enumerable.Range(0, n).Select(i => (float)((i * 5 + 3) % inputDim)).ToArray())],
                Reference = (layer, x, _) =>
                {
                    var table = ((Embedding)layer).Embeddings!.Value.Values.ToArray();
                    return [.. x[0].SelectMany(index => table.AsSpan((int)index * outputDim, outputDim).ToArray().Select(v => (double)v))];
                },
                ReferenceTolerance = 0,
            });

        foreach (var (shape, maskValue) in new (int[], double)[] { ([1, 1], 0.0), ([7, 3], 0.0), ([4, 129], 0.0), ([5, 2], 0.5) })
            specs.Add(new()
            {
                Name = $"Masking({maskValue:R}) on ({Text(shape)})",
                Create = () => new Masking(maskValue),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [],
                // Some steps are all maskValue: they come out as zeros (and a finite difference would unmask them, so
                // the input gradient is checked by MaskingTests instead). The (1, 1) case has no padding and is checked here.
                Inputs = shape[0] == 1 ? null : counts => [PaddedWith(Uniform(shape.Sum(), counts[0], -1, 1), shape[^1], (float)maskValue)],
                InputsNotDifferentiable = shape[0] != 1,
                Reference = (_, x, _) =>
                {
                    int n = shape[^1];
                    return [.. x[0].Chunk(n).SelectMany(row => row.All(v => v == (float)maskValue) ? new double[n] : row.Select(v => (double)v))];
                },
                ReferenceTolerance = 0,
            });
    }

    /// <summary>Sets every third row (of <paramref name="rowLength"/>) of <paramref name="values"/> to <paramref name="value"/>.</summary>
    private static float[] PaddedWith(float[] values, int rowLength, float value)
    {
        for (int r = 0; r * rowLength < values.Length; r += 3) values.AsSpan(r * rowLength, rowLength).Fill(value);
        return values;
    }
}
