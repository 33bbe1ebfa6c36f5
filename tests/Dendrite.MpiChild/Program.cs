using Dendrite.Distributed;
using Dendrite.MpiChild;

// One rank of a test job: `mpirun ... -np N dotnet Dendrite.MpiChild.dll <scenario>` (or started alone: a singleton).
// Every rank prints lines "R<rank> <key>=<value>" that the tests compare across ranks; a failed check prints
// "R<rank> FAIL <what>" and exits with 2.
if (args.Length != 1 || !Scenarios.All.TryGetValue(args[0], out Action<MpiCommunicator>? scenario))
{
    Console.Error.WriteLine($"usage: Dendrite.MpiChild <{string.Join('|', Scenarios.All.Keys)}>");
    return 64;
}

using MpiCommunicator world = MpiCommunicator.Init();
try
{
    scenario(world);
}
catch (CheckFailedException e)
{
    Console.WriteLine($"R{world.Rank} FAIL {e.Message}");
    Console.Out.Flush();
    world.Abort(2);
}
Console.Out.Flush();
return 0;
