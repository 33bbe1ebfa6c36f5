using System.Net.Http.Json;
using System.Text.Json;

namespace DigitServer.Tests;

/// <summary>The first start trains and saves the default model; later starts load it; a wrong <c>--model</c> is an error.</summary>
[Collection(DigitServerCollection.Name)]
public sealed class StartupTests(DigitServerFixture server, ITestOutputHelper output)
{
    private string DefaultModel => Path.Combine(server.Home, "models", "digits.keras");

    [Fact]
    public void TheFirstStartTrainedTheDefaultModelAndSavedItAtomically()
    {
        output.WriteLine($"first start (training included) took {server.StartSeconds:F1} s:\n{server.StartOutput}");
        Assert.Contains($"No model at {DefaultModel}: training a small MNIST convnet", server.StartOutput);
        Assert.Matches(@"MNIST test accuracy 0\.9[7-9]\d\d", server.StartOutput);
        Assert.Contains($"Saved the model to {DefaultModel}.", server.StartOutput);
        // the save went through a temporary file and a rename: only the model is left in the folder
        Assert.Equal(["digits.keras"], Directory.GetFiles(Path.GetDirectoryName(DefaultModel)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ASecondStartLoadsTheSavedModelAndAnswersTheSame()
    {
        using var second = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], server.ServerEnvironment);
        var address = await second.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        Assert.Contains($"Loaded the model {DefaultModel}.", second.Output);
        Assert.DoesNotContain("training", second.Output);
        Assert.NotEqual(server.BaseAddress, address);

        using var client = new HttpClient { BaseAddress = address };
        var body = new { pixels = server.TestPixels(0) };
        string first = await (await server.Client.PostAsJsonAsync("predict", body)).Content.ReadAsStringAsync();
        string again = await (await client.PostAsJsonAsync("predict", body)).Content.ReadAsStringAsync();
        Assert.Equal(first, again);
        Assert.Equal(server.TestLabel(0), JsonDocument.Parse(again).RootElement.GetProperty("digit").GetInt32());
    }

    [Fact]
    public async Task AModelPathThatDoesNotExistStopsTheServerWithoutTraining()
    {
        string missing = Path.Combine(server.Home, "no-such-model.keras");
        using var process = ServerProcess.Start(["--model", missing, "--urls", "http://127.0.0.1:0"], server.ServerEnvironment);
        int exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exitCode);
        Assert.Contains($"--model {missing}: there is no file at {missing}", process.Output);
        Assert.DoesNotContain("training", process.Output);
    }
}
