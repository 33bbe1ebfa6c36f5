using Dendrite.Cli.Tests.Support;
using Dendrite.Layers;

namespace Dendrite.Cli.Tests;

/// <summary>
/// Failures a user meets: each is one line on standard error naming the file or the shapes, with its documented exit
/// code (2 not found, 3 not a model, 4 data does not fit), and a stack trace only under --verbose.
/// </summary>
public class ErrorTests
{
    private readonly string _folder = TestPaths.NewTempFolder("errors");

    private string SaveModel(string name, int[] inputShape, int classes)
    {
        var model = new Sequential(new InputLayer(shape: inputShape), new Flatten(), new Dense(classes, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        string path = Path.Combine(_folder, name);
        model.Save(path);
        return path;
    }

    private static void AssertOneLineError(CliResult run, int exitCode, string mustContain)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Contains(mustContain, run.StdErr);
        Assert.StartsWith("dendrite: error: ", run.StdErr);
        Assert.DoesNotContain("   at ", run.StdErr);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("evaluate")]
    [InlineData("train")]
    [InlineData("predict")]
    [InlineData("convert")]
    public void AMissingModelFileIsExitCode2NamingIt(string command)
    {
        string missing = Path.Combine(_folder, "missing.keras");
        string[] args = command switch
        {
            "summary" => [command, missing],
            "evaluate" => [command, missing, "--data", "mnist"],
            "train" => [command, missing, "--data", "mnist", "--out", Path.Combine(_folder, "t.keras")],
            "predict" => [command, missing, "x.png"],
            _ => [command, missing, Path.Combine(_folder, "out.keras")],
        };
        AssertOneLineError(Tool.Run(args), 2, $"Model file not found: '{missing}'");
    }

    [Fact]
    public void AFileThatIsNotAModelIsExitCode3()
    {
        string text = Path.Combine(_folder, "notes.keras");
        File.WriteAllText(text, "just some notes");
        AssertOneLineError(Tool.Run("summary", text), 3, $"'{text}' is neither a .keras archive");
        string zip = Path.Combine(_folder, "empty.keras");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create)) archive.CreateEntry("readme.txt");
        AssertOneLineError(Tool.Run("evaluate", zip, "--data", "mnist"), 3, zip);
        AssertOneLineError(Tool.Run("summary", _folder), 3, "is a folder");
    }

    [Fact]
    public void DataOfAnotherShapeIsExitCode4NamingBothShapes()
    {
        // Two channels: not an image either, so predict refuses it too.
        string model = SaveModel("odd.keras", [7, 11, 2], 10);
        AssertOneLineError(Tool.Run("evaluate", model, "--data", "mnist", "--limit", "50"), 4,
            $"'{model}' takes inputs of shape (None, 7, 11, 2) (154 values a sample), the MNIST test set has samples of shape (None, 28, 28) (784 values)");
        AssertOneLineError(Tool.Run("train", model, "--data", "mnist", "--limit", "50", "--out", Path.Combine(_folder, "t.keras")), 4, "(None, 7, 11, 2)");
        AssertOneLineError(Tool.Run("predict", model, "x.png"), 4, "which is not an image");
    }

    [Fact]
    public void LabelsBeyondTheModelsClassesAreExitCode4()
    {
        string model = SaveModel("five.keras", [28, 28], 5);
        AssertOneLineError(Tool.Run("evaluate", model, "--data", "mnist"), 4, "has label 7, but");
        Assert.Contains("classes 0..4", Tool.Run("evaluate", model, "--data", "mnist").StdErr);
    }

    [Fact]
    public void MissingOrUnusableDataIsReported()
    {
        string model = SaveModel("ok.keras", [28, 28], 10);
        AssertOneLineError(Tool.Run("evaluate", model, "--data", Path.Combine(_folder, "nowhere")), 2, "Data folder not found");
        string empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        AssertOneLineError(Tool.Run("evaluate", model, "--data", empty), 2, "holds neither the MNIST IDX files");
        string badIdx = Directory.CreateDirectory(Path.Combine(_folder, "bad-idx")).FullName;
        File.WriteAllText(Path.Combine(badIdx, "t10k-images-idx3-ubyte"), "garbage");
        File.WriteAllText(Path.Combine(badIdx, "t10k-labels-idx1-ubyte"), "garbage");
        AssertOneLineError(Tool.Run("evaluate", model, "--data", badIdx), 3, "is not an IDX file");
        AssertOneLineError(Tool.Run("train", model, "--data", badIdx, "--out", Path.Combine(_folder, "t.keras")), 2, "train-images-idx3-ubyte");
    }

    [Fact]
    public void VerboseShowsTheStackTraceAndTheDefaultDoesNot()
    {
        string text = Path.Combine(_folder, "notes.h5");
        File.WriteAllText(text, "just some notes");
        var quiet = Tool.Run("summary", text);
        var verbose = Tool.Run("summary", text, "--verbose");
        var verboseFirst = Tool.Run("--verbose", "summary", text);
        Assert.Equal(3, quiet.ExitCode);
        Assert.Equal(3, verbose.ExitCode);
        Assert.Equal(3, verboseFirst.ExitCode);
        Assert.DoesNotContain("   at ", quiet.StdErr);
        Assert.Single(quiet.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var run in new[] { verbose, verboseFirst })
        {
            Assert.Contains("Dendrite.Saving.ModelFormatException", run.StdErr);
            Assert.Contains("   at Dendrite.", run.StdErr);
        }
    }
}
