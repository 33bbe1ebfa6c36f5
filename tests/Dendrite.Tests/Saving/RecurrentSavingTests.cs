using System.IO.Compression;
using System.Text.Json.Nodes;
using Dendrite.Layers;
using Dendrite.Saving;
using Dendrite.Tests.Datasets;
using PureHDF;

namespace Dendrite.Tests.Saving;

/// <summary>
/// Recurrent layers in Keras 3's files: weights under each layer's <c>cell</c> (and a Bidirectional wrapper's
/// <c>forward_layer</c> / <c>backward_layer</c>), as Keras' saving walk names them; configs with Keras' keys; and
/// functional models whose recurrent layers take initial states (Keras' <c>initial_state</c> keyword) and return their
/// states (several outputs per call, <c>keras_history</c> tensor indices).
/// </summary>
/// <remarks>
/// No .keras file with a recurrent layer saved by Python Keras is among the shared fixtures, so the layout expected
/// here is built from Keras' source (saving_lib._save_state walks a layer's attributes: an RNN's weights belong to its
/// <c>cell</c> attribute, LSTMCell's save_own_variables stores kernel, recurrent_kernel, bias as 0, 1, 2), and a
/// file in that layout is written independently with PureHDF for the load test.
/// </remarks>
public class RecurrentSavingTests
{
    private static Sequential Stacked() => new(
    [
        new InputLayer([5, 3]),
        new Bidirectional(new LSTM(4, returnSequences: true, name: "enc"), name: "bi"),
        new GRU(2, name: "summary"),
        new Dense(1, name: "out"),
    ], name: "rnn_model");

    [Fact]
    public void WeightsSitUnderTheCellAsKerasSavesThem()
    {
        using var dir = new TempDir();
        string path = dir.Sub("rnn.weights.h5");
        Stacked().SaveWeights(path);
        Assert.Equal(
        [
            "/ group",
            "layers group",
            "layers/bidirectional group",
            "layers/bidirectional/backward_layer group",
            "layers/bidirectional/backward_layer/cell group",
            "layers/bidirectional/backward_layer/cell/vars group name=lstm_cell",
            "layers/bidirectional/backward_layer/cell/vars/0 float32 (3, 16) Contiguous",
            "layers/bidirectional/backward_layer/cell/vars/1 float32 (4, 16) Contiguous",
            "layers/bidirectional/backward_layer/cell/vars/2 float32 (16,) Contiguous",
            "layers/bidirectional/backward_layer/vars group name=backward_enc",
            "layers/bidirectional/forward_layer group",
            "layers/bidirectional/forward_layer/cell group",
            "layers/bidirectional/forward_layer/cell/vars group name=lstm_cell",
            "layers/bidirectional/forward_layer/cell/vars/0 float32 (3, 16) Contiguous",
            "layers/bidirectional/forward_layer/cell/vars/1 float32 (4, 16) Contiguous",
            "layers/bidirectional/forward_layer/cell/vars/2 float32 (16,) Contiguous",
            "layers/bidirectional/forward_layer/vars group name=forward_enc",
            "layers/bidirectional/vars group name=bi",
            "layers/dense group",
            "layers/dense/vars group name=out",
            "layers/dense/vars/0 float32 (2, 1) Contiguous",
            "layers/dense/vars/1 float32 (1,) Contiguous",
            "layers/gru group",
            "layers/gru/cell group",
            "layers/gru/cell/vars group name=gru_cell",
            "layers/gru/cell/vars/0 float32 (8, 6) Contiguous",
            "layers/gru/cell/vars/1 float32 (2, 6) Contiguous",
            "layers/gru/cell/vars/2 float32 (2, 6) Contiguous",
            "layers/gru/vars group name=summary",
            "vars group name=rnn_model",
        ], H5Listing.Of(path));
    }

    /// <summary>A file laid out as Keras writes it, made here with PureHDF alone, loads into the right variables.</summary>
    [Fact]
    public void AFileInKerasLayoutLoads()
    {
        using var dir = new TempDir();
        string path = dir.Sub("keras.weights.h5");
        float[] Values(int n, float offset) => [.. Enumerable.Range(0, n).Select(i => offset + i * 0.001f)];
        static H5Group Vars(string name) => new() { Attributes = new() { ["name"] = name } };
        var kernel = Values(2 * 12, 0.1f); var recurrent = Values(3 * 12, 0.2f); var bias = Values(12, 0.3f);
        var dense = Values(3, 0.4f); var denseBias = Values(1, 0.5f);
        var lstmCellVars = Vars("lstm_cell");
        lstmCellVars["0"] = new H5Dataset(kernel, fileDims: [2, 12]);
        lstmCellVars["1"] = new H5Dataset(recurrent, fileDims: [3, 12]);
        lstmCellVars["2"] = new H5Dataset(bias, fileDims: [12]);
        var denseVars = Vars("dense");
        denseVars["0"] = new H5Dataset(dense, fileDims: [3, 1]);
        denseVars["1"] = new H5Dataset(denseBias, fileDims: [1]);
        var file = new H5File
        {
            ["vars"] = Vars("sequential"),
            ["layers"] = new H5Group
            {
                ["lstm"] = new H5Group { ["vars"] = Vars("lstm"), ["cell"] = new H5Group { ["vars"] = lstmCellVars } },
                ["dense"] = new H5Group { ["vars"] = denseVars },
            },
        };
        file.Write(path);

        var model = new Sequential(new InputLayer([4, 2]), new LSTM(3), new Dense(1));
        model.LoadWeights(path);
        var lstm = (LSTM)model.Layers[0];
        Bits.Equal(kernel, lstm.Kernel!.Value.Values);
        Bits.Equal(recurrent, lstm.RecurrentKernel!.Value.Values);
        Bits.Equal(bias, lstm.Bias!.Value.Values);
        Bits.Equal(dense, ((Dense)model.Layers[1]).Kernel!.Value.Values);

        // The same file into a model whose GRU sits where the LSTM was: the cell group is found, the shapes are not.
        var wrong = new Sequential(new InputLayer([4, 2]), new GRU(3), new Dense(1));
        var e = Assert.Throws<WeightsFileException>(() => wrong.LoadWeights(path));
        Assert.Contains("layers/gru/cell/vars", e.Message);
    }

    /// <summary>The whole stacked model through a .keras file: same configs, bit-identical weights and predictions.</summary>
    [Fact]
    public void AStackedRecurrentModelRoundTrips()
    {
        using var dir = new TempDir();
        string path = dir.Sub("stacked.keras");
        var model = Stacked();
        var x = new NDArray<float>(TestData.Uniform(3, 4 * 15, -1, 1), 4, 5, 3);
        var before = model.Predict(x, verbose: 0);
        model.Save(path);
        var loaded = Model.Load(path);
        Bits.EqualWeights(model, loaded);
        Bits.Equal(before.AsSpan(), loaded.Predict(x, verbose: 0).AsSpan());
        var bi = (Bidirectional)loaded.Layers[0];
        Assert.Equal(("forward_enc", "backward_enc", true), (bi.ForwardLayer.Name, bi.BackwardLayer.Name, bi.BackwardLayer.GoBackwards));
        Assert.True(bi.ForwardLayer.ZeroOutputForMask); // Keras forces it with return_sequences
    }

    /// <summary>
    /// Keras' seq2seq pattern: the encoder returns its states (outputs 1 and 2 of its call), the decoder starts from them
    /// (passed as Keras' initial_state keyword). Predict, Fit (eager and replayed, equal), and a .keras round trip.
    /// </summary>
    [Fact]
    public void AnEncoderDecoderWithStatesRoundTrips()
    {
        Model Build()
        {
            var encoderInputs = new Input([6, 3], name: "encoder_inputs");
            var encoded = new LSTM(4, returnState: true, name: "encoder", seed: 1).CallAll(encoderInputs);
            Assert.Equal(3, encoded.Length);
            var decoderInputs = new Input([5, 2], name: "decoder_inputs");
            var decoded = new LSTM(4, returnSequences: true, name: "decoder").Call(decoderInputs, encoded[1], encoded[2]);
            var outputs = new Dense(3, activation: "softmax", name: "probabilities").Call(decoded);
            return new Model([encoderInputs, decoderInputs], [outputs], name: "seq2seq");
        }
        Utils.SetRandomSeed(7);
        var model = Build();
        var xe = new NDArray<float>(TestData.Uniform(4, 8 * 18, -1, 1), 8, 6, 3);
        var xd = new NDArray<float>(TestData.Uniform(5, 8 * 10, -1, 1), 8, 5, 2);
        var y = new NDArray<float>([.. Enumerable.Range(0, 40).Select(i => (float)(i % 3))], 8, 5);
        var weights = model.GetWeights();

        // Eager and replayed training agree bit for bit (the state ops replay and back-propagate like the rest).
        var losses = new List<double[]>();
        var trained = new List<Model>();
        foreach (bool eager in new[] { true, false })
        {
            var copy = Build();
            copy.SetWeights(weights);
            copy.Compile("adam", "sparse_categorical_crossentropy", runEagerly: eager);
            losses.Add([.. copy.Fit([xe, xd], [y], epochs: 3, batchSize: 3, shuffle: false, verbose: 0)["loss"]]);
            trained.Add(copy);
        }
        Assert.Equal(losses[0], losses[1]);
        Bits.EqualWeights(trained[0], trained[1]);
        Assert.True(losses[0][^1] < losses[0][0], "the loss went down");

        using var dir = new TempDir();
        string path = dir.Sub("seq2seq.keras");
        var before = trained[1].Predict([xe, xd], verbose: 0)[0];
        trained[1].Save(path);
        var loaded = Model.Load(path);
        Bits.Equal(before.AsSpan(), loaded.Predict([xe, xd], verbose: 0)[0].AsSpan());

        // The call is written as Keras writes it: decoder(x, initial_state=[encoder[0][1], encoder[0][2]]).
        using var zip = ZipFile.OpenRead(path);
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        var config = JsonNode.Parse(reader.ReadToEnd())!;
        var decoder = config["config"]!["layers"]!.AsArray().Single(l => (string?)l!["name"] == "decoder")!;
        var call = decoder["inbound_nodes"]![0]!;
        var states = call["kwargs"]!["initial_state"]!.AsArray();
        Assert.Equal(["[\"encoder\",0,1]", "[\"encoder\",0,2]"], states.Select(s => s!["config"]!["keras_history"]!.ToJsonString()));
        Assert.Equal("[\"decoder_inputs\",0,0]", call["args"]![0]!["config"]!["keras_history"]!.ToJsonString());
    }

    /// <summary>A model may output a recurrent layer's states directly; Predict returns each.</summary>
    [Fact]
    public void StatesCanBeModelOutputs()
    {
        var inputs = new Input([4, 2]);
        var outputs = new GRU(3, returnSequences: true, returnState: true).CallAll(inputs);
        var model = new Model([inputs], outputs);
        var x = new NDArray<float>(TestData.Uniform(8, 2 * 8, -1, 1), 2, 4, 2);
        var predicted = model.Predict([x], verbose: 0);
        Assert.Equal(2, predicted.Length);
        Assert.Equal([2, 4, 3], predicted[0].Shape.ToArray());
        Assert.Equal([2, 3], predicted[1].Shape.ToArray());
        for (int b = 0; b < 2; b++) for (int j = 0; j < 3; j++) Assert.Equal(predicted[0][b, 3, j], predicted[1][b, j]); // the last output is the state
        Assert.Contains("[(None, 4, 3), (None, 3)]", model.SummaryText());
        using var dir = new TempDir();
        model.Save(dir.Sub("states.keras"));
        var loaded = Model.Load(dir.Sub("states.keras"));
        Bits.Equal(predicted[1].AsSpan(), loaded.Predict([x], verbose: 0)[1].AsSpan());
    }

    /// <summary>The configs carry Keras 3's keys in Keras' order (from lstm.py, gru.py, simple_rnn.py, rnn.py, bidirectional.py).</summary>
    [Fact]
    public void ConfigKeysAreKeras()
    {
        string[] rnn = ["name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "units", "activation"];
        string[] regularizers = ["kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout"];
        Assert.Equal([.. rnn, "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "unit_forget_bias", .. regularizers, "seed"],
            new LSTM(2).GetConfig().Select(p => p.Key));
        Assert.Equal([.. rnn, "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", .. regularizers, "reset_after", "seed"],
            new GRU(2).GetConfig().Select(p => p.Key));
        Assert.Equal([.. rnn, "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", .. regularizers],
            new SimpleRNN(2).GetConfig().Select(p => p.Key));
        var bi = new Bidirectional(new LSTM(2, name: "lstm_x")).GetConfig();
        Assert.Equal(["name", "trainable", "dtype", "merge_mode", "layer", "backward_layer"], bi.Select(p => p.Key));
        Assert.Equal("forward_lstm_x", (string?)bi["layer"]!["config"]!["name"]);
        Assert.Equal("backward_lstm_x", (string?)bi["backward_layer"]!["config"]!["name"]);
        Assert.True((bool)bi["backward_layer"]!["config"]!["go_backwards"]!);
        Assert.Equal("Orthogonal", (string?)new LSTM(2).GetConfig()["recurrent_initializer"]!["class_name"]);
    }

    /// <summary>A Bidirectional config as Keras 3 writes it (inner layers with their build_config) loads.</summary>
    [Fact]
    public void AKerasBidirectionalConfigLoads()
    {
        const string Policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        static string Gru(string name, bool goBackwards) => $$$"""
            {"module": "keras.layers", "class_name": "GRU", "config": {"name": "{{{name}}}", "trainable": true, "dtype": {{{Policy}}},
              "return_sequences": true, "return_state": false, "go_backwards": {{{(goBackwards ? "true" : "false")}}}, "stateful": false, "unroll": false,
              "zero_output_for_mask": true, "units": 8, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
              "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
              "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"seed": null, "gain": 1.0}, "registered_name": null},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
              "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
              "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0,
              "reset_after": true, "seed": null}, "registered_name": null, "build_config": {"input_shape": [null, 10, 16]}}
            """;
        string json = """{"module": "keras.layers", "class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": true, "dtype": """
            + Policy + """, "merge_mode": "concat", "layer": """ + Gru("forward_gru", false) + """, "backward_layer": """ + Gru("backward_gru", true)
            + """}, "registered_name": null}""";
        var layer = Assert.IsType<Bidirectional>(Layer.Deserialize(JsonNode.Parse(json)!));
        Assert.Equal(("forward_gru", "backward_gru", "concat"), (layer.ForwardLayer.Name, layer.BackwardLayer.Name, layer.MergeMode));
        layer.EnsureBuilt(new Shape(10, 16));
        Assert.Equal(new Shape(10, 16), layer.ComputeOutputShape(new Shape(10, 16)));
        Assert.Equal([new Shape(16, 24), new Shape(8, 24), new Shape(2, 24), new Shape(16, 24), new Shape(8, 24), new Shape(2, 24)], layer.Weights.Select(w => w.Shape));
        // Written back with the same keys and values (without the inner build_config, see Bidirectional.GetConfig).
        var expected = JsonNode.Parse(json)!["config"]!.AsObject();
        expected["layer"]!.AsObject().Remove("build_config");
        expected["backward_layer"]!.AsObject().Remove("build_config");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.ToJsonString()), JsonNode.Parse(layer.GetConfig().ToJsonString())),
            $"expected {expected.ToJsonString()}\nactual   {layer.GetConfig().ToJsonString()}");
    }
}
