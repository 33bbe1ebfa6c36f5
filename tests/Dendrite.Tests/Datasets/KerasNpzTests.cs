using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// <see cref="KerasNpz"/> on archives NumPy 1.24.2 itself wrote with <c>np.savez</c> (the fuzzing seeds in
/// fuzz/corpus/kerasnpz, made by fuzz/make_seeds.py): object arrays of lists, int64 labels and float64 arrays read
/// back exactly, from stored and deflated zips.
/// </summary>
public sealed class KerasNpzTests
{
    private static readonly int[][] Reviews = [[1, 14, 22, 16, 43], [1, 194, 1153], [], [1, .. Enumerable.Range(4, 1200)], [1, 70000]];

    private static KerasNpz Open(string name)
    {
        string path = Path.Combine(RepoPaths.RepoRoot, "fuzz", "corpus", "kerasnpz", name);
        return KerasNpz.Open(File.ReadAllBytes(path), path);
    }

    [Theory]
    [InlineData("imdb_layout.npz")]
    [InlineData("imdb_layout_compressed.npz")]
    public void ReadsNumPysImdbLayout(string name)
    {
        using var npz = Open(name);
        Assert.Equal(Reviews, npz.ReadSequences("x_train"));
        var (labels, shape) = npz.ReadIntegers("y_train");
        Assert.Equal([1L, 0, 0, 1, 1], labels);
        Assert.Equal([5L], shape);
    }

    [Fact]
    public void ReadsNumPysReutersAndBostonLayouts()
    {
        using (var reuters = Open("reuters_layout.npz"))
        {
            Assert.Equal(Reviews[..3], reuters.ReadSequences("x"));
            Assert.Equal([3L, 45, 19], reuters.ReadIntegers("y").Values);
            Assert.Equal(["x", "y"], reuters.Keys);
        }
        using var boston = Open("boston_layout.npz");
        var (x, xShape) = boston.ReadFloats("x");
        Assert.Equal([5L, 13], xShape);
        Assert.Equal(Enumerable.Range(0, 65).Select(i => i / 7.0), x);
        Assert.Equal([0.5, 1.5, 2.5, 3.5, 4.5], boston.ReadFloats("y").Values);
    }

    [Fact]
    public void ReadingAnArrayAsTheWrongKindSaysWhich()
    {
        using var npz = Open("imdb_layout.npz");
        Assert.Contains("[x_train.npy]: wrong dtype: expected an integer array ('<i8', '<i4', '|u1', …), found '|O'", Assert.Throws<DatasetException>(() => npz.ReadIntegers("x_train")).Message);
        Assert.Contains("[y_train.npy]: wrong dtype: expected an object array ('|O') of sequences, found '<i8'", Assert.Throws<DatasetException>(() => npz.ReadSequences("y_train")).Message);
        Assert.Contains("[y_train.npy]: wrong dtype: expected a float array ('<f8' or '<f4'), found '<i8'", Assert.Throws<DatasetException>(() => npz.ReadFloats("y_train")).Message);
    }

    /// <summary>A zip directory claiming a huge stored entry is refused before anything is allocated for it.</summary>
    [Fact]
    public void ADirectoryClaimingMoreThanTheFileIsRefused()
    {
        byte[] npz = Npy.Zip([("y", KerasDatasetFiles.Int64Npy([1, 2, 3]))]);
        // the central directory's compressed-size field of the only entry (signature PK\x01\x02, field at +20)
        int central = npz.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        BitConverter.GetBytes(0x7fff0000u).CopyTo(npz, central + 20);
        var e = Record.Exception(() =>
        {
            using var archive = KerasNpz.Open(npz, "big.npz");
            archive.ReadIntegers("y");
        });
        var dataset = Assert.IsType<DatasetException>(e);
        Assert.Equal("big.npz [y.npy]: the zip directory says the entry holds 2147418112 bytes, more than the whole file (" + npz.Length + ")", dataset.Message);
    }
}
