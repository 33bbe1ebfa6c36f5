using System.IO.Compression;
using System.Text;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using PureHDF;

namespace Dendrite.Tests.Saving;

/// <summary>
/// tf.keras 2.13–2.15 wrote .keras archives in a slightly older form: <c>batch_input_shape</c> on the InputLayer,
/// plain-string dtypes, tf.keras' optimizer keys (<c>is_legacy_optimizer</c>, <c>jit_compile</c>), and the weights
/// under <c>_layer_checkpoint_dependencies</c> instead of <c>layers</c>, beside <c>metrics</c> groups. Such a file,
/// laid out here as tf.keras 2.14 writes it, loads with the same predictions as the model it was made from.
/// </summary>
public sealed class TfKerasFormatTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "dense_input"}, "registered_name": null},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "batch_input_shape": [null, 4], "units": 5, "activation": "relu", "use_bias": true,
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
            "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
            "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 4]}},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 3, "activation": "softmax", "use_bias": true,
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
            "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
            "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 5]}}]},
         "registered_name": null, "build_config": {"input_shape": [null, 4]},
         "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "RMSprop", "config": {"name": "RMSprop", "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": 100, "jit_compile": false, "is_legacy_optimizer": false, "learning_rate": 0.0010000000474974513, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": false}, "registered_name": null},
           "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "loss_weights": null, "weighted_metrics": null, "run_eagerly": null, "steps_per_execution": null, "jit_compile": null}}
        """;

    [Fact]
    public void ATfKeras214ArchiveLoadsWithItsWeightsAndCompileSettings()
    {
        var source = new Sequential([new InputLayer([4]), new Dense(5, activation: "relu"), new Dense(3, activation: "softmax")]);
        var weights = source.Weights.Select(w => w.Value.Values.ToArray()).ToArray();
        var file = new H5File
        {
            ["_layer_checkpoint_dependencies"] = new H5Group
            {
                ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(weights[0], fileDims: [4, 5]), ["1"] = new H5Dataset(weights[1], fileDims: [5]) } },
                ["dense_1"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(weights[2], fileDims: [5, 3]), ["1"] = new H5Dataset(weights[3], fileDims: [3]) } },
            },
            ["metrics"] = new H5Group { ["mean"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(0f), ["1"] = new H5Dataset(0f) } } },
            ["vars"] = new H5Group(),
        };
        var h5 = new MemoryStream();
        file.Write(h5);
        string path = _dir.Sub("tf214.keras");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, bytes) in new[] { ("metadata.json", Encoding.UTF8.GetBytes("{\"keras_version\": \"2.14.0\", \"date_saved\": \"2023-10-01@12:00:00\"}")), ("config.json", Encoding.UTF8.GetBytes(Config)), ("model.weights.h5", h5.ToArray()) })
            {
                using var w = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                w.Write(bytes);
            }
        }

        var warnings = WeightsRoundTripTests.CaptureWarnings(() => _ = Model.Load(path));
        var loaded = Model.Load(path);

        Assert.Equal(["dense", "dense_1"], loaded.Layers.Select(l => l.Name));
        var x = new NDArray<float>(TestData.Uniform(1, 12), 3, 4);
        Bits.Equal(source.Predict(x, verbose: 0).AsSpan(), loaded.Predict(x, verbose: 0).AsSpan());
        Assert.IsType<Dendrite.Optimizers.RMSprop>(loaded.Optimizer);
        Assert.Equal("sparse_categorical_crossentropy", loaded.Loss!.Name);
        Assert.Contains("Skipping variable loading for optimizer 'rmsprop'", warnings); // tf.keras kept no optimizer/vars here
    }

    [Fact]
    public void ATfKeras2LegacyH5ModelLoadsWithItsWeightsAndTrainingConfig()
    {
        var source = new Sequential([new InputLayer([4]), new Dense(5, activation: "relu"), new Dropout(0.2), new Dense(3, activation: "softmax")]);
        var w = source.Weights.Select(v => v.Value.Values.ToArray()).ToArray();
        const string modelConfig = """
            {"class_name": "Sequential", "config": {"name": "sequential_3", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
              {"class_name": "Dense", "config": {"name": "dense_6", "trainable": true, "dtype": "float32", "units": 5, "activation": "relu", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
              {"class_name": "Dropout", "config": {"name": "dropout_2", "trainable": true, "dtype": "float32", "rate": 0.2, "noise_shape": null, "seed": null}},
              {"class_name": "Dense", "config": {"name": "dense_7", "trainable": true, "dtype": "float32", "units": 3, "activation": "softmax", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}]}}
            """;
        const string trainingConfig = """
            {"loss": "categorical_crossentropy", "metrics": [[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]], "weighted_metrics": null, "loss_weights": null,
             "optimizer_config": {"class_name": "Custom>Adam", "config": {"name": "Adam", "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null, "jit_compile": false, "is_legacy_optimizer": false, "learning_rate": 0.0020000000949949026, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}}
            """;
        var file = new H5File
        {
            Attributes = new() { ["model_config"] = modelConfig, ["training_config"] = trainingConfig, ["keras_version"] = "2.14.0", ["backend"] = "tensorflow" },
            ["model_weights"] = new H5Group
            {
                Attributes = new() { ["layer_names"] = new[] { "dense_6", "dropout_2", "dense_7" } },
                ["dense_6"] = new H5Group
                {
                    Attributes = new() { ["weight_names"] = new[] { "dense_6/kernel:0", "dense_6/bias:0" } },
                    ["dense_6"] = new H5Group { ["kernel:0"] = new H5Dataset(w[0], fileDims: [4, 5]), ["bias:0"] = new H5Dataset(w[1], fileDims: [5]) },
                },
                ["dropout_2"] = new H5Group { Attributes = new() { ["weight_names"] = Array.Empty<double>() } },
                ["dense_7"] = new H5Group
                {
                    Attributes = new() { ["weight_names"] = new[] { "dense_7/kernel:0", "dense_7/bias:0" } },
                    ["dense_7"] = new H5Group { ["kernel:0"] = new H5Dataset(w[2], fileDims: [5, 3]), ["bias:0"] = new H5Dataset(w[3], fileDims: [3]) },
                },
            },
        };
        string path = _dir.Sub("tf2.h5");
        file.Write(path);

        var loaded = Model.Load(path);

        Assert.Equal(["dense_6", "dropout_2", "dense_7"], loaded.Layers.Select(l => l.Name));
        var x = new NDArray<float>(TestData.Uniform(2, 12), 3, 4);
        Bits.Equal(source.Predict(x, verbose: 0).AsSpan(), loaded.Predict(x, verbose: 0).AsSpan());
        var adam = Assert.IsType<Dendrite.Optimizers.Adam>(loaded.Optimizer);
        Assert.Equal(0.002f, adam.LearningRate);
        Assert.IsType<Dendrite.Metrics.CategoricalAccuracy>(Assert.Single(loaded.Metrics));
        Assert.Equal("accuracy", loaded.Metrics[0].Name);
    }
}
