namespace Dendrite.Tests.Kernels;

/// <summary>
/// Takes cores away at random moments, as another tenant of a shared host does: busy threads that spin for a random
/// 0.1–3 ms, then sleep for a random 0.1–3 ms (seeded, so the pattern is the same each run; the timing it causes is not).
/// Tests run kernels under it to show their results do not depend on timing.
/// </summary>
internal sealed class CoreThief : IDisposable
{
    private readonly Thread[] _threads;
    private volatile bool _stop;

    public CoreThief(int threads = 1, int seed = 1)
    {
        _threads = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            var rng = new Random(seed + t);
            _threads[t] = new Thread(() => Steal(rng)) { IsBackground = true, Name = $"core thief {t}" };
            _threads[t].Start();
        }
    }

    private void Steal(Random rng)
    {
        long ticksPerMs = System.Diagnostics.Stopwatch.Frequency / 1000;
        while (!_stop)
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + ticksPerMs * rng.Next(1, 30) / 10;
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until && !_stop) Thread.SpinWait(20);
            Thread.Sleep(TimeSpan.FromMilliseconds(rng.Next(1, 30) / 10.0));
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads) t.Join();
    }
}
