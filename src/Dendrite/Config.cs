using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Process-wide settings, as PyTorch's <c>torch.set_num_threads</c> and TensorFlow's <c>tf.config.threading</c>.
/// </summary>
public static class Config
{
    /// <summary>The environment variable read at start-up for <see cref="Threads"/> (as <c>OMP_NUM_THREADS</c> for PyTorch).</summary>
    public const string ThreadsVariable = "DENDRITE_NUM_THREADS";

    /// <summary>
    /// How many threads (the calling thread included) a kernel may use: matrix products, convolutions, pooling,
    /// batching and optimizer updates. The default is <c>DENDRITE_NUM_THREADS</c> when it holds a whole number
    /// ≥ 1, otherwise <see cref="Environment.ProcessorCount"/> (a value that is set but not valid is reported once
    /// on standard error and ignored, as OpenMP does). Set it before or between calls; a kernel already running
    /// finishes with the count it started with.
    /// </summary>
    /// <remarks>
    /// Results do not depend on this setting: every kernel splits its work into pieces whose boundaries and
    /// summation order are fixed by the problem's shape, not by the number of threads, so 1, 2 or 16 threads give
    /// bit-identical weights, predictions and losses (tested in <c>ThreadCountDeterminismTests</c>). Fewer threads
    /// only make it slower; more than the machine's cores make it slower too (threads wait for each other).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int Threads
    {
        get => WorkerPool.MaxThreads;
        set => WorkerPool.MaxThreads = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"Config.Threads must be at least 1, got {value}.");
    }

    /// <summary>
    /// The thread count <c>DENDRITE_NUM_THREADS</c> asks for, or <see cref="Environment.ProcessorCount"/> when it is
    /// unset or not a whole number ≥ 1 (then <paramref name="problem"/> says why).
    /// </summary>
    internal static int ThreadsFromEnvironment(string? value, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(value)) return Environment.ProcessorCount;
        if (int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int threads) && threads >= 1)
            return threads;
        problem = $"Dendrite: ignoring {ThreadsVariable}='{value}' (expected a whole number >= 1); using {Environment.ProcessorCount} threads.";
        return Environment.ProcessorCount;
    }
}
