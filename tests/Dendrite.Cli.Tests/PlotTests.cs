using System.Buffers.Binary;
using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary><c>dendrite plot</c>: the curves of the history <c>train</c> wrote, and of a CSVLogger file, as PNG and SVG.</summary>
[Collection(TrainedModelCollection.Name)]
public class PlotTests(TrainedModelFixture trained)
{
    private readonly string _folder = TestPaths.NewTempFolder("plot");

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void TheHistoryTrainWroteBecomesAPngOfTwoPanels()
    {
        string png = Path.Combine(_folder, "curves.png");
        var run = Tool.Run("plot", trained.HistoryPath, "--out", png);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"Wrote {png}: loss, accuracy over 1 epoch.\n", run.StdOut);
        Assert.Equal((2 * 560, 420), PngSize(png)); // loss and accuracy side by side, Dendrite.Plotting's default panel size

        string small = Path.Combine(_folder, "small.png");
        var sized = Tool.Run("plot", trained.HistoryPath, "-o", small, "--width", "640", "--height", "240");
        Assert.True(sized.ExitCode == 0, sized.ToString());
        Assert.Equal((640, 240), PngSize(small));
    }

    [Fact]
    public void ACsvLoggerFileBecomesAnSvg()
    {
        string csv = Path.Combine(_folder, "log.csv"), svg = Path.Combine(_folder, "curves.svg");
        File.WriteAllLines(csv, ["epoch,accuracy,loss,val_accuracy,val_loss", "0,0.91,0.30,0.95,0.17", "1,0.96,0.13,0.96,0.12", "2,0.97,0.09,0.97,0.10"]);
        var run = Tool.Run("plot", csv, "--out", svg);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("over 3 epochs", run.StdOut);
        string text = File.ReadAllText(svg);
        Assert.Contains("<svg", text);
        Assert.Contains("Training and validation loss", text);
        Assert.Contains("Training and validation accuracy", text);
    }

    [Fact]
    public void BadHistoriesAreReportedWithTheirExitCodes()
    {
        string png = Path.Combine(_folder, "x.png");
        var missing = Tool.Run("plot", Path.Combine(_folder, "none.csv"), "--out", png);
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("History file not found", missing.StdErr);

        string malformed = Path.Combine(_folder, "bad.csv");
        File.WriteAllLines(malformed, ["step,loss", "0,0.5"]);
        var bad = Tool.Run("plot", malformed, "--out", png);
        Assert.True(bad.ExitCode == 3, bad.ToString());
        Assert.Contains("the first column must be 'epoch'", bad.StdErr);

        string empty = Path.Combine(_folder, "empty.json");
        File.WriteAllText(empty, "{}");
        var nothing = Tool.Run("plot", empty, "--out", png);
        Assert.True(nothing.ExitCode == 3, nothing.ToString());
        Assert.Contains("no epochs to plot", nothing.StdErr);

        Assert.False(File.Exists(png));
        Assert.Equal(1, Tool.Run("plot", malformed, "--out", Path.Combine(_folder, "x.jpg")).ExitCode);
        Assert.Equal(1, Tool.Run("plot", Path.Combine(_folder, "h.txt"), "--out", png).ExitCode);
        Assert.Equal(1, Tool.Run("plot", malformed, "--out", png, "--width", "8").ExitCode);
    }
}
