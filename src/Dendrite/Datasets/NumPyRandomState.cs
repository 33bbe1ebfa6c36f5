namespace Dendrite.Datasets;

/// <summary>
/// NumPy's legacy <c>np.random.RandomState(seed)</c>, as far as Keras' datasets use it: the MT19937 generator seeded
/// by <c>init_genrand</c>, its 53-bit <c>random_sample</c>, the bounded integer draw <c>random_interval</c> and the
/// Fisher–Yates <c>shuffle</c> built on it. Keras shuffles IMDB, Reuters and Boston Housing with this generator, so
/// an exact port gives the same train/test split and sample order as Python.
/// </summary>
/// <remarks>
/// The legacy stream is frozen by NumPy's compatibility policy (NEP 19), so the values do not change between NumPy
/// versions. Checked against NumPy 1.24.2 and against published values (MT19937 with seed 5489 starts 3499211612;
/// <c>RandomState(0).random_sample()</c> is 0.5488135039273248) in the tests.
/// </remarks>
internal sealed class NumPyRandomState
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _key = new uint[StateLength];
    private int _position;

    /// <summary>Seeds the generator as <c>RandomState(seed)</c> does for an integer seed (MT19937's <c>init_genrand</c>).</summary>
    public NumPyRandomState(uint seed)
    {
        _key[0] = seed;
        for (int i = 1; i < StateLength; i++)
            _key[i] = 1812433253u * (_key[i - 1] ^ (_key[i - 1] >> 30)) + (uint)i;
        _position = StateLength; // the first draw regenerates the whole block
    }

    /// <summary>
    /// A generator for a Keras <c>seed</c> argument: NumPy accepts integer seeds from 0 to 2³² − 1 and raises
    /// <c>ValueError</c> for the others, as this does with an <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static NumPyRandomState FromSeed(long seed, string parameterName = "seed") =>
        seed is >= 0 and <= uint.MaxValue
            ? new NumPyRandomState((uint)seed)
            : throw new ArgumentOutOfRangeException(parameterName, seed, $"Seed must be between 0 and 2**32 - 1, got {seed}.");

    /// <summary>The next 32-bit output of MT19937 (NumPy's <c>next_uint32</c> for the legacy generator).</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
            Regenerate();
        uint y = _key[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >> 18);
    }

    /// <summary>Two 32-bit outputs as one 64-bit value, the first in the high half (NumPy's <c>mt19937_next64</c>).</summary>
    public ulong NextUInt64()
    {
        ulong high = NextUInt32();
        return (high << 32) | NextUInt32();
    }

    /// <summary>A double in [0, 1) from 53 random bits (<c>random_sample</c>: 27 bits of one draw, 26 of the next).</summary>
    public double RandomSample()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="max"/>] by rejection (NumPy's <c>random_interval</c>): draws are
    /// masked to the smallest all-ones bit pattern covering <paramref name="max"/> and redrawn while above it, 32 bits
    /// at a time when <paramref name="max"/> fits in 32 bits, else 64.
    /// </summary>
    public ulong Interval(ulong max)
    {
        if (max == 0)
            return 0;
        ulong mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        ulong value;
        if (max <= uint.MaxValue)
        {
            do value = NextUInt32() & mask; while (value > max);
        }
        else
        {
            do value = NextUInt64() & mask; while (value > max);
        }
        return value;
    }

    /// <summary>
    /// Shuffles <paramref name="items"/> in place exactly as <c>RandomState.shuffle</c> shuffles a 1-D array: for i
    /// from n − 1 down to 1, swap item i with item <c>random_interval(i)</c>.
    /// </summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i >= 1; i--)
        {
            int j = (int)Interval((ulong)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The order Keras' datasets draw: <c>indices = np.arange(n); rng.shuffle(indices)</c>.</summary>
    public int[] Permutation(int n)
    {
        var indices = new int[n];
        for (int i = 0; i < n; i++)
            indices[i] = i;
        Shuffle<int>(indices);
        return indices;
    }

    private void Regenerate()
    {
        uint[] mt = _key;
        int k = 0;
        for (; k < StateLength - Shift; k++)
        {
            uint y = (mt[k] & UpperMask) | (mt[k + 1] & LowerMask);
            mt[k] = mt[k + Shift] ^ (y >> 1) ^ ((y & 1) * MatrixA);
        }
        for (; k < StateLength - 1; k++)
        {
            uint y = (mt[k] & UpperMask) | (mt[k + 1] & LowerMask);
            mt[k] = mt[k + Shift - StateLength] ^ (y >> 1) ^ ((y & 1) * MatrixA);
        }
        uint last = (mt[StateLength - 1] & UpperMask) | (mt[0] & LowerMask);
        mt[StateLength - 1] = mt[Shift - 1] ^ (last >> 1) ^ ((last & 1) * MatrixA);
        _position = 0;
    }
}
