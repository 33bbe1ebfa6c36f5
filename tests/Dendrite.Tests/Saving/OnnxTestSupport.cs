using Dendrite.Saving.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Exports a model to ONNX, runs the file in ONNX Runtime and compares every output with <c>Predict</c>.
/// </summary>
internal static class OnnxCheck
{
    /// <summary>
    /// The agreement required between ONNX Runtime and <c>Predict</c>, element by element:
    /// |onnx − predict| ≤ <see cref="Tolerance"/> + <see cref="Tolerance"/>·|predict| (absolute plus relative).
    /// </summary>
    public const double Tolerance = 1e-5;

    /// <summary>A new empty folder under the system's temporary folder.</summary>
    public static string TempFolder() => Directory.CreateTempSubdirectory("dendrite-onnx-").FullName;

    /// <summary>
    /// Replaces the biases, BatchNormalization/LayerNormalization factors and offsets and the moving statistics (which
    /// start as zeros and ones) by seeded random values, so that every weight matters; kernels keep their random start.
    /// </summary>
    public static void RandomizeWeights(Model model, int seed)
    {
        var rng = new Random(seed);
        float Draw(double low, double high) => (float)(low + (high - low) * rng.NextDouble());
        var values = new List<NDArray<float>>();
        foreach (var w in model.Weights)
        {
            var data = w.Value.Values.ToArray();
            (double Low, double High)? range = w.Name switch
            {
                "bias" or "beta" or "moving_mean" => (-0.5, 0.5),
                "gamma" => (0.5, 1.5),
                "moving_variance" => (0.3, 2.0),
                _ => null,
            };
            if (range is var (low, high))
                for (int i = 0; i < data.Length; i++) data[i] = Draw(low, high);
            values.Add(new NDArray<float>(data, w.Shape.ToArray()));
        }
        model.SetWeights(values);
    }

    /// <summary>Seeded uniform values in [−1, 1) of shape (batch, ..perSample).</summary>
    public static NDArray<float> RandomInput(int seed, int batch, Shape perSample) =>
        new(TestData.Uniform(seed, batch * perSample.Size), [batch, .. perSample.ToArray()]);

    /// <summary>Runs the ONNX file on one batch per input (fed by the model's input names); one array per output.</summary>
    public static NDArray<float>[] RunOnnx(string path, Model model, IReadOnlyList<NDArray<float>> inputs)
    {
        using var session = new InferenceSession(path);
        return RunOnnx(session, model, inputs);
    }

    /// <summary>Runs an open session on one batch per input; one array per output, in the model's output order.</summary>
    public static NDArray<float>[] RunOnnx(InferenceSession session, Model model, IReadOnlyList<NDArray<float>> inputs)
    {
        var feeds = new List<NamedOnnxValue>();
        for (int i = 0; i < inputs.Count; i++)
            feeds.Add(NamedOnnxValue.CreateFromTensor(model.Inputs[i].Name, new DenseTensor<float>(inputs[i].ToArray(), inputs[i].Shape.ToArray())));
        var outputNames = model.Outputs.Select(o => o.Name).ToArray();
        using var results = session.Run(feeds, outputNames);
        return [.. results.Select(r =>
        {
            var tensor = r.AsTensor<float>();
            return new NDArray<float>(tensor.ToArray(), tensor.Dimensions.ToArray());
        })];
    }

    /// <summary>The largest |actual − expected|, after checking shapes and the tolerance (the first offender is named).</summary>
    public static double Compare(NDArray<float> expected, NDArray<float> actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        double max = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs((double)a[i] - e[i]);
            if (!(diff <= Tolerance + Tolerance * Math.Abs(e[i])))
                Assert.Fail($"{what}: element {i} differs: Predict {e[i]:R}, ONNX Runtime {a[i]:R} (|diff| {diff:E3} > {Tolerance} + {Tolerance}·|Predict|)");
            max = Math.Max(max, diff);
        }
        return max;
    }

    /// <summary>
    /// Exports <paramref name="model"/> (weights randomized first unless told otherwise), checks the file's interface,
    /// runs it in ONNX Runtime on seeded random batches of 1 and 7 samples, and checks every output against
    /// <c>Predict</c>. Returns the ONNX file's path and the largest absolute difference seen.
    /// </summary>
    public static (string Path, double MaxAbsDiff) ExportAndCompare(Model model, string folder, int seed = 7, bool randomizeWeights = true)
    {
        if (randomizeWeights) RandomizeWeights(model, seed);
        string path = Path.Combine(folder, $"{model.Name}.onnx");
        model.Export(path, format: "onnx");
        Assert.True(File.Exists(path));

        using var session = new InferenceSession(path);
        Assert.Equal(model.Inputs.Select(i => i.Name), session.InputMetadata.Keys);
        Assert.Equal(model.Outputs.Select(o => o.Name), session.OutputMetadata.Keys);
        for (int i = 0; i < model.Inputs.Count; i++)
        {
            var dims = session.InputMetadata[model.Inputs[i].Name].Dimensions;
            Assert.Equal([-1, .. model.Inputs[i].Shape.ToArray()], dims); // dynamic batch axis
        }

        double max = 0;
        foreach (int batch in new[] { 1, 7 })
        {
            var x = model.Inputs.Select((input, i) => RandomInput(seed * 1000 + batch * 10 + i, batch, input.Shape)).ToArray();
            var expected = model.Predict([.. x.Cast<NDArray>()], verbose: 0);
            var actual = RunOnnx(session, model, x);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
                max = Math.Max(max, Compare(expected[o], actual[o], $"model '{model.Name}', output '{model.Outputs[o].Name}', batch {batch}"));
        }
        return (path, max);
    }

    /// <summary>The file parsed back with the exporter's own message classes.</summary>
    public static ModelProto Parse(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
}
