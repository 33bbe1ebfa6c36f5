using System.Text.Json.Nodes;
using Dendrite.Layers;
using Dendrite.Losses;
using Dendrite.Saving;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Losses;

/// <summary>
/// Every loss option through its Keras config (keras/src/losses/losses_test.py::*Test::test_config, Keras'
/// run_class_serialization_test: serialize, deserialize, same config), and Keras-written configs read back.
/// </summary>
public class LossConfigRoundTripTests
{
    public static TheoryData<string> Configured() =>
    [
        "mse_sum", "mae_none", "huber", "kld_mws", "bce", "cce", "scce", "scce_axis", "bfce", "cfce", "mape", "msle", "logcosh", "poisson",
        "hinge", "squared_hinge", "categorical_hinge", "cosine", "dice", "dice_none",
    ];

    private static Loss Make(string key) => key switch
    {
        "mse_sum" => new MeanSquaredError(reduction: "sum"),
        "mae_none" => new MeanAbsoluteError(reduction: null),
        "huber" => new Huber(0.8f, "mean"),
        "kld_mws" => new KLDivergence("mean_with_sample_weight"),
        "bce" => new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1f, axis: 1, reduction: "sum"),
        "cce" => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2f, axis: -2, reduction: null),
        "scce" => new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1, reduction: "sum"),
        "scce_axis" => new SparseCategoricalCrossentropy(axis: 1),
        "bfce" => new BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.4f, gamma: 3f, fromLogits: true, labelSmoothing: 0.05f, axis: 1, reduction: "sum"),
        "cfce" => new CategoricalFocalCrossentropy(alpha: 0.5f, gamma: 1.5f, fromLogits: true, labelSmoothing: 0.1f, reduction: null),
        "mape" => new MeanAbsolutePercentageError("sum"),
        "msle" => new MeanSquaredLogarithmicError(null),
        "logcosh" => new LogCosh("mean_with_sample_weight"),
        "poisson" => new Poisson("sum"),
        "hinge" => new Hinge(null),
        "squared_hinge" => new SquaredHinge("sum"),
        "categorical_hinge" => new CategoricalHinge("mean"),
        "cosine" => new CosineSimilarity(axis: 0, reduction: "sum"),
        "dice" => new Dice(axis: [1, 2]),
        _ => new Dice(reduction: null),
    };

    [Theory]
    [MemberData(nameof(Configured))]
    public void EveryOptionRoundTrips(string key)
    {
        var loss = Make(key);
        var serialized = loss.Serialize();
        Assert.Equal("keras.losses", (string?)serialized["module"]);
        Assert.Equal(loss.ClassName, (string?)serialized["class_name"]);
        var back = Loss.Deserialize(JsonNode.Parse(serialized.ToJsonString())!);
        Assert.IsType(loss.GetType(), back);
        Assert.True(JsonNode.DeepEquals(loss.GetConfig(), back.GetConfig()), $"{loss.GetConfig().ToJsonString()} != {back.GetConfig().ToJsonString()}");
        Assert.Equal(loss.Reduction, back.Reduction);
    }

    [Fact] // the keys Keras writes, with Keras' values
    public void ConfigsCarryKerasKeys()
    {
        var bfce = new BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.4f, gamma: 3f).GetConfig();
        Assert.Equal("binary_focal_crossentropy", (string?)bfce["name"]);
        Assert.Equal("sum_over_batch_size", (string?)bfce["reduction"]);
        Assert.True((bool)bfce["apply_class_balancing"]!);
        Assert.Equal(0.4, (double)bfce["alpha"]!, 6);
        Assert.Equal(3.0, (double)bfce["gamma"]!);
        Assert.Equal(-1, (int)bfce["axis"]!);
        var scce = new SparseCategoricalCrossentropy(ignoreClass: 255).GetConfig();
        Assert.Equal(255, (int)scce["ignore_class"]!);
        Assert.False(scce.ContainsKey("axis")); // Keras' class has no axis argument
        Assert.Null(new Dice().GetConfig()["axis"]);
        Assert.Equal("none", (string?)new Hinge(null).GetConfig()["reduction"]);
    }

    [Fact] // configs as Keras writes them: reduction None, tf.keras' "auto", an axis as one integer
    public void KerasWrittenConfigsAreRead()
    {
        static JsonObject Of(string className, JsonObject config) => new() { ["module"] = "keras.losses", ["class_name"] = className, ["config"] = config, ["registered_name"] = null };
        Assert.Equal("none", Loss.Deserialize(Of("Hinge", new JsonObject { ["name"] = "hinge", ["reduction"] = null })).Reduction);
        Assert.Equal("sum_over_batch_size", Loss.Deserialize(Of("Poisson", new JsonObject { ["name"] = "poisson", ["reduction"] = "auto" })).Reduction);
        Assert.Equal("sum_over_batch_size", Loss.Deserialize(Of("LogCosh", new JsonObject { ["name"] = "log_cosh" })).Reduction);
        var dice = Assert.IsType<Dice>(Loss.Deserialize(Of("Dice", new JsonObject { ["name"] = "dice", ["reduction"] = "sum", ["axis"] = 1 })));
        Assert.Equal([1], dice.Axis!);
        var scce = Assert.IsType<SparseCategoricalCrossentropy>(Loss.Deserialize(Of("SparseCategoricalCrossentropy",
            new JsonObject { ["name"] = "scce", ["reduction"] = "sum_over_batch_size", ["from_logits"] = true, ["ignore_class"] = -1 })));
        Assert.Equal(-1, scce.IgnoreClass);
        Assert.True(scce.FromLogits);

        Assert.Contains("mean_with_sample_weight", Assert.Throws<ModelFormatException>(() =>
            Loss.Deserialize(Of("MeanSquaredError", new JsonObject { ["name"] = "mse", ["reduction"] = "average" }))).Message);
        Assert.Contains("alpha", Assert.Throws<ModelFormatException>(() =>
            Loss.Deserialize(Of("CategoricalFocalCrossentropy", new JsonObject { ["name"] = "cfce", ["alpha"] = new JsonArray(0.1, 0.2, 0.7) }))).Message);
    }

    [Fact] // the Keras names Loss.Get knows for the new losses
    public void KerasNames()
    {
        foreach (var (name, type) in new (string, Type)[]
        {
            ("hinge", typeof(Hinge)), ("squared_hinge", typeof(SquaredHinge)), ("categorical_hinge", typeof(CategoricalHinge)),
            ("poisson", typeof(Poisson)), ("log_cosh", typeof(LogCosh)), ("logcosh", typeof(LogCosh)), ("cosine_similarity", typeof(CosineSimilarity)),
            ("dice", typeof(Dice)), ("binary_focal_crossentropy", typeof(BinaryFocalCrossentropy)), ("categorical_focal_crossentropy", typeof(CategoricalFocalCrossentropy)),
            ("mape", typeof(MeanAbsolutePercentageError)), ("mean_absolute_percentage_error", typeof(MeanAbsolutePercentageError)),
            ("msle", typeof(MeanSquaredLogarithmicError)), ("mean_squared_logarithmic_error", typeof(MeanSquaredLogarithmicError)),
            ("BinaryFocalCrossentropy", typeof(BinaryFocalCrossentropy)), ("MeanSquaredLogarithmicError", typeof(MeanSquaredLogarithmicError)),
        })
        {
            var loss = Loss.Get(name);
            Assert.IsType(type, loss);
            Assert.Equal(LossReduction.SumOverBatchSize, loss.Reduction);
        }
        // Keras' defaults
        var bfce = (BinaryFocalCrossentropy)Loss.Get("binary_focal_crossentropy");
        Assert.Equal((false, 0.25f, 2f, false, 0f, -1), (bfce.ApplyClassBalancing, bfce.Alpha, bfce.Gamma, bfce.FromLogits, bfce.LabelSmoothing, bfce.Axis));
        var cfce = (CategoricalFocalCrossentropy)Loss.Get("categorical_focal_crossentropy");
        Assert.Equal((0.25f, 2f, false, 0f, -1), (cfce.Alpha, cfce.Gamma, cfce.FromLogits, cfce.LabelSmoothing, cfce.Axis));
        Assert.Equal(-1, ((CosineSimilarity)Loss.Get("cosine_similarity")).Axis);
        Assert.Null(((Dice)Loss.Get("dice")).Axis);
    }

    [Fact] // a model compiled with a configured loss keeps it through the .keras format
    public void ACompiledLossKeepsItsOptionsInAModelFile()
    {
        var model = new Sequential(new InputLayer([3]), new Dense(4));
        model.Compile(optimizer: "sgd", loss: new CategoricalFocalCrossentropy(alpha: 0.5f, gamma: 1f, fromLogits: true, reduction: "sum"));
        string path = Path.Combine(Path.GetTempPath(), $"dendrite-loss-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            var loss = Assert.IsType<CategoricalFocalCrossentropy>(loaded.Loss);
            Assert.Equal((0.5f, 1f, true, "sum"), (loss.Alpha, loss.Gamma, loss.FromLogits, loss.Reduction));
        }
        finally { File.Delete(path); }
    }
}
