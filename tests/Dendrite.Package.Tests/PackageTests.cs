using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dendrite.Package.Tests;

/// <summary>
/// The way a new user meets Dendrite: a fresh <c>dotnet new console</c> project takes the package with
/// <c>dotnet add package</c> from a local folder feed, the getting-started program goes in, and it trains MNIST to the
/// accuracy the README promises; the package itself is small, documented, licensed and free of native code.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed partial class PackageTests(PackedFeed feed, ITestOutputHelper log)
{
    /// <summary>The size the library's package must stay under (the issue's goal).</summary>
    private const long MaxPackageBytes = 1 << 20;

    [Fact]
    public void ANewConsoleProjectTakesThePackageAndTrainsMnistToTheReadmesAccuracy()
    {
        string app = Path.Combine(feed.Work, "FirstModel");
        DotnetCli.Run(feed.Work, PackedFeed.Slow, "new", "console", "-o", app, "-n", "FirstModel").ShouldSucceed("dotnet new console");
        // The local feed beside the user's usual sources (not <clear/>): Dendrite's own dependencies still restore.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dendrite-local" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        DotnetCli.Run(app, PackedFeed.Slow, "add", "package", "Dendrite", "--version", feed.Version).ShouldSucceed("dotnet add package Dendrite");
        File.Copy(Path.Combine(feed.RepositoryRoot, "samples", "GettingStarted", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);

        var run = DotnetCli.Run(app, PackedFeed.Slow, "run", "-c", "Release")
            .ShouldSucceed("dotnet run of the getting-started program (it needs MNIST: `bash .ci/prepare-mnist` or network access)");
        Assert.Contains("Epoch 5/5", run.Output);
        Assert.Contains("(60000, 28, 28)", run.Output);
        var accuracy = TestAccuracy().Match(run.Output);
        Assert.True(accuracy.Success, $"The program printed no 'test_acc: ...' line:\n{run.Output}");
        double testAcc = double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture);
        log.WriteLine($"getting-started built from Dendrite {feed.Version}: test_acc {testAcc}");
        Assert.True(testAcc >= 0.97, $"test accuracy {testAcc} < 0.97 for the getting-started program built from the package:\n{run.Output}");
    }

    [Fact]
    public void TheLibraryPackageCarriesDocsReadmeLicenceAndCommitAndNothingNative()
    {
        string nupkg = feed.Package("Dendrite");
        long size = new FileInfo(nupkg).Length;
        log.WriteLine($"{Path.GetFileName(nupkg)}: {size:N0} bytes");
        Assert.True(size < MaxPackageBytes, $"{Path.GetFileName(nupkg)} is {size:N0} bytes, over the {MaxPackageBytes:N0}-byte budget.");
        using var package = new PackageContents(nupkg);
        Assert.Contains("lib/net10.0/Dendrite.dll", package.Entries);
        Assert.Contains("lib/net10.0/Dendrite.xml", package.Entries);
        Assert.Contains("README.md", package.Entries);
        Assert.False(package.HasNativeAssets, $"The library package carries native files: {string.Join(", ", package.Entries)}");
        Assert.DoesNotContain(package.Entries, e => e.EndsWith(".pdb", StringComparison.Ordinal)); // symbols go to the .snupkg
        Assert.Equal("MIT", package.Get("license"));
        Assert.Equal("README.md", package.Get("readme"));
        Assert.Matches("^[0-9a-f]{40}$", package.RepositoryCommit ?? "");
        // Grpc.Tools runs protoc at build time only: never a dependency of the package.
        Assert.DoesNotContain("Grpc.Tools", package.Dependencies);
        Assert.Contains("System.Numerics.Tensors", package.Dependencies);

        using var symbols = new PackageContents(feed.Package("Dendrite", "snupkg"));
        Assert.Contains("lib/net10.0/Dendrite.pdb", symbols.Entries);
    }

    /// <summary>The packages beside the library: small, documented, licensed, depending on Dendrite, with no native file of their own.</summary>
    [Theory]
    [InlineData("Dendrite.Plotting", "ScottPlot", "Skia's native libraries come with SkiaSharp's own packages, not inside Dendrite.Plotting")]
    [InlineData("Dendrite.Distributed", null, "Open MPI comes from the operating system (libmpi.so.40), never inside the package")]
    public void TheCompanionPackagesAreManagedCodeOnTopOfDendrite(string id, string? dependency, string whyNoNativeFiles)
    {
        string nupkg = feed.Package(id);
        log.WriteLine($"{Path.GetFileName(nupkg)}: {new FileInfo(nupkg).Length:N0} bytes");
        using var package = new PackageContents(nupkg);
        Assert.Contains($"lib/net10.0/{id}.dll", package.Entries);
        Assert.Contains($"lib/net10.0/{id}.xml", package.Entries);
        Assert.Contains("README.md", package.Entries);
        Assert.Contains("Dendrite", package.Dependencies);
        if (dependency is not null) Assert.Contains(dependency, package.Dependencies);
        Assert.False(package.HasNativeAssets, $"{whyNoNativeFiles}; it carries: {string.Join(", ", package.Entries)}");
        Assert.Equal("MIT", package.Get("license"));
    }

    [GeneratedRegex(@"test_acc: ([0-9.]+)")]
    private static partial Regex TestAccuracy();
}
