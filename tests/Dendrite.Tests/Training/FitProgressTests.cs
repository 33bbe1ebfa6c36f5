using System.Text.RegularExpressions;
using Dendrite.Optimizers;
using Dendrite.Tests.Models;
using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Training;

/// <summary>What Fit, Evaluate and Predict print (captured through <see cref="ProgressDisplay"/>).</summary>
public class FitProgressTests
{
    // A metric is printed {v:.4f}, or {v:.4e} when |v| <= 1e-3 (an epoch with no correct prediction shows 0.0000e+00).
    private const string Value = @"\d\.\d{4}(e[+-]\d\d)?";
    private const string StepTime = @"\d+(ms|us|s)/step";
    private const string FinalLine = $@"^4/4 ━{{20}} \d+s {StepTime} - accuracy: {Value} - loss: {Value}$";
    private const string SummaryLine = $@"^4/4 - \d+s - {StepTime} - accuracy: {Value} - loss: {Value}$";

    private static Sequential CompiledModel(int seed)
    {
        var model = TestModels.Classifier(seed);
        model.Compile(optimizer: new RMSprop(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>How the bar shows a value at verbose=1.</summary>
    private static string Shown(double value) => Math.Abs(value) > 1e-3 ? Progbar.FormatFixed(value, 4) : Progbar.FormatScientific(value);

    private static void AssertMatches(string pattern, string line) =>
        Assert.True(Regex.IsMatch(line, pattern), $"line {Escape(line)} does not match {pattern}");

    private static string Escape(string text) => "\"" + text.Replace("\x1b", "\\x1b").Replace("\r", "\\r").Replace("\n", "\\n") + "\"";

    private static string[] Lines(string output)
    {
        Assert.EndsWith("\n", output);
        return output[..^1].Split('\n');
    }

    [Fact]
    public void TwoEpochsPrintHeadersAndOneFinalLineEach()
    {
        var (x, y) = Blobs(100, seed: 1);
        var model = CompiledModel(500);
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => model.Fit(x, y, epochs: 2, batchSize: 32, verbose: 1));
        var lines = Lines(output);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        AssertMatches(FinalLine, lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
        AssertMatches(FinalLine, lines[3]);
        Assert.DoesNotContain("\x1b", output);
        Assert.DoesNotContain("\r", output);
    }

    [Fact]
    public void OneEpochPrintsNoEpochHeader()
    {
        var (x, y) = Blobs(100, seed: 2);
        var model = CompiledModel(510);
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => model.Fit(x, y, epochs: 1, verbose: 1));
        Assert.DoesNotContain("Epoch", output);
        AssertMatches(FinalLine, Assert.Single(Lines(output)));
    }

    [Fact]
    public void FinalLineShowsTheLoggedEpochValues()
    {
        var (x, y) = Blobs(100, seed: 3);
        var model = CompiledModel(520);
        History? history = null;
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => history = model.Fit(x, y, epochs: 1, verbose: 1));
        string expected = $" - accuracy: {Shown(history!["accuracy"][0])} - loss: {Shown(history["loss"][0])}";
        Assert.EndsWith(expected + "\n", output);
    }

    [Fact]
    public void VerboseTwoPrintsOnePlainLinePerEpoch()
    {
        var (x, y) = Blobs(100, seed: 4);
        var model = CompiledModel(530);
        // verbose=2 never uses escape codes, whatever the mode.
        var output = CaptureProgress(ProgressMode.Dynamic, () => model.Fit(x, y, epochs: 2, verbose: 2));
        var lines = Lines(output);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        AssertMatches(SummaryLine, lines[1]);
        AssertMatches(SummaryLine, lines[3]);
        Assert.DoesNotContain("\x1b", output);
    }

    [Fact]
    public void VerboseZeroPrintsNothing()
    {
        var (x, y) = Blobs(100, seed: 5);
        var model = CompiledModel(540);
        var output = CaptureProgress(ProgressMode.Dynamic, () =>
        {
            model.Fit(x, y, epochs: 2, validationSplit: 0.2, verbose: 0);
            model.Evaluate(x, y, verbose: 0);
            model.Predict(x, verbose: 0);
        });
        Assert.Equal("", output);
    }

    [Fact]
    public void ValidationKeysComeAfterTrainingKeysAlphabetically()
    {
        var (x, y) = Blobs(125, seed: 6);
        var model = CompiledModel(550);
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => model.Fit(x, y, epochs: 1, validationSplit: 0.2, verbose: 1));
        // 100 training samples → 4 steps; the 25 validation samples add no steps.
        AssertMatches($@"^4/4 ━{{20}} \d+s {StepTime} - accuracy: {Value} - loss: {Value} - val_accuracy: {Value} - val_loss: {Value}$",
            Assert.Single(Lines(output)));
    }

    [Fact]
    public void EvaluatePrintsOneBarWithLossAndAccuracyAndNoHeader()
    {
        var (x, y) = Blobs(100, seed: 7);
        var model = CompiledModel(560);
        model.Build(2);
        EvaluationResult? result = null;
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => result = model.Evaluate(x, y, verbose: 1));
        var line = Assert.Single(Lines(output));
        AssertMatches(FinalLine, line);
        // The bar shows the values Evaluate returns.
        Assert.EndsWith($" - accuracy: {Shown(result!["accuracy"])} - loss: {Shown(result.Loss)}", line);
    }

    [Fact]
    public void PredictPrintsABarWithoutMetrics()
    {
        var (x, _) = Blobs(100, seed: 8);
        var model = CompiledModel(570);
        model.Build(2);
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => model.Predict(x, verbose: 1));
        AssertMatches($@"^4/4 ━{{20}} \d+s {StepTime}$", Assert.Single(Lines(output)));
    }

    [Fact]
    public void DynamicModeRedrawsWithCarriageReturnsAndColours()
    {
        var (x, y) = Blobs(100, seed: 9);
        var model = CompiledModel(580);
        var output = CaptureProgress(ProgressMode.Dynamic, () => model.Fit(x, y, epochs: 1, verbose: 1));
        Assert.StartsWith("\r\x1b[1m", output);
        Assert.EndsWith("\n", output);
        var last = output[(output.LastIndexOf('\r') + 1)..^1];
        Assert.StartsWith($"\x1b[1m4/4\x1b[0m \x1b[32m{new string('━', 20)}\x1b[0m\x1b[37m\x1b[0m \x1b[1m", last);
        var visible = Regex.Replace(last, @"\x1b\[\d+m", "").TrimEnd(' ');
        AssertMatches(FinalLine, visible);
    }

    [Fact]
    public void AutoModeWritesPlainFinalLinesWhenOutputIsCaptured()
    {
        var (x, y) = Blobs(100, seed: 11);
        var model = CompiledModel(600);
        var output = CaptureProgress(ProgressMode.Auto, () => model.Fit(x, y, epochs: 1, verbose: 1));
        AssertMatches(FinalLine, Assert.Single(Lines(output)));
        Assert.DoesNotContain("\x1b", output);
    }

    [Fact]
    public void NumbersAreInvariantUnderACommaDecimalCulture()
    {
        var (x, y) = Blobs(100, seed: 10);
        var model = CompiledModel(590);
        var output = CaptureProgress(ProgressMode.FinalLineOnly, () => WithCulture(CommaCulture(), () =>
        {
            model.Fit(x, y, epochs: 2, verbose: 1);
            model.Evaluate(x, y, verbose: 2);
        }));
        var lines = Lines(output);
        Assert.Equal(5, lines.Length);
        AssertMatches(FinalLine, lines[1]);
        AssertMatches(FinalLine, lines[3]);
        AssertMatches(SummaryLine, lines[4]);
        Assert.DoesNotContain(",", output);
    }
}
