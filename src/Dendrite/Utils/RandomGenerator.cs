using System.Runtime.Intrinsics;

namespace Dendrite;

/// <summary>
/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64). Written here rather than using
/// <see cref="System.Random"/> so that a seed gives the same stream on every .NET version and platform.
/// </summary>
internal sealed class RandomGenerator
{
    private ulong _s0, _s1, _s2, _s3;

    public RandomGenerator(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private RandomGenerator(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>A generator in the same state, whose draws from now on equal this one's.</summary>
    public RandomGenerator Clone() => new(_s0, _s1, _s2, _s3);

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Fills a dropout mask: element i is <paramref name="keep"/> when its uniform 32-bit draw is at least
    /// <paramref name="threshold"/> (a value in [0, 2³²]), else 0.
    /// </summary>
    /// <remarks>
    /// With 256-bit vectors the draws come from four xoshiro256** streams, one per 64-bit lane, seeded from this
    /// generator (16 draws per call): eight elements per step (each 64-bit draw gives two), about four times faster
    /// than one serial stream, whose every step waits for the last. Below that, and for the tail, this generator's
    /// own draws, two elements each (low half first). The stream depends only on the seed and the call sequence.
    /// </remarks>
    public void FillKeepMask(Span<float> mask, ulong threshold, float keep)
    {
        int i = 0;
        if (threshold > uint.MaxValue) { mask.Clear(); return; } // rate rounds to 1: nothing is kept
        if (Vector256.IsHardwareAccelerated && mask.Length >= 64) i = FillKeepMaskVectors(mask, (uint)threshold, keep);
        FillKeepMaskSerial(mask[i..], threshold, keep);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int FillKeepMaskVectors(Span<float> mask, uint threshold, float keep)
    {
        var s0 = Vector256.Create(NextUInt64(), NextUInt64(), NextUInt64(), NextUInt64());
        var s1 = Vector256.Create(NextUInt64(), NextUInt64(), NextUInt64(), NextUInt64());
        var s2 = Vector256.Create(NextUInt64(), NextUInt64(), NextUInt64(), NextUInt64());
        var s3 = Vector256.Create(NextUInt64(), NextUInt64(), NextUInt64(), NextUInt64());
        var limit = Vector256.Create(threshold);
        var kept = Vector256.Create(keep);
        int i = 0;
        for (; i <= mask.Length - 8; i += 8)
        {
            // xoshiro256** per lane; ×5 and ×9 as shift-and-add (no 64-bit vector multiply before AVX-512).
            var times5 = (s1 << 2) + s1;
            var rotated = (times5 << 7) | (times5 >> 57);
            var bits = (rotated << 3) + rotated;
            var t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 45) | (s3 >> 19);
            var keepLanes = Vector256.GreaterThanOrEqual(bits.AsUInt32(), limit).AsSingle();
            (keepLanes & kept).CopyTo(mask[i..]);
        }
        return i;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void FillKeepMaskSerial(Span<float> mask, ulong threshold, float keep)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < mask.Length; i += 2)
        {
            ulong bits = ulong.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = ulong.RotateLeft(s3, 45);
            // Branch-free: each comparison is a coin flip, which a branch would mispredict half the time.
            // (draw − threshold) wraps to a value with the top bit set exactly when draw < threshold (both < 2³³).
            mask[i] = keep * (1 - (long)(((bits & 0xFFFFFFFF) - threshold) >> 63));
            if (i + 1 < mask.Length) mask[i + 1] = keep * (1 - (long)(((bits >> 32) - threshold) >> 63));
        }
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, so every value is an exact float32.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"bound must be positive, got {bound}.");
        ulong product = (NextUInt64() >> 32) * (ulong)bound;
        uint low = (uint)product;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * (ulong)bound;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>Standard normal sample (Box–Muller; the second value is discarded to keep the stream simple).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
