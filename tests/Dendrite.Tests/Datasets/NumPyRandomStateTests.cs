using System.Security.Cryptography;
using System.Text;
using Dendrite.Datasets;

namespace Dendrite.Tests.Datasets;

/// <summary>
/// The port of NumPy's legacy <c>RandomState</c> against independent values: the MT19937 reference output, NumPy's
/// documented <c>random_sample</c>, a known shuffle, and (marked) values printed by NumPy 1.24.2 for the draws Keras'
/// datasets make. The legacy stream is frozen by NumPy's compatibility policy, so these never change.
/// </summary>
public sealed class NumPyRandomStateTests
{
    /// <summary>Matsumoto and Nishimura's reference: MT19937 seeded with 5489 by init_genrand starts 3499211612, 581869302, 3890346734.</summary>
    [Fact]
    public void Mt19937MatchesTheReferenceOutput()
    {
        var rng = new NumPyRandomState(5489);
        Assert.Equal([3499211612u, 581869302u, 3890346734u], new[] { rng.NextUInt32(), rng.NextUInt32(), rng.NextUInt32() });
    }

    /// <summary>The 10,000th output of the reference generator (seed 5489) is 4123659995, which crosses 16 state regenerations.</summary>
    [Fact]
    public void Mt19937MatchesTheReferenceAfterManyRegenerations()
    {
        var rng = new NumPyRandomState(5489);
        uint value = 0;
        for (int i = 0; i < 10000; i++) value = rng.NextUInt32();
        Assert.Equal(4123659995u, value);
    }

    /// <summary>NumPy's documentation: <c>np.random.RandomState(0).random_sample()</c> is 0.5488135039273248.</summary>
    [Fact]
    public void RandomSampleMatchesNumPysDocumentedValue() =>
        Assert.Equal(0.5488135039273248, new NumPyRandomState(0).RandomSample());

    /// <summary><c>a = np.arange(10); np.random.RandomState(0).shuffle(a)</c> gives [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].</summary>
    [Fact]
    public void ShuffleOfArange10WithSeed0IsNumPys() =>
        Assert.Equal([2, 8, 4, 9, 1, 6, 7, 3, 0, 5], new NumPyRandomState(0).Permutation(10));

    /// <summary>Values printed by NumPy 1.24.2: <c>RandomState(113).random_sample()</c> three times, and raw 32-bit draws for seed 2³² − 1.</summary>
    [Fact]
    public void DrawsMatchNumPy()
    {
        var rng = new NumPyRandomState(113);
        Assert.Equal([0.8519854927300882, 0.07390359884225994, 0.8949317626986235], new[] { rng.RandomSample(), rng.RandomSample(), rng.RandomSample() });
        // np.random.RandomState(2**32 - 1).randint(0, 2**32, size=3, dtype=np.uint64): the raw outputs
        var top = new NumPyRandomState(uint.MaxValue);
        Assert.Equal([419326371u, 479346978u, 3918654476u], new[] { top.NextUInt32(), top.NextUInt32(), top.NextUInt32() });
    }

    /// <summary>
    /// A bound above 32 bits draws 64 bits at a time: <c>RandomState(0).randint(0, 2**40, size=3, dtype=np.uint64)</c>
    /// (the same masked rejection as <c>random_interval</c>) is [741280623151, 506137267392, 291447657211] in NumPy 1.24.2.
    /// </summary>
    [Fact]
    public void IntervalAbove32BitsDraws64Bits()
    {
        var rng = new NumPyRandomState(0);
        ulong max = (1UL << 40) - 1;
        Assert.Equal([741280623151UL, 506137267392UL, 291447657211UL], new[] { rng.Interval(max), rng.Interval(max), rng.Interval(max) });
        Assert.Equal(0UL, rng.Interval(0));
    }

    /// <summary>Shuffles of awkward sizes (1, 7, 129) match NumPy 1.24.2.</summary>
    [Fact]
    public void ShufflesOfAwkwardSizesMatchNumPy()
    {
        Assert.Equal([0], new NumPyRandomState(5).Permutation(1));
        Assert.Empty(new NumPyRandomState(5).Permutation(0));
        Assert.Equal([0, 1, 5, 2, 4, 3, 6], new NumPyRandomState(42).Permutation(7));
        int[] p129 = new NumPyRandomState(7).Permutation(129);
        Assert.Equal([54, 65, 52, 58, 87, 94, 95, 115, 106, 46], p129[..10]);
        Assert.Equal("9399eda738b5f1903640155ab05c37669f0dc32e2b8d8c845cf7eef7a3df5497", Hash(p129));
    }

    /// <summary>
    /// The draws Keras' datasets make with seed 113, as NumPy 1.24.2 gives them (SHA-256 of the comma-joined order):
    /// Boston Housing's 506 samples, IMDB's two draws of 25,000 from one generator, Reuters' 11,228.
    /// </summary>
    [Fact]
    public void KerasDatasetShufflesMatchNumPy()
    {
        int[] boston = new NumPyRandomState(113).Permutation(506);
        Assert.Equal([22, 202, 368, 335, 461, 323, 382, 143, 146, 141, 402, 412, 172, 361, 126, 418, 370, 298, 201, 100], boston[..20]);
        Assert.Equal([271, 332, 153, 194, 415, 112, 339, 160, 87, 494], boston[400..410]);
        Assert.Equal([364, 74, 162, 220, 165], boston[^5..]);
        Assert.Equal("da2ec053e691710b529a90f0d5297fe4922eec8194f5f9715445d25a59865650", Hash(boston));

        var imdb = new NumPyRandomState(113);
        int[] train = imdb.Permutation(25000), test = imdb.Permutation(25000);
        Assert.Equal([7798, 13226, 18078, 793, 17499, 23003, 574, 19638], train[..8]);
        Assert.Equal([22748, 4083, 8015, 13688, 5310, 4466, 736, 22654], test[..8]);
        Assert.Equal("ce426e41f2ecebe6d1041e72a367f27bbc4acf04b4f7508c0039645eae8e8d8a", Hash(train));
        Assert.Equal("1079c69dbdb2c2c0164b1e80cf9b19c0a9bfc3b630dd432ee0ed1c84a6963e16", Hash(test));

        int[] reuters = new NumPyRandomState(113).Permutation(11228);
        Assert.Equal([1341, 4427, 5095, 2044, 3024, 1792, 1931, 2375], reuters[..8]);
        Assert.Equal("b16287c408e7ef29f4658b6a56517b2f1cd467fca2a454ab8ab9d8804af6bfb4", Hash(reuters));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(1L << 32)]
    public void SeedsOutsideNumPysRangeAreRefused(long seed)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NumPyRandomState.FromSeed(seed));
        Assert.Contains("Seed must be between 0 and 2**32 - 1", e.Message);
    }

    [Fact]
    public void TheLargestSeedIsAccepted() => Assert.Equal(419326371u, NumPyRandomState.FromSeed(uint.MaxValue).NextUInt32());

    internal static string Hash(int[] order) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", order))));
}
