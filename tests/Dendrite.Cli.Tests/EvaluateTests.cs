using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite evaluate</c> on the real MNIST test set: Evaluate's numbers, the per-class report and the confusion matrix.</summary>
[Collection(TrainedModelCollection.Name)]
public class EvaluateTests(TrainedModelFixture trained)
{
    /// <summary>How many of MNIST's 10,000 test images show each digit.</summary>
    private static readonly int[] MnistTestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    [Fact]
    public void TheTrainedModelOnTheMnistTestSet()
    {
        var run = Tool.Run("evaluate", trained.TrainedPath, "--data", "mnist");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Evaluating on 10000 samples of the MNIST test set.", run.StdOut);
        Assert.Matches(@"79/79 ━+ .*- accuracy: 0\.9\d+ - loss: 0\.\d+", run.StdOut);
        var output = new EvaluateOutput(run.StdOut);

        Assert.Equal(["loss", "accuracy"], output.Metrics.Keys);
        Assert.InRange(output.Metrics["accuracy"], 0.93, 1.0);
        // The library's Evaluate on the same file and data gives the same numbers.
        var model = Model.Load(trained.TrainedPath);
        var (images, labels) = TestImages.MnistTest;
        var (loss, accuracy) = model.Evaluate(images.AsType<float>() / 255f, labels, batchSize: 128, verbose: 0);
        Assert.Equal(loss, output.Metrics["loss"], 4);
        Assert.Equal(accuracy, output.Metrics["accuracy"], 4);

        Assert.Equal(10, output.Matrix.Count);
        Assert.Equal(MnistTestCounts, output.Matrix.Select(row => row.Sum()));
        Assert.Equal(MnistTestCounts, output.Report.Take(10).Select(r => r.Support));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), output.Report.Take(10).Select(r => r.Label));
        // The matrix's diagonal is the accuracy Evaluate reported, and its columns give each class's precision.
        Assert.Equal(accuracy, Enumerable.Range(0, 10).Sum(i => output.Matrix[i][i]) / 10000.0, 4);
        for (int c = 0; c < 10; c++)
        {
            double precision = (double)output.Matrix[c][c] / output.Matrix.Sum(row => row[c]);
            double recall = (double)output.Matrix[c][c] / MnistTestCounts[c];
            Assert.Equal(precision, output.Report[c].Precision, 4);
            Assert.Equal(recall, output.Report[c].Recall, 4);
            Assert.Equal(2 * precision * recall / (precision + recall), output.Report[c].F1, 3);
        }
        var total = output.Report.Single(r => r.Label == "accuracy");
        Assert.Equal(10000, total.Support);
    }

    [Fact]
    public void KerasConvnetFromTheFixturesOnTheSharedIdxFolder()
    {
        // Input (28, 28, 1): the data's (28, 28) samples are reshaped to it; weights trained by real Keras.
        var run = Tool.Run("evaluate", Path.Combine(TestPaths.KerasFixtures, "mnist_cnn_keras3.12.0.keras"), "--data", TestPaths.SharedMnist, "--limit", "1000");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Evaluating on 1000 samples of the test set in {TestPaths.SharedMnist}.", run.StdOut);
        var output = new EvaluateOutput(run.StdOut);
        Assert.InRange(output.Metrics["accuracy"], 0.97, 1.0);
        Assert.Equal(1000, output.Matrix.Sum(row => row.Sum()));
    }

    [Fact]
    public void KerasFashionModelOnFashionMnistNamesTheClasses()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist") && !Directory.Exists(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dendrite", "datasets", "fashion-mnist")))
            throw new Xunit.Sdk.XunitException("Fashion-MNIST is not available offline: apt-get install dataset-fashion-mnist (.ci/run's prepare-mnist does), or let the loader download it once.");
        var run = Tool.Run("evaluate", Path.Combine(TestPaths.KerasFixtures, "fashion_cnn_keras3.4.1.keras"), "--data", "fashion-mnist", "--limit", "500");
        Assert.True(run.ExitCode == 0, run.ToString());
        var output = new EvaluateOutput(run.StdOut);
        Assert.InRange(output.Metrics["accuracy"], 0.8, 1.0);
        Assert.Contains("0 T-shirt/top", run.StdOut);
        Assert.Contains("9 Ankle boot", run.StdOut);
    }
}
