using Dendrite.Training;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Training;

/// <summary>Exact output of the bar, driven by a fake clock.</summary>
public class ProgbarTests
{
    private const string Bold = "\x1b[1m", Reset = "\x1b[0m", Green = "\x1b[32m", White = "\x1b[37m";

    private sealed class FakeClock
    {
        public double Now;
        public double Read() => Now;
    }

    private static string Bar(int done) => (done > 0 ? Green + new string('━', done) + Reset : "") + White + new string('━', 20 - done) + Reset;

    private static KeyValuePair<string, double>[] Logs(params (string Key, double Value)[] values) =>
        [.. values.Select(v => new KeyValuePair<string, double>(v.Key, v.Value))];

    [Fact]
    public void DynamicLineHasKerasEscapesCounterBarEtaStepTimeAndMetrics()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(10, 1, output, dynamic: true, clock.Read);
        clock.Now = 0.1;
        bar.Update(1, Logs(("loss", 0.5)));
        // ETA = 0.1 s/step × 9 steps = 0.9 → "0s" (truncated, like Python's %d).
        Assert.Equal($"\r{Bold} 1/10{Reset} {Bar(2)} {Bold}0s{Reset} 100ms/step - loss: 0.5000", output.ToString());
    }

    [Fact]
    public void DonePartIsOmittedWhenEmptyAndRestIsAlwaysWritten()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(30, 1, output, dynamic: true, clock.Read);
        clock.Now = 1;
        bar.Update(1);   // 20·1/30 → 0 cells done
        Assert.Equal($"\r{Bold} 1/30{Reset} {White}{new string('━', 20)}{Reset} {Bold}29s{Reset} 1s/step", output.ToString());
        Assert.DoesNotContain(Green, output.ToString());

        output.GetStringBuilder().Clear();
        clock.Now = 31;
        bar.Update(30, finalize: true);   // 20 cells done: the white part is still written, empty
        Assert.EndsWith($"{Green}{new string('━', 20)}{Reset}{White}{Reset} {Bold}31s{Reset} 1s/step\n", output.ToString());
    }

    [Fact]
    public void UpdatesCloserThan50MillisecondsAreSkippedUnlessFinal()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(10, 1, output, dynamic: true, clock.Read);
        clock.Now = 0.01;
        bar.Update(1);   // the first update is always drawn (Keras starts with _last_update = 0)
        int length = output.ToString().Length;
        Assert.True(length > 0, "the first update was not drawn");
        clock.Now = 0.05;
        bar.Update(2);   // 40 ms later: skipped
        Assert.Equal(length, output.ToString().Length);
        clock.Now = 0.065;
        bar.Update(3);   // 55 ms after the last drawn one
        Assert.True(output.ToString().Length > length);
        length = output.ToString().Length;
        clock.Now = 0.07;
        bar.Update(10, finalize: true);   // final: always drawn
        Assert.True(output.ToString().Length > length);
        Assert.EndsWith("\n", output.ToString());
    }

    [Fact]
    public void FinalLineShowsElapsedSecondsRoundedHalfToEvenAndStepTimeWithoutTheFirstStep()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(10, 1, output, dynamic: true, clock.Read);
        clock.Now = 0.1;
        bar.Update(1, Logs(("accuracy", 0.92504f), ("loss", 0.26)));
        output.GetStringBuilder().Clear();
        clock.Now = 2.5;
        bar.Update(10, Logs(("accuracy", 0.9375), ("loss", 0.25)), finalize: true);
        // Elapsed 2.5 s → "2s" (ties to even, like Python); per step (2.5 − 0.1)/9 = 0.2667 s → "267ms/step".
        Assert.Equal($"\r{Bold}10/10{Reset} {Bar(20)} {Bold}2s{Reset} 267ms/step - accuracy: 0.9375 - loss: 0.2500\n", output.ToString());
    }

    [Fact]
    public void ShorterLinesArePaddedToCoverThePreviousOne()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(10, 1, output, dynamic: true, clock.Read);
        clock.Now = 7;
        bar.Update(1);   // 7 s/step, ETA 63 s → "1:03"
        clock.Now = 8;
        bar.Update(2);   // 1 s/step, ETA 8 s → "8s": two characters shorter
        var lines = output.ToString().Split('\r');
        Assert.Equal(3, lines.Length);
        Assert.Contains($"{Bold}1:03{Reset} 7s/step", lines[1]);
        Assert.Equal($"{Bold} 2/10{Reset} {Bar(4)} {Bold}8s{Reset} 1s/step  ", lines[2]);
        Assert.Equal(lines[1].Length, lines[2].Length);
    }

    [Fact]
    public void MetricsKeepFirstSeenOrderAndNewKeysAreAppended()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(2, 1, output, dynamic: false, clock.Read);
        bar.Update(1, Logs(("accuracy", 0.5), ("loss", 1.25)));
        clock.Now = 1;
        bar.Update(2, Logs(("loss", 1.0), ("accuracy", 0.75), ("val_accuracy", 0.5), ("val_loss", 2.0)), finalize: true);
        Assert.EndsWith(" - accuracy: 0.7500 - loss: 1.0000 - val_accuracy: 0.5000 - val_loss: 2.0000\n", output.ToString());
    }

    [Fact]
    public void FinalLineOnlyModeWritesOnePlainLine()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(10, 1, output, dynamic: false, clock.Read);
        for (int step = 1; step < 10; step++)
        {
            clock.Now = 0.1 + step;
            bar.Update(step, Logs(("loss", 1.0 / step)));
        }
        Assert.Equal("", output.ToString());
        clock.Now = 10.1;
        bar.Update(10, Logs(("loss", 0.1)), finalize: true);
        Assert.Equal($"10/10 {new string('━', 20)} 10s 1s/step - loss: 0.1000\n", output.ToString());
    }

    [Fact]
    public void VerboseTwoWritesOneSummaryLineWhenFinished()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var bar = new Progbar(469, 2, output, dynamic: true, clock.Read);
        clock.Now = 0.5;
        bar.Update(1, Logs(("accuracy", 0.5), ("loss", 1.0)));
        clock.Now = 1.0;
        bar.Update(200, Logs(("accuracy", 0.8), ("loss", 0.5)));
        Assert.Equal("", output.ToString());
        clock.Now = 2.372;
        bar.Update(469, Logs(("accuracy", 0.9248), ("loss", 0.2618)), finalize: true);
        // Per step: (2.372 − 0.5)/468 = 4 ms. No escape codes even on a dynamic display.
        Assert.Equal("469/469 - 2s - 4ms/step - accuracy: 0.9248 - loss: 0.2618\n", output.ToString());
    }

    [Fact]
    public void VerboseTwoUsesSignedThresholdForScientificNotation()
    {
        // Keras' verbose=2 tests avg > 1e-3 (not abs): a negative value is printed in scientific notation.
        var output = new StringWriter();
        var bar = new Progbar(1, 2, output, dynamic: false, () => 0);
        bar.Update(1, Logs(("a", -0.5), ("b", 1.5e-4), ("c", 0.5)), finalize: true);
        Assert.Equal("1/1 - 0s - 0s/step - a: -5.0000e-01 - b: 1.5000e-04 - c: 0.5000\n", output.ToString());
    }

    [Fact]
    public void VerboseOneUsesAbsoluteThresholdForScientificNotation()
    {
        var output = new StringWriter();
        var bar = new Progbar(1, 1, output, dynamic: false, () => 0);
        bar.Update(1, Logs(("a", -0.5), ("b", 1.5e-4), ("c", 0.001), ("d", 0), ("e", -2.5e-5)), finalize: true);
        Assert.EndsWith(" - a: -0.5000 - b: 1.5000e-04 - c: 1.0000e-03 - d: 0.0000e+00 - e: -2.5000e-05\n", output.ToString());
    }

    [Fact]
    public void NonFiniteValuesPrintLikePython()
    {
        var output = new StringWriter();
        var bar = new Progbar(1, 1, output, dynamic: false, () => 0);
        bar.Update(1, Logs(("loss", double.NaN), ("x", double.PositiveInfinity), ("y", double.NegativeInfinity)), finalize: true);
        Assert.EndsWith(" - loss: nan - x: inf - y: -inf\n", output.ToString());
    }

    [Theory]
    [InlineData(0.9, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "60s")]
    [InlineData(60.5, "1:00")]
    [InlineData(61, "1:01")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "60:00")]
    [InlineData(3600.5, "1:00:00")]
    [InlineData(3700, "1:01:40")]
    [InlineData(90061, "25:01:01")]
    public void EtaFormats(double seconds, string expected) => Assert.Equal(expected, Progbar.FormatEta(seconds));

    [Theory]
    [InlineData(2.0, "2s/step")]
    [InlineData(1.0, "1s/step")]
    [InlineData(0.004, "4ms/step")]
    [InlineData(0.0035, "4ms/step")]   // 0.0035 · 1e3 is 3.5000000000000004 in binary, so it rounds up
    [InlineData(0.00035, "350us/step")]
    [InlineData(0.0, "0s/step")]
    public void StepTimeFormats(double seconds, string expected) => Assert.Equal(expected, Progbar.FormatStepTime(seconds));

    [Theory]
    [InlineData(1.5e-4, "1.5000e-04")]
    [InlineData(-2.5e-5, "-2.5000e-05")]
    [InlineData(0.0, "0.0000e+00")]
    [InlineData(1e-300, "1.0000e-300")]
    [InlineData(123456.0, "1.2346e+05")]
    public void ScientificLikePython(double value, string expected) => Assert.Equal(expected, Progbar.FormatScientific(value));

    [Theory]
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(0.5, 0, "0")]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(0.375, 2, "0.38")]
    [InlineData(0.26, 4, "0.2600")]
    public void FixedRoundsHalfToEvenLikePython(double value, int digits, string expected) => Assert.Equal(expected, Progbar.FormatFixed(value, digits));

    [Fact]
    public void Float32AccuracyRoundsAsPythonDoes() => Assert.Equal("0.9250", Progbar.FormatFixed(0.92504f, 4));

    [Fact]
    public void OutputIsInvariantUnderACommaDecimalCulture()
    {
        WithCulture(CommaCulture(), () =>
        {
            Assert.Equal("1,5", 1.5.ToString(System.Globalization.CultureInfo.CurrentCulture));   // the culture is in effect
            Assert.Equal("0.5000", Progbar.FormatFixed(0.5, 4));
            Assert.Equal("1.5000e-04", Progbar.FormatScientific(1.5e-4));
            Assert.Equal("1:01:40", Progbar.FormatEta(3700));
            var clock = new FakeClock();
            var output = new StringWriter();
            var bar = new Progbar(1, 1, output, dynamic: false, clock.Read);
            clock.Now = 1234.5;
            bar.Update(1, Logs(("loss", 0.25), ("tiny", 1.5e-4)), finalize: true);
            Assert.Equal($"1/1 {new string('━', 20)} 1234s 1234s/step - loss: 0.2500 - tiny: 1.5000e-04\n", output.ToString());
        });
    }

    [Fact]
    public void TargetBelowOneThrows() => Assert.Throws<ArgumentOutOfRangeException>(() => new Progbar(0));
}
