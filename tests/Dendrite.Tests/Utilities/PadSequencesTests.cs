namespace Dendrite.Tests.Utilities;

/// <summary>Utils.PadSequences against Keras' keras/src/utils/sequence_utils_test.py (PadSequencesTest), case by case.</summary>
public sealed class PadSequencesTests
{
    private static readonly int[][] A = [[1], [1, 2], [1, 2, 3]];

    private static void AssertRows<T>(NDArray<T> actual, T[][] expected) where T : unmanaged, System.Numerics.INumber<T>
    {
        Assert.Equal(new Shape(expected.Length, expected[0].Length), actual.Shape);
        Assert.Equal(expected.SelectMany(r => r), actual.AsSpan().ToArray());
    }

    [Fact]
    public void KerasTestPadSequences()
    {
        AssertRows(Utils.PadSequences(A, maxlen: 3, padding: "pre"), [[0, 0, 1], [0, 1, 2], [1, 2, 3]]);
        AssertRows(Utils.PadSequences(A, maxlen: 3, padding: "post"), [[1, 0, 0], [1, 2, 0], [1, 2, 3]]);
        AssertRows(Utils.PadSequences(A, maxlen: 2, truncating: "pre"), [[0, 1], [1, 2], [2, 3]]);
        AssertRows(Utils.PadSequences(A, maxlen: 2, truncating: "post"), [[0, 1], [1, 2], [1, 2]]);
        AssertRows(Utils.PadSequences(A, maxlen: 3, value: 1), [[1, 1, 1], [1, 1, 2], [1, 2, 3]]);
    }

    [Fact]
    public void KerasTestPadSequencesFloat()
    {
        float[][] a = [[1.2f], [1.2f, 2.3f], [1.2f, 2.3f, 3.4f]];
        AssertRows(Utils.PadSequences(a, maxlen: 3, padding: "pre"), [[0, 0, 1.2f], [0, 1.2f, 2.3f], [1.2f, 2.3f, 3.4f]]);
        AssertRows(Utils.PadSequences(a, maxlen: 3, padding: "post"), [[1.2f, 0, 0], [1.2f, 2.3f, 0], [1.2f, 2.3f, 3.4f]]);
        AssertRows(Utils.PadSequences(a, maxlen: 2, truncating: "pre"), [[0, 1.2f], [1.2f, 2.3f], [2.3f, 3.4f]]);
        AssertRows(Utils.PadSequences(a, maxlen: 2, truncating: "post"), [[0, 1.2f], [1.2f, 2.3f], [1.2f, 2.3f]]);
        AssertRows(Utils.PadSequences(a, maxlen: 3, value: 1f), [[1, 1, 1.2f], [1, 1.2f, 2.3f], [1.2f, 2.3f, 3.4f]]);
    }

    [Fact]
    public void KerasTestPadSequencesVector()
    {
        NDArray<int>[] a = [new([1, 1], 1, 2), new([2, 1, 2, 2], 2, 2), new([3, 1, 3, 2, 3, 3], 3, 2)];
        void Check(NDArray<int> b, int[] expected)
        {
            Assert.Equal(new Shape(3, expected.Length / 6, 2), b.Shape);
            Assert.Equal(expected, b.AsSpan().ToArray());
        }
        Check(Utils.PadSequences(a, maxlen: 3, padding: "pre"), [0, 0, 0, 0, 1, 1, 0, 0, 2, 1, 2, 2, 3, 1, 3, 2, 3, 3]);
        Check(Utils.PadSequences(a, maxlen: 3, padding: "post"), [1, 1, 0, 0, 0, 0, 2, 1, 2, 2, 0, 0, 3, 1, 3, 2, 3, 3]);
        Check(Utils.PadSequences(a, maxlen: 2, truncating: "pre"), [0, 0, 1, 1, 2, 1, 2, 2, 3, 2, 3, 3]);
        Check(Utils.PadSequences(a, maxlen: 2, truncating: "post"), [0, 0, 1, 1, 2, 1, 2, 2, 3, 1, 3, 2]);
        Check(Utils.PadSequences(a, maxlen: 3, value: 1), [1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 2, 3, 1, 3, 2, 3, 3]);
    }

    [Fact]
    public void TheDocstringExamplesAndDefaults()
    {
        int[][] sequence = [[1], [2, 3], [4, 5, 6]];
        AssertRows(Utils.PadSequences(sequence), [[0, 0, 1], [0, 2, 3], [4, 5, 6]]);
        AssertRows(Utils.PadSequences(sequence, value: -1), [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]);
        AssertRows(Utils.PadSequences(sequence, padding: "post"), [[1, 0, 0], [2, 3, 0], [4, 5, 6]]);
        AssertRows(Utils.PadSequences(sequence, maxlen: 2), [[0, 1], [2, 3], [5, 6]]);
        // An empty sequence is a row of padding; a list of lists works as arrays do.
        AssertRows(Utils.PadSequences(new List<List<int>> { new(), new() { 7 } }), [[0], [7]]);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Contains("Padding type \"middle\" not understood", Assert.Throws<ArgumentException>(() => Utils.PadSequences(A, padding: "middle")).Message);
        Assert.Contains("Truncating type \"end\" not understood", Assert.Throws<ArgumentException>(() => Utils.PadSequences(A, truncating: "end")).Message);
        Assert.Contains("maxlen must be 0 or more, got -1", Assert.Throws<ArgumentException>(() => Utils.PadSequences(A, maxlen: -1)).Message);
        Assert.Contains("position 1 is null", Assert.Throws<ArgumentException>(() => Utils.PadSequences(new int[]?[] { [1], null }!)).Message);
        NDArray<int>[] mixed = [new([1, 1], 1, 2), new([1, 2, 3], 1, 3)];
        Assert.Contains("Shape of sample (3) of sequence at position 1 is different from expected shape (2)",
            Assert.Throws<ArgumentException>(() => Utils.PadSequences(mixed)).Message);
    }
}
