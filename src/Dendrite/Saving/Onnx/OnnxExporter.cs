using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Saving.Onnx.Proto;
using Google.Protobuf;
using static Dendrite.Saving.Onnx.OnnxGraphBuilder;

namespace Dendrite.Saving.Onnx;

/// <summary>
/// Writes a built model as an ONNX model (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>) for inference,
/// as Keras 3's <c>model.export(path, format="onnx")</c>: the graph's inputs and outputs keep the model's names and
/// Keras' channels-last layout, with a symbolic batch axis (<c>"batch"</c>); weights are float32 initializers.
/// </summary>
/// <remarks>
/// <para>
/// ONNX's Conv, MaxPool, AveragePool, GlobalAveragePool and BatchNormalization take channels first (NCHW), Dendrite's
/// images are channels last (NHWC). Every tensor is therefore tracked in the layout it was computed in and, when a
/// consumer needs the other one, transposed once (the transpose is reused by every later consumer): a run of
/// convolutions, poolings, activations, normalisations and element-wise merges stays in NCHW, and Flatten, Reshape,
/// Dense, LayerNormalization and the model outputs get NHWC, so that Flatten's element order is Keras'.
/// </para>
/// <para>
/// Inference semantics: Dropout is the identity and BatchNormalization uses its moving statistics.
/// </para>
/// </remarks>
internal sealed class OnnxExporter
{
    /// <summary>The ONNX operator set the exported models import (the default "ai.onnx" domain).</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version of opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>The one format <see cref="Model.Export"/> writes.</summary>
    public const string Format = "onnx";

    /// <summary>The layer classes with an ONNX conversion, for error messages.</summary>
    internal const string SupportedLayers =
        "InputLayer, Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape, Dropout, " +
        "BatchNormalization, LayerNormalization, Activation, Rescaling, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate";

    private static readonly long[] s_toChannelsFirst = [0, 3, 1, 2];
    private static readonly long[] s_toChannelsLast = [0, 2, 3, 1];

    private readonly Model _model;
    private readonly OnnxGraphBuilder _b;
    private readonly Dictionary<KerasTensor, Value> _values = [];

    private OnnxExporter(Model model)
    {
        _model = model;
        _b = new OnnxGraphBuilder(model.Name);
    }

    /// <summary>Checks the arguments of <see cref="Model.Export"/> and writes the file atomically.</summary>
    public static void Export(Model model, string path, string format)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(format);
        if (!string.Equals(format, Format, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unrecognized format '{format}': Dendrite exports models in the format \"onnx\" only.", nameof(format));
        var proto = Build(model);
        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>The ONNX model of <paramref name="model"/>.</summary>
    internal static ModelProto Build(Model model)
    {
        var graph = model.Graph ?? throw new InvalidOperationException(
            $"Model '{model.Name}' has not been built yet, so it has no weights to export. Call Fit(...) or Build(inputShape) first, or start it with an InputLayer.");
        return new OnnxExporter(model).Convert(graph);
    }

    private ModelProto Convert(FunctionalGraph graph)
    {
        // The interface's names first, so that no intermediate value takes them.
        var inputNames = graph.Inputs.Select(i => _b.UniqueName(i.Name)).ToArray();
        var outputNames = graph.Outputs.Select(o => _b.UniqueName(o.Name)).ToArray();
        for (int i = 0; i < graph.Inputs.Count; i++)
        {
            _values[graph.Inputs[i]] = new Value(graph.Inputs[i].Shape.Rank + 1) { Keras = inputNames[i] };
            _b.Graph.Input.Add(BatchedFloatValue(inputNames[i], graph.Inputs[i].Shape));
        }

        foreach (var node in graph.Nodes)
        {
            if (_values.ContainsKey(node.Output)) continue; // a model input
            _values[node.Output] = ConvertNode(node);
        }

        // Each output in Keras' layout, under the output's name: the node computing it is renamed, or, for a value that
        // is a graph input or already another output, an Identity copies it.
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            string value = Get(graph.Outputs[o], Layout.Keras);
            if (renamed.TryGetValue(value, out string? earlier))
                AddIdentity(earlier, outputNames[o]);
            else if (_b.IsNodeOutput(value))
            {
                _b.RenameNodeOutput(value, outputNames[o]);
                renamed[value] = outputNames[o];
            }
            else AddIdentity(value, outputNames[o]);
            _b.Graph.Output.Add(BatchedFloatValue(outputNames[o], graph.Outputs[o].Shape));
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Dendrite",
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = $"Dendrite model '{_model.Name}' for inference; inputs and outputs are channels-last (Keras' layout), axis 0 is the batch.",
            Graph = _b.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private void AddIdentity(string from, string to)
    {
        var node = new NodeProto { OpType = "Identity", Name = to };
        node.Input.Add(from);
        node.Output.Add(to);
        _b.Graph.Node.Add(node);
    }

    private Value ConvertNode(Node node)
    {
        var layer = node.Layer;
        var inputs = node.Inputs;
        return layer switch
        {
            InputLayer or Dropout => _values[inputs[0]], // identities at inference
            Dense dense => Dense(dense, inputs[0]),
            Conv2D conv => Conv(conv, inputs[0]),
            MaxPooling2D pool => Pool(pool, "MaxPool", inputs[0]),
            AveragePooling2D pool => Pool(pool, "AveragePool", inputs[0]),
            GlobalAveragePooling2D gap => GlobalAveragePool(gap, inputs[0]),
            Flatten flatten => Value.InKeras(2, _b.AddNode("Flatten", [Get(inputs[0], Layout.Keras)], flatten.Name, Int("axis", 1))),
            Reshape reshape => Reshape(reshape, inputs[0], node.Output),
            BatchNormalization bn => BatchNorm(bn, inputs[0]),
            LayerNormalization ln => LayerNorm(ln, inputs[0]),
            Activation activation => Activate(activation.Function, layer, inputs[0]),
            Rescaling rescaling => Rescale(rescaling, inputs[0]),
            Concatenate concatenate => Concat(concatenate, inputs),
            ElementwiseMerge merge => Elementwise(merge, inputs),
            _ => throw new NotSupportedException(
                $"Cannot export model '{_model.Name}' to ONNX: layer '{layer.Name}' ({layer.GetType().FullName}) has no ONNX conversion. " +
                $"Supported layers: {SupportedLayers}."),
        };
    }

    // ---- Layouts ----

    /// <summary>The layout of a tensor in the ONNX graph: Keras' own (channels last), or channels first for images.</summary>
    private enum Layout { Keras, ChannelsFirst }

    /// <summary>One Keras tensor's ONNX value(s): in Keras' layout, in NCHW (images only), or both once transposed.</summary>
    private sealed class Value(int rank)
    {
        /// <summary>Rank with the batch axis.</summary>
        public int Rank { get; } = rank;

        public string? Keras { get; set; }

        public string? ChannelsFirst { get; set; }

        /// <summary>The layout the value was computed in (where layout-neutral ops continue).</summary>
        public Layout Native => Keras is not null ? Layout.Keras : Layout.ChannelsFirst;

        public static Value InKeras(int rank, string name) => new(rank) { Keras = name };

        public static Value InChannelsFirst(string name) => new(4) { ChannelsFirst = name };

        public static Value In(Layout layout, int rank, string name) => layout == Layout.Keras ? InKeras(rank, name) : InChannelsFirst(name);
    }

    /// <summary>The name of <paramref name="tensor"/> in <paramref name="layout"/>, transposing it (once) when needed.</summary>
    private string Get(KerasTensor tensor, Layout layout)
    {
        var v = _values[tensor];
        if (layout == Layout.Keras)
            return v.Keras ??= _b.AddNode("Transpose", [v.ChannelsFirst!], $"{tensor.Name}/nhwc", Ints("perm", s_toChannelsLast));
        if (v.Rank != 4)
            throw new InvalidOperationException($"ONNX export: tensor '{tensor.Name}' of rank {v.Rank} has no channels-first layout.");
        return v.ChannelsFirst ??= _b.AddNode("Transpose", [v.Keras!], $"{tensor.Name}/nchw", Ints("perm", s_toChannelsFirst));
    }

    /// <summary>Channels first for images whose value already is (or some of which are), else Keras' layout.</summary>
    private Layout Shared(IEnumerable<KerasTensor> tensors)
    {
        var values = tensors.Select(t => _values[t]).ToList();
        return values.All(v => v.Rank == 4) && values.Any(v => v.Native == Layout.ChannelsFirst) ? Layout.ChannelsFirst : Layout.Keras;
    }

    // ---- Activations ----

    private Value Activate(ActivationFunction function, Layer owner, KerasTensor input)
    {
        var v = _values[input];
        var layout = v.Native;
        return Value.In(layout, v.Rank, Apply(function, owner, Get(input, layout), layout, owner.Name));
    }

    /// <summary>Applies a built-in activation to <paramref name="x"/>, held in <paramref name="layout"/>.</summary>
    private string Apply(ActivationFunction function, Layer owner, string x, Layout layout, string outputName)
    {
        if (ReferenceEquals(function, ActivationFunction.Linear)) return x;
        if (ReferenceEquals(function, ActivationFunction.Relu)) return _b.AddNode("Relu", [x], outputName);
        if (ReferenceEquals(function, ActivationFunction.Sigmoid)) return _b.AddNode("Sigmoid", [x], outputName);
        if (ReferenceEquals(function, ActivationFunction.Tanh)) return _b.AddNode("Tanh", [x], outputName);
        // Keras' softmax is over the last axis, the channels: axis 1 in NCHW.
        if (ReferenceEquals(function, ActivationFunction.Softmax)) return _b.AddNode("Softmax", [x], outputName, Int("axis", layout == Layout.Keras ? -1 : 1));
        throw new NotSupportedException(
            $"Cannot export model '{_model.Name}' to ONNX: layer '{owner.Name}' ({owner.GetType().FullName}) uses the activation '{function.Name}' " +
            $"({function.GetType().FullName}), which has no ONNX conversion. Supported activations: relu, softmax, sigmoid, tanh, linear.");
    }

    // ---- Layers ----

    private Value Dense(Dense dense, KerasTensor input)
    {
        var kernel = dense.Kernel ?? throw NotBuilt(dense);
        string y = _b.AddNode("MatMul", [Get(input, Layout.Keras), Weight(dense, "kernel", kernel)], $"{dense.Name}/MatMul");
        if (dense.Bias is { } bias) y = _b.AddNode("Add", [y, Weight(dense, "bias", bias)], $"{dense.Name}/BiasAdd");
        return Value.InKeras(input.Shape.Rank + 1, Apply(dense.Activation, dense, y, Layout.Keras, dense.Name));
    }

    private Value Conv(Conv2D conv, KerasTensor input)
    {
        var kernel = conv.Kernel ?? throw NotBuilt(conv);
        // Dendrite's kernel is HWIO (kh, kw, in, out); ONNX's is OIHW.
        int kh = kernel.Shape[0], kw = kernel.Shape[1], ci = kernel.Shape[2], co = kernel.Shape[3];
        var hwio = kernel.Value.Values;
        var oihw = new float[hwio.Length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int i = 0; i < ci; i++)
                    for (int o = 0; o < co; o++)
                        oihw[((o * ci + i) * kh + h) * kw + w] = hwio[((h * kw + w) * ci + i) * co + o];
        var inputs = new List<string> { Get(input, Layout.ChannelsFirst), _b.AddFloatInitializer($"{conv.Name}/kernel", oihw, co, ci, kh, kw) };
        if (conv.Bias is { } bias) inputs.Add(Weight(conv, "bias", bias));
        string y = _b.AddNode("Conv", inputs, $"{conv.Name}/Conv",
            Ints("kernel_shape", kh, kw),
            Ints("strides", conv.Strides.Height, conv.Strides.Width),
            Ints("dilations", conv.DilationRate.Height, conv.DilationRate.Width),
            Ints("pads", Pads(input.Shape, conv.KernelSize, conv.Strides, conv.DilationRate, conv.Padding)),
            Int("group", 1));
        return Value.InChannelsFirst(Apply(conv.Activation, conv, y, Layout.ChannelsFirst, conv.Name));
    }

    private Value Pool(Pooling2D pool, string opType, KerasTensor input)
    {
        var attributes = new List<AttributeProto>
        {
            Ints("kernel_shape", pool.PoolSize.Height, pool.PoolSize.Width),
            Ints("strides", pool.Strides.Height, pool.Strides.Width),
            Ints("pads", Pads(input.Shape, pool.PoolSize, pool.Strides, 1, pool.Padding)),
        };
        // TensorFlow's "same" average pooling divides by the number of elements the window covers, not by its size;
        // MaxPool never picks a padded position (TensorFlow pads with −∞).
        if (opType == "AveragePool") attributes.Add(Int("count_include_pad", 0));
        return Value.InChannelsFirst(_b.AddNode(opType, [Get(input, Layout.ChannelsFirst)], pool.Name, [.. attributes]));
    }

    /// <summary>ONNX's explicit pads [top, left, bottom, right]: TensorFlow's rule, as the layers compute it (<see cref="ConvGeometry"/>).</summary>
    private static long[] Pads(Shape image, Size2D window, Size2D strides, Size2D dilation, Padding padding)
    {
        var g = ConvGeometry.Create(1, image[0], image[1], image[2], window.Tuple, strides.Tuple, dilation.Tuple, padding, "ONNX export");
        return [g.PadTop, g.PadLeft, g.PadBottom, g.PadRight];
    }

    private Value GlobalAveragePool(GlobalAveragePooling2D gap, KerasTensor input)
    {
        var v = _values[input];
        if (v.ChannelsFirst is { } nchw)
        {
            // (N, C, 1, 1) → (N, C)
            string pooled = _b.AddNode("GlobalAveragePool", [nchw], $"{gap.Name}/GlobalAveragePool");
            return Value.InKeras(2, _b.AddNode("Flatten", [pooled], gap.Name, Int("axis", 1)));
        }
        return Value.InKeras(2, _b.AddNode("ReduceMean", [v.Keras!], gap.Name, Ints("axes", 1, 2), Int("keepdims", 0)));
    }

    private Value Reshape(Reshape reshape, KerasTensor input, KerasTensor output)
    {
        // 0 copies the batch size; the rest is the per-sample shape Dendrite inferred (−1 resolved).
        string shape = _b.AddInt64Initializer($"{reshape.Name}/shape", [0, .. output.Shape.ToArray().Select(d => (long)d)]);
        return Value.InKeras(output.Shape.Rank + 1, _b.AddNode("Reshape", [Get(input, Layout.Keras), shape], reshape.Name));
    }

    private Value BatchNorm(BatchNormalization bn, KerasTensor input)
    {
        var mean = bn.MovingMean ?? throw NotBuilt(bn);
        var variance = bn.MovingVariance ?? throw NotBuilt(bn);
        int channels = mean.Shape[0], rank = input.Shape.Rank + 1;
        string scale = bn.Gamma is { } gamma ? Weight(bn, "gamma", gamma) : _b.AddFloatInitializer($"{bn.Name}/gamma", Enumerable.Repeat(1f, channels).ToArray(), channels);
        string offset = bn.Beta is { } beta ? Weight(bn, "beta", beta) : _b.AddFloatInitializer($"{bn.Name}/beta", new float[channels], channels);
        string[] statistics = [scale, offset, Weight(bn, "moving_mean", mean), Weight(bn, "moving_variance", variance)];
        var epsilon = Float("epsilon", (float)bn.Epsilon);

        // ONNX normalises axis 1. A feature axis other than the last (Keras' axis=1, …) is moved there and back.
        int axis = bn.FeatureAxis;
        if (axis == 1)
            return Value.InKeras(rank, _b.AddNode("BatchNormalization", [Get(input, Layout.Keras), .. statistics], bn.Name, epsilon));
        if (axis != rank - 1)
        {
            long[] toOne = [0, axis, .. Enumerable.Range(1, rank - 1).Where(a => a != axis).Select(a => (long)a)];
            var fromOne = new long[rank];
            for (int i = 0; i < rank; i++) fromOne[toOne[i]] = i;
            string moved = _b.AddNode("Transpose", [Get(input, Layout.Keras)], $"{bn.Name}/axis_first", Ints("perm", toOne));
            string normalised = _b.AddNode("BatchNormalization", [moved, .. statistics], $"{bn.Name}/BatchNormalization", epsilon);
            return Value.InKeras(rank, _b.AddNode("Transpose", [normalised], bn.Name, Ints("perm", fromOne)));
        }
        // Keras' last axis is axis 1 for (batch, features) and for NCHW images; any other rank moves it there and back.
        if (rank == 2)
            return Value.InKeras(2, _b.AddNode("BatchNormalization", [Get(input, Layout.Keras), .. statistics], bn.Name, epsilon));
        if (rank == 4)
            return Value.InChannelsFirst(_b.AddNode("BatchNormalization", [Get(input, Layout.ChannelsFirst), .. statistics], bn.Name, epsilon));
        long[] forward = [0, rank - 1, .. Enumerable.Range(1, rank - 2).Select(a => (long)a)];
        long[] back = [0, .. Enumerable.Range(2, rank - 2).Select(a => (long)a), 1];
        string x = _b.AddNode("Transpose", [Get(input, Layout.Keras)], $"{bn.Name}/channels_first", Ints("perm", forward));
        string y = _b.AddNode("BatchNormalization", [x, .. statistics], $"{bn.Name}/BatchNormalization", epsilon);
        return Value.InKeras(rank, _b.AddNode("Transpose", [y], bn.Name, Ints("perm", back)));
    }

    private Value LayerNorm(LayerNormalization ln, KerasTensor input)
    {
        int features = input.Shape[^1];
        var inputs = new List<string>
        {
            Get(input, Layout.Keras),
            ln.Gamma is { } gamma ? Weight(ln, "gamma", gamma) : _b.AddFloatInitializer($"{ln.Name}/gamma", Enumerable.Repeat(1f, features).ToArray(), features),
        };
        if (ln.Beta is { } beta) inputs.Add(Weight(ln, "beta", beta));
        return Value.InKeras(input.Shape.Rank + 1, _b.AddNode("LayerNormalization", inputs, ln.Name, Int("axis", -1), Float("epsilon", (float)ln.Epsilon)));
    }

    private Value Rescale(Rescaling rescaling, KerasTensor input)
    {
        // As Dendrite computes it: x·scale, then + offset when there is one.
        var v = _values[input];
        var layout = v.Native;
        string y = _b.AddNode("Mul", [Get(input, layout), _b.AddScalar($"{rescaling.Name}/scale", (float)rescaling.Scale)],
            rescaling.Offset == 0 ? rescaling.Name : $"{rescaling.Name}/Mul");
        if (rescaling.Offset != 0) y = _b.AddNode("Add", [y, _b.AddScalar($"{rescaling.Name}/offset", (float)rescaling.Offset)], rescaling.Name);
        return Value.In(layout, v.Rank, y);
    }

    private Value Elementwise(ElementwiseMerge merge, KerasTensor[] inputs)
    {
        var layout = Shared(inputs);
        var x = inputs.Select(t => Get(t, layout)).ToArray();
        int rank = _values[inputs[0]].Rank;
        string name = merge.Name;
        string Chain(string op, string last)
        {
            // Left to right, one binary op at a time, as Dendrite combines them.
            string y = x[0];
            for (int i = 1; i < x.Length; i++) y = _b.AddNode(op, [y, x[i]], i == x.Length - 1 ? last : $"{name}/{op}");
            return y;
        }
        string output = merge switch
        {
            Add => Chain("Add", name),
            Subtract => Chain("Sub", name),
            Multiply => Chain("Mul", name),
            Average => _b.AddNode("Div", [Chain("Add", $"{name}/Sum"), _b.AddScalar($"{name}/count", x.Length)], name),
            Maximum => _b.AddNode("Max", x, name),
            Minimum => _b.AddNode("Min", x, name),
            _ => throw new NotSupportedException(
                $"Cannot export model '{_model.Name}' to ONNX: layer '{merge.Name}' ({merge.GetType().FullName}) has no ONNX conversion. Supported layers: {SupportedLayers}."),
        };
        return Value.In(layout, rank, output);
    }

    private Value Concat(Concatenate concatenate, KerasTensor[] inputs)
    {
        int rank = inputs[0].Shape.Rank + 1;
        int axis = concatenate.Axis < 0 ? concatenate.Axis + rank : concatenate.Axis;
        var layout = Shared(inputs);
        // Images already in NCHW are joined there: Keras' axes 1 (H), 2 (W), 3 (C) are NCHW's 2, 3, 1.
        if (layout == Layout.ChannelsFirst) axis = axis == 3 ? 1 : axis + 1;
        string y = _b.AddNode("Concat", inputs.Select(t => Get(t, layout)), concatenate.Name, Int("axis", axis));
        return Value.In(layout, rank, y);
    }

    // ---- Weights ----

    private string Weight(Layer layer, string name, Variable variable) =>
        _b.AddFloatInitializer($"{layer.Name}/{name}", variable.Value.Values, variable.Shape.ToArray());

    private static InvalidOperationException NotBuilt(Layer layer) =>
        new($"ONNX export: layer '{layer.Name}' ({layer.GetType().Name}) has no weights: it is not built.");
}
