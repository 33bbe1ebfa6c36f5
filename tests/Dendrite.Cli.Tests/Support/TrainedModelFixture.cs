using Dendrite.Layers;

namespace Dendrite.Cli.Tests.Support;

/// <summary>
/// One MNIST classifier trained by the tool itself, shared by the tests that need a trained model: an untrained,
/// compiled model is saved with the library (Flatten → Dense(64, relu) → Dense(10, softmax) on (28, 28) inputs), then
/// <c>dendrite train</c> runs one epoch on the real MNIST training set with a JSON history. The run is kept for
/// <see cref="TrainTests"/> to check.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Folder = TestPaths.NewTempFolder("trained");
        UntrainedPath = Path.Combine(Folder, "untrained.keras");
        TrainedPath = Path.Combine(Folder, "trained.keras");
        HistoryPath = Path.Combine(Folder, "history.json");
        CreateUntrained(UntrainedPath, seed: 7);
        var started = DateTime.UtcNow;
        TrainRun = Tool.Run("train", UntrainedPath, "--data", "mnist", "--epochs", "1", "--batch-size", "128",
            "--validation-split", "0.1", "--out", TrainedPath, "--history", HistoryPath, "--seed", "42");
        TrainSeconds = (DateTime.UtcNow - started).TotalSeconds;
        if (TrainRun.ExitCode != 0 || !File.Exists(TrainedPath))
            throw new InvalidOperationException($"Training the shared model failed:\n{TrainRun}");
    }

    /// <summary>The folder holding the fixture's files (deleted at the end).</summary>
    public string Folder { get; }

    /// <summary>The compiled, untrained model the tool was given.</summary>
    public string UntrainedPath { get; }

    /// <summary>The model the tool wrote after one epoch.</summary>
    public string TrainedPath { get; }

    /// <summary>The history the tool wrote (.json).</summary>
    public string HistoryPath { get; }

    /// <summary>The training run's output and exit code.</summary>
    internal CliResult TrainRun { get; }

    /// <summary>Wall-clock time of the training run, process start included.</summary>
    public double TrainSeconds { get; }

    /// <summary>Saves the fixture's architecture, compiled with Adam, untrained, to <paramref name="path"/>.</summary>
    public static void CreateUntrained(string path, int seed, bool compile = true)
    {
        Utils.SetRandomSeed(seed);
        var model = new Sequential(
            new InputLayer(shape: [28, 28]),
            new Flatten(),
            new Dense(64, activation: "relu"),
            new Dense(10, activation: "softmax"));
        if (compile) model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        model.Save(path);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { } // a leftover temporary folder is harmless
    }
}

/// <summary>The tests sharing <see cref="TrainedModelFixture"/>: it is trained once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedModelCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "trained MNIST model";
}
