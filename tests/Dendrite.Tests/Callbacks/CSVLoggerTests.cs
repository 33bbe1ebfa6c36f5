using System.Globalization;
using Dendrite.Callbacks;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

/// <summary>
/// Keras' CSVLogger writes through Python's csv module (excel dialect: "\r\n" line ends, minimal quoting) and the
/// values as <c>repr(float)</c>; the file must be byte for byte what Keras writes for the same logs.
/// </summary>
public sealed class CSVLoggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dendrite-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static History FitWithValidation(Sequential model, int epochs, params Callback[] callbacks)
    {
        var (x, y) = TestData.Blobs(12, seed: 31);
        var (xv, yv) = TestData.Blobs(6, seed: 32);
        return model.Fit(x, y, epochs: epochs, batchSize: 4, shuffle: false, validationData: (xv, yv), verbose: 0, callbacks: callbacks);
    }

    private static string Row(History history, int epoch, params string[] keys) =>
        string.Join(",", [epoch.ToString(CultureInfo.InvariantCulture), .. keys.Select(k => CSVLogger.PythonFloat(history[k][epoch]))]);

    [Fact]
    public void WritesAHeaderAndOneRowPerEpochAsKerasDoes()
    {
        string file = PathOf("log.csv");
        var history = FitWithValidation(Model(), 2, new CSVLogger(file));
        string[] keys = ["accuracy", "loss", "val_accuracy", "val_loss"];
        string expected = "epoch,accuracy,loss,val_accuracy,val_loss\r\n" + Row(history, 0, keys) + "\r\n" + Row(history, 1, keys) + "\r\n";
        Assert.Equal(expected, File.ReadAllText(file));
        Assert.Equal(expected.Length, new FileInfo(file).Length); // ASCII, no byte-order mark
    }

    [Fact]
    public void ValuesReadBackExactly()
    {
        string file = PathOf("log.csv");
        var history = FitWithValidation(Model(), 3, new CSVLogger(file));
        var lines = File.ReadAllText(file).Split("\r\n");
        Assert.Equal(5, lines.Length);
        Assert.Equal("", lines[^1]);
        string[] header = lines[0].Split(',');
        for (int epoch = 0; epoch < 3; epoch++)
        {
            string[] fields = lines[epoch + 1].Split(',');
            Assert.Equal(epoch.ToString(CultureInfo.InvariantCulture), fields[0]);
            for (int i = 1; i < header.Length; i++)
                Assert.Equal(history[header[i]][epoch], double.Parse(fields[i], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void AKeyAddedByAnEarlierCallbackGetsAColumn()
    {
        string file = PathOf("log.csv");
        var history = FitWithValidation(Model(learningRate: 0.1f), 2, new LearningRateScheduler((e, lr) => lr / 2), new CSVLogger(file));
        var lines = File.ReadAllText(file).Split("\r\n");
        Assert.Equal("epoch,accuracy,learning_rate,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(Row(history, 1, "accuracy", "learning_rate", "loss", "val_accuracy", "val_loss"), lines[2]);
        Assert.Contains(",0.05000000074505806,", lines[1]);
        Assert.Contains(",0.02500000037252903,", lines[2]);
    }

    [Fact]
    public void AppendAddsRowsWithoutASecondHeader()
    {
        string file = PathOf("log.csv");
        var model = Model();
        var first = FitWithValidation(model, 2, new CSVLogger(file));
        var second = FitWithValidation(model, 2, new CSVLogger(file, append: true));
        string[] keys = ["accuracy", "loss", "val_accuracy", "val_loss"];
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss\r\n"
            + Row(first, 0, keys) + "\r\n" + Row(first, 1, keys) + "\r\n"
            + Row(second, 0, keys) + "\r\n" + Row(second, 1, keys) + "\r\n", File.ReadAllText(file));
    }

    [Fact]
    public void TheSameInstanceAppendsAcrossFits()
    {
        string file = PathOf("log.csv");
        var logger = new CSVLogger(file, append: true);
        var model = Model();
        Fit(model, 2, logger);
        Fit(model, 1, logger);
        var lines = File.ReadAllText(file).Split("\r\n");
        Assert.Equal(["epoch", "0", "1", "0", ""], lines.Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void AppendKeepsThisRunsKeysWhateverTheOldHeader()
    {
        // Keras does not read the old header: the columns are the sorted keys of the new run's first epoch.
        string file = PathOf("log.csv");
        var model = Model();
        FitWithValidation(model, 1, new CSVLogger(file));
        var second = Fit(model, 1, new CSVLogger(file, append: true));
        var lines = File.ReadAllText(file).Split("\r\n");
        Assert.Equal(4, lines.Length);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(Row(second, 0, "accuracy", "loss"), lines[2]);
    }

    [Fact]
    public void AppendToAMissingOrEmptyFileWritesTheHeader()
    {
        string missing = PathOf("missing.csv"), empty = PathOf("empty.csv");
        File.WriteAllText(empty, "");
        Fit(Model(), 1, new CSVLogger(missing, append: true));
        Fit(Model(), 1, new CSVLogger(empty, append: true));
        Assert.StartsWith("epoch,accuracy,loss\r\n0,", File.ReadAllText(missing));
        Assert.StartsWith("epoch,accuracy,loss\r\n0,", File.ReadAllText(empty));
    }

    [Fact]
    public void WithoutAppendAnOldFileIsReplaced()
    {
        string file = PathOf("log.csv");
        File.WriteAllText(file, "old content that is longer than the new one will be, surely, with many characters\r\n");
        var history = Fit(Model(), 1, new CSVLogger(file));
        Assert.Equal("epoch,accuracy,loss\r\n" + Row(history, 0, "accuracy", "loss") + "\r\n", File.ReadAllText(file));
    }

    [Fact]
    public void AMissingKeyIsWrittenAsNA()
    {
        string file = PathOf("log.csv");
        var onlyFirst = new ActionCallback((hook, epoch, _, logs) => { if (hook == "epoch_end" && epoch == 0) logs["extra"] = 0.25; });
        Fit(Model(), 2, onlyFirst, new CSVLogger(file));
        var lines = File.ReadAllText(file).Split("\r\n");
        Assert.Equal("epoch,accuracy,extra,loss", lines[0]);
        Assert.Equal("0.25", lines[1].Split(',')[2]);
        Assert.Equal("NA", lines[2].Split(',')[2]);
    }

    [Fact]
    public void OtherSeparatorAndMinimalQuoting()
    {
        string file = PathOf("log.csv");
        var odd = new ActionCallback((hook, _, _, logs) => { if (hook == "epoch_end") { logs["a;b"] = 1; logs["say \"hi\""] = 2; } });
        Fit(Model(), 1, odd, new CSVLogger(file, separator: ";"));
        string header = File.ReadAllText(file).Split("\r\n")[0];
        Assert.Equal("epoch;\"a;b\";accuracy;loss;\"say \"\"hi\"\"\"", header);
    }

    [Fact]
    public void TheSeparatorMustBeOneCharacter()
    {
        Assert.Throws<ArgumentException>(() => new CSVLogger(PathOf("x.csv"), separator: ", "));
        Assert.Throws<ArgumentException>(() => new CSVLogger(PathOf("x.csv"), separator: ""));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00012345, "0.00012345")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(9999999999999998.0, "9999999999999998.0")]
    [InlineData(1234567890123456.8, "1234567890123456.8")]
    [InlineData(1.2345678901234568e+17, "1.2345678901234568e+17")]
    [InlineData(1152921504606846976.0, "1.152921504606847e+18")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(-1e-10, "-1e-10")]
    [InlineData(0.009999999776482582, "0.009999999776482582")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(2.5e-05, "2.5e-05")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(1e22, "1e+22")]
    [InlineData(1e100, "1e+100")]
    [InlineData(3e38, "3e+38")]
    [InlineData(1.7976931348623157e+308, "1.7976931348623157e+308")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(12345.678, "12345.678")]
    [InlineData(123456789.0, "123456789.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(-2.75, "-2.75")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void FloatsArePrintedAsPythonsRepr(double value, string python) =>
        Assert.Equal(python, CSVLogger.PythonFloat(value));
}
