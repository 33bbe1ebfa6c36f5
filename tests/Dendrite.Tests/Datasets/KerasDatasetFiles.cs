using System.Security.Cryptography;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// Small <c>.npz</c> files in the layout of Keras' <c>imdb.npz</c>, <c>reuters.npz</c> and
/// <c>boston_housing.npz</c>: sequences as NumPy object arrays (<see cref="NumPyPickleWriter"/>, byte-exact to
/// <c>np.save</c>), labels as <c>&lt;i8</c>, features and targets as <c>&lt;f8</c>, zipped under <c>{key}.npy</c> as
/// <c>np.savez</c> does (the zip entries here are deflated, NumPy stores them; the reader takes both).
/// </summary>
internal static class KerasDatasetFiles
{
    internal static byte[] Int64Npy(IReadOnlyList<long> values) =>
        Npy.Array([.. values.SelectMany(BitConverter.GetBytes)], $"({values.Count},)", descr: "<i8");

    internal static byte[] Float64Npy(double[] values, string shape) =>
        Npy.Array([.. values.SelectMany(BitConverter.GetBytes)], shape, descr: "<f8");

    internal static byte[] ImdbNpz(int[][] xTrain, long[] yTrain, int[][] xTest, long[] yTest) => Npy.Zip(
    [
        ("x_test", NumPyPickleWriter.ObjectArrayNpy(xTest)),
        ("x_train", NumPyPickleWriter.ObjectArrayNpy(xTrain)),
        ("y_train", Int64Npy(yTrain)),
        ("y_test", Int64Npy(yTest)),
    ]);

    internal static byte[] ReutersNpz(int[][] x, long[] y) => Npy.Zip(
    [
        ("x", NumPyPickleWriter.ObjectArrayNpy(x)),
        ("y", Int64Npy(y)),
    ]);

    /// <summary>A <see cref="KerasFile"/> named like Keras' whose hash is that of <paramref name="bytes"/>, so the test file passes the check.</summary>
    internal static KerasFile FileFor(string name, byte[] bytes, bool md5 = false) =>
        new(name, KerasFile.KerasOrigin + name, Convert.ToHexStringLower(md5 ? MD5.HashData(bytes) : SHA256.HashData(bytes)));

    /// <summary>A source that finds <paramref name="file"/> in the cache or nowhere: its only URL is a closed loopback port.</summary>
    internal static KerasFileSource Offline(KerasFile file, TextWriter? log = null) =>
        new(file, [$"http://127.0.0.1:{LoopbackServer.FreePort()}/{file.Name}"], log ?? TextWriter.Null);

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/> into a fresh cache folder and returns a source checking that exact content.</summary>
    internal static KerasFileSource Cached(TempDir temp, string name, byte[] bytes, TextWriter? log = null)
    {
        File.WriteAllBytes(Path.Combine(temp.Path, name), bytes);
        return Offline(FileFor(name, bytes, md5: name.EndsWith(".json", StringComparison.Ordinal)), log);
    }
}
