using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite summary</c> on the model files real Python Keras wrote (../shared/fixtures/keras).</summary>
public class SummaryTests
{
    [Fact]
    public void EveryKerasFixturePrintsTheLibrarysSummary()
    {
        var files = Directory.GetFiles(TestPaths.KerasFixtures).Where(f => f.EndsWith(".keras", StringComparison.Ordinal) || f.EndsWith(".h5", StringComparison.Ordinal)).Order().ToList();
        Assert.True(files.Count >= 5, $"expected the five Keras fixtures (.keras and legacy .h5) in {TestPaths.KerasFixtures}, found {files.Count}");
        foreach (string file in files)
        {
            var run = Tool.Run("summary", file);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Model.Load(file).SummaryText(), run.StdOut);
            Assert.Equal("", run.StdErr);
        }
    }

    [Fact]
    public void TheSummaryShowsKerasTableAndCounts()
    {
        var run = Tool.Run("summary", Path.Combine(TestPaths.KerasFixtures, "mnist_cnn_keras3.12.0_legacy.h5"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Layer (type)", run.StdOut);
        Assert.Contains("conv2d (Conv2D)", run.StdOut);
        Assert.Contains("(None, 26, 26, 32)", run.StdOut);
        Assert.Contains(" Trainable params: 225,034 (879.04 KB)", run.StdOut);
    }
}
