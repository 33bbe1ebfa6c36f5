using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite train</c> on real MNIST: the progress bar, the trained model, the history files, seeding, compiling.</summary>
[Collection(TrainedModelCollection.Name)]
public class TrainTests(TrainedModelFixture trained)
{
    [Fact]
    public void OneEpochOnMnistShowsKerasProgressAndWritesModelAndHistory()
    {
        var run = trained.TrainRun;
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Training on 60000 samples of the MNIST training set (10% held out for validation).", run.StdOut);
        // 54,000 training samples in batches of 128: 422 steps, one final progress line (output is redirected).
        Assert.True(Regex.IsMatch(run.StdOut, @"\n422/422 ━+ \d+s \d+(s|ms|us)/step - accuracy: 0\.\d{4} - loss: 0\.\d{4} - val_accuracy: 0\.\d{4} - val_loss: 0\.\d{4}\n"), run.ToString());
        Assert.Contains($"Saved the trained model to {trained.TrainedPath}", run.StdOut);
        Assert.Contains($"Saved the history to {trained.HistoryPath}", run.StdOut);
        Assert.True(trained.TrainSeconds < 120, $"training one epoch took {trained.TrainSeconds:F1} s");

        var model = Model.Load(trained.TrainedPath);
        Assert.True(model.Compiled);
        Assert.Equal(new Shape(28, 28), model.InputShape);

        using var history = JsonDocument.Parse(File.ReadAllText(trained.HistoryPath));
        var root = history.RootElement;
        Assert.Equal(["epoch", "accuracy", "loss", "val_accuracy", "val_loss"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal([0], root.GetProperty("epoch").EnumerateArray().Select(e => e.GetInt32()));
        Assert.InRange(root.GetProperty("val_accuracy")[0].GetDouble(), 0.93, 1.0);
        // The history file holds the numbers the progress bar printed.
        double accuracy = root.GetProperty("accuracy")[0].GetDouble();
        Assert.Contains($"- accuracy: {accuracy.ToString("F4", CultureInfo.InvariantCulture)} -", run.StdOut);
    }

    [Fact]
    public void ACsvHistoryIsKerasCsvLoggersLayout()
    {
        string folder = TestPaths.NewTempFolder("train-csv");
        string output = Path.Combine(folder, "t.keras"), csv = Path.Combine(folder, "h.csv");
        // The IDX folder of ../shared/data/mnist (gzip) instead of the cached dataset; two epochs on a 2,000-sample subset.
        var run = Tool.Run("train", trained.UntrainedPath, "--data", TestPaths.SharedMnist, "--limit", "2000", "--epochs", "2",
            "--validation-split", "0", "--out", output, "--history", csv);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Training on 2000 samples of the training set in {TestPaths.SharedMnist}.", run.StdOut);
        Assert.Contains("16/16 ━", run.StdOut);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("epoch,accuracy,loss", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("0,", lines[1]);
        Assert.StartsWith("1,", lines[2]);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        string folder = TestPaths.NewTempFolder("train-seed");
        string[] Histories(int seed, string name)
        {
            string path = Path.Combine(folder, name);
            var run = Tool.Run("train", trained.UntrainedPath, "--data", "mnist", "--limit", "1500", "--epochs", "2",
                "--out", Path.Combine(folder, name + ".keras"), "--history", path, "--seed", seed.ToString(CultureInfo.InvariantCulture));
            Assert.True(run.ExitCode == 0, run.ToString());
            return File.ReadAllLines(path);
        }
        var first = Histories(5, "a.csv");
        Assert.Equal(first, Histories(5, "b.csv"));
        Assert.NotEqual(first, Histories(6, "c.csv"));
    }

    [Fact]
    public void AModelWithoutCompileConfigNeedsTheCompileOptions()
    {
        string folder = TestPaths.NewTempFolder("train-compile");
        string bare = Path.Combine(folder, "bare.keras"), output = Path.Combine(folder, "t.keras");
        TrainedModelFixture.CreateUntrained(bare, seed: 3, compile: false);

        var refused = Tool.Run("train", bare, "--data", "mnist", "--out", output);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"'{bare}' has no compile config", refused.StdErr);
        Assert.Contains("--optimizer adam --loss sparse_categorical_crossentropy --metrics accuracy", refused.StdErr);
        Assert.False(File.Exists(output));

        var run = Tool.Run("train", bare, "--data", "mnist", "--limit", "1000", "--epochs", "1", "--out", output,
            "--optimizer", "sgd", "--loss", "sparse_categorical_crossentropy", "--metrics", "accuracy");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Compiled with optimizer sgd, loss sparse_categorical_crossentropy, metrics accuracy.", run.StdOut);
        Assert.Contains("- accuracy: ", run.StdOut);
        var model = Model.Load(output);
        Assert.Equal("SGD", model.Optimizer!.GetType().Name);

        // evaluate needs a loss too, and takes it the same way.
        var evaluateRefused = Tool.Run("evaluate", bare, "--data", "mnist", "--limit", "200");
        Assert.Equal(1, evaluateRefused.ExitCode);
        Assert.Contains("no loss to evaluate with", evaluateRefused.StdErr);
        var evaluate = Tool.Run("evaluate", bare, "--data", "mnist", "--limit", "200", "--loss", "sparse_categorical_crossentropy", "--metrics", "accuracy");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.Equal(["loss", "accuracy"], new EvaluateOutput(evaluate.StdOut).Metrics.Keys);
    }

    [Fact]
    public void CompileOptionsReplaceTheSavedConfiguration()
    {
        string output = Path.Combine(TestPaths.NewTempFolder("train-recompile"), "t.keras");
        var run = Tool.Run("train", trained.UntrainedPath, "--data", "mnist", "--limit", "500", "--epochs", "1", "--out", output,
            "--optimizer", "rmsprop", "--metrics", "accuracy,sparse_top_k_categorical_accuracy");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Recompiled with optimizer rmsprop, metrics accuracy, sparse_top_k_categorical_accuracy instead of the saved ones.", run.StdOut);
        Assert.Contains("- sparse_top_k_categorical_accuracy: ", run.StdOut);
        var model = Model.Load(output);
        Assert.Equal("RMSprop", model.Optimizer!.GetType().Name);
        Assert.Equal("SparseCategoricalCrossentropy", model.Loss!.GetType().Name); // the saved loss stays
    }
}
