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
    public static void SetRandomSeed(int seed) => GlobalRandom.Reset((ulong)(uint)seed);
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
    public static ulong? Seed { get; private set; }

    /// <summary>
    /// Runs <paramref name="action"/> and then puts the global generator back as it was, so that what it draws
    /// (the initializers of a model being loaded, whose weights are then overwritten) leaves the global sequence alone.
    /// </summary>
    public static T Preserving<T>(Func<T> action)
    {
        RandomGenerator saved;
        lock (s_lock) saved = s_generator.Clone();
        try { return action(); }
        finally { lock (s_lock) s_generator = saved; }
    }

    /// <summary>A new generator whose seed is the next draw of the global one: callers get independent streams
    /// while the global sequence (and so reproducibility) is advanced by exactly one draw.</summary>
    public static RandomGenerator Fork()
    {
        lock (s_lock) return new RandomGenerator(s_generator.NextUInt64());
    }
}
