using System.Text.Json;
using System.Text.Json.Nodes;
using Dendrite.Activations;
using Dendrite.Initializers;
using Dendrite.Saving;

namespace Dendrite.Layers;

/// <summary>
/// Reading Keras layer configs: the table of built-in layer classes, the base keys every layer has (<c>name</c>,
/// <c>trainable</c>, <c>dtype</c>), and the activations and initializers that sit inside layer configs.
/// </summary>
internal static class LayerConfigs
{
    /// <summary>Keras class name → reader, for every layer Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Layer>> Builtins = new Dictionary<string, Func<JsonObject, Layer>>(StringComparer.Ordinal)
    {
        ["InputLayer"] = InputLayer.FromConfig,
        ["Dense"] = Dense.FromConfig,
        ["Conv2D"] = Conv2D.FromConfig,
        ["MaxPooling2D"] = MaxPooling2D.FromConfig,
        ["MaxPool2D"] = MaxPooling2D.FromConfig,
        ["AveragePooling2D"] = AveragePooling2D.FromConfig,
        ["AvgPool2D"] = AveragePooling2D.FromConfig,
        ["GlobalAveragePooling2D"] = GlobalAveragePooling2D.FromConfig,
        ["GlobalAvgPool2D"] = GlobalAveragePooling2D.FromConfig,
        ["Flatten"] = Flatten.FromConfig,
        ["Reshape"] = Reshape.FromConfig,
        ["Dropout"] = Dropout.FromConfig,
        ["Activation"] = Layers.Activation.FromConfig,
        ["Rescaling"] = Rescaling.FromConfig,
        ["BatchNormalization"] = BatchNormalization.FromConfig,
        ["LayerNormalization"] = LayerNormalization.FromConfig,
        ["Add"] = Add.FromConfig,
        ["Subtract"] = Subtract.FromConfig,
        ["Multiply"] = Multiply.FromConfig,
        ["Average"] = Average.FromConfig,
        ["Maximum"] = Maximum.FromConfig,
        ["Minimum"] = Minimum.FromConfig,
        ["Concatenate"] = Concatenate.FromConfig,
        // Sequences (issue 13).
        ["Embedding"] = Embedding.FromConfig,
        ["Masking"] = Masking.FromConfig,
        // 1-D convolutions (issue 13).
        ["Conv1D"] = Conv1D.FromConfig,
        ["Convolution1D"] = Conv1D.FromConfig,
        ["MaxPooling1D"] = MaxPooling1D.FromConfig,
        ["MaxPool1D"] = MaxPooling1D.FromConfig,
        ["AveragePooling1D"] = AveragePooling1D.FromConfig,
        ["AvgPool1D"] = AveragePooling1D.FromConfig,
        ["GlobalAveragePooling1D"] = GlobalAveragePooling1D.FromConfig,
        ["GlobalAvgPool1D"] = GlobalAveragePooling1D.FromConfig,
        ["GlobalMaxPooling1D"] = GlobalMaxPooling1D.FromConfig,
        ["GlobalMaxPool1D"] = GlobalMaxPooling1D.FromConfig,
        ["UpSampling1D"] = UpSampling1D.FromConfig,
        ["TimeDistributed"] = TimeDistributed.FromConfig,
        // Attention (issue 13).
        ["MultiHeadAttention"] = MultiHeadAttention.FromConfig,
        ["Attention"] = Attention.FromConfig,
        // Recurrent layers (issue 13).
        ["SimpleRNN"] = SimpleRNN.FromConfig,
        ["LSTM"] = LSTM.FromConfig,
        ["GRU"] = GRU.FromConfig,
        ["Bidirectional"] = Bidirectional.FromConfig,
    };

    /// <summary>Rebuilds a serialized layer (built-in or custom).</summary>
    public static Layer Deserialize(JsonNode? serialized, string where) =>
        KerasRegistry.Deserialize<Layer>(serialized, "layer", where, Builtins);

    /// <summary>
    /// Reads a built-in layer's config: the base keys, then <paramref name="create"/> for the rest (it receives the
    /// name), refusing whatever it left unread and set.
    /// </summary>
    public static T Read<T>(JsonObject config, string className, Func<ConfigReader, string?, T> create) where T : Layer
    {
        string? name = config["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        return KerasRegistry.ReadConfig(config, name is null ? $"layer of class {className}" : $"layer '{name}' ({className})", c =>
        {
            c.OptionalString("name");
            bool trainable = c.Bool("trainable", true);
            ReadDType(c);
            // tf.keras writes the model's input shape on the first layer of a Sequential model.
            Shape? declared = null;
            if (c.Node("batch_input_shape") is { } batchShape) declared = PerSampleShape(c, "batch_input_shape", batchShape);
            var layer = create(c, name);
            if (!trainable) layer.Trainable = false;
            layer.DeclaredInputShape = declared;
            return layer;
        });
    }

    /// <summary>Reads a <c>[null, d1, d2, …]</c> batch shape as the per-sample shape; every size must be known.</summary>
    public static Shape PerSampleShape(ConfigReader c, string key, JsonNode node)
    {
        var dims = c.IntList(key, node, allowNull: true);
        if (dims.Length < 2) throw c.Cannot(key, "a batch axis and at least one feature axis were expected.");
        if (dims[1..].Any(d => d <= 0)) throw c.Cannot(key, "Dendrite needs every size but the batch size to be known and positive.");
        return new Shape(dims[1..]);
    }

    /// <summary>The layer's <c>dtype</c>: the string <c>"float32"</c> or a float32 <c>DTypePolicy</c>; anything else is refused.</summary>
    public static void ReadDType(ConfigReader c)
    {
        var node = c.Node("dtype");
        if (node is null) return;
        string? name = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : node is JsonObject policy && policy["config"] is JsonObject pc && pc["name"] is JsonValue pn && pn.GetValueKind() == JsonValueKind.String ? pn.GetValue<string>()
            : null;
        if (name != "float32")
            throw c.Cannot("dtype", "Dendrite computes in float32 only; a layer with another dtype or a mixed-precision policy would compute differently.");
    }

    /// <summary>An activation inside a layer config: a Keras name, null (linear), or a serialized function.</summary>
    public static ActivationFunction Activation(ConfigReader c, string key = "activation")
    {
        var node = c.Node(key);
        if (node is null) return ActivationFunction.Linear;
        // A name, or Keras' serialized function {"module": "keras.activations", "class_name": "function", "config": "relu", …};
        // activation objects with settings (tf.keras' ReLU(max_value=6)) are not functions Dendrite has.
        string? name = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : node is JsonObject o && o["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String && cn.GetValue<string>() == "function"
                && o["config"] is JsonValue cv && cv.GetValueKind() == JsonValueKind.String ? cv.GetValue<string>()
            : null;
        if (name is not null && LoadContext.Current.CustomObjects.TryGetValue(name, out var custom) && custom is ActivationFunction customFunction)
            return customFunction;
        try
        {
            return name is null ? throw new ArgumentException("not an activation name") : ActivationFunction.Get(name);
        }
        catch (ArgumentException)
        {
            throw c.Cannot(key, $"unknown activation. Dendrite's activations: {string.Join(", ", ActivationFunction.KnownNames)}.");
        }
    }

    /// <summary>An initializer inside a layer config; <paramref name="defaultValue"/> when absent or null.</summary>
    public static Initializer Initializer(ConfigReader c, string key, Initializer defaultValue)
    {
        var node = c.Node(key);
        return node is null ? defaultValue
            : KerasRegistry.Deserialize(node, "initializer", $"{c.What} \"{key}\"", InitializerBuiltins, Initializers.Initializer.Get);
    }

    /// <summary>
    /// The keys Dense and Conv2D end with, in Keras' order: activation, use_bias, the two initializers, and the
    /// regularizers and constraints Dendrite does not have (null); <c>activity_regularizer</c> where Keras writes it.
    /// </summary>
    public static void AddKernelKeys(JsonObject config, ActivationFunction activation, bool useBias, Initializer kernel, Initializer bias, bool activityRegularizer,
        Constraints.Constraint? kernelConstraint = null, Constraints.Constraint? biasConstraint = null)
    {
        config["activation"] = activation.Name;
        config["use_bias"] = useBias;
        config["kernel_initializer"] = kernel.Serialize();
        config["bias_initializer"] = bias.Serialize();
        config["kernel_regularizer"] = null;
        config["bias_regularizer"] = null;
        if (activityRegularizer) config["activity_regularizer"] = null;
        config["kernel_constraint"] = kernelConstraint?.Serialize();
        config["bias_constraint"] = biasConstraint?.Serialize();
    }

    /// <summary>Reads what <see cref="AddKernelKeys"/> writes: the activation, use_bias and the two initializers (see <see cref="KernelConstraints"/> for the constraints).</summary>
    public static (ActivationFunction Activation, bool UseBias, Initializer Kernel, Initializer Bias) KernelKeys(ConfigReader c)
    {
        NoRegularizers(c, "kernel_regularizer", "bias_regularizer", "activity_regularizer");
        c.RequireUnset("lora_rank", "Dendrite has no LoRA layers.");
        c.RequireUnset("lora_alpha", "Dendrite has no LoRA layers.");
        return (Activation(c), c.Bool("use_bias", true), Initializer(c, "kernel_initializer", new GlorotUniform()), Initializer(c, "bias_initializer", new Zeros()));
    }

    /// <summary>The <c>kernel_constraint</c> and <c>bias_constraint</c> of a layer config (null when unset).</summary>
    public static (Constraints.Constraint? Kernel, Constraints.Constraint? Bias) KernelConstraints(ConfigReader c) =>
        (Constraint(c, "kernel_constraint"), Constraint(c, "bias_constraint"));

    /// <summary>A constraint inside a layer config: a Keras name, a serialized constraint, or null.</summary>
    public static Constraints.Constraint? Constraint(ConfigReader c, string key) =>
        Constraints.Constraint.Read(c.Node(key), $"{c.What} \"{key}\"");

    /// <summary>Refuses regularizers and constraints: Dendrite has none, and dropping them would train another model.</summary>
    public static void NoRegularizers(ConfigReader c, params string[] keys)
    {
        foreach (string key in keys) c.RequireUnset(key, "Dendrite has no regularizers or constraints yet; training without it would give another model.");
    }

    /// <summary>Refuses <c>data_format</c> other than <c>channels_last</c>.</summary>
    public static void ChannelsLast(ConfigReader c)
    {
        string format = c.String("data_format", "channels_last");
        if (format != "channels_last") throw c.Cannot("data_format", "Dendrite's images are channels last; a channels_first layer would read its inputs in another order.");
    }

    /// <summary>Keras class name → reader, for every initializer Dendrite has.</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonObject, Initializer>> InitializerBuiltins = new Dictionary<string, Func<JsonObject, Initializer>>(StringComparer.Ordinal)
    {
        ["GlorotUniform"] = GlorotUniform.FromConfig,
        ["GlorotNormal"] = GlorotNormal.FromConfig,
        ["HeUniform"] = HeUniform.FromConfig,
        ["HeNormal"] = HeNormal.FromConfig,
        ["LecunUniform"] = LecunUniform.FromConfig,
        ["LecunNormal"] = LecunNormal.FromConfig,
        ["RandomUniform"] = RandomUniform.FromConfig,
        ["RandomNormal"] = RandomNormal.FromConfig,
        ["TruncatedNormal"] = TruncatedNormal.FromConfig,
        ["VarianceScaling"] = VarianceScaling.FromConfig,
        ["Orthogonal"] = Orthogonal.FromConfig,
        ["OrthogonalInitializer"] = Orthogonal.FromConfig,
        ["Zeros"] = Zeros.FromConfig,
        ["Ones"] = Ones.FromConfig,
        ["Constant"] = Constant.FromConfig,
    };

    /// <summary>A pair as Keras writes it: <c>[3, 3]</c>.</summary>
    public static JsonArray Pair(Size2D size) => KerasObject.Ints(size.Height, size.Width);

    /// <summary>A Size2D from an integer or a pair.</summary>
    public static Size2D? Size(ConfigReader c, string key) => c.IntTuple(key, 2) is int[] p ? new Size2D(p[0], p[1]) : null;

    /// <summary>The padding name: valid or same, and causal where <paramref name="allowCausal"/> (Conv1D, as in Keras).</summary>
    public static string Padding(ConfigReader c, bool allowCausal = false)
    {
        string padding = c.String("padding", "valid").ToLowerInvariant();
        return padding is "valid" or "same" || (allowCausal && padding == "causal") ? padding
            : throw c.Cannot("padding", allowCausal ? "\"valid\", \"same\" or \"causal\" was expected." : "Dendrite supports \"valid\" and \"same\" padding.");
    }

    /// <summary>The padding name as Keras writes it.</summary>
    public static string PaddingName(Autodiff.Padding padding) => Autodiff.PaddingNames.Name(padding);
}
