using Dendrite.Cli.Tests.Support;

namespace Dendrite.Cli.Tests;

/// <summary>Help, version, tab completion and usage errors: System.CommandLine's behaviour, with the exit-code table in help.</summary>
public class HelpAndUsageTests
{
    private static readonly string[] Commands = ["summary", "train", "evaluate", "predict", "convert", "info", "plot"];

    [Fact]
    public void HelpListsEveryCommandAndTheExitCodes()
    {
        var run = Tool.Run("--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (string command in Commands) Assert.Contains($"  {command}", run.StdOut);
        Assert.Contains("Exit codes:", run.StdOut);
        foreach (string line in new[] { "0  success", "1  usage error", "2  file or folder not found", "3  not a model", "4  the data does not fit the model", "5  any other failure" })
            Assert.Contains(line, run.StdOut);
        Assert.Contains("--verbose", run.StdOut);
    }

    [Fact]
    public void EachCommandHasHelpWithItsOptions()
    {
        var train = Tool.Run("train", "--help");
        Assert.True(train.ExitCode == 0, train.ToString());
        foreach (string option in new[] { "--data", "--epochs", "--batch-size", "--validation-split", "--out", "--history", "--seed", "--optimizer", "--loss", "--metrics" })
            Assert.Contains(option, train.StdOut);
        Assert.DoesNotContain("--limit", train.StdOut); // hidden: for quick trials and tests
        Assert.Contains("Exit codes:", train.StdOut);
        var predict = Tool.Run("predict", "-h");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Contains("--invert <auto|no|yes>", predict.StdOut);
        Assert.Contains("area averaging", predict.StdOut);
    }

    [Fact]
    public void VersionPrintsTheToolsVersion()
    {
        var run = Tool.Run("--version");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.StdOut.Trim());
    }

    [Theory]
    [InlineData("summary")]                                   // missing argument
    [InlineData("--bogus")]                                   // unknown option
    [InlineData("frobnicate")]                                // unknown command
    [InlineData("train", "m.keras", "--data", "mnist")]       // missing required --out
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--epochs", "0")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--epochs", "many")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.h5")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--history", "h.txt")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--validation-split", "1")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--optimizer", "adamx")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--loss", "hinge_of_doom")]
    [InlineData("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--metrics", "accuracy,nonsense")]
    [InlineData("predict", "m.keras", "a.png", "--invert", "sometimes")]
    [InlineData("predict", "m.keras", "a.png", "--top", "0")]
    [InlineData("convert", "m.keras", "out.pb")]
    public void ABadCommandLineIsAUsageErrorWithExitCode1(params string[] args)
    {
        var run = Tool.Run(args);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.False(string.IsNullOrWhiteSpace(run.StdErr), run.ToString());
        Assert.DoesNotContain("   at ", run.StdErr);
    }

    [Fact]
    public void AnUnknownNameIsReportedWithTheKnownOnes()
    {
        var run = Tool.Run("train", "m.keras", "--data", "mnist", "--out", "t.keras", "--loss", "hinge_of_doom");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown loss function: 'hinge_of_doom'", run.StdErr);
        Assert.Contains("sparse_categorical_crossentropy", run.StdErr);
    }

    [Fact]
    public void WritingLegacyH5IsRefusedWithTheReason()
    {
        var run = Tool.Run("convert", "m.keras", "out.h5");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not write them", run.StdErr);
        Assert.Contains(".weights.h5", run.StdErr);
    }

    [Fact]
    public void TheSuggestDirectiveCompletesCommandsOptionsAndValues()
    {
        // dotnet-suggest calls the tool as: dendrite [suggest:<cursor position>] "<command line>".
        string CompletionsFor(string line) => Tool.Run($"[suggest:{line.Length}]", line).StdOut;
        Assert.Contains("evaluate", CompletionsFor("ev").Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("fashion-mnist", CompletionsFor("train m.keras --data fa").Split('\n', StringSplitOptions.TrimEntries));
        var optimizers = CompletionsFor("train m.keras --optimizer ada").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Subset(optimizers.ToHashSet(), new HashSet<string> { "adadelta", "adagrad", "adam", "adamw" });
        Assert.DoesNotContain("sgd", optimizers);
        Assert.Contains("--validation-split", CompletionsFor("train m.keras --va").Split('\n', StringSplitOptions.TrimEntries));
        // Model files by their extensions, with the folder as typed.
        string fixtures = TestPaths.KerasFixtures + "/";
        var models = CompletionsFor($"summary {fixtures}mnist_cnn").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([fixtures + "mnist_cnn_keras3.12.0.keras", fixtures + "mnist_cnn_keras3.12.0_legacy.h5"], models);
    }
}
