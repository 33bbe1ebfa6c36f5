using System.Reflection;

namespace DigitServer;

/// <summary>
/// The drawing page (<c>Page/index.html</c>, <c>page.css</c>, <c>page.js</c>), embedded in the assembly and served
/// from memory: no static-file folder to find, nothing fetched from elsewhere.
/// </summary>
internal static class PageEndpoint
{
    internal static void Map(WebApplication app)
    {
        MapFile(app, "/", "index.html", "text/html; charset=utf-8");
        MapFile(app, "/page.css", "page.css", "text/css; charset=utf-8");
        MapFile(app, "/page.js", "page.js", "text/javascript; charset=utf-8");
    }

    private static void MapFile(WebApplication app, string route, string name, string contentType)
    {
        byte[] content = Read(name);
        app.MapGet(route, () => Results.Bytes(content, contentType));
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Page/{name}")
            ?? throw new InvalidOperationException($"The page file Page/{name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}; check the EmbeddedResource item of DigitServer.csproj.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
