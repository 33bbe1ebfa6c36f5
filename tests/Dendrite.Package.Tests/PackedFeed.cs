using System.Globalization;

namespace Dendrite.Package.Tests;

/// <summary>
/// Packs Dendrite, Dendrite.Plotting and the <c>dendrite</c> tool once, into a local folder feed, with a version of
/// their own: a package left in the NuGet cache by an earlier run (or another build) is never taken instead of the
/// ones packed here, and their cache folders are removed afterwards.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public static readonly TimeSpan Slow = TimeSpan.FromMinutes(8);

    public static readonly string[] PackageIds = ["Dendrite", "Dendrite.Plotting", "Dendrite.Distributed", "Dendrite.Cli"];

    public string Work { get; } = Directory.CreateTempSubdirectory("dendrite-package-").FullName;

    public string Version { get; } = "0.0.1-packagetest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public string Feed => Path.Combine(Work, "feed");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public PackedFeed()
    {
        // The build output of its own, apart from the test run's; the tool's pack builds the two libraries first, so
        // the next two packs find them built.
        string artifacts = Path.Combine(Work, "artifacts");
        foreach (var project in new[] { "src/Dendrite.Cli/Dendrite.Cli.csproj", "src/Dendrite/Dendrite.csproj", "src/Dendrite.Plotting/Dendrite.Plotting.csproj", "src/Dendrite.Distributed/Dendrite.Distributed.csproj" })
            DotnetCli.Run(RepositoryRoot, Slow, "pack", project, "-c", "Release", "-o", Feed, $"-p:Version={Version}", $"-p:ArtifactsPath={artifacts}")
                .ShouldSucceed($"dotnet pack {project}");
    }

    public string Package(string id, string extension = "nupkg")
    {
        string path = Path.Combine(Feed, $"{id}.{Version}.{extension}");
        Assert.True(File.Exists(path), $"dotnet pack made no {path}; the feed holds: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { }
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            string cached = Path.Combine(cache, id.ToLowerInvariant(), Version);
            try { if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true); } catch (IOException) { }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Dendrite.slnx above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}

/// <summary>The package tests share one feed (packing takes a minute) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
