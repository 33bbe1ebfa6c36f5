using System.Reflection;
using Dendrite.Activations;
using Dendrite.Autodiff;
using Dendrite.Initializers;
using Dendrite.Layers;
using Dendrite.Tests.Autodiff;
using Dendrite.Tests.Models;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Layers;

/// <summary>
/// Every built-in layer, in several configurations, through <see cref="LayerTestHarness"/>: build, declared against
/// real shapes, config round trip, .keras save and load, float64 value checks and finite-difference gradients.
/// </summary>
public partial class EveryLayerTests
{
    // ---- The theories: one per layer class, each case a configuration from Specs. ----

    [Theory, MemberData(nameof(CasesOf), "InputLayer")] public void InputLayerCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Dense")] public void DenseCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Conv2D")] public void Conv2DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "MaxPooling2D")] public void MaxPooling2DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "AveragePooling2D")] public void AveragePooling2DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "GlobalAveragePooling2D")] public void GlobalAveragePooling2DCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Flatten")] public void FlattenCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Reshape")] public void ReshapeCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Dropout")] public void DropoutCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Activation")] public void ActivationCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Rescaling")] public void RescalingCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "BatchNormalization")] public void BatchNormalizationCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "LayerNormalization")] public void LayerNormalizationCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Add")] public void AddCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Subtract")] public void SubtractCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Multiply")] public void MultiplyCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Average")] public void AverageCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Maximum")] public void MaximumCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Minimum")] public void MinimumCases(string name) => Run(name);
    [Theory, MemberData(nameof(CasesOf), "Concatenate")] public void ConcatenateCases(string name) => Run(name);

    public static TheoryData<string> CasesOf(string layerClass)
    {
        var names = Specs.Where(s => ClassOf(s) == layerClass).Select(s => s.Name).ToArray();
        Assert.NotEmpty(names);
        return new TheoryData<string>(names);
    }

    private static string ClassOf(LayerSpec spec) => spec.Name[..spec.Name.IndexOf('(')];

    private static void Run(string name) => LayerTestHarness.Run(Specs.Single(s => s.Name == name));

    /// <summary>Every concrete layer class of the library (and every class the config reader knows) has cases here.</summary>
    [Fact]
    public void EveryBuiltInLayerClassHasCases()
    {
        var classes = typeof(Layer).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract && t.IsPublic)
            .Select(t => t.Name).Order().ToArray();
        Assert.NotEmpty(classes);
        var covered = Specs.Select(ClassOf).Distinct().Order().ToArray();
        Assert.Equal(classes, covered);
        Assert.All(LayerConfigs.Builtins.Values.Select(read => read.Method.DeclaringType!.Name).Distinct(), c => Assert.Contains(c, covered));
        Assert.All(Specs, s => Assert.Equal(ClassOf(s), s.Create().GetType().Name));
        Assert.Equal(Specs.Count, Specs.Select(s => s.Name).Distinct().Count());
    }

    // ---- Dropout and BatchNormalization in training, beyond what the harness checks. ----

    /// <summary>
    /// Dropout(0.3) in training: each element is either dropped (0) or kept and scaled by exactly 1 / (1 − 0.3) in
    /// float32, about 30% are dropped, the mean is kept, the gradient is the same mask, and a fresh mask is drawn each call.
    /// (The harness checks inference, where it is the identity; a random mask has no finite-difference gradient.)
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(129)]
    public void DropoutInTrainingKeepsTheScale(int features)
    {
        var layer = new Dropout(0.3, seed: 1234);
        int batch = 20_000 / features + 1, n = batch * features;
        var values = AwayFromZero(features, n, 0.5, 1.5);
        float scale = (float)(1.0 / (1.0 - 0.3));
        var x = Param((float[])values.Clone(), batch, features);
        float[] w = Uniform(5, n, -1, 1);
        Tensor y;
        using (var tape = GradientTape.Start())
        {
            y = layer.Call(x, training: true);
            tape.Backward(TestOps.WeightedSum(y, w));
        }
        Assert.Equal(x.Shape, y.Shape);
        int dropped = 0;
        double sumX = 0, sumY = 0;
        for (int i = 0; i < n; i++)
        {
            float yi = y.Values[i];
            bool kept = yi != 0;
            if (kept) Assert.Equal(values[i] * scale, yi);
            else dropped++;
            Assert.Equal(kept ? w[i] * scale : 0f, x.Grad[i]);
            sumX += Math.Abs(values[i]);
            sumY += Math.Abs(yi);
        }
        // Binomial(n, 0.3): 5 standard deviations either way.
        double sigma = Math.Sqrt(n * 0.3 * 0.7);
        Assert.InRange(dropped, 0.3 * n - 5 * sigma, 0.3 * n + 5 * sigma);
        // The scale is kept: Σ|y| / Σ|x| is 1 within 5 of its standard deviations (about sqrt(rate / (1 − rate) / n),
        // widened by 1.2 for the spread of |x| over [0.5, 1.5]).
        double spread = 1.2 * Math.Sqrt(0.3 / 0.7 / n);
        Assert.InRange(sumY / sumX, 1 - 5 * spread, 1 + 5 * spread);
        // Inference is the identity; a second training call draws another mask.
        Assert.Equal(values, layer.Call(TestData.Const(values, batch, features)).Values.ToArray());
        var again = layer.Call(TestData.Const(values, batch, features), training: true).Values.ToArray();
        Assert.NotEqual(y.Values.ToArray(), again);
    }

    // ---- The cases. ----

    private static (string, int[], bool) T(string name, params int[] shape) => (name, shape, true);
    private static (string, int[], bool) NT(string name, params int[] shape) => (name, shape, false);

    internal static readonly IReadOnlyList<LayerSpec> Specs = BuildSpecs();

    private static List<LayerSpec> BuildSpecs()
    {
        var specs = new List<LayerSpec>();

        // InputLayer: the model's input itself, an identity.
        foreach (int[] shape in new[] { new[] { 1 }, [7], [4, 3, 2] })
            specs.Add(new()
            {
                Name = $"InputLayer({Text(shape)})",
                Create = () => new InputLayer(shape),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [],
                Reference = Identity,
                ReferenceTolerance = 0,
            });

        // Dense: every activation, with and without bias, on awkward widths, rank-3 inputs and non-default initializers.
        foreach (var (units, activation, useBias, shape) in new (int, string, bool, int[])[]
        {
            (5, "linear", true, [7]), (5, "linear", false, [7]), (4, "softmax", true, [7]), (3, "sigmoid", true, [1]),
            (3, "tanh", true, [129]), (1, "linear", true, [2, 7]), (4, "softmax", false, [3, 5]), (2, "sigmoid", false, [7]),
        })
            specs.Add(DenseSpec($"Dense({units}, {activation}{(useBias ? "" : ", no bias")}) on ({Text(shape)})", units, activation, useBias, shape));
        specs.Add(DenseSpec("Dense(6, relu) on (7)", 6, "relu", true, [7], reluMargin: true));
        specs.Add(DenseSpec("Dense(6, relu) on (2, 7)", 6, "relu", true, [2, 7], reluMargin: true));
        specs.Add(DenseSpec("Dense(3, relu, no bias) on (7), inputs of one sign", 3, "relu", false, [7], reluMargin: true));
        specs.Add(DenseSpec("Dense(3, tanh, RandomNormal(0, 0.05, seed 3), Constant(0.25)) on (7)", 3, "tanh", true, [7],
            kernelInitializer: new RandomNormal(0f, 0.05f, seed: 3), biasInitializer: new Constant(0.25f)));
        specs.Add(DenseSpec("Dense(2, linear, HeUniform(seed 11), Zeros) on (7)", 2, "linear", true, [7], kernelInitializer: new HeUniform(seed: 11)));
        // A name given explicitly, and a frozen layer (trainable false: no trainable weights, no weight gradient).
        specs.Add(DenseSpec("Dense(3, tanh, name \"my_dense\") on (7)", 3, "tanh", true, [7], layerName: "my_dense"));
        specs.Add(DenseSpec("Dense(4, linear, frozen) on (7)", 4, "linear", true, [7], frozen: true));
        // Constraints (loose enough not to bind on the harness's small weights) go through configs, saving and Fit.
        specs.Add(DenseSpec("Dense(3, tanh, kernel MaxNorm(100, axis [0, 1]), bias MinMaxNorm(0, 100)) on (7)", 3, "tanh", true, [7],
            kernelConstraint: new Dendrite.Constraints.MaxNorm(100, 0, 1), biasConstraint: new Dendrite.Constraints.MinMaxNorm(0, 100)));

        // Conv2D: strides 1 and 2, valid and same, dilation 2, rectangular kernels and strides, no bias, odd sizes.
        specs.Add(ConvSpec("Conv2D(3, 3) on (7, 7, 2)", 3, (3, 3), (1, 1), "valid", (1, 1), "linear", true, [7, 7, 2], [5, 5, 3]));
        specs.Add(ConvSpec("Conv2D(3, 3, same) on (7, 7, 2)", 3, (3, 3), (1, 1), "same", (1, 1), "linear", true, [7, 7, 2], [7, 7, 3]));
        specs.Add(ConvSpec("Conv2D(3, 3, strides 2) on (7, 9, 2)", 3, (3, 3), (2, 2), "valid", (1, 1), "linear", true, [7, 9, 2], [3, 4, 3]));
        specs.Add(ConvSpec("Conv2D(3, 3, strides 2, same) on (7, 9, 2)", 3, (3, 3), (2, 2), "same", (1, 1), "linear", true, [7, 9, 2], [4, 5, 3]));
        specs.Add(ConvSpec("Conv2D(2, (2, 5), strides (2, 3), same) on (7, 9, 1)", 2, (2, 5), (2, 3), "same", (1, 1), "linear", true, [7, 9, 1], [4, 3, 2]));
        specs.Add(ConvSpec("Conv2D(2, (2, 5), strides (2, 3)) on (7, 9, 1)", 2, (2, 5), (2, 3), "valid", (1, 1), "linear", true, [7, 9, 1], [3, 2, 2]));
        specs.Add(ConvSpec("Conv2D(4, 3, dilation 2) on (7, 8, 2)", 4, (3, 3), (1, 1), "valid", (2, 2), "linear", true, [7, 8, 2], [3, 4, 4]));
        specs.Add(ConvSpec("Conv2D(4, 3, dilation 2, same) on (7, 8, 2)", 4, (3, 3), (1, 1), "same", (2, 2), "linear", true, [7, 8, 2], [7, 8, 4]));
        specs.Add(ConvSpec("Conv2D(2, (3, 1), dilation (1, 2), same) on (5, 6, 3)", 2, (3, 1), (1, 1), "same", (1, 2), "linear", true, [5, 6, 3], [5, 6, 2]));
        specs.Add(ConvSpec("Conv2D(3, (1, 3), no bias) on (5, 7, 2)", 3, (1, 3), (1, 1), "valid", (1, 1), "linear", false, [5, 7, 2], [5, 5, 3]));
        specs.Add(ConvSpec("Conv2D(3, 3, strides 2, same, no bias) on (6, 6, 2)", 3, (3, 3), (2, 2), "same", (1, 1), "linear", false, [6, 6, 2], [3, 3, 3]));
        specs.Add(ConvSpec("Conv2D(5, 1) on (1, 1, 17)", 5, (1, 1), (1, 1), "valid", (1, 1), "linear", true, [1, 1, 17], [1, 1, 5]));
        specs.Add(ConvSpec("Conv2D(3, 3, sigmoid, same) on (5, 5, 2)", 3, (3, 3), (1, 1), "same", (1, 1), "sigmoid", true, [5, 5, 2], [5, 5, 3]));
        specs.Add(ConvSpec("Conv2D(3, 3, relu) on (7, 7, 2)", 3, (3, 3), (1, 1), "valid", (1, 1), "relu", true, [7, 7, 2], [5, 5, 3], reluMargin: true));
        specs.Add(ConvSpec("Conv2D(4, 3, relu, strides 2, same) on (7, 9, 2)", 4, (3, 3), (2, 2), "same", (1, 1), "relu", true, [7, 9, 2], [4, 5, 4], reluMargin: true));

        // Pooling: valid and same, strides other than the pool size, odd and rectangular inputs.
        foreach (bool max in new[] { true, false })
            foreach (var (pool, strides, padding, shape, output) in new ((int, int), (int, int)?, string, int[], int[])[]
            {
                ((2, 2), null, "valid", [7, 7, 2], [3, 3, 2]),
                ((2, 2), null, "same", [7, 7, 2], [4, 4, 2]),
                ((3, 3), (2, 2), "valid", [7, 9, 2], [3, 4, 2]),
                ((3, 3), (2, 2), "same", [7, 9, 2], [4, 5, 2]),
                ((2, 3), (1, 1), "valid", [4, 5, 2], [3, 3, 2]),
                ((2, 2), (1, 1), "same", [5, 5, 1], [5, 5, 1]),
                ((3, 2), (2, 1), "same", [5, 4, 3], [3, 4, 3]),
                ((1, 1), null, "valid", [1, 1, 3], [1, 1, 3]),
            })
                specs.Add(PoolSpec(max, pool, strides, padding, shape, output));

        foreach (var (shape, channels) in new[] { (new[] { 5, 6, 3 }, 3), ([1, 1, 7], 7), ([7, 3, 1], 1) })
            specs.Add(new()
            {
                Name = $"GlobalAveragePooling2D() on ({Text(shape)})",
                Create = () => new GlobalAveragePooling2D(),
                InputShapes = [shape],
                ExpectedOutputShape = [channels],
                ExpectedWeights = [],
                Reference = (_, x, batch) => GlobalAverage(x[0], batch, shape),
                ReferenceTolerance = 1e-6,
            });

        foreach (int[] shape in new[] { new[] { 5, 5, 3 }, [7], [1], [2, 3, 4, 1] })
            specs.Add(new()
            {
                Name = $"Flatten() on ({Text(shape)})",
                Create = () => new Flatten(),
                InputShapes = [shape],
                ExpectedOutputShape = [shape.Aggregate(1, (p, d) => p * d)],
                ExpectedWeights = [],
                Reference = Identity,
                ReferenceTolerance = 0,
            });

        // Reshape, with and without a −1: the values are the input's, in order.
        foreach (var (target, shape, output) in new (int[], int[], int[])[]
        {
            ([3, -1], [129], [3, 43]), ([-1, 3], [6, 4], [8, 3]), ([1, 1], [1], [1, 1]), ([1, -1, 1], [1], [1, 1, 1]),
            ([7, 1], [7], [7, 1]), ([4, -1, 2], [2, 3, 4], [4, 3, 2]), ([24], [2, 3, 4], [24]), ([-1], [43, 3], [129]),
        })
            specs.Add(new()
            {
                Name = $"Reshape(({Text(target)})) on ({Text(shape)})",
                Create = () => new Reshape(target),
                InputShapes = [shape],
                ExpectedOutputShape = output,
                ExpectedWeights = [],
                Reference = Identity,
                ReferenceTolerance = 0,
            });

        // Dropout: the identity at inference (training is DropoutInTrainingKeepsTheScale).
        foreach (var (rate, shape) in new[] { (0.3, new[] { 129 }), (0.3, [4, 3, 2]), (0.3, [1]), (0.0, [7]) })
            specs.Add(new()
            {
                Name = $"Dropout({rate}) on ({Text(shape)})",
                Create = () => new Dropout(rate, seed: 42),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [],
                Reference = Identity,
                ReferenceTolerance = 0,
            });
        specs.Add(new()
        {
            Name = "Dropout(0.5, no seed) on (7)",
            Create = () => new Dropout(0.5),
            DeterministicTraining = false, // each copy draws its masks from the global generator
            InputShapes = [[7]],
            ExpectedOutputShape = [7],
            ExpectedWeights = [],
            Reference = Identity,
            ReferenceTolerance = 0,
        });

        // Activation: each one; relu's inputs are away from 0 by more than the step (the default inputs).
        foreach (string activation in ActivationFunction.KnownNames)
            foreach (int[] shape in new[] { new[] { 7 }, [3, 5], [129], [1] })
                specs.Add(new()
                {
                    Name = $"Activation({activation}) on ({Text(shape)})",
                    Create = () => new Activation(activation),
                    InputShapes = [shape],
                    ExpectedOutputShape = shape,
                    ExpectedWeights = [],
                    Reference = (_, x, _) => Activate(activation, [.. x[0].Select(v => (double)v)], shape[^1]),
                    ReferenceTolerance = activation is "relu" or "linear" ? 0 : 1e-6,
                });

        // Rescaling: x·scale + offset, in float32 as Keras (two roundings): within 1e-6 of the float64 value.
        foreach (var (scale, offset, shape) in new[] { (1.0 / 255, 0.0, new[] { 129 }), (2.5, -1.0, [7]), (-0.5, 0.25, [1]), (1.0 / 127.5, -1.0, [4, 3, 2]) })
            specs.Add(new()
            {
                Name = $"Rescaling({scale:R}, {offset:R}) on ({Text(shape)})",
                Create = () => new Rescaling(scale, offset),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [],
                Inputs = counts => [Uniform(counts[0] + 17, counts[0], -300, 300)],
                Reference = (_, x, _) => [.. x[0].Select(v => v * scale + offset)],
                ReferenceTolerance = 1e-6,
            });

        // BatchNormalization: center / scale off, inference (moving statistics) and training (batch statistics).
        foreach (var (center, scale, training, shape) in new (bool, bool, bool, int[])[]
        {
            (true, true, false, [7]), (true, true, true, [7]), (true, true, true, [4, 3, 5]), (true, true, false, [4, 3, 5]),
            (false, true, true, [7]), (true, false, true, [7]), (false, false, true, [4, 3, 5]), (false, false, false, [7]),
            (false, true, false, [1]),
        })
            specs.Add(BatchNormSpec(center, scale, training, shape));
        // Frozen: even a training call normalises with the moving statistics and leaves them alone, as in Keras.
        specs.Add(new()
        {
            Name = "BatchNormalization(frozen) on (4, 3, 5), training",
            Create = () => new BatchNormalization { Trainable = false },
            InputShapes = [[4, 3, 5]],
            ExpectedOutputShape = [4, 3, 5],
            ExpectedWeights = [T("gamma", 5), T("beta", 5), NT("moving_mean", 5), NT("moving_variance", 5)],
            Training = true,
            Reference = (layer, x, _) => BatchNormReference((BatchNormalization)layer, x[0], 5, training: false),
        });
        specs.Add(new()
        {
            Name = "BatchNormalization(momentum 0.9, epsilon 0.01, axis 3) on (2, 3, 4), training",
            Create = () => new BatchNormalization(momentum: 0.9, epsilon: 0.01, axis: 3),
            InputShapes = [[2, 3, 4]],
            ExpectedOutputShape = [2, 3, 4],
            ExpectedWeights = [T("gamma", 4), T("beta", 4), NT("moving_mean", 4), NT("moving_variance", 4)],
            Training = true,
            Reference = (layer, x, _) => BatchNormReference((BatchNormalization)layer, x[0], 4, training: true),
        });

        // Another feature axis than the last (Keras' axis=1 for channels first, negative axes), training and inference.
        foreach (var (axis, shape, training) in new (int, int[], bool)[]
        {
            (1, [3, 4, 5], true), (1, [3, 4, 5], false), (-3, [3, 4, 5], true), (2, [2, 3, 4], true), (-2, [3, 4], true),
        })
            specs.Add(new()
            {
                Name = $"BatchNormalization(axis {axis}) on ({Text(shape)}), {(training ? "training" : "inference")}",
                Create = () => new BatchNormalization(axis: axis, gammaConstraint: "non_neg", betaConstraint: new Dendrite.Constraints.MaxNorm(5)),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [T("gamma", shape[(axis < 0 ? axis + shape.Length + 1 : axis) - 1]), T("beta", shape[(axis < 0 ? axis + shape.Length + 1 : axis) - 1]),
                    NT("moving_mean", shape[(axis < 0 ? axis + shape.Length + 1 : axis) - 1]), NT("moving_variance", shape[(axis < 0 ? axis + shape.Length + 1 : axis) - 1])],
                Training = training,
                Reference = (layer, x, batch) => BatchNormAxisReference((BatchNormalization)layer, x[0], [batch, .. shape], training),
            });
        // Batch renormalization with clipping. renorm_momentum 1 keeps renorm_mean and renorm_stddev (hence r and d)
        // fixed from call to call, so finite differences of gamma and beta see the same corrections; the input's
        // gradient treats r and d as constants (Keras' stop_gradient), which a finite difference cannot, so only the
        // weights are checked (KerasTestRenormCorrectness and RenormGradientTreatsRAndDAsConstants check the rest).
        specs.Add(new()
        {
            Name = "BatchNormalization(renorm, clipping, renorm momentum 1) on (6), training",
            Create = () => new BatchNormalization(momentum: 0.9, renorm: true, renormClipping: new RenormClipping(RMax: 1.3, RMin: 0.8, DMax: 0.2), renormMomentum: 1.0),
            InputShapes = [[6]],
            ExpectedOutputShape = [6],
            ExpectedWeights = [T("gamma", 6), T("beta", 6), NT("moving_mean", 6), NT("moving_variance", 6), NT("moving_stddev", 6), NT("renorm_mean", 6), NT("renorm_stddev", 6)],
            Training = true,
            InputsNotDifferentiable = true,
            WeightsWithoutGradient = [5, 6], // renorm_mean and renorm_stddev do not move with renorm_momentum 1
            Inputs = counts => [Spaced(counts[0], 0.3, seed: 6)],
            Weights = (w, i) => w.Name switch
            {
                "renorm_mean" => Uniform(80 + i, 6, -0.3, 0.3),
                "renorm_stddev" or "moving_stddev" => Uniform(80 + i, 6, 0.3, 1.5),
                "gamma" or "moving_variance" => Uniform(80 + i, 6, 0.5, 1.5),
                _ => Uniform(80 + i, 6, -0.5, 0.5),
            },
            Reference = (layer, x, batch) =>
            {
                var bn = (BatchNormalization)layer;
                var y = BatchNormAxisReference(bn, x[0], [batch, 6], training: true);
                var gamma = bn.Gamma!.Value.Values.ToArray();
                var beta = bn.Beta!.Value.Values.ToArray();
                var renormMean = bn.RenormMean!.Value.Values.ToArray();
                var renormStd = bn.RenormStddev!.Value.Values.ToArray();
                for (int j = 0; j < 6; j++)
                {
                    double mean = Enumerable.Range(0, batch).Average(r => (double)x[0][r * 6 + j]);
                    double variance = Enumerable.Range(0, batch).Average(r => (x[0][r * 6 + j] - mean) * (x[0][r * 6 + j] - mean));
                    double std = Math.Sqrt(variance + (float)bn.Epsilon), ren = Math.Max(renormStd[j], Math.Sqrt((float)bn.Epsilon));
                    double r = Math.Clamp(std / ren, 0.8, 1.3), d = Math.Clamp((mean - renormMean[j]) / ren, -0.2, 0.2);
                    // y holds x̂·γ + β: turn it into (x̂·r + d)·γ + β.
                    for (int row = 0; row < batch; row++)
                    {
                        double xhat = (y[row * 6 + j] - beta[j]) / gamma[j];
                        y[row * 6 + j] = (xhat * r + d) * gamma[j] + beta[j];
                    }
                }
                return y;
            },
        });
        // A mask (padded time steps, from Masking) leaves the padded rows out of the batch statistics, as in Keras 3.
        specs.Add(new()
        {
            Name = "BatchNormalization(masked) on (5, 3), training",
            Create = () => new BatchNormalization(),
            InputShapes = [[5, 3]],
            ExpectedOutputShape = [5, 3],
            ExpectedWeights = [T("gamma", 3), T("beta", 3), NT("moving_mean", 3), NT("moving_variance", 3)],
            Training = true,
            Masked = true,
            Reference = (layer, x, batch) => BatchNormAxisReference((BatchNormalization)layer, x[0], [batch, 5, 3], training: true, maskZeroRows: true),
        });

        foreach (var (center, scale, shape, epsilon) in new (bool, bool, int[], double)[]
        {
            (true, true, [7], 1e-3), (true, true, [3, 5], 1e-3), (false, true, [7], 1e-3), (true, false, [7], 1e-3),
            (false, false, [2, 2, 7], 1e-3), (true, true, [129], 1e-5),
        })
            specs.Add(new()
            {
                Name = $"LayerNormalization({Flags(center, scale)}, epsilon {epsilon:R}) on ({Text(shape)})",
                Create = () => new LayerNormalization(epsilon, center, scale),
                InputShapes = [shape],
                ExpectedOutputShape = shape,
                ExpectedWeights = [.. (scale ? new[] { T("gamma", shape[^1]) } : []), .. (center ? new[] { T("beta", shape[^1]) } : [])],
                Reference = (layer, x, _) => LayerNormReference((LayerNormalization)layer, x[0], shape[^1]),
            });

        // The element-wise merges on awkward sizes, with 2 and 3 inputs, against float64 loops. One float32 op on two
        // floats rounds the exact result once, so two-input Subtract, Multiply, Maximum, Minimum and Average (a sum
        // halved) must equal the float64 value rounded to float32 exactly; three inputs round twice (within 1e-6).
        foreach (var (layer, make, op) in new (string, Func<Layer>, Func<double[], double>)[]
        {
            ("Add", () => new Add(), v => v.Sum()),
            ("Subtract", () => new Subtract(), v => v[0] - v[1]),
            ("Multiply", () => new Multiply(), v => v.Aggregate(1.0, (p, x) => p * x)),
            ("Average", () => new Average(), v => v.Sum() / v.Length),
            ("Maximum", () => new Maximum(), v => v.Max()),
            ("Minimum", () => new Minimum(), v => v.Min()),
        })
            foreach (int inputCount in layer == "Subtract" ? new[] { 2 } : [2, 3])
                foreach (int[] shape in new[] { new[] { 1 }, [7], [129], [3, 43] })
                {
                    if (inputCount == 3 && shape.Length == 2) continue;
                    bool kinked = layer is "Maximum" or "Minimum";
                    specs.Add(new()
                    {
                        Name = $"{layer}() of {inputCount} ({Text(shape)})",
                        Create = make,
                        InputShapes = [.. Enumerable.Repeat(shape, inputCount)],
                        ExpectedOutputShape = shape,
                        ExpectedWeights = [],
                        // Maximum and Minimum: the inputs differ by at least 0.1 at every element (10 steps), so no
                        // finite difference crosses a tie, where they are not differentiable.
                        Inputs = kinked ? counts => Separated(counts, 0.1, seed: shape.Sum() + inputCount) : null,
                        Reference = (_, x, _) => Elementwise(x, op),
                        ReferenceTolerance = inputCount == 2 || layer is "Maximum" or "Minimum" ? 0 : 1e-6,
                    });
                }

        // Concatenate along the last axis and along others, of 2 and 3 inputs.
        foreach (var (axis, shapes, output) in new (int, int[][], int[])[]
        {
            (-1, [[7], [1]], [8]), (-1, [[3, 4], [3, 5], [3, 1]], [3, 10]), (1, [[7], [129]], [136]),
            (1, [[3, 4], [5, 4]], [8, 4]), (-2, [[3, 4], [5, 4]], [8, 4]), (2, [[2, 3, 4], [2, 1, 4]], [2, 4, 4]),
            (-3, [[2, 3, 4], [1, 3, 4], [3, 3, 4]], [6, 3, 4]), (3, [[2, 3, 4], [2, 3, 1]], [2, 3, 5]),
        })
            specs.Add(new()
            {
                Name = $"Concatenate(axis {axis}) of {string.Join(", ", shapes.Select(s => $"({Text(s)})"))}",
                Create = () => new Concatenate(axis),
                InputShapes = shapes,
                ExpectedOutputShape = output,
                ExpectedWeights = [],
                Reference = (_, x, batch) => Concatenation(x, shapes, axis, batch),
                ReferenceTolerance = 0,
            });

        // The sequence layers, each family in its own file (EveryLayerTests.*.cs).
        AddEmbeddingSpecs(specs);
        AddRecurrentSpecs(specs);
        AddConvolution1DSpecs(specs);
        AddAttentionSpecs(specs);
        return specs;
    }

    private static string Text(int[] shape) => string.Join(", ", shape);

    private static string Flags(bool center, bool scale) => (center, scale) switch
    {
        (true, true) => "center, scale",
        (true, false) => "center only",
        (false, true) => "scale only",
        _ => "no center, no scale",
    };

    private static LayerSpec DenseSpec(string name, int units, string activation, bool useBias, int[] shape, bool reluMargin = false,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? layerName = null, bool frozen = false,
        Dendrite.Constraints.Constraint? kernelConstraint = null, Dendrite.Constraints.Constraint? biasConstraint = null)
    {
        int inputDim = shape[^1];
        return new()
        {
            Name = name,
            Create = () => new Dense(units, activation, useBias, kernelInitializer, biasInitializer, layerName, kernelConstraint, biasConstraint) { Trainable = !frozen },
            InputShapes = [shape],
            ExpectedOutputShape = [.. shape[..^1], units],
            ExpectedWeights = useBias ? [T("kernel", inputDim, units), T("bias", units)] : [T("kernel", inputDim, units)],
            // ReLU is not differentiable at 0: a small kernel (|x·kernel| ≤ 7·0.3 = 2.1) and biases of ±3 keep every
            // pre-activation at least 0.9 from 0, so both sides are exercised and no finite difference crosses the kink.
            // Without a bias, inputs of one sign and a kernel of entries ≥ 0.05 in magnitude do it.
            Weights = reluMargin ? (w, _) => ReluMarginWeight(w, useBias) : null,
            Inputs = reluMargin && !useBias ? counts => [Uniform(3, counts[0], 0.2, 1.0)] : null,
            Reference = (layer, x, _) =>
            {
                var dense = (Dense)layer;
                return Activate(activation, DenseReference(x[0], dense.Kernel!.Value.Values.ToArray(), dense.Bias?.Value.Values.ToArray(), inputDim, units), units);
            },
            ReferenceTolerance = 1e-5,
        };
    }

    private static float[] ReluMarginWeight(Variable w, bool useBias)
    {
        if (w.Name == "bias") return [.. Enumerable.Range(0, w.Shape.Size).Select(i => i % 2 == 0 ? 3f : -3f)];
        if (useBias) return Uniform(w.Shape.Size, w.Shape.Size, -0.3, 0.3);
        // No bias: with positive inputs in [0.2, 1], a column of one sign gives |x·kernel| ≥ 7·0.2·0.05 = 0.07.
        int units = w.Shape[^1];
        var values = Uniform(w.Shape.Size, w.Shape.Size, 0.05, 0.5);
        for (int i = 0; i < values.Length; i++) if (i % units % 2 == 1) values[i] = -values[i];
        return values;
    }

    private static LayerSpec ConvSpec(string name, int filters, (int H, int W) kernel, (int H, int W) strides, string padding, (int H, int W) dilation,
        string activation, bool useBias, int[] shape, int[] output, bool reluMargin = false) => new()
        {
            Name = name,
            Create = () => new Conv2D(filters, kernel, strides, padding, dilation, activation, useBias),
            InputShapes = [shape],
            ExpectedOutputShape = output,
            ExpectedWeights = useBias ? [T("kernel", kernel.H, kernel.W, shape[2], filters), T("bias", filters)] : [T("kernel", kernel.H, kernel.W, shape[2], filters)],
            // ReLU: a kernel of entries ≤ 0.1 (|Σ| ≤ 9·2·0.1 = 1.8 with |x| ≤ 1) and biases of ±3 keep every
            // pre-activation at least 1.2 from the kink.
            Weights = reluMargin ? (w, _) => w.Name == "bias" ? [.. Enumerable.Range(0, w.Shape.Size).Select(i => i % 2 == 0 ? 3f : -3f)] : Uniform(w.Shape.Size, w.Shape.Size, -0.1, 0.1) : null,
            Reference = (layer, x, batch) =>
            {
                var conv = (Conv2D)layer;
                var y = ConvReference.Conv2D(x[0], batch, shape[0], shape[1], shape[2], conv.Kernel!.Value.Values.ToArray(), kernel.H, kernel.W, filters,
                    conv.Bias?.Value.Values.ToArray(), strides, dilation, padding == "same", out _, out _);
                return Activate(activation, y, filters);
            },
            ReferenceTolerance = 1e-5,
        };

    private static LayerSpec PoolSpec(bool max, (int H, int W) pool, (int H, int W)? strides, string padding, int[] shape, int[] output)
    {
        string layer = max ? "MaxPooling2D" : "AveragePooling2D";
        string stridesText = strides is { } s ? $", strides ({s.H}, {s.W})" : "";
        return new()
        {
            Name = $"{layer}(({pool.H}, {pool.W}){stridesText}, {padding}) on ({Text(shape)})",
            Create = () => max ? new MaxPooling2D(pool, strides is { } st ? st : null, padding) : new AveragePooling2D(pool, strides is { } st2 ? st2 : null, padding),
            InputShapes = [shape],
            ExpectedOutputShape = output,
            ExpectedWeights = [],
            // Max pooling is not differentiable where two covered inputs tie: distinct values 0.05 apart (5 steps) keep
            // every finite difference on one side of every comparison.
            Inputs = max ? counts => [Spaced(counts[0], 0.05, seed: shape.Sum() + pool.H)] : null,
            Reference = (_, x, batch) => ConvReference.Pool2D(x[0], batch, shape[0], shape[1], shape[2], pool, strides ?? pool, padding == "same", max, out int _, out int _),
            ReferenceTolerance = max ? 0 : 1e-6,
        };
    }

    private static LayerSpec BatchNormSpec(bool center, bool scale, bool training, int[] shape)
    {
        int channels = shape[^1];
        return new()
        {
            Name = $"BatchNormalization({Flags(center, scale)}) on ({Text(shape)}), {(training ? "training" : "inference")}",
            Create = () => new BatchNormalization(center: center, scale: scale),
            InputShapes = [shape],
            ExpectedOutputShape = shape,
            ExpectedWeights = [.. (scale ? new[] { T("gamma", channels) } : []), .. (center ? new[] { T("beta", channels) } : []),
                NT("moving_mean", channels), NT("moving_variance", channels)],
            Training = training,
            // Batch statistics over 3 rows of a (7)-wide input: values 0.3 apart keep each channel's variance well
            // above epsilon, where the normalisation bends slowly compared with the step.
            Inputs = shape.Length == 1 ? counts => [Spaced(counts[0], 0.3, seed: channels)] : null,
            Reference = (layer, x, _) => BatchNormReference((BatchNormalization)layer, x[0], channels, training),
        };
    }

    // ---- Input generators. ----

    /// <summary>A random permutation of values <paramref name="gap"/> apart, centred on 0 (no two equal, no ties in a max).</summary>
    private static float[] Spaced(int count, double gap, int seed)
    {
        var rng = new Random(seed);
        var order = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).ToArray();
        return [.. order.Select(k => (float)((k - count / 2.0) * gap))];
    }

    /// <summary>One array per input, where at every element the inputs differ pairwise by at least <paramref name="gap"/>.</summary>
    private static float[][] Separated(int[] counts, double gap, int seed)
    {
        var rng = new Random(seed);
        int k = counts.Length, n = counts[0];
        var result = counts.Select(c => new float[c]).ToArray();
        for (int j = 0; j < n; j++)
        {
            double level = -1 + 2 * rng.NextDouble();
            var order = Enumerable.Range(0, k).OrderBy(_ => rng.Next()).ToArray();
            for (int i = 0; i < k; i++)
            {
                result[order[i]][j] = (float)level;
                level += gap * (1 + rng.NextDouble());
            }
        }
        return result;
    }

    // ---- Float64 references. ----

    private static double[] Identity(Layer layer, float[][] x, int batch) => [.. x[0].Select(v => (double)v)];

    private static double[] Activate(string activation, double[] z, int lastDim)
    {
        switch (activation)
        {
            case "linear": return z;
            case "relu": return [.. z.Select(v => Math.Max(v, 0))];
            case "sigmoid": return [.. z.Select(v => 1 / (1 + Math.Exp(-v)))];
            case "tanh": return [.. z.Select(Math.Tanh)];
            case "softmax":
                var y = new double[z.Length];
                for (int r = 0; r < z.Length; r += lastDim)
                {
                    double max = z.Skip(r).Take(lastDim).Max(), sum = 0;
                    for (int j = 0; j < lastDim; j++) sum += y[r + j] = Math.Exp(z[r + j] - max);
                    for (int j = 0; j < lastDim; j++) y[r + j] /= sum;
                }
                return y;
            default: throw new ArgumentException(activation);
        }
    }

    private static double[] DenseReference(float[] x, float[] kernel, float[]? bias, int inputDim, int units)
    {
        int rows = x.Length / inputDim;
        var y = new double[rows * units];
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < units; u++)
            {
                double sum = bias is null ? 0 : bias[u];
                for (int k = 0; k < inputDim; k++) sum += (double)x[r * inputDim + k] * kernel[k * units + u];
                y[r * units + u] = sum;
            }
        return y;
    }

    private static double[] GlobalAverage(float[] x, int batch, int[] shape)
    {
        int positions = shape[0] * shape[1], channels = shape[2];
        var y = new double[batch * channels];
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < positions; p++)
                for (int c = 0; c < channels; c++) y[n * channels + c] += x[(n * positions + p) * channels + c];
        return [.. y.Select(v => v / positions)];
    }

    private static double[] BatchNormReference(BatchNormalization layer, float[] x, int channels, bool training)
    {
        var gamma = layer.Gamma?.Value.Values.ToArray() ?? [.. Enumerable.Repeat(1f, channels)];
        var beta = layer.Beta?.Value.Values.ToArray() ?? new float[channels];
        var (mean, variance) = training
            ? NormalizationLayerTests.Moments(x, channels)
            : ([.. layer.MovingMean!.Value.Values.ToArray().Select(v => (double)v)], [.. layer.MovingVariance!.Value.Values.ToArray().Select(v => (double)v)]);
        return NormalizationLayerTests.Normalize(x, channels, mean, variance, gamma, beta, layer.Epsilon);
    }

    /// <summary>
    /// BatchNormalization over any feature axis of the batched <paramref name="shape"/>, in float64; with
    /// <paramref name="maskZeroRows"/> (feature axis last), all-zero rows (the harness's padding) are left out of the
    /// moments, which then divide by the row count + 1e-7 as Keras' masked moments do.
    /// </summary>
    private static double[] BatchNormAxisReference(BatchNormalization layer, float[] x, int[] shape, bool training, bool maskZeroRows = false)
    {
        int axis = layer.Axis < 0 ? layer.Axis + shape.Length : layer.Axis;
        int c = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        var gamma = layer.Gamma?.Value.Values.ToArray() ?? [.. Enumerable.Repeat(1f, c)];
        var beta = layer.Beta?.Value.Values.ToArray() ?? new float[c];
        double[] mean, variance;
        if (training)
        {
            bool Counted(int i) => !maskZeroRows || Enumerable.Range(i - i % c, c).Any(k => x[k] != 0);
            var sum = new double[c]; var weight = new double[c];
            for (int i = 0; i < x.Length; i++) if (Counted(i)) { sum[i / inner % c] += x[i]; weight[i / inner % c]++; }
            double Divisor(int j) => maskZeroRows ? weight[j] + 1e-7 : weight[j];
            mean = [.. sum.Select((s, j) => s / Divisor(j))];
            var sq = new double[c];
            for (int i = 0; i < x.Length; i++) if (Counted(i)) { int j = i / inner % c; sq[j] += (x[i] - mean[j]) * (x[i] - mean[j]); }
            variance = [.. sq.Select((s, j) => s / Divisor(j))];
        }
        else
        {
            mean = [.. layer.MovingMean!.Value.Values.ToArray().Select(v => (double)v)];
            variance = [.. layer.MovingVariance!.Value.Values.ToArray().Select(v => (double)v)];
        }
        return [.. x.Select((v, i) => { int j = i / inner % c; return (v - mean[j]) / Math.Sqrt(variance[j] + (float)layer.Epsilon) * gamma[j] + beta[j]; })];
    }

    private static double[] LayerNormReference(LayerNormalization layer, float[] x, int features)
    {
        var gamma = layer.Gamma?.Value.Values.ToArray();
        var beta = layer.Beta?.Value.Values.ToArray();
        var y = new double[x.Length];
        for (int r = 0; r < x.Length; r += features)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < features; j++) mean += x[r + j];
            mean /= features;
            for (int j = 0; j < features; j++) variance += (x[r + j] - mean) * (x[r + j] - mean);
            variance /= features;
            for (int j = 0; j < features; j++)
                y[r + j] = (x[r + j] - mean) / Math.Sqrt(variance + (float)layer.Epsilon) * (gamma?[j] ?? 1) + (beta?[j] ?? 0);
        }
        return y;
    }

    private static double[] Elementwise(float[][] x, Func<double[], double> op) =>
        [.. Enumerable.Range(0, x[0].Length).Select(i => op([.. x.Select(input => (double)input[i])]))];

    /// <summary>Joins along the batched <paramref name="axis"/>: for each index before it, each input's block in turn.</summary>
    private static double[] Concatenation(float[][] x, int[][] shapes, int axis, int batch)
    {
        int rank = shapes[0].Length, perSample = (axis < 0 ? axis + rank + 1 : axis) - 1;
        int outer = batch * shapes[0][..perSample].Aggregate(1, (p, d) => p * d);
        var blocks = shapes.Select(s => s[perSample..].Aggregate(1, (p, d) => p * d)).ToArray();
        var y = new List<double>();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < x.Length; i++)
                for (int k = 0; k < blocks[i]; k++) y.Add(x[i][o * blocks[i] + k]);
        return [.. y];
    }
}
