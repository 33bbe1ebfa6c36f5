using System.IO.Compression;
using System.Xml.Linq;

namespace Dendrite.Package.Tests;

/// <summary>Reads a .nupkg: its file list and its nuspec metadata.</summary>
internal sealed class PackageContents : IDisposable
{
    private readonly ZipArchive _zip;

    public PackageContents(string path)
    {
        _zip = ZipFile.OpenRead(path);
        Entries = _zip.Entries.Select(e => e.FullName).ToHashSet();
        var nuspec = _zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var stream = nuspec.Open();
        Metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public HashSet<string> Entries { get; }

    public XElement Metadata { get; }

    public string Get(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    public string[] Dependencies => [.. Metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value)];

    public string? RepositoryCommit => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit")?.Value;

    public bool HasNativeAssets => Entries.Any(e => e.Contains("/native/", StringComparison.Ordinal) || e.EndsWith(".so", StringComparison.Ordinal)
        || e.EndsWith(".dylib", StringComparison.Ordinal) || (e.EndsWith(".dll", StringComparison.Ordinal) && e.Contains("runtimes/", StringComparison.Ordinal)));

    public void Dispose() => _zip.Dispose();
}
