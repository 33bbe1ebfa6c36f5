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
        config["renorm"] = true;
        Assert.Contains("renorm", Assert.Throws<Dendrite.Saving.ModelFormatException>(() => BatchNormalization.FromConfig(config)).Message);
    }
}
