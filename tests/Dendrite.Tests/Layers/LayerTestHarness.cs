using System.Reflection;
using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Layers;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Layers;

/// <summary>One configuration of a layer to put through <see cref="LayerTestHarness.Run"/>.</summary>
internal sealed class LayerSpec
{
    /// <summary>The case's name, unique among the cases (it is the xunit theory argument).</summary>
    public required string Name { get; init; }

    /// <summary>Makes a fresh, unbuilt layer (an <see cref="InputLayer"/> is built from its own shape).</summary>
    public required Func<Layer> Create { get; init; }

    /// <summary>The per-sample shape of every input (several for the merging layers).</summary>
    public required int[][] InputShapes { get; init; }

    /// <summary>The per-sample output shape the layer must declare and produce; null to check only that they agree.</summary>
    public int[]? ExpectedOutputShape { get; init; }

    /// <summary>Every weight after building, in order: name, shape, trainable. Null leaves the weights unchecked.</summary>
    public (string Name, int[] Shape, bool Trainable)[]? ExpectedWeights { get; init; }

    /// <summary>
    /// The inputs' values, one array per input, for a batch (the argument: the element count of each batched input).
    /// Null: values of magnitude in [0.05, 1] with random signs (away from ReLU's kink by more than the step).
    /// </summary>
    public Func<int[], float[][]>? Inputs { get; init; }

    /// <summary>
    /// The value each weight is set to before anything runs (argument: the variable and its index); null: uniform in
    /// [−0.5, 0.5], or in [0.5, 1.5] for <c>gamma</c> and <c>moving_variance</c> (a variance must be positive).
    /// </summary>
    public Func<Variable, int, float[]>? Weights { get; init; }

    /// <summary>
    /// The expected output in float64 from the layer (for its weights), the batched inputs and the batch size; null
    /// when the case has no value check. It is compared with <c>Predict</c>'s output, or with
    /// <c>Call(training: true)</c>'s when <see cref="Training"/> is set.
    /// </summary>
    public Func<Layer, float[][], int, double[]>? Reference { get; init; }

    /// <summary>
    /// |actual − expected| ≤ tolerance·(1 + |expected|) for <see cref="Reference"/>; 0 demands that the output equal the
    /// float32 rounding of the float64 value exactly.
    /// </summary>
    public double ReferenceTolerance { get; init; } = 1e-5;

    /// <summary>Whether the value and gradient checks call the layer in training mode (BatchNormalization's batch statistics).</summary>
    public bool Training { get; init; }

    /// <summary>
    /// Whether two copies of the layer made from one config compute the same training step: false only for a layer
    /// whose training output draws from the global random generator (Dropout without a seed).
    /// </summary>
    public bool DeterministicTraining { get; init; } = true;

    /// <summary>
    /// Inputs without a finite-difference gradient check: integer indices (an Embedding's, where a step would change
    /// the index), or a Masking layer's padded steps (a step would unmask them). The weights are still checked.
    /// </summary>
    public bool InputsNotDifferentiable { get; init; }

    /// <summary>
    /// Whether the inputs carry a mask: in each sample some time steps (rows of the last axis) are padding, all zeros,
    /// and in the model every input of rank ≥ 2 passes through a <see cref="Masking"/> layer first; direct calls get
    /// the same mask attached (fixed, so that finite differences do not move it). The reference sees the zero rows.
    /// </summary>
    public bool Masked { get; init; }

    /// <summary>
    /// Indices (in <see cref="Layer.Weights"/>) of trainable weights whose gradient is zero by construction, so that
    /// training cannot move them: a recurrent kernel over a single step from the zero state (h_prev·U is 0 whatever U is), or attention's key bias, which shifts every score of a row alike and so leaves the
    /// softmax unchanged (in float32 it is rounding noise, so such a weight may move a little or not at all). Their
    /// gradient is still checked against the finite difference (zero).
    /// </summary>
    public int[] WeightsWithoutGradient { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// The shared layer test, after Keras' <c>run_layer_test</c> (keras/src/testing/test_case.py): one call puts a layer
/// configuration through building in a functional model, declared against real output shapes, its config round
/// trip, a whole-model <c>.keras</c> save and load, an optional float64 value check, a finite-difference check of the
/// gradients with respect to its input(s) and trainable weights, and a few steps of <c>Fit</c>, eager and replayed.
/// </summary>
internal static class LayerTestHarness
{
    /// <summary>Batch sizes whose <c>Predict</c> output shapes are checked.</summary>
    public static readonly int[] BatchSizes = [1, 3];

    /// <summary>Batch size of the value and gradient checks.</summary>
    public const int CheckBatch = 3;

    /// <summary>Central-difference step (on float32 values; the difference is divided by the step actually taken).</summary>
    public const double Step = 1e-2;

    /// <summary>Gradient agreement: |tape − finite difference| ≤ <see cref="AbsoluteTolerance"/> + <see cref="RelativeTolerance"/>·|finite difference|.</summary>
    public const double AbsoluteTolerance = 1e-3;

    /// <inheritdoc cref="AbsoluteTolerance"/>
    public const double RelativeTolerance = 1e-2;

    /// <summary>Runs every check on one layer configuration; the first failure fails the test.</summary>
    public static void Run(LayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shapes = spec.InputShapes.Select(s => new Shape(s)).ToArray();
        int seed = StableSeed(spec.Name);

        // 1. Build: wrap the layer in a functional model; the weights exist, with the expected names, shapes and trainability.
        var layer = spec.Create();
        var (model, symbolic) = Wrap(layer, shapes, spec.Masked);
        Assert.True(layer.Built, $"{spec.Name}: the layer is not built after being called on symbolic inputs.");
        Assert.Contains(layer, model.Layers);
        Assert.Equal(shapes, layer.InputShapes);
        if (spec.ExpectedWeights is { } expectedWeights)
        {
            Assert.Equal(expectedWeights.Select(w => w.Name), layer.Weights.Select(w => w.Name));
            Assert.Equal(expectedWeights.Select(w => new Shape(w.Shape)), layer.Weights.Select(w => w.Shape));
            Assert.Equal(expectedWeights.Select(w => w.Trainable), layer.Weights.Select(w => w.Trainable));
            // A frozen layer (Trainable false) has no trainable weights at all, as in Keras.
            Assert.Equal(layer.Trainable ? expectedWeights.Count(w => w.Trainable) : 0, layer.TrainableWeights.Count());
            Assert.Equal(layer.Trainable ? expectedWeights.Count(w => !w.Trainable) : expectedWeights.Length, layer.NonTrainableWeights.Count());
            Assert.Equal(expectedWeights.Sum(w => (long)new Shape(w.Shape).Size), layer.CountParams());
        }
        Assert.All(layer.Weights, w => Assert.Equal(layer.Trainable && w.Trainable, w.Value.RequiresGrad));
        Assert.Equal(layer.Weights.Count, model.Weights.Count);
        for (int i = 0; i < layer.Weights.Count; i++)
        {
            var w = layer.Weights[i];
            w.Assign(spec.Weights?.Invoke(w, i) ?? DefaultWeight(w, seed + 100 + i));
        }

        // 2. The declared output shape (ComputeOutputShape, the symbolic tensor's) is the real one, for every batch size.
        var declared = shapes.Length == 1 ? layer.ComputeOutputShape(shapes[0]) : layer.ComputeOutputShape(shapes);
        Assert.Equal(declared, layer.ComputeOutputShape(shapes));
        Assert.Equal(declared, symbolic.Shape);
        Assert.Equal(declared, model.OutputShape);
        if (spec.ExpectedOutputShape is { } expectedShape) Assert.Equal(new Shape(expectedShape), declared);
        foreach (int batch in BatchSizes)
        {
            var x = MakeInputs(spec, shapes, batch, seed + batch);
            int[] batched = [batch, .. declared.ToArray()];
            Assert.Equal(batched, Predict(model, shapes, x).Shape.ToArray());
            // The layer called directly, in both modes, gives the same shape.
            foreach (bool training in new[] { false, true })
                Assert.Equal(batched, CallLayer(layer, Tensors(x, shapes, batch, requiresGrad: false, spec.Masked), training).Shape.ToArray());
        }

        var inputs = MakeInputs(spec, shapes, CheckBatch, seed);
        // A training call may update weights (BatchNormalization's moving statistics): it runs first, so that the
        // weights behind the inference output below are those every later comparison copies.
        float[]? trainingOutput = spec.Training ? CallLayer(layer, Tensors(inputs, shapes, CheckBatch, requiresGrad: false, spec.Masked), training: true).Values.ToArray() : null;
        var outputValues = Predict(model, shapes, inputs).ToArray();

        // An optional value check against a float64 reference.
        if (spec.Reference is { } reference)
            AssertMatchesReference(spec.Name, reference(layer, inputs, CheckBatch), trainingOutput ?? outputValues, spec.ReferenceTolerance);

        // 3. Config round trip: same class, same config, and (with the weights copied) bit-identical outputs.
        var config = layer.GetConfig();
        var serialized = layer.Serialize();
        Assert.Equal(new[] { "module", "class_name", "config", "registered_name" }, serialized.Select(p => p.Key));
        Assert.Equal(layer.ClassName, (string?)serialized["class_name"]);
        AssertSameJson(config, serialized["config"], $"{spec.Name}: Serialize()[\"config\"] against GetConfig()");
        // Through JSON text, as in a file.
        var copy = Layer.Deserialize(JsonNode.Parse(serialized.ToJsonString())!);
        Assert.Equal(layer.GetType(), copy.GetType());
        Assert.Equal(layer.Name, copy.Name);
        AssertSameJson(config, copy.GetConfig(), $"{spec.Name}: the deserialized layer's config");
        var fromConfig = layer.GetType().GetMethod("FromConfig", BindingFlags.Public | BindingFlags.Static, [typeof(JsonObject)]);
        Assert.True(fromConfig is not null, $"{layer.GetType().Name} has no public static FromConfig(JsonObject).");
        var direct = (Layer)fromConfig.Invoke(null, [config.DeepClone().AsObject()])!;
        Assert.Equal(layer.GetType(), direct.GetType());
        AssertSameJson(config, direct.GetConfig(), $"{spec.Name}: {layer.GetType().Name}.FromConfig(config)'s config");
        var (copyModel, copySymbolic) = Wrap(copy, shapes, spec.Masked);
        Assert.Equal(declared, copySymbolic.Shape);
        Assert.Equal(layer.Weights.Select(w => (w.Name, w.Shape, w.Trainable)), copy.Weights.Select(w => (w.Name, w.Shape, w.Trainable)));
        copyModel.SetWeights(model.GetWeights());
        AssertBitIdentical(outputValues, Predict(copyModel, shapes, inputs).ToArray(), $"{spec.Name}: the deserialized layer's output");
        AssertSameJson(config, copy.GetConfig(), $"{spec.Name}: the deserialized layer's config once built");
        AssertSameJson(config, layer.GetConfig(), $"{spec.Name}: the config after running the layer");

        // 4. Save and load the whole model: same layers, same config, bit-identical weights and outputs.
        string folder = Path.Combine(Path.GetTempPath(), $"dendrite-layer-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "m.keras");
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Layers.Select(l => (l.Name, l.GetType())), loaded.Layers.Select(l => (l.Name, l.GetType())));
            var loadedLayer = loaded.Layers.Single(l => l.Name == layer.Name);
            AssertSameJson(config, loadedLayer.GetConfig(), $"{spec.Name}: the loaded layer's config");
            Assert.Equal(shapes, loadedLayer.InputShapes);
            Assert.Equal(declared, loaded.OutputShape);
            Assert.Equal(layer.Weights.Count, loadedLayer.Weights.Count);
            for (int i = 0; i < layer.Weights.Count; i++)
            {
                Assert.Equal(layer.Weights[i].Name, loadedLayer.Weights[i].Name);
                AssertBitIdentical(layer.Weights[i].Value.Values.ToArray(), loadedLayer.Weights[i].Value.Values.ToArray(), $"{spec.Name}: loaded weight '{layer.Weights[i].Name}'");
            }
            AssertBitIdentical(outputValues, Predict(loaded, shapes, inputs).ToArray(), $"{spec.Name}: the loaded model's output");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // 5. Gradients: the tape against central finite differences, for the input(s) and every trainable weight.
        // Nothing is skipped: where a layer has kinks (ReLU, max pooling, Maximum, Minimum), its case picks inputs
        // and weights that keep every evaluation more than the step away from them (see EveryLayerTests). Dropout in
        // training draws a new random mask per call, so it has no finite difference; the harness checks it at
        // inference (the identity) and EveryLayerTests.DropoutInTrainingKeepsTheScale checks its training gradient.
        CheckGradients(spec, layer, shapes, inputs, seed);

        // 6. Training (Keras' run_training_check): Fit two fresh copies for two epochs of two batches, one eagerly and
        // one replaying its recorded step; the trainable weights move, and both copies end bit-identical.
        CheckTraining(spec, layer, serialized, model.GetWeights(), shapes, seed);
    }

    private static void CheckTraining(LayerSpec spec, Layer layer, JsonObject serialized, IReadOnlyList<NDArray<float>> weights, Shape[] shapes, int seed)
    {
        const int samples = 6;
        var x = MakeInputs(spec, shapes, samples, seed + 3);
        var outputShape = layer.ComputeOutputShape(shapes);
        var y = new NDArray<float>(TestData.Uniform(seed + 4, samples * outputShape.Size), [samples, .. outputShape.ToArray()]);
        var models = new Model[2];
        var histories = new double[2][];
        for (int m = 0; m < 2; m++)
        {
            var copy = Layer.Deserialize(JsonNode.Parse(serialized.ToJsonString())!);
            var (model, _) = Wrap(copy, shapes, spec.Masked);
            model.SetWeights(weights);
            model.Compile(new SGD(0.1f), "mean_squared_error", runEagerly: m == 0);
            var arrays = x.Select((v, i) => (NDArray)new NDArray<float>((float[])v.Clone(), [samples, .. shapes[i].ToArray()])).ToArray();
            histories[m] = [.. model.Fit(arrays, [y], epochs: 2, batchSize: 3, shuffle: false, verbose: 0)["loss"]];
            Assert.All(histories[m], loss => Assert.True(double.IsFinite(loss), $"{spec.Name}: training loss {loss}."));
            models[m] = model;
            var trained = model.Layers.Single(l => l.Name == layer.Name);
            for (int i = 0; i < trained.Weights.Count; i++)
            {
                var w = trained.Weights[i];
                bool moved = !w.Value.Values.SequenceEqual(weights[i].AsSpan());
                // Trainable weights move; so do BatchNormalization's moving statistics, unless the layer is frozen.
                // A weight without a gradient moves by rounding noise or not at all: either is right.
                if (spec.WeightsWithoutGradient.Contains(i)) continue;
                bool shouldMove = trained.Trainable && (w.Trainable || trained is BatchNormalization);
                Assert.True(moved == shouldMove, $"{spec.Name}: weight '{w.Name}' {(moved ? "changed" : "did not change")} in training ({(m == 0 ? "eager" : "replayed")}).");
            }
        }
        if (!spec.DeterministicTraining) return;
        Assert.Equal(histories[0], histories[1]);
        var eager = models[0].GetWeights();
        var replayed = models[1].GetWeights();
        for (int i = 0; i < eager.Count; i++)
            AssertBitIdentical(eager[i].ToArray(), replayed[i].ToArray(), $"{spec.Name}: weight {i} after eager against replayed training");
    }

    /// <summary>Wraps <paramref name="layer"/> in a functional model: <c>new Input(shape)</c> → <c>layer.Call(...)</c> → <c>new Model(inputs, output)</c>.</summary>
    internal static (Model Model, KerasTensor Output) Wrap(Layer layer, Shape[] shapes, bool masked = false)
    {
        if (layer is InputLayer inputLayer)
        {
            // An InputLayer is the model's input itself: the model is the identity on it.
            Assert.Single(shapes);
            var input = Input.ForLayer(inputLayer);
            Assert.Equal(shapes[0], input.Shape);
            return (new Model(input, input), input);
        }
        var inputs = shapes.Select(s => (KerasTensor)new Input(s.ToArray())).ToArray();
        var layerInputs = masked ? inputs.Select(i => i.Shape.Rank >= 2 ? new Masking().Call(i) : i).ToArray() : inputs;
        var output = layer.Call(layerInputs);
        return (new Model(inputs, [output]), output);
    }

    private static NDArray<float> Predict(Model model, Shape[] shapes, float[][] inputs)
    {
        int batch = inputs[0].Length / shapes[0].Size;
        var arrays = new NDArray[shapes.Length];
        for (int i = 0; i < shapes.Length; i++) arrays[i] = new NDArray<float>((float[])inputs[i].Clone(), [batch, .. shapes[i].ToArray()]);
        var outputs = model.Predict(arrays, verbose: 0);
        Assert.Single(outputs);
        return outputs[0];
    }

    private static Tensor[] Tensors(float[][] inputs, Shape[] shapes, int batch, bool requiresGrad, bool masked = false)
    {
        var tensors = inputs.Select((x, i) => requiresGrad ? TestData.Param((float[])x.Clone(), [batch, .. shapes[i].ToArray()]) : TestData.Const(x, [batch, .. shapes[i].ToArray()])).ToArray();
        if (masked)
            foreach (var t in tensors)
                if (t.Shape.Rank >= 3) t.Mask = Ops.AnyNotEqualMask(TestData.Const(t.Values.ToArray(), t.Shape.ToArray()), 0f);
        return tensors;
    }

    /// <summary>
    /// Zeroes whole time steps of each sample of every input of rank ≥ 2 (per sample): sample b pads its last b mod T
    /// steps and, when T ≥ 4, also step 1, so that masks with leading, interior and trailing padding all occur, and
    /// sample 0 keeps every step except the interior one.
    /// </summary>
    internal static void ZeroPaddedSteps(float[][] values, Shape[] shapes)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (shapes[i].Rank < 2) continue;
            int features = shapes[i][^1], steps = shapes[i].Size / features, samples = values[i].Length / shapes[i].Size;
            for (int b = 0; b < samples; b++)
                for (int t = 0; t < steps; t++)
                    if (IsPadding(b, t, steps)) values[i].AsSpan((b * steps + t) * features, features).Clear();
        }
    }

    /// <summary>Whether step <paramref name="t"/> of sample <paramref name="b"/> is padding in <see cref="ZeroPaddedSteps"/>.</summary>
    internal static bool IsPadding(int b, int t, int steps) => t >= steps - (b % steps) || (steps >= 4 && t == 1);

    private static Tensor CallLayer(Layer layer, Tensor[] inputs, bool training) =>
        inputs.Length == 1 ? layer.Call(inputs[0], training) : layer.Call(inputs, training);

    private static float[][] MakeInputs(LayerSpec spec, Shape[] shapes, int batch, int seed)
    {
        var counts = shapes.Select(s => batch * s.Size).ToArray();
        var values = spec.Inputs?.Invoke(counts) ?? [.. counts.Select((n, i) => TestData.AwayFromZero(seed * 31 + i + batch, n, 0.05, 1.0))];
        Assert.Equal(counts, values.Select(v => v.Length));
        if (spec.Masked) ZeroPaddedSteps(values, shapes);
        return values;
    }

    private static float[] DefaultWeight(Variable w, int seed) =>
        w.Name is "gamma" or "moving_variance" ? TestData.Uniform(seed, w.Shape.Size, 0.5, 1.5) : TestData.Uniform(seed, w.Shape.Size, -0.5, 0.5);

    /// <summary>A seed from the case name that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableSeed(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name) hash = (hash ^ c) * 16777619;
        return (int)(hash % 100_000);
    }

    /// <summary>
    /// Finite differences of f = Σ wᵢ·yᵢ (w random in [−1, 1], the sum accumulated in float64 from the float32 output)
    /// against the tape's gradient of the same sum (<see cref="TestOps.WeightedSum"/>), element by element.
    /// </summary>
    private static void CheckGradients(LayerSpec spec, Layer layer, Shape[] shapes, float[][] inputValues, int seed)
    {
        string name = spec.Name;
        bool training = spec.Training;
        Assert.Null(GradientTape.Current);
        var inputs = Tensors(inputValues, shapes, CheckBatch, requiresGrad: true, spec.Masked);
        var checkedTensors = (spec.InputsNotDifferentiable ? [] : inputs.Select((t, i) => (What: $"input {i}", Tensor: t)))
            .Concat(layer.TrainableWeights.Select(w => (What: $"weight '{w.Name}'", Tensor: w.Value))).ToArray();
        Assert.All(checkedTensors, c => Assert.True(c.Tensor.RequiresGrad, $"{name}: {c.What} does not require a gradient."));

        float[] sumWeights = [];
        float[][] analytic;
        using (var tape = GradientTape.Start())
        {
            var y = CallLayer(layer, inputs, training);
            sumWeights = TestData.Uniform(seed + 7, y.Size, -1, 1);
            tape.Backward(TestOps.WeightedSum(y, sumWeights));
            // A tensor the backward pass did not reach has a zero gradient (its buffer may hold an older pass's).
            analytic = [.. checkedTensors.Select(c => c.Tensor.GradGeneration == tape.LastGeneration ? c.Tensor.Grad.ToArray() : new float[c.Tensor.Size])];
        }

        double F()
        {
            Assert.Null(GradientTape.Current);
            var y = CallLayer(layer, inputs, training).Values;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)sumWeights[i] * y[i];
            return sum;
        }

        for (int t = 0; t < checkedTensors.Length; t++)
        {
            var (what, tensor) = checkedTensors[t];
            for (int i = 0; i < tensor.Size; i++)
            {
                float original = tensor.Values[i];
                float plus = (float)(original + Step), minus = (float)(original - Step);
                tensor.Values[i] = plus;
                double fPlus = F();
                tensor.Values[i] = minus;
                double fMinus = F();
                tensor.Values[i] = original;
                double numeric = (fPlus - fMinus) / ((double)plus - minus);
                double error = Math.Abs(analytic[t][i] - numeric);
                if (!(error <= AbsoluteTolerance + RelativeTolerance * Math.Abs(numeric)))
                    Assert.Fail($"{name}: gradient of {what} (shape {tensor.Shape}), element {i}: tape {analytic[t][i]:G7}, finite difference {numeric:G7}.");
            }
        }
    }

    internal static void AssertMatchesReference(string name, double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool ok = tolerance == 0 ? actual[i] == (float)expected[i] : Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]));
            if (!ok) Assert.Fail($"{name}: output element {i} is {actual[i]:G9}, the float64 reference {expected[i]:G17} (tolerance {tolerance:G3}).");
        }
    }

    internal static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:G9}, expected bit-identical {expected[i]:G9}.");
    }

    internal static void AssertSameJson(JsonNode? expected, JsonNode? actual, string what)
    {
        string e = expected?.ToJsonString() ?? "null", a = actual?.ToJsonString() ?? "null";
        if (!JsonNode.DeepEquals(expected, actual) || e != a) Assert.Fail($"{what} differs.\nexpected: {e}\nactual:   {a}");
    }
}
