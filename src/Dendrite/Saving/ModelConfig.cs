using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Layers;

namespace Dendrite.Saving;

/// <summary>
/// A model's architecture as Keras 3's <c>config.json</c> describes it, both ways: a <see cref="Sequential"/> as its
/// list of layers, any other model as Keras' functional form (<c>layers[].inbound_nodes</c>, <c>input_layers</c>,
/// <c>output_layers</c>). Reads Keras 3's forms and tf.keras' older ones (legacy <c>.h5</c> <c>model_config</c>).
/// </summary>
internal static class ModelConfig
{
    // Layers Keras 3.12 builds at construction, so that their configs carry no build_config (as in real files).
    private static readonly HashSet<Type> s_builtAtInit = [typeof(MaxPooling2D), typeof(AveragePooling2D), typeof(Dropout)];

    /// <summary>
    /// The most layers a functional config may list: graphs are rebuilt in passes that each resolve at least one call,
    /// so this bounds the work a hostile file can cause (real Keras models stay far below it).
    /// </summary>
    public const int MaxLayers = 4096;

    /// <summary>The model as Keras serializes it (without <c>compile_config</c>, which the archive writer adds).</summary>
    public static JsonObject Serialize(Model model)
    {
        var graph = model.Graph ?? throw new InvalidOperationException($"Model '{model.Name}' has not been built yet, so it cannot be saved. Build it first: start it with an InputLayer, call Build(inputShape), or Fit it.");
        if (model is Sequential)
        {
            var layers = new JsonArray { graph.Inputs[0].Producer!.Layer.Serialize() };
            foreach (var layer in model.Layers) layers.Add(WithBuildConfig(layer));
            var config = new JsonObject
            {
                ["name"] = model.Name,
                ["trainable"] = true,
                ["dtype"] = KerasObject.Float32Policy(),
                ["layers"] = layers,
                ["build_input_shape"] = KerasObject.BatchShape(graph.Inputs[0].Shape),
            };
            var sequential = KerasObject.Create("keras", "Sequential", config);
            sequential["build_config"] = new JsonObject { ["input_shape"] = KerasObject.BatchShape(graph.Inputs[0].Shape) };
            return sequential;
        }
        return KerasObject.Create("keras.src.models.functional", "Functional", Functional(model, graph), "Functional");
    }

    private static JsonObject WithBuildConfig(Layer layer)
    {
        var serialized = layer.Serialize();
        if (layer.Built && layer is not InputLayer && !s_builtAtInit.Contains(layer.GetType()))
        {
            var shapes = layer.InputShapes;
            if (layer.BuildShapeNames is { } names && shapes.Count > 1)
            {
                var dict = new JsonObject();
                for (int i = 0; i < shapes.Count && i < names.Count; i++) dict[names[i]] = KerasObject.BatchShape(shapes[i]);
                serialized["build_config"] = new JsonObject { ["shapes_dict"] = dict };
            }
            else
                serialized["build_config"] = new JsonObject
                {
                    ["input_shape"] = shapes.Count == 1 ? KerasObject.BatchShape(shapes[0]) : new JsonArray([.. shapes.Select(s => (JsonNode)KerasObject.BatchShape(s))]),
                };
        }
        return serialized;
    }

    private static JsonObject Functional(Model model, FunctionalGraph graph)
    {
        // Node indices count each layer's calls within this model, in execution order.
        var nodeIndex = new Dictionary<Node, int>();
        var calls = new Dictionary<Layer, int>();
        foreach (var node in graph.Nodes)
        {
            calls.TryGetValue(node.Layer, out int count);
            nodeIndex[node] = count;
            calls[node.Layer] = count + 1;
        }
        JsonArray History(KerasTensor t) => [t.Producer!.Layer.Name, nodeIndex[t.Producer!], t.OutputIndex];
        JsonObject Tensor(KerasTensor t) => new()
        {
            ["class_name"] = "__keras_tensor__",
            ["config"] = new JsonObject { ["shape"] = KerasObject.BatchShape(t.Shape), ["dtype"] = "float32", ["keras_history"] = History(t) },
        };

        var layers = new JsonArray();
        foreach (var layer in graph.Layers)
        {
            var entry = WithBuildConfig(layer);
            entry["name"] = layer.Name;
            var inbound = new JsonArray();
            foreach (var node in graph.Nodes.Where(n => ReferenceEquals(n.Layer, layer) && n.Inputs.Length > 0))
            {
                if (layer.TrailingInputsKeyword is string keyword && node.Inputs.Length > 1)
                {
                    // A recurrent layer's initial states go by keyword, as Keras calls it: lstm(x, initial_state=[h, c]).
                    var rest = new JsonArray([.. node.Inputs.Skip(1).Select(i => (JsonNode)Tensor(i))]);
                    inbound.Add(new JsonObject { ["args"] = new JsonArray { Tensor(node.Inputs[0]) }, ["kwargs"] = new JsonObject { [keyword] = rest } });
                    continue;
                }
                var positional = node.PositionalInputs;
                var tensors = positional.Select(i => (JsonNode)Tensor(i));
                var args = positional.Count == 1 ? new JsonArray { Tensor(positional[0]) }
                    : layer.TakesSeparateTensorArguments ? new JsonArray([.. tensors]) // call(query, value)
                    : new JsonArray { new JsonArray([.. tensors]) };                   // call([a, b])
                var kwargs = new JsonObject();
                if (node.Arguments is { } arguments)
                {
                    foreach (var (key, value) in arguments.Values) kwargs[key] = value?.DeepClone();
                    for (int i = 0; i < arguments.TensorNames.Count; i++) kwargs[arguments.TensorNames[i]] = Tensor(node.Inputs[arguments.PositionalCount + i]);
                }
                inbound.Add(new JsonObject { ["args"] = args, ["kwargs"] = kwargs });
            }
            entry["inbound_nodes"] = inbound;
            layers.Add(entry);
        }
        JsonNode Ends(IReadOnlyList<KerasTensor> tensors) => tensors.Count == 1 ? History(tensors[0]) : new JsonArray([.. tensors.Select(t => (JsonNode)History(t))]);
        return new JsonObject
        {
            ["name"] = model.Name,
            ["trainable"] = true,
            ["layers"] = layers,
            ["input_layers"] = Ends(graph.Inputs),
            ["output_layers"] = Ends(graph.Outputs),
        };
    }

    /// <summary>Rebuilds the model a config describes (Keras' <c>Sequential</c>, <c>Functional</c> or tf.keras' <c>Model</c>).</summary>
    public static Model Deserialize(JsonNode? node)
    {
        var prefix = LoadContext.Current.Prefix;
        if (node is not JsonObject obj) throw new ModelFormatException($"{prefix}the model config should be a JSON object, got {ConfigReader.Describe(node)}.");
        string className = obj["class_name"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>()
            : throw new ModelFormatException($"{prefix}the model config has no \"class_name\".");
        if (obj["config"] is not JsonObject config) throw new ModelFormatException($"{prefix}the {className} model has no \"config\" object.");
        var buildShape = obj["build_config"] is JsonObject build ? build["input_shape"] : null;
        return className switch
        {
            "Sequential" => ReadSequential(config, buildShape),
            "Functional" or "Model" => ReadFunctional(config),
            _ => throw new ModelFormatException($"{prefix}the model is a '{className}'; Dendrite loads Sequential and functional models (a subclassed Keras model has no config to rebuild it from)."),
        };
    }

    private static Model ReadSequential(JsonObject config, JsonNode? buildShape)
    {
        var reader = new ConfigReader(config, "model (Sequential)");
        string? name = reader.OptionalString("name");
        reader.Bool("trainable", true);
        LayerConfigs.ReadDType(reader);
        if (reader.Node("layers") is not JsonArray list) throw reader.Fail("\"layers\" should be a list.");
        if (list.Count > MaxLayers) throw reader.Fail($"it lists {list.Count:N0} layers; Dendrite reads at most {MaxLayers:N0}.");
        var layers = new List<Layer>();
        for (int i = 0; i < list.Count; i++) layers.Add(LayerConfigs.Deserialize(list[i], $"model (Sequential) layer {i}"));
        var declared = reader.Node("build_input_shape") ?? buildShape;
        reader.Finish();

        if (layers.Count == 0) throw reader.Fail("it has no layers.");
        if (layers[0] is not InputLayer)
        {
            // tf.keras put the input shape on the first layer, or only in build_input_shape.
            Shape? shape = layers[0].DeclaredInputShape;
            if (shape is null && declared is not null) shape = LayerConfigs.PerSampleShape(reader, "build_input_shape", declared);
            if (shape is null) throw reader.Fail("it declares no input shape (no InputLayer, batch_input_shape or build_input_shape), so its weights cannot be created.");
            layers.Insert(0, new InputLayer(shape.Value.ToArray()));
        }
        try
        {
            var model = new Sequential(layers, name);
            if (!model.Built) throw reader.Fail("it has an InputLayer but no other layer.");
            return model;
        }
        catch (ArgumentException e) { throw reader.Fail($"its layers do not fit together: {e.Message}"); }
    }

    private static Model ReadFunctional(JsonObject config)
    {
        var reader = new ConfigReader(config, "model (functional)");
        string? name = reader.OptionalString("name");
        reader.Bool("trainable", true);
        reader.Ignore("dtype");
        if (reader.Node("layers") is not JsonArray list) throw reader.Fail("\"layers\" should be a list.");
        var inputSpec = reader.Node("input_layers");
        var outputSpec = reader.Node("output_layers");
        reader.Finish();

        if (list.Count > MaxLayers) throw reader.Fail($"it lists {list.Count:N0} layers; Dendrite reads at most {MaxLayers:N0}.");
        var layers = new Dictionary<string, Layer>(StringComparer.Ordinal);
        var pending = new List<(Layer Layer, List<JsonNode?> Nodes)>();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject entry) throw reader.Fail($"layer {i} is not a JSON object.");
            string layerName = entry["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>()
                : entry["config"] is JsonObject lc && lc["name"] is JsonValue ln && ln.GetValueKind() == JsonValueKind.String ? ln.GetValue<string>()
                : throw reader.Fail($"layer {i} has no name.");
            var layer = LayerConfigs.Deserialize(entry, $"model (functional) layer '{layerName}'");
            if (!layers.TryAdd(layerName, layer)) throw reader.Fail($"two layers are named '{layerName}'.");
            var nodes = entry["inbound_nodes"] is JsonArray inbound ? inbound.ToList() : [];
            pending.Add((layer, nodes));
        }

        // Each layer's calls, in order; a call waits until every tensor it reads exists (Keras' process_node loop).
        var outputs = new Dictionary<string, List<KerasTensor[]>>(StringComparer.Ordinal);
        foreach (var (layer, _) in pending)
            if (layer is InputLayer input) outputs[layer.Name] = [[Input.ForLayer(input)]];
        var queues = pending.Where(p => p.Layer is not InputLayer).Select(p => (p.Layer, Queue: new Queue<JsonNode?>(p.Nodes))).ToList();
        bool progress = true;
        while (progress && queues.Any(q => q.Queue.Count > 0))
        {
            progress = false;
            foreach (var (layer, queue) in queues)
                while (queue.Count > 0 && TryResolve(queue.Peek(), outputs, layer, out var args, out var arguments))
                {
                    queue.Dequeue();
                    KerasTensor[] result;
                    try { result = layer.CallAllSymbolic(args, arguments); }
                    catch (ArgumentException e) { throw reader.Fail($"layer '{layer.Name}' cannot be applied to its inputs: {e.Message}"); }
                    if (!outputs.TryGetValue(layer.Name, out var made)) outputs[layer.Name] = made = [];
                    made.Add(result);
                    progress = true;
                }
        }
        if (queues.FirstOrDefault(q => q.Queue.Count > 0) is { Layer: not null } stuck)
            throw reader.Fail($"layer '{stuck.Layer.Name}' reads tensors that no layer produces (the graph is disconnected or cyclic).");

        var inputs = Ends(reader, inputSpec, outputs, "input_layers");
        var results = Ends(reader, outputSpec, outputs, "output_layers");
        try { return new Model(inputs, results, name); }
        catch (ArgumentException e) { throw reader.Fail(e.Message); }
    }

    /// <summary>
    /// The tensors of one inbound node: Keras 3's <c>{"args": [...], "kwargs": {...}}</c> or tf.keras'
    /// <c>[[name, node, tensor, kwargs], …]</c>. Keyword arguments the layer takes (see
    /// <see cref="Layer.RefuseCallArgument"/>) become <paramref name="arguments"/>, their tensors placed after the
    /// positional ones; any other is refused with the layer's reason.
    /// </summary>
    private static bool TryResolve(JsonNode? node, Dictionary<string, List<KerasTensor[]>> outputs, Layer layer, out KerasTensor[] args, out CallArguments? arguments)
    {
        var refs = new List<(string Name, int Node, int Tensor)>();
        arguments = null;
        if (node is JsonObject call)
        {
            CollectTensors(call["args"], refs, layer);
            var tensorNames = new List<string>();
            var keywordRefs = new List<(string, int, int)>();
            var values = new JsonObject();
            if (call["kwargs"] is JsonObject kwargs)
            {
                // Positional tensors passed by keyword (mha(query=x, value=y)) join the positional ones, in call order.
                if (layer.PositionalTensorNames is { } names)
                    foreach (string name in names)
                        if (kwargs[name] is JsonObject t && IsTensor(t)) CollectTensors(t, refs, layer);
                foreach (var (key, value) in kwargs)
                {
                    if (value is not null && key == layer.TrailingInputsKeyword)
                    {
                        CollectTensors(value, refs, layer); // a recurrent layer's initial_state: more positional inputs
                        continue;
                    }
                    if (value is null || (layer.PositionalTensorNames?.Contains(key) == true && value is JsonObject pt && IsTensor(pt))) continue;
                    bool isTensor = value is JsonObject o && IsTensor(o);
                    if (layer.RefuseCallArgument(key, isTensor ? null : value, isTensor) is { } why)
                        throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' {why}");
                    if (isTensor)
                    {
                        tensorNames.Add(key);
                        CollectTensors(value, keywordRefs, layer);
                    }
                    else values[key] = value.DeepClone();
                }
            }
            if (tensorNames.Count > 0 || values.Count > 0)
            {
                arguments = new CallArguments(refs.Count, tensorNames, values);
                refs.AddRange(keywordRefs);
            }
        }
        else if (node is JsonArray legacy)
        {
            foreach (var item in legacy)
                if (item is JsonArray entry && entry.Count >= 3 && entry[0] is JsonValue ln && ln.GetValueKind() == JsonValueKind.String)
                    refs.Add((ln.GetValue<string>(), Index(entry[1]), Index(entry[2])));
                else throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' has an inbound node that cannot be read: {ConfigReader.Describe(item)}.");
        }
        else throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' has an inbound node that cannot be read: {ConfigReader.Describe(node)}.");
        if (refs.Count == 0) throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' has a call without input tensors.");

        args = new KerasTensor[refs.Count];
        for (int i = 0; i < refs.Count; i++)
        {
            var (name, nodeIndex, tensorIndex) = refs[i];
            if (!outputs.TryGetValue(name, out var made) || nodeIndex >= made.Count) return false;
            if (tensorIndex < 0 || tensorIndex >= made[nodeIndex].Length)
                throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' reads output {tensorIndex} of layer '{name}', which has {made[nodeIndex].Length} output(s).");
            args[i] = made[nodeIndex][tensorIndex];
        }
        return true;
    }

    private static bool IsTensor(JsonObject o) => o["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String && cn.GetValue<string>() == "__keras_tensor__";

    private static void CollectTensors(JsonNode? node, List<(string, int, int)> refs, Layer layer)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) CollectTensors(item, refs, layer);
                break;
            case JsonObject tensor when tensor["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String && cn.GetValue<string>() == "__keras_tensor__":
                if (tensor["config"] is JsonObject tc && tc["keras_history"] is JsonArray { Count: 3 } h && h[0] is JsonValue hn && hn.GetValueKind() == JsonValueKind.String)
                    refs.Add((hn.GetValue<string>(), Index(h[1]), Index(h[2])));
                else throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' has an input tensor without a readable keras_history.");
                break;
            case null:
                break;
            default:
                throw new ModelFormatException($"{LoadContext.Current.Prefix}layer '{layer.Name}' is called with {ConfigReader.Describe(node)}, which is not a tensor; Dendrite's layers take only tensors.");
        }
    }

    /// <summary>A node or tensor index: a small non-negative integer, or −1 (which matches nothing) for anything else.</summary>
    private static int Index(JsonNode? node) => node is not null && ConfigReader.ToLong(node) is long v && v is >= 0 and <= int.MaxValue ? (int)v : -1;

    /// <summary>The model's inputs or outputs: <c>[name, node, tensor]</c>, a list of those, or a dict of them.</summary>
    private static List<KerasTensor> Ends(ConfigReader reader, JsonNode? spec, Dictionary<string, List<KerasTensor[]>> outputs, string key)
    {
        var result = new List<KerasTensor>();
        void Add(JsonNode? item)
        {
            if (item is JsonArray { Count: 3 } triple && triple[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                string name = v.GetValue<string>();
                int node = Index(triple[1]), tensor = Index(triple[2]);
                if (!outputs.TryGetValue(name, out var made) || node < 0 || node >= made.Count)
                    throw reader.Cannot(key, $"it names layer '{name}' node {node}, which the graph does not have.");
                if (tensor < 0 || tensor >= made[node].Length)
                    throw reader.Cannot(key, $"it names output {tensor} of layer '{name}' node {node}, which has {made[node].Length} output(s).");
                result.Add(made[node][tensor]);
            }
            else if (item is JsonArray list) foreach (var x in list) Add(x);
            else if (item is JsonObject dict) foreach (var (_, x) in dict.OrderBy(p => p.Key, StringComparer.Ordinal)) Add(x); // Keras flattens dicts by sorted key
            else throw reader.Cannot(key, "[layer name, node index, tensor index] entries were expected.");
        }
        Add(spec);
        if (result.Count == 0) throw reader.Cannot(key, "the model needs at least one.");
        return result;
    }
}
