namespace Dendrite.Distributed.Tests;

/// <summary>IsLaunchedByMpirun and RequestedSize read mpirun's OMPI_COMM_WORLD_SIZE without initializing MPI.</summary>
public sealed class LaunchEnvironmentTests
{
    [Fact]
    public void TheRequestedSizeComesFromMpirunsEnvironmentVariable()
    {
        string? saved = Environment.GetEnvironmentVariable(MpiCommunicator.WorldSizeVariable);
        try
        {
            Environment.SetEnvironmentVariable(MpiCommunicator.WorldSizeVariable, "3");
            Assert.True(MpiCommunicator.IsLaunchedByMpirun);
            Assert.Equal(3, MpiCommunicator.RequestedSize);

            Environment.SetEnvironmentVariable(MpiCommunicator.WorldSizeVariable, null);
            Assert.False(MpiCommunicator.IsLaunchedByMpirun);
            Assert.Equal(0, MpiCommunicator.RequestedSize);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiCommunicator.WorldSizeVariable, saved);
        }
    }

    [Theory]
    [InlineData(2, false, 0, "needs 2 ranks but was not started by mpirun")]
    [InlineData(4, true, 2, "needs 4 ranks but mpirun started 2")]
    public void AProgramThatNeedsSeveralRanksSaysHowToStartIt(int ranks, bool launched, int requested, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => MpiCommunicator.CheckLaunch(ranks, launched, requested, "/usr/bin/dotnet"));
        Assert.Contains(expected, error.Message);
        Assert.Contains($"mpirun -np {ranks}", error.Message);
    }

    [Theory]
    [InlineData(1, false, 0)]
    [InlineData(2, true, 2)]
    public void TheRightLaunchPasses(int ranks, bool launched, int requested) =>
        MpiCommunicator.CheckLaunch(ranks, launched, requested, "dotnet");
}
