using Xunit.Abstractions;

namespace Dendrite.Package.Tests;

/// <summary>The <c>dendrite</c> tool as a user gets it: <c>dotnet tool install</c> from the feed, then the command.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ToolTests(PackedFeed feed, ITestOutputHelper log)
{
    [Fact]
    public void DotnetToolInstallGivesAWorkingDendriteCommandThatPlots()
    {
        string nupkg = feed.Package("Dendrite.Cli");
        log.WriteLine($"{Path.GetFileName(nupkg)}: {new FileInfo(nupkg).Length:N0} bytes");
        using (var package = new PackageContents(nupkg))
        {
            Assert.Contains("DotnetTool", package.Metadata.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value));
            // Skia's native library for this machine's platform is inside: `plot` works without anything else.
            Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp.so", package.Entries);
        }

        string tools = Path.Combine(feed.Work, "tools");
        DotnetCli.Run(feed.Work, PackedFeed.Slow, "tool", "install", "Dendrite.Cli", "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed)
            .ShouldSucceed("dotnet tool install Dendrite.Cli");
        string dendrite = Path.Combine(tools, OperatingSystem.IsWindows() ? "dendrite.exe" : "dendrite");
        Assert.True(File.Exists(dendrite), $"dotnet tool install put no '{dendrite}' in {tools}.");

        var info = ToolProcess.Run(dendrite, feed.Work, "info");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("Threads", info.Output, StringComparison.OrdinalIgnoreCase);

        string history = Path.Combine(feed.Work, "history.csv");
        File.WriteAllText(history, "epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.9,0.3,0.95,0.16\r\n1,0.96,0.12,0.97,0.1\r\n");
        string png = Path.Combine(feed.Work, "curves.png");
        var plot = ToolProcess.Run(dendrite, feed.Work, "plot", history, "--out", png);
        Assert.True(plot.ExitCode == 0, $"dendrite plot failed ({plot.ExitCode}):\n{plot.Output}");
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.Equal(signature, File.ReadAllBytes(png).Take(8));

        var missing = ToolProcess.Run(dendrite, feed.Work, "summary", Path.Combine(feed.Work, "no-such-model.keras"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no-such-model.keras", missing.Output);
    }
}
