namespace Dendrite;

/// <summary>Library-wide utilities, named after <c>keras.utils</c>.</summary>
public static partial class Utils
{
    /// <summary>
    /// Seeds every random draw Dendrite makes (weight initialisation, shuffling, dropout), like
    /// <c>keras.utils.set_random_seed</c>. After the same seed, the same program trains to bit-identical weights
    /// and history. Without a call, the seed comes from the system's entropy.
    /// </summary>
    /// <remarks>
    /// The seed is process-wide, as in Keras: every layer built and every <c>Fit</c> started afterwards, on any thread,
    /// takes its draws from the same sequence. Reproducibility therefore needs the same order of those calls — build
    /// and fit on one thread, or give initializers explicit seeds when other threads build models at the same time.
    /// </remarks>
    /// <param name="seed">A non-negative integer (Keras passes it to NumPy, which refuses negative seeds).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seed"/> is negative.</exception>
    public static void SetRandomSeed(int seed) => GlobalRandom.Reset(seed >= 0 ? (ulong)seed
        : throw new ArgumentOutOfRangeException(nameof(seed), $"SetRandomSeed needs a seed >= 0 (NumPy's range, as in Keras). Received: seed={seed}"));
}

/// <summary>The process-wide generator behind every random draw; see <see cref="Utils.SetRandomSeed"/>.</summary>
internal static class GlobalRandom
{
    private static readonly object s_lock = new();
    private static RandomGenerator s_generator = new((ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue));

    public static void Reset(ulong seed)
    {
        lock (s_lock)
        {
            s_generator = new RandomGenerator(seed);
            Seed = seed;
        }
    }

    /// <summary>The seed last given to <see cref="Utils.SetRandomSeed"/>, or null when none was.</summary>
    public static ulong? Seed
    {
        get { lock (s_lock) return s_seed; }
        private set => s_seed = value;
    }

    private static ulong? s_seed;

    // While a model is loaded, the layers it builds draw from a generator of their own (see Local).
    private static readonly AsyncLocal<RandomGenerator?> s_local = new();

    /// <summary>
    /// Until disposed, <see cref="Fork"/> on this flow draws from a generator of its own, seeded from the global
    /// sequence's next value without consuming it: a model being loaded builds its layers (whose initial weights are
    /// then overwritten) without moving the global sequence, so a seeded run goes on after a load exactly as without
    /// one, and other threads' draws are untouched.
    /// </summary>
    public static IDisposable Local()
    {
        ulong next;
        lock (s_lock) next = s_generator.Clone().NextUInt64();
        var previous = s_local.Value;
        // Mixed with a constant so that the loaded layers' streams differ from the one the next Fork() starts.
        s_local.Value = new RandomGenerator(next ^ 0xD1B54A32D192ED03UL);
        return new RestoreLocal(previous);
    }

    private sealed class RestoreLocal(RandomGenerator? previous) : IDisposable
    {
        public void Dispose() => s_local.Value = previous;
    }

    /// <summary>A new generator whose seed is the next draw of the global one: callers get independent streams
    /// while the global sequence (and so reproducibility) is advanced by exactly one draw.</summary>
    public static RandomGenerator Fork()
    {
        if (s_local.Value is { } local) return new RandomGenerator(local.NextUInt64());
        lock (s_lock) return new RandomGenerator(s_generator.NextUInt64());
    }
}
