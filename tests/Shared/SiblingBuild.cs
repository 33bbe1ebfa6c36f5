namespace Dendrite.TestSupport;

/// <summary>
/// Finds the output of a project that a test project builds without referencing it (a process the tests start):
/// with the repository's artifacts layout it sits beside the test assembly, in bin/&lt;project&gt;/&lt;configuration&gt;/.
/// Linked into each test project that needs it.
/// </summary>
internal static class SiblingBuild
{
    /// <summary>
    /// The path of <paramref name="project"/>'s dll; when it is missing, the test fails saying that
    /// <paramref name="what"/> is not built and that building <paramref name="source"/> (or <paramref name="builtBy"/>,
    /// or Dendrite.slnx) makes it.
    /// </summary>
    public static string Dll(string project, string what, string source, string builtBy)
    {
        string testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string configuration = Path.GetFileName(testDirectory);
        string dll = Path.GetFullPath(Path.Combine(testDirectory, "..", "..", project, configuration, project + ".dll"));
        if (!File.Exists(dll))
            throw new Xunit.Sdk.XunitException($"{what} is not built: {dll} is missing. Build {source} (building {builtBy} or Dendrite.slnx does it).");
        return dll;
    }
}
