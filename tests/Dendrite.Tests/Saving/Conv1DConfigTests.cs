using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Layers;

namespace Dendrite.Tests.Saving;

/// <summary>
/// The configs Keras 3 writes for the 1-D layers and TimeDistributed (the keys of <c>base_conv</c>,
/// <c>base_pooling</c>, <c>base_global_pooling</c>, <c>up_sampling1d</c> and <c>Wrapper.get_config</c>, with the
/// <c>build_config</c> Keras adds to built layers) are read, and written back key for key; the aliases Keras registers
/// name the same classes; settings Dendrite cannot honour are refused naming the key.
/// </summary>
public sealed class Conv1DConfigTests
{
    private const string Policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";

    private static string Conv1DConfig(string name, string padding, int dilation) => $$"""
        {"name": "{{name}}", "trainable": true, "dtype": {{Policy}}, "filters": 64, "kernel_size": [5], "strides": [1],
         "padding": "{{padding}}", "data_format": "channels_last", "dilation_rate": [{{dilation}}], "groups": 1, "activation": "relu",
         "use_bias": true,
         "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
         "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
         "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}
        """;

    public static TheoryData<string, string> KerasConfigs() => new()
    {
        { "Conv1D", Conv1DConfig("conv1d", "causal", 2) },
        { "Conv1D", Conv1DConfig("conv1d_1", "same", 1) },
        { "MaxPooling1D", $$"""{"name": "max_pooling1d", "trainable": true, "dtype": {{Policy}}, "pool_size": [2], "padding": "valid", "strides": [2], "data_format": "channels_last"}""" },
        { "AveragePooling1D", $$"""{"name": "average_pooling1d", "trainable": true, "dtype": {{Policy}}, "pool_size": [3], "padding": "same", "strides": [1], "data_format": "channels_last"}""" },
        { "GlobalMaxPooling1D", $$"""{"name": "global_max_pooling1d", "trainable": true, "dtype": {{Policy}}, "data_format": "channels_last", "keepdims": false}""" },
        { "GlobalAveragePooling1D", $$"""{"name": "global_average_pooling1d", "trainable": true, "dtype": {{Policy}}, "data_format": "channels_last", "keepdims": true}""" },
        { "UpSampling1D", $$"""{"name": "up_sampling1d", "trainable": false, "dtype": {{Policy}}, "size": 3}""" },
        { "TimeDistributed", $$"""
            {"name": "time_distributed", "trainable": true, "dtype": {{Policy}},
             "layer": {"module": "keras.layers", "class_name": "Conv1D", "config": {{Conv1DConfig("conv1d_2", "valid", 1)}}, "registered_name": null,
                       "build_config": {"input_shape": [null, 28, 28]} } }
            """ },
    };

    [Theory, MemberData(nameof(KerasConfigs))]
    public void KerasConfigsAreReadAndWrittenBackKeyForKey(string className, string configText)
    {
        var config = JsonNode.Parse(configText)!.AsObject();
        var serialized = new JsonObject
        {
            ["module"] = "keras.layers",
            ["class_name"] = className,
            ["config"] = config.DeepClone(),
            ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = new JsonArray(null, 5, 28, 28) },
        };
        var layer = Layer.Deserialize(serialized);
        Assert.Equal(className, layer.GetType().Name);
        Assert.Equal((string)config["name"]!, layer.Name);
        var written = layer.GetConfig();
        if (layer is TimeDistributed) written["layer"]!.AsObject()["build_config"] = config["layer"]!["build_config"]!.DeepClone(); // Dendrite writes build_config at the model level only
        LayerTestHarness.AssertSameJson(config, written, $"{className}: the config written back");
    }

    [Fact]
    public void TheKerasAliasesNameTheSameClasses()
    {
        foreach (var (alias, type) in new (string, Type)[]
        {
            ("Convolution1D", typeof(Conv1D)), ("MaxPool1D", typeof(MaxPooling1D)), ("AvgPool1D", typeof(AveragePooling1D)),
            ("GlobalAvgPool1D", typeof(GlobalAveragePooling1D)), ("GlobalMaxPool1D", typeof(GlobalMaxPooling1D)),
        })
        {
            var canonical = type.Name;
            var config = canonical == "Conv1D" ? JsonNode.Parse(Conv1DConfig("c", "valid", 1))!.AsObject() : new JsonObject { ["name"] = "p" };
            var layer = Layer.Deserialize(new JsonObject { ["module"] = "keras.layers", ["class_name"] = alias, ["config"] = config, ["registered_name"] = null });
            Assert.IsType(type, layer);
        }
    }

    [Fact]
    public void TheReadLayersKeepTheirSettings()
    {
        var conv = Assert.IsType<Conv1D>(Layer.Deserialize(JsonNode.Parse($$"""{"module": "keras.layers", "class_name": "Conv1D", "config": {{Conv1DConfig("c", "causal", 2)}}, "registered_name": null}""")!));
        Assert.Equal((64, 5, 1, Padding.Causal, 2, "relu"), (conv.Filters, conv.KernelSize, conv.Strides, conv.Padding, conv.DilationRate, conv.Activation.Name));
        // An integer where Keras writes a 1-tuple is read too; strides default to the pool size.
        var pool = Assert.IsType<AveragePooling1D>(Layer.Deserialize(JsonNode.Parse("""{"class_name": "AveragePooling1D", "config": {"name": "a", "pool_size": 3}}""")!));
        Assert.Equal((3, 3, Padding.Valid), (pool.PoolSize, pool.Strides, pool.Padding));
        var wrapper = Assert.IsType<TimeDistributed>(Layer.Deserialize(JsonNode.Parse("""{"class_name": "TimeDistributed", "config": {"name": "t", "trainable": false, "layer": {"class_name": "Dense", "config": {"name": "d", "units": 4}}}}""")!));
        Assert.Equal(("d", 4), (wrapper.Layer.Name, Assert.IsType<Dense>(wrapper.Layer).Units));
        Assert.False(wrapper.Layer.Trainable); // freezing the wrapper freezes the wrapped layer, as Keras' setter does
    }

    [Theory]
    [InlineData("Conv1D", "groups", "2", "grouped convolutions")]
    [InlineData("Conv1D", "data_format", "\"channels_first\"", "channels last")]
    [InlineData("Conv1D", "kernel_regularizer", "\"l2\"", "regularizers")]
    [InlineData("Conv1D", "kernel_size", "[3, 3]", "1 integers were expected")]
    [InlineData("MaxPooling1D", "padding", "\"causal\"", "\"valid\" and \"same\"")]
    [InlineData("UpSampling1D", "size", "0", "positive")]
    public void SettingsDendriteCannotHonourAreRefusedNamingTheKey(string className, string key, string value, string why)
    {
        var config = className == "Conv1D" ? JsonNode.Parse(Conv1DConfig("c", "valid", 1))!.AsObject() : new JsonObject { ["name"] = "x" };
        config[key] = JsonNode.Parse(value);
        var e = Assert.Throws<ModelFormatException>(() => Layer.Deserialize(new JsonObject { ["class_name"] = className, ["config"] = config }));
        Assert.Contains($"\"{key}\"", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void ATimeDistributedWithoutItsLayerIsRefused()
    {
        var e = Assert.Throws<ModelFormatException>(() => Layer.Deserialize(JsonNode.Parse("""{"class_name": "TimeDistributed", "config": {"name": "t"}}""")!));
        Assert.Contains("\"layer\" (the wrapped layer) is missing", e.Message);
    }
}
