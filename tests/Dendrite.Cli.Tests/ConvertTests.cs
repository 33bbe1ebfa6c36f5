using Dendrite.Cli.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite convert</c> to each format, each file read back and checked to predict as the original.</summary>
[Collection(TrainedModelCollection.Name)]
public class ConvertTests(TrainedModelFixture trained)
{
    private readonly string _folder = TestPaths.NewTempFolder("convert");

    /// <summary>Twenty real test digits, scaled as the model was trained.</summary>
    private static NDArray<float> Probe => TestImages.MnistTest.Images[0..20].AsType<float>() / 255f;

    [Fact]
    public void ToKerasKeepsModelAndCompileConfig()
    {
        string output = Path.Combine(_folder, "copy.keras");
        var run = Tool.Run("convert", trained.TrainedPath, output);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Wrote {output}: Keras 3 model (.keras).", run.StdOut);
        var original = Model.Load(trained.TrainedPath);
        var copy = Model.Load(output);
        Assert.True(copy.Compiled);
        Assert.Equal(original.Predict(Probe, verbose: 0).ToArray(), copy.Predict(Probe, verbose: 0).ToArray());
        Assert.Equal(original.SummaryText(), copy.SummaryText());
    }

    [Fact]
    public void ToWeightsH5LoadsIntoTheSameArchitecture()
    {
        string output = Path.Combine(_folder, "trained.weights.h5");
        var run = Tool.Run("convert", trained.TrainedPath, output);
        Assert.True(run.ExitCode == 0, run.ToString());
        var fresh = Model.Load(trained.UntrainedPath);
        fresh.LoadWeights(output);
        Assert.Equal(Model.Load(trained.TrainedPath).Predict(Probe, verbose: 0).ToArray(), fresh.Predict(Probe, verbose: 0).ToArray());
    }

    [Fact]
    public void ToOnnxRunsInOnnxRuntimeAsPredict()
    {
        string output = Path.Combine(_folder, "trained.onnx");
        var run = Tool.Run("convert", trained.TrainedPath, output);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ONNX", run.StdOut);
        var model = Model.Load(trained.TrainedPath);
        var expected = model.Predict(Probe, verbose: 0).ToArray();

        using var session = new InferenceSession(output);
        string inputName = session.InputMetadata.Keys.Single();
        var input = new DenseTensor<float>(Probe.ToArray(), [20, 28, 28]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
        var actual = results.Single().AsEnumerable<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
    }

    [Fact]
    public void LegacyH5FromKerasConvertsToKeras()
    {
        string source = Path.Combine(TestPaths.KerasFixtures, "mnist_convnet_keras3.1.1_legacy.h5");
        string output = Path.Combine(_folder, "convnet.keras");
        var run = Tool.Run("convert", source, output);
        Assert.True(run.ExitCode == 0, run.ToString());
        // The tool reads what it wrote: the summary is the legacy file's.
        var summary = Tool.Run("summary", output);
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Equal(Model.Load(source).SummaryText(), summary.StdOut);
        var probe = Probe.Reshape(20, 28, 28, 1);
        Assert.Equal(Model.Load(source).Predict(probe, verbose: 0).ToArray(), Model.Load(output).Predict(probe, verbose: 0).ToArray());
    }

    [Fact]
    public void AMissingOutputFolderIsExitCode2BeforeAnythingIsLoaded()
    {
        string output = Path.Combine(_folder, "no", "such", "folder", "m.onnx");
        var run = Tool.Run("convert", trained.TrainedPath, output);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("does not exist", run.StdErr);
    }
}
