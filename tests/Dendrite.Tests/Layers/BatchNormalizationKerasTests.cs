using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Constraints;
using Dendrite.Layers;

namespace Dendrite.Tests.Layers;

/// <summary>
/// BatchNormalization's feature axis and masks, ported from keras/src/layers/normalization/batch_normalization_test.py
/// (each test names its Keras case), with finite-difference checks of the masked gradient.
/// </summary>
public class BatchNormalizationKerasTests
{
    private static float[] Normal(int seed, int count, double mean, double std)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            return (float)(mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        })];
    }

    /// <summary>Per-channel mean and population std over every axis but <paramref name="axis"/> (of the batched shape), in double.</summary>
    private static (double[] Mean, double[] Std) ChannelStats(ReadOnlySpan<float> values, int[] shape, int axis)
    {
        int c = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        var sum = new double[c]; var sq = new double[c]; var n = new double[c];
        for (int i = 0; i < values.Length; i++) { int j = i / inner % c; sum[j] += values[i]; n[j]++; }
        var mean = sum.Select((s, j) => s / n[j]).ToArray();
        for (int i = 0; i < values.Length; i++) { int j = i / inner % c; sq[j] += (values[i] - mean[j]) * (values[i] - mean[j]); }
        return (mean, [.. sq.Select((s, j) => Math.Sqrt(s / n[j]))]);
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_correctness
    // (axis −1 and 1, input shapes (5, 2, 3) and (5, 3, 3, 2), moving statistics starting at zeros or ones).
    [Theory]
    [InlineData(-1, new[] { 5, 2, 3 }, 0f, 0f)]
    [InlineData(-1, new[] { 5, 2, 3 }, 1f, 1f)]
    [InlineData(1, new[] { 5, 2, 3 }, 0f, 1f)]
    [InlineData(1, new[] { 5, 2, 3 }, 1f, 0f)]
    [InlineData(-1, new[] { 5, 3, 3, 2 }, 1f, 0f)]
    [InlineData(1, new[] { 5, 3, 3, 2 }, 0f, 1f)]
    [InlineData(1, new[] { 5, 3, 3, 2 }, 1f, 1f)]
    public void KerasTestCorrectness(int axis, int[] shape, float movingMeanStart, float movingVarianceStart)
    {
        var layer = new BatchNormalization(axis: axis, momentum: 0);
        layer.EnsureBuilt(new Shape(shape[1..]));
        int channels = shape[axis < 0 ? axis + shape.Length : axis];
        layer.MovingMean!.Assign(Enumerable.Repeat(movingMeanStart, channels).ToArray());
        layer.MovingVariance!.Assign(Enumerable.Repeat(movingVarianceStart, channels).ToArray());
        // Random data centred on 5.0, standard deviation 10.0.
        int size = shape.Aggregate(1, (a, b) => a * b);
        var xs = Normal(7, size, 5.0, 10.0);
        var x = new Tensor(xs, shape);
        // Keras' gamma and beta stay at their initial ones and zeros (the test divides them out anyway).
        var gamma = layer.Gamma!.Value.Values.ToArray();
        var beta = layer.Beta!.Value.Values.ToArray();
        var output = x;
        for (int i = 0; i < 3; i++) output = layer.Call(output, training: true);

        int a = axis < 0 ? axis + shape.Length : axis;
        int inner = shape.Skip(a + 1).Aggregate(1, (p, q) => p * q);
        var unscaled = output.Values.ToArray().Select((v, i) => (v - beta[i / inner % channels]) / gamma[i / inner % channels]).ToArray();
        var (mean, std) = ChannelStats(unscaled, shape, a);
        Assert.All(mean, m => Assert.Equal(0.0, m, 1e-3));
        Assert.All(std, s => Assert.Equal(1.0, s, 1e-3));
        Assert.All(layer.MovingMean.Value.Values.ToArray(), m => Assert.Equal(0.0, m, 1e-3));

        // Inference done before training does not match; with momentum 0, inference after training does.
        var inference = layer.Call(x, training: false).Values.ToArray();
        var training = layer.Call(x, training: true).Values.ToArray();
        Assert.Contains(inference.Zip(training), p => Math.Abs(p.First - p.Second) > 1e-3);
        training = layer.Call(x, training: true).Values.ToArray();
        inference = layer.Call(x, training: false).Values.ToArray();
        for (int i = 0; i < size; i++) Assert.Equal(training[i], inference[i], 1e-4 * (1 + Math.Abs(training[i])));
    }

    // test_correctness's mask part: a mask changes nothing at inference, and changes the training result.
    [Fact]
    public void KerasTestCorrectnessMaskedPart()
    {
        var layer = new BatchNormalization(momentum: 0);
        layer.EnsureBuilt(new Shape(2, 3));
        var xs = Normal(8, 5 * 2 * 3, 5, 10);
        for (int b = 0; b < 5; b++) for (int j = 0; j < 3; j++) xs[b * 6 + 3 + j] = 0; // x[:, 1, :] = 0
        var mask = new Tensor([.. Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? 1f : 0f)], 5, 2);
        layer.Call(new Tensor(xs, 5, 2, 3), training: true); // moving statistics of the unmasked batch
        var unmasked = layer.Call(new Tensor(xs, 5, 2, 3), training: false).Values.ToArray();
        var masked = layer.Call(new Tensor(xs, 5, 2, 3) { Mask = mask }, training: false).Values.ToArray();
        Assert.Equal(unmasked, masked);
        var maskedTraining = layer.Call(new Tensor(xs, 5, 2, 3) { Mask = mask }, training: true).Values.ToArray();
        Assert.Contains(unmasked.Zip(maskedTraining), p => Math.Abs(p.First - p.Second) > 1e-2);
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_input_fully_masked
    [Fact]
    public void KerasTestInputFullyMasked()
    {
        var norm = new BatchNormalization(scale: false, center: false);
        norm.EnsureBuilt(new Shape(5));
        var y = norm.Call(new Tensor(new float[20], 4, 5) { Mask = new Tensor(new float[4], 4) }, training: true);
        Assert.All(y.Values.ToArray(), v => Assert.Equal(0f, v));
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_bachnorm_ignore_masked_values
    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.1)]
    [InlineData(false, 1.0)]
    public void KerasTestBatchnormIgnoreMaskedValues(bool runEagerly, double maskValue)
    {
        float m = (float)maskValue;
        var padded = Enumerable.Range(0, 10).SelectMany(_ => new[] { 1f, 5f, 2f, 5f, m, m, m, m }).ToArray();
        var data = new NDArray<float>(padded, 10, 4, 2);
        var inputs = new Input([4, 2]);
        var masked = new Masking(maskValue).Call(inputs);
        var bn = new BatchNormalization(momentum: 0.0);
        var model = new Model(inputs, bn.Call(masked));
        model.Compile("rmsprop", "mean_squared_error", runEagerly: runEagerly);
        model.Fit(data, data, batchSize: 10, epochs: 5, verbose: 0);
        Assert.Equal(1.5, bn.MovingMean!.Value.Values[0], 1e-6);
        Assert.Equal(5.0, bn.MovingMean.Value.Values[1], 1e-6);
        Assert.Equal(0.25, bn.MovingVariance!.Value.Values[0], 1e-6);
        Assert.Equal(0.0, bn.MovingVariance.Value.Values[1], 1e-6);
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_masked_broadcast_normalization
    [Fact]
    public void KerasTestMaskedBroadcastNormalization()
    {
        var layer = new BatchNormalization(axis: -1, momentum: 0.0, epsilon: 1e-3);
        layer.EnsureBuilt(new Shape(2, 3, 4));
        var x = new Tensor([.. Enumerable.Repeat(1f, 24)], 1, 2, 3, 4) { Mask = new Tensor([1f, 1f], 1, 2, 1) };
        var y = layer.Call(x, training: true);
        Assert.All(y.Values.ToArray(), v => Assert.Equal(0.0, v, 1e-6));
        Assert.All(layer.MovingMean!.Value.Values.ToArray(), v => Assert.Equal(1.0, v, 1e-6));
        Assert.All(layer.MovingVariance!.Value.Values.ToArray(), v => Assert.Equal(0.0, v, 1e-6));
    }

    [Fact]
    public void AMaskOfTheWrongRankIsRefusedAsKerasDoes()
    {
        var layer = new BatchNormalization();
        layer.EnsureBuilt(new Shape(2, 3));
        var e = Assert.Throws<ArgumentException>(() => layer.Call(new Tensor(new float[12], 2, 2, 3) { Mask = new Tensor(new float[2], 2) }, training: true));
        Assert.Contains("the mask provided should be one dimension less than the inputs", e.Message);
        var channelsFirst = new BatchNormalization(axis: 1);
        channelsFirst.EnsureBuilt(new Shape(2, 3));
        Assert.Throws<NotSupportedException>(() => channelsFirst.Call(new Tensor(new float[12], 2, 2, 3) { Mask = new Tensor(new float[4], 2, 2) }, training: true));
        Assert.Contains("axis=3 is not a feature axis", Assert.Throws<ArgumentException>(() => new BatchNormalization(axis: 3).EnsureBuilt(new Shape(2, 3))).Message);
        Assert.Contains("axis=-3 is not a feature axis", Assert.Throws<ArgumentException>(() => new BatchNormalization(axis: -3).EnsureBuilt(new Shape(2, 3))).Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheMaskedTrainingGradientMatchesFiniteDifferences(bool withGammaBeta)
    {
        // Loss Σ w·y over a (3, 4, 2) batch with a mask that drops 5 of the 12 rows: dL/dx, dγ, dβ against central
        // differences in float64 of the float32 layer.
        var xs = Normal(21, 24, 0.3, 1.0);
        var weights = Normal(22, 24, 0, 1.0);
        float[] maskValues = [1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0];
        BatchNormalization Make()
        {
            var bn = new BatchNormalization(center: withGammaBeta, scale: withGammaBeta);
            bn.EnsureBuilt(new Shape(4, 2));
            if (withGammaBeta) { bn.Gamma!.Assign([1.3f, 0.6f]); bn.Beta!.Assign([0.1f, -0.2f]); }
            return bn;
        }
        double Loss(float[] input)
        {
            var y = Make().Call(new Tensor(input, 3, 4, 2) { Mask = new Tensor(maskValues, 3, 4) }, training: true).Values;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)weights[i] * y[i];
            return sum;
        }
        var layer = Make();
        var x = new Tensor(xs.ToArray(), new Shape(3, 4, 2), requiresGrad: true, borrowed: false) { Mask = new Tensor(maskValues, 3, 4) };
        using (var tape = GradientTape.Start())
        {
            var y = layer.Call(x, training: true);
            var loss = Ops.Sum(Ops.Multiply(y, new Tensor(weights, 3, 4, 2)));
            tape.Backward(loss);
        }
        var grad = x.Grad.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            var plus = xs.ToArray(); plus[i] += 1e-2f;
            var minus = xs.ToArray(); minus[i] -= 1e-2f;
            double fd = (Loss(plus) - Loss(minus)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(grad[i] - fd) <= 1e-3 + 1e-2 * Math.Abs(fd), $"dx[{i}]: tape {grad[i]}, finite difference {fd}");
        }
    }

    [Fact]
    public void AxisConstraintsAndTheMaskRoundTripThroughConfigs()
    {
        var bn = new BatchNormalization(axis: 1, gammaConstraint: new NonNeg(), betaConstraint: new MaxNorm(2, 0));
        var config = bn.GetConfig();
        Assert.Equal(1, (int)config["axis"]!);
        Assert.Equal("NonNeg", (string)config["gamma_constraint"]!["class_name"]!);
        var back = BatchNormalization.FromConfig(config);
        Assert.True(JsonNode.DeepEquals(config, back.GetConfig()));
        config["axis"] = -3;
        Assert.Equal(-3, BatchNormalization.FromConfig(config).Axis);
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_renorm_correctness
    [Fact]
    public void KerasTestRenormCorrectness()
    {
        const double epsilon = 1e-3, momentum = 0.9, renormMomentum = 0.8;
        var layer = new BatchNormalization(axis: -1, epsilon: epsilon, momentum: momentum, renorm: true, renormMomentum: renormMomentum);
        layer.EnsureBuilt(new Shape(3));
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance", "moving_stddev", "renorm_mean", "renorm_stddev"], layer.Weights.Select(w => w.Name));
        float[] movingMean = [0.3f, -1.1f, 0.5f], movingVar = [0.8f, 1.4f, 0.6f], renormMean = [-0.4f, 0.9f, 0.2f], renormStd = [1.2f, 0.7f, 1.5f];
        float[] gamma = [1.05f, 0.92f, 1.1f], beta = [0.03f, -0.08f, 0.12f];
        var movingStd = movingVar.Select(v => MathF.Sqrt(v)).ToArray();
        layer.MovingMean!.Assign(movingMean); layer.MovingVariance!.Assign(movingVar); layer.MovingStddev!.Assign(movingStd);
        layer.RenormMean!.Assign(renormMean); layer.RenormStddev!.Assign(renormStd);
        layer.Gamma!.Assign(gamma); layer.Beta!.Assign(beta);
        float[] x = [4, 6, 2, 8, -2, 5, 6, 4, 3];
        var y = layer.Call(new Tensor(x, 3, 3), training: true).Values.ToArray();
        for (int j = 0; j < 3; j++)
        {
            double mean = (x[j] + x[3 + j] + x[6 + j]) / 3.0;
            double variance = Enumerable.Range(0, 3).Sum(r => (x[r * 3 + j] - mean) * (x[r * 3 + j] - mean)) / 3;
            double std = Math.Sqrt(variance + epsilon), r = std / renormStd[j], d = (mean - renormMean[j]) / renormStd[j];
            for (int row = 0; row < 3; row++)
                Assert.Equal(((x[row * 3 + j] - mean) / std * r + d) * gamma[j] + beta[j], y[row * 3 + j], 1e-5);
            Assert.Equal(renormMean[j] * renormMomentum + mean * (1 - renormMomentum), layer.RenormMean.Value.Values[j], 1e-5);
            Assert.Equal(renormStd[j] * renormMomentum + std * (1 - renormMomentum), layer.RenormStddev.Value.Values[j], 1e-5);
            Assert.Equal(movingMean[j] * momentum + mean * (1 - momentum), layer.MovingMean.Value.Values[j], 1e-5);
            double expectedStd = movingStd[j] * momentum + std * (1 - momentum);
            Assert.Equal(expectedStd, layer.MovingStddev.Value.Values[j], 1e-5);
            Assert.Equal(expectedStd * expectedStd - epsilon, layer.MovingVariance.Value.Values[j], 1e-5);
        }
    }

    // keras/src/layers/normalization/batch_normalization_test.py::BatchNormalizationTest::test_renorm_inference
    [Fact]
    public void KerasTestRenormInference()
    {
        var bn = new BatchNormalization();
        var renorm = new BatchNormalization(renorm: true);
        bn.EnsureBuilt(new Shape(10));
        renorm.EnsureBuilt(new Shape(10));
        for (int k = 0; k < 4; k++)
        {
            var values = Normal(30 + k, 10, k == 3 ? 2 : 0, 1).Select(v => k == 3 ? MathF.Abs(v) : v).ToArray();
            bn.Weights[k].Assign(values);
            renorm.Weights[k].Assign(values);
        }
        var x = new Tensor(Normal(40, 40, 0, 1), 4, 10);
        Assert.Equal(bn.Call(x, training: false).Values.ToArray(), renorm.Call(x, training: false).Values.ToArray());
    }

    [Fact]
    public void RenormGradientTreatsRAndDAsConstants()
    {
        // dL/dγ = Σ dy·(x̂·r + d) and dL/dx = the batch-norm gradient with the effective scale r·γ (Keras' stop_gradient).
        var layer = new BatchNormalization(renorm: true, renormClipping: new RenormClipping(RMax: 1.5, RMin: 0.5, DMax: 0.25));
        layer.EnsureBuilt(new Shape(2));
        layer.RenormMean!.Assign([0.5f, -0.5f]);
        layer.RenormStddev!.Assign([0.4f, 3f]);
        var plain = new BatchNormalization();
        plain.EnsureBuilt(new Shape(2));
        var xs = Normal(50, 10, 0.2, 1.3);
        var x = new Tensor(xs.ToArray(), new Shape(5, 2), requiresGrad: true, borrowed: false);
        var x2 = new Tensor(xs.ToArray(), new Shape(5, 2), requiresGrad: true, borrowed: false);
        var weights = new Tensor(Normal(51, 10, 0, 1), 5, 2);
        using (var tape = GradientTape.Start())
        {
            tape.Backward(Ops.Sum(Ops.Multiply(layer.Call(x, training: true), weights)));
        }
        using (var tape = GradientTape.Start())
        {
            tape.Backward(Ops.Sum(Ops.Multiply(plain.Call(x2, training: true), weights)));
        }
        // The clipped corrections: r = clip(s/0.4, 0.5, 1.5), d = clip((μ − 0.5)/0.4, ±0.25) for channel 0, etc.
        for (int j = 0; j < 2; j++)
        {
            double mean = Enumerable.Range(0, 5).Average(r => (double)xs[r * 2 + j]);
            double variance = Enumerable.Range(0, 5).Average(r => (xs[r * 2 + j] - mean) * (xs[r * 2 + j] - mean));
            double std = Math.Sqrt(variance + 1e-3), ren = j == 0 ? 0.4 : 3.0, renMean = j == 0 ? 0.5 : -0.5;
            double r = Math.Clamp(std / ren, 0.5, 1.5), d = Math.Clamp((mean - renMean) / ren, -0.25, 0.25);
            double dGamma = Enumerable.Range(0, 5).Sum(row => weights.Values[row * 2 + j] * ((xs[row * 2 + j] - mean) / std * r + d));
            Assert.Equal(dGamma, layer.Gamma!.Value.Grad[j], 1e-4);
            for (int row = 0; row < 5; row++)
                Assert.Equal(x2.Grad[row * 2 + j] * r, x.Grad[row * 2 + j], 1e-4);
        }
    }

    // ::test_renorm_invalid_clipping_keys and ::test_serialization
    [Fact]
    public void KerasTestRenormInvalidClippingKeysAndSerialization()
    {
        Assert.Contains("rmax should be", Assert.Throws<ArgumentException>(() => new BatchNormalization(renorm: true, renormClipping: new RenormClipping(RMax: 0.0, RMin: 1.0))).Message);
        Assert.Contains("dmax should be non-negative", Assert.Throws<ArgumentException>(() => new BatchNormalization(renorm: true, renormClipping: new RenormClipping(RMax: 1.0, DMax: -1.0))).Message);
        var layer = new BatchNormalization(renorm: true, renormClipping: new RenormClipping(RMax: 3.0, RMin: 0.3, DMax: 5.0), renormMomentum: 0.95);
        var config = layer.GetConfig();
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["rmax"] = 3.0, ["rmin"] = 0.3, ["dmax"] = 5.0 }, config["renorm_clipping"]));
        Assert.True(JsonNode.DeepEquals(config, BatchNormalization.FromConfig(config).GetConfig()));
        config["renorm_clipping"] = new JsonObject { ["random_key"] = 1.0 };
        Assert.Contains("Received invalid keys", Assert.Throws<Dendrite.Saving.ModelFormatException>(() => BatchNormalization.FromConfig(config)).Message);
    }

    [Fact]
    public void ARenormModelTrainsAlikeEagerAndReplayedAndSavesItsSevenWeights()
    {
        var x = new NDArray<float>(Normal(60, 48, 1, 2), 12, 4);
        var y = new NDArray<float>(Normal(61, 24, 0, 1), 12, 2);
        Sequential Make() => new(new InputLayer([4]), new Dense(3, kernelInitializer: "ones"),
            new BatchNormalization(renorm: true, renormClipping: new RenormClipping(RMax: 2, RMin: 0.5, DMax: 1), momentum: 0.8), new Dense(2, kernelInitializer: "ones"));
        float[] Train(bool eager, out Sequential model)
        {
            model = Make();
            model.Compile(new Dendrite.Optimizers.SGD(0.05f), "mse", runEagerly: eager);
            model.Fit(x, y, epochs: 3, batchSize: 4, shuffle: false, verbose: 0);
            return [.. model.Weights.SelectMany(w => w.Value.Values.ToArray())];
        }
        var eager = Train(true, out _);
        var replayed = Train(false, out var trained);
        Assert.Equal(eager, replayed);
        using var dir = new Dendrite.Tests.Datasets.TempDir();
        string path = dir.Sub("renorm.keras");
        trained.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(7, loaded.Layers.OfType<BatchNormalization>().Single().Weights.Count);
        Assert.Equal(trained.Predict(x, verbose: 0).AsSpan().ToArray(), loaded.Predict(x, verbose: 0).AsSpan().ToArray());
    }
}
