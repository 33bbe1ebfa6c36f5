namespace Dendrite.Tests.Training;

/// <summary>Config.Threads and DENDRITE_NUM_THREADS (the bit-identical results across counts: ThreadCountDeterminismTests).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class ConfigTests
{
    [Theory]
    [InlineData(null, -1, false)]
    [InlineData("", -1, false)]
    [InlineData("3", 3, false)]
    [InlineData(" 1 ", 1, false)]
    [InlineData("0", -1, true)]
    [InlineData("-2", -1, true)]
    [InlineData("two", -1, true)]
    [InlineData("1.5", -1, true)]
    public void TheEnvironmentVariableIsAWholeNumberAtLeastOne(string? value, int expected, bool reported)
    {
        int threads = Config.ThreadsFromEnvironment(value, out string? problem);
        Assert.Equal(expected == -1 ? Environment.ProcessorCount : expected, threads);
        Assert.Equal(reported, problem is not null);
        if (reported) Assert.Contains($"DENDRITE_NUM_THREADS='{value}'", problem);
    }

    [Fact]
    public void ThreadsCanBeSetAndRefusesLessThanOne()
    {
        int saved = Config.Threads;
        try
        {
            Config.Threads = 1;
            Assert.Equal(1, Config.Threads);
            Config.Threads = 5;
            Assert.Equal(5, Dendrite.Kernels.WorkerPool.MaxThreads);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Config.Threads = 0);
            Assert.Contains("at least 1, got 0", e.Message);
        }
        finally { Config.Threads = saved; }
    }
}
