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
}
