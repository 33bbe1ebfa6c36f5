using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Dendrite.Package.Tests;

/// <summary>
/// The way a new user meets Dendrite: <c>dotnet pack</c> makes the package, a fresh <c>dotnet new console</c> project
/// takes it with <c>dotnet add package</c> from a local folder feed, the getting-started program goes in, and it
/// trains MNIST to the accuracy the README promises.
/// </summary>
public sealed partial class PackageTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>The size the package must stay under (the issue's goal).</summary>
    private const long MaxPackageBytes = 1 << 20;

    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(8);

    private readonly string _work = Directory.CreateTempSubdirectory("dendrite-package-").FullName;
    // A version of its own, so a package left in the NuGet cache by an earlier run (or a different build) is never
    // taken instead of the one packed here; its cache folder is removed afterwards.
    private readonly string _version = "0.0.1-packagetest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        string cached = Path.Combine(NuGetCache(), "dendrite", _version);
        try { if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true); } catch (IOException) { }
    }

    private static string NuGetCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Dendrite.slnx above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    /// <summary>Packs src/Dendrite into a feed folder (its own build output, apart from the test run's).</summary>
    private string Pack()
    {
        string feed = Path.Combine(_work, "feed");
        DotnetCli.Run(RepositoryRoot(), Slow, "pack", "src/Dendrite/Dendrite.csproj", "-c", "Release", "-o", feed,
            $"-p:Version={_version}", $"-p:ArtifactsPath={Path.Combine(_work, "artifacts")}").ShouldSucceed("dotnet pack");
        return feed;
    }

    [Fact]
    public void ANewConsoleProjectTakesThePackageAndTrainsMnistToTheReadmesAccuracy()
    {
        string feed = Pack();
        string nupkg = Path.Combine(feed, $"Dendrite.{_version}.nupkg");
        Assert.True(File.Exists(nupkg), $"dotnet pack made no {nupkg}; the feed holds: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        CheckPackage(nupkg, Path.Combine(feed, $"Dendrite.{_version}.snupkg"));

        string app = Path.Combine(_work, "FirstModel");
        DotnetCli.Run(_work, Slow, "new", "console", "-o", app, "-n", "FirstModel").ShouldSucceed("dotnet new console");
        // The local feed beside the user's usual sources (not <clear/>): Dendrite's own dependencies still restore.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dendrite-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        DotnetCli.Run(app, Slow, "add", "package", "Dendrite", "--version", _version).ShouldSucceed("dotnet add package Dendrite");
        File.Copy(Path.Combine(RepositoryRoot(), "samples", "GettingStarted", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);

        var run = DotnetCli.Run(app, Slow, "run", "-c", "Release").ShouldSucceed("dotnet run of the getting-started program (it needs MNIST: `bash .ci/prepare-mnist` or network access)");
        Assert.Contains("Epoch 5/5", run.Output);
        Assert.Contains("(60000, 28, 28)", run.Output);
        var accuracy = TestAccuracy().Match(run.Output);
        Assert.True(accuracy.Success, $"The program printed no 'test_acc: ...' line:\n{run.Output}");
        double testAcc = double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture);
        log.WriteLine($"{Path.GetFileName(nupkg)}: {new FileInfo(nupkg).Length:N0} bytes; getting-started from the package: test_acc {testAcc}");
        Assert.True(testAcc >= 0.97, $"test accuracy {testAcc} < 0.97 for the getting-started program built from the package:\n{run.Output}");
    }

    /// <summary>What the package carries: the library, its XML docs, the readme, licence and commit; nothing native.</summary>
    private static void CheckPackage(string nupkg, string snupkg)
    {
        long size = new FileInfo(nupkg).Length;
        Assert.True(size < MaxPackageBytes, $"{Path.GetFileName(nupkg)} is {size:N0} bytes, over the {MaxPackageBytes:N0}-byte budget.");
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/Dendrite.dll", entries);
        Assert.Contains("lib/net10.0/Dendrite.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("runtimes/", StringComparison.Ordinal) || e.EndsWith(".so", StringComparison.Ordinal)
            || e.EndsWith(".dylib", StringComparison.Ordinal) || e.EndsWith(".pdb", StringComparison.Ordinal));

        var nuspecEntry = zip.Entries.Single(e => e.FullName == "Dendrite.nuspec");
        using var nuspecStream = nuspecEntry.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal("MIT", Get("license"));
        Assert.Equal("README.md", Get("readme"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
        // Grpc.Tools runs protoc at build time only: never a dependency of the package.
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToArray();
        Assert.DoesNotContain("Grpc.Tools", dependencies);
        Assert.Contains("System.Numerics.Tensors", dependencies);

        Assert.True(File.Exists(snupkg), $"No symbols package {snupkg}.");
        using var symbols = ZipFile.OpenRead(snupkg);
        Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/Dendrite.pdb");
    }

    [GeneratedRegex(@"test_acc: ([0-9.]+)")]
    private static partial Regex TestAccuracy();
}
