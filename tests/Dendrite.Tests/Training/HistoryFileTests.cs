using Dendrite.Callbacks;
using Dendrite.Layers;

namespace Dendrite.Tests.Training;

/// <summary>History.Save/Load: CSV exactly as CSVLogger writes it, JSON as Python's json.dump, and clear errors.</summary>
public sealed class HistoryFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dendrite-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static History Sample()
    {
        var history = new History();
        history.Add(0, [new("loss", 0.25), new("accuracy", 0.9), new("val_loss", 1e-5)]);
        history.Add(1, [new("loss", 0.125), new("accuracy", 0.95), new("val_loss", double.NaN)]);
        return history;
    }

    [Theory]
    [InlineData("h.csv")]
    [InlineData("h.json")]
    public void SaveThenLoadGivesTheSameValuesBitForBit(string name)
    {
        string path = Path.Combine(_dir, name);
        var history = Sample();
        history.Save(path);
        var loaded = History.Load(path);
        Assert.Equal(history.Epoch, loaded.Epoch);
        Assert.Equal(history.Keys, loaded.Keys);
        foreach (var key in history.Keys)
            Assert.Equal(history[key].Select(BitConverter.DoubleToInt64Bits), loaded[key].Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void TheCsvIsCsvLoggersLayout()
    {
        string path = Path.Combine(_dir, "h.csv");
        Sample().Save(path);
        Assert.Equal("epoch,accuracy,loss,val_loss\r\n0,0.9,0.25,1e-05\r\n1,0.95,0.125,nan\r\n", File.ReadAllText(path));
    }

    [Fact]
    public void AFileWrittenByCsvLoggerDuringFitLoadsAsTheReturnedHistory()
    {
        string path = Path.Combine(_dir, "log.csv");
        Utils.SetRandomSeed(7);
        var x = new NDArray<float>(TestData.Uniform(3, 64 * 4), 64, 4);
        var y = new NDArray<float>(TestData.Uniform(4, 64), 64, 1);
        var model = new Sequential(new Dense(3, activation: "relu"), new Dense(1));
        model.Compile("sgd", "mse", ["mae"]);
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0, callbacks: [new CSVLogger(path)]);
        var loaded = History.Load(path);
        Assert.Equal(history.Epoch, loaded.Epoch);
        foreach (var key in history.Keys) Assert.Equal(history[key], loaded[key]);
    }

    [Fact]
    public void JsonFromPythonWithBareNaNAndNoEpochKeyLoads()
    {
        string path = Path.Combine(_dir, "py.json");
        File.WriteAllText(path, "{\"loss\": [0.5, NaN, Infinity], \"val_loss\": [-Infinity, 0.25, 0.125]}");
        var loaded = History.Load(path);
        Assert.Equal([0, 1, 2], loaded.Epoch);
        Assert.True(double.IsNaN(loaded["loss"][1]));
        Assert.Equal(double.PositiveInfinity, loaded["loss"][2]);
        Assert.Equal(double.NegativeInfinity, loaded["val_loss"][0]);
    }

    [Theory]
    [InlineData("h.csv", "step,loss\r\n0,1\r\n", "line 1: the first column must be 'epoch'")]
    [InlineData("h.csv", "epoch,loss\r\n0,1,2\r\n", "line 2: expected 2 fields")]
    [InlineData("h.csv", "epoch,loss\r\n0,abc\r\n", "line 2, column 'loss': 'abc' is not a number")]
    [InlineData("h.csv", "epoch,loss\r\n1,0.5\r\n0,0.4\r\n", "line 3: Epochs must be added in increasing order")]
    [InlineData("h.json", "[1, 2]", "expected a JSON object")]
    [InlineData("h.json", "{\"loss\": [1, 2], \"acc\": [1]}", "key 'acc' has 1 values but there are 2 epochs")]
    [InlineData("h.json", "{\"loss\": 3}", "key 'loss' must hold a list")]
    [InlineData("h.json", "{\"loss\": [1, 2", "is not valid JSON")]
    public void ABadFileIsRefusedWithTheFileAndThePlace(string name, string content, string expected)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        var e = Assert.Throws<FormatException>(() => History.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AMissingFileOrAnUnknownExtensionIsNamed()
    {
        string missing = Path.Combine(_dir, "none.csv");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => History.Load(missing)).Message);
        Assert.Contains(".csv or .json", Assert.Throws<ArgumentException>(() => Sample().Save(Path.Combine(_dir, "h.txt"))).Message);
    }
}
