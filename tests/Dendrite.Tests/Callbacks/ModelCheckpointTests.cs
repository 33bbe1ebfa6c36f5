using Dendrite.Callbacks;
using Dendrite.Tests.Datasets;
using Dendrite.Tests.Models;
using static Dendrite.Tests.Callbacks.CallbackTests;

namespace Dendrite.Tests.Callbacks;

public sealed class ModelCheckpointTests
{
    [Fact]
    public void EveryEpochIsSavedUnderItsFormattedName()
    {
        using var dir = new TempDir();
        var model = Model();
        var history = Fit(model, 3, new ScriptedValues("val_loss", 0.5, 0.25, 0.125),
            new ModelCheckpoint(Path.Combine(dir.Path, "ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5"), saveWeightsOnly: true));
        Assert.Equal(["ckpt-01-0.50.weights.h5", "ckpt-02-0.25.weights.h5", "ckpt-03-0.12.weights.h5"],
            Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        // The last file holds the final weights.
        var reloaded = Model(seed: 1);
        reloaded.Build(2);
        reloaded.LoadWeights(Path.Combine(dir.Path, "ckpt-03-0.12.weights.h5"));
        Assert.Equal(TestModels.WeightValues(model), TestModels.WeightValues(reloaded));
    }

    [Fact]
    public void BestOnlySavesImprovementsAndSaysSo()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "best.weights.h5");
        var model = Model();
        var recorder = new WeightsRecorder();
        string output = Captured(() => Fit(model, 4, new ScriptedValues("val_loss", 0.5, 0.7, 0.4, 0.45), recorder,
            new ModelCheckpoint(path, verbose: 1, saveBestOnly: true, saveWeightsOnly: true)));
        Assert.Contains("Epoch 1: val_loss improved from inf to 0.50000, saving model to " + path, output);
        Assert.Contains("Epoch 2: val_loss did not improve from 0.50000", output);
        Assert.Contains("Epoch 3: val_loss improved from 0.50000 to 0.40000, saving model to " + path, output);
        Assert.Contains("Epoch 4: val_loss did not improve from 0.40000", output);
        var reloaded = Model(seed: 1);
        reloaded.Build(2);
        reloaded.LoadWeights(path);
        Assert.Equal(recorder.AtEpochEnd[2], TestModels.WeightValues(reloaded)); // epoch 3's weights, the best
    }

    [Fact]
    public void AccuracyIsMaximisedAndAThresholdMustBeBeaten()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "acc.weights.h5");
        var checkpoint = new ModelCheckpoint(path, monitor: "val_accuracy", saveBestOnly: true, saveWeightsOnly: true, initialValueThreshold: 0.8);
        Fit(Model(), 3, new ScriptedValues("val_accuracy", 0.5, 0.9, 0.85), checkpoint);
        Assert.Equal(0.9, checkpoint.Best);
        Assert.True(File.Exists(path));

        var never = new ModelCheckpoint(Path.Combine(dir.Path, "never.weights.h5"), monitor: "val_accuracy", saveBestOnly: true, saveWeightsOnly: true, initialValueThreshold: 0.95);
        Fit(Model(), 2, new ScriptedValues("val_accuracy", 0.5, 0.9), never);
        Assert.False(File.Exists(Path.Combine(dir.Path, "never.weights.h5")));
    }

    [Fact]
    public void WholeModelCheckpointsAreKerasArchivesThatResume()
    {
        using var dir = new TempDir();
        var model = Model();
        Fit(model, 2, new ScriptedValues("val_loss", 0.5, 0.25), new ModelCheckpoint(Path.Combine(dir.Path, "model-{epoch}.keras")));
        Assert.Equal(["model-1.keras", "model-2.keras"], Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());

        var reloaded = Dendrite.Model.Load(Path.Combine(dir.Path, "model-2.keras"));
        Assert.Equal(TestModels.WeightValues(model), TestModels.WeightValues(reloaded));
        Assert.Equal(model.Optimizer!.Iterations, reloaded.Optimizer!.Iterations);
        Assert.Equal(model.Optimizer.GetType(), reloaded.Optimizer.GetType());
    }

    [Fact]
    public void PathsAndModesAreChecked()
    {
        Assert.Contains("must end in `.weights.h5`", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("w.h5", saveWeightsOnly: true)).Message);
        Assert.Contains("must end in `.keras`", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("w.weights.h5")).Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => ModelCheckpoint.FormatPath("{nope}.weights.h5", 1, new Dictionary<string, double>()));
        Assert.Contains("'nope'", missing.Message);
        Assert.Equal("e7-0.1235-1.50e-03-007.weights.h5",
            ModelCheckpoint.FormatPath("e{epoch}-{loss:.4f}-{lr:.2e}-{epoch:03d}.weights.h5", 7, new Dictionary<string, double> { ["loss"] = 0.12345, ["lr"] = 0.0015 }));
    }
}
