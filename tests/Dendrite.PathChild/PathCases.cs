using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Optimizers;

namespace Dendrite.PathChild;

/// <summary>
/// The work the path child does, shared (by source link) with the test that checks its results: the SGEMM
/// shapes plus odd ones, and one SGD step of a small dense network, all on seeded inputs.
/// </summary>
internal static class PathCases
{
    /// <summary>(m, k, n, transposeA, transposeB): the Dense(512) forward, its weight gradient, the output layer, and edges of every kernel.</summary>
    internal static readonly (int M, int K, int N, bool TransposeA, bool TransposeB)[] Gemms =
    [
        (128, 784, 512, false, false),
        (784, 128, 512, true, false),
        (128, 512, 10, false, false),
        (67, 129, 45, false, true),
        (13, 300, 7, true, true),
    ];

    /// <summary>Uniform values in [−1, 1) from <paramref name="seed"/>.</summary>
    internal static float[] Uniform(int seed, int count)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Case <paramref name="index"/>'s operands A (stored transposed when asked) and B.</summary>
    internal static (float[] A, float[] B) GemmInputs(int index)
    {
        var (m, k, n, _, _) = Gemms[index];
        return (Uniform(100 + index, m * k), Uniform(200 + index, k * n));
    }

    internal const int Batch = 64, Features = 20, Hidden = 32, Outputs = 4;
    internal const float LearningRate = 0.1f;

    /// <summary>The step's data: x (Batch, Features), targets (Batch, Outputs).</summary>
    internal static (float[] X, float[] Y) StepData() => (Uniform(300, Batch * Features), Uniform(301, Batch * Outputs));

    /// <summary>The initial weights, as GetWeights orders them: kernel 1 (Features, Hidden), bias 1, kernel 2 (Hidden, Outputs), bias 2.</summary>
    internal static float[][] InitialWeights() =>
    [
        Scaled(Uniform(400, Features * Hidden), 0.3f), Scaled(Uniform(401, Hidden), 0.1f),
        Scaled(Uniform(402, Hidden * Outputs), 0.3f), Scaled(Uniform(403, Outputs), 0.1f),
    ];

    /// <summary>Input(Features) → Dense(Hidden, relu) → Dense(Outputs), mean squared error, plain SGD; the initial weights set.</summary>
    internal static Model BuildStepModel()
    {
        var model = new Sequential(new InputLayer([Features]), new Dense(Hidden, activation: "relu"), new Dense(Outputs));
        model.Compile(new SGD(LearningRate), new MeanSquaredError());
        var shapes = new[] { new[] { Features, Hidden }, [Hidden], [Hidden, Outputs], [Outputs] };
        var init = InitialWeights();
        model.SetWeights(init.Select((w, i) => new NDArray<float>(w, shapes[i])).ToList());
        return model;
    }

    /// <summary>One full-batch SGD step; the weights after it, flattened in GetWeights order.</summary>
    internal static float[][] TrainOneStep()
    {
        var model = BuildStepModel();
        var (x, y) = StepData();
        model.Fit(new NDArray<float>(x, [Batch, Features]), new NDArray<float>(y, [Batch, Outputs]), epochs: 1, batchSize: Batch, shuffle: false, verbose: 0);
        return model.GetWeights().Select(w => w.ToArray()).ToArray();
    }

    private static float[] Scaled(float[] values, float scale)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= scale;
        return values;
    }
}
