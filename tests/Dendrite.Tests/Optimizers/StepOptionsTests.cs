using System.Text.Json.Nodes;
using Dendrite.Autodiff;
using Dendrite.Constraints;
using Dendrite.Layers;
using Dendrite.Optimizers;
using Dendrite.Tests.Datasets;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

/// <summary>
/// Keras' base-optimizer options use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps and
/// loss_scale_factor, and variable constraints applied after the update, ported from
/// keras/src/optimizers/optimizer_test.py (each test names its Keras case).
/// </summary>
public class StepOptionsTests
{
    private static void Close(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    // keras/src/optimizers/optimizer_test.py::OptimizerTest::test_ema
    [Fact]
    public void KerasTestEma()
    {
        var v = NewVariable(3f, 4f, 5f, 6f);
        var optimizer = new SGD(learningRate: 1f) { UseEma = true, EmaMomentum = 0.9, EmaOverwriteFrequency = 3 };
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([2, 3, 4, 5], v);
        Close([2, 3, 4, 5], optimizer.MovingAverages[0], 0); // initialized after the first step
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([1, 2, 3, 4], v);
        Close([1.9, 2.9, 3.9, 4.9], optimizer.MovingAverages[0], 1e-6);
        Step(optimizer, v, 1, 1, 1, 1);
        // The variables were overwritten with the EMA.
        AssertClose([1.71, 2.71, 3.71, 4.71], v, 1e-6);
        Close([1.71, 2.71, 3.71, 4.71], optimizer.MovingAverages[0], 1e-6);
    }

    // keras/src/optimizers/optimizer_test.py::OptimizerTest::test_ema_with_model_fit
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void KerasTestEmaWithModelFit(bool runEagerly)
    {
        var x = new NDArray<float>([1f], 1, 1);
        // Keras broadcasts its (1, 1) zeros against the (1, 2) output; Dendrite wants the output's shape: same loss.
        var y = new NDArray<float>([0f, 0f], 1, 2);
        var optimizer = new SGD(learningRate: 0.1f) { UseEma = true, EmaMomentum = 0.9 };
        var model = new Sequential(new InputLayer([1]), new Dense(2, kernelInitializer: "ones", useBias: false));
        model.Compile(optimizer, "mse", runEagerly: runEagerly);
        model.Fit(x, y, epochs: 2, batchSize: 1, verbose: 0);
        Close([0.891, 0.891], optimizer.MovingAverages[0], 1e-5);
        // Fit ends with finalize_variable_values: the kernel is its average.
        AssertClose([0.891, 0.891], model.TrainableWeights[0], 1e-5);
    }

    // keras/src/optimizers/optimizer_test.py::OptimizerTest::test_gradient_accumulation. Keras' current
    // base_optimizer reports iterations as calls // steps (that test was written when it counted calls).
    [Fact]
    public void KerasTestGradientAccumulation()
    {
        var v = NewVariable(1f, 2f, 3f, 4f);
        var optimizer = new SGD(learningRate: 1f) { GradientAccumulationSteps = 3 };
        Assert.Equal(3, optimizer.GradientAccumulationSteps);
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([1, 2, 3, 4], v, 0);
        Assert.Equal([1f, 1f, 1f, 1f], optimizer.AccumulatedGradients[0]);
        Assert.Equal(0, optimizer.Iterations);
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([1, 2, 3, 4], v, 0);
        Assert.Equal([2f, 2f, 2f, 2f], optimizer.AccumulatedGradients[0]);
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([0, 1, 2, 3], v, 0);
        Assert.Equal([0f, 0f, 0f, 0f], optimizer.AccumulatedGradients[0]);
        Assert.Equal(1, optimizer.Iterations);
        Step(optimizer, v, 1, 1, 1, 1);
        AssertClose([0, 1, 2, 3], v, 0);
        Assert.Equal([1f, 1f, 1f, 1f], optimizer.AccumulatedGradients[0]);
        Assert.Equal(1, optimizer.Iterations);
        Assert.Equal(4, optimizer.StepCount);
    }

    // keras/src/optimizers/optimizer_test.py::OptimizerTest::test_static_loss_scaling
    [Fact]
    public void KerasTestStaticLossScaling()
    {
        var v = NewVariable(1f, 2f, 3f, 4f);
        var optimizer = new SGD(learningRate: 1f) { LossScaleFactor = 1024 };
        Step(optimizer, v, 1024, 2048, 3072, 4096);
        Assert.Equal(1024f, optimizer.ScaleLoss(1f));
        AssertClose([0, 0, 0, 0], v, 0);
    }

    // keras/src/optimizers/optimizer_test.py::OptimizerTest::test_constraints_are_applied
    [Fact]
    public void KerasTestConstraintsAreApplied()
    {
        var random = new Random(5);
        var v = new Variable("w", new Shape(2, 2), [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble() - 1f)]) { Constraint = new NonNeg() };
        Step(new SGD(learningRate: 0.0001f), [v], [[0, 0, 0, 0]]);
        Assert.Equal(0f, v.Value.Values.ToArray().Min());
    }

    [Fact]
    public void AdamAccumulatingTwoEqualGradientsMatchesOneStepBitForBit()
    {
        // (g + g) / 2 = g exactly, and Adam's bias correction uses iterations = calls // steps: so two accumulated
        // calls give the very step one plain call gives.
        var accumulated = NewVariable(0.5f, -1.25f, 2f);
        var plain = NewVariable(0.5f, -1.25f, 2f);
        var withAccumulation = new Adam(0.01f) { GradientAccumulationSteps = 2 };
        var without = new Adam(0.01f);
        for (int update = 0; update < 3; update++)
        {
            double[] g = [0.3 + update, -0.7, 0.01 * update];
            Step(withAccumulation, accumulated, g);
            Step(withAccumulation, accumulated, g);
            Step(without, plain, g);
            Assert.Equal(plain.Value.Values.ToArray(), accumulated.Value.Values.ToArray());
        }
        Assert.Equal(3, withAccumulation.Iterations);
        Assert.Equal(6, withAccumulation.StepCount);
    }

    [Fact]
    public void ClippingActsOnTheAccumulatedMean()
    {
        // Keras clips (g1 + g2) / steps: [3, 4] and [3, 4] average to [3, 4], norm 5, clipped to norm 1.
        var v = NewVariable(0f, 0f);
        var optimizer = new SGD(learningRate: 1f) { GradientAccumulationSteps = 2, Clipnorm = 1 };
        Step(optimizer, v, 3, 4);
        AssertClose([0, 0], v, 0);
        Step(optimizer, v, 3, 4);
        AssertClose([-0.6, -0.8], v, 1e-7);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FitWithAccumulationOverTwoHalfBatchesMatchesOneFullBatch(bool runEagerly)
    {
        // The mean squared error of equal halves averages to the full batch's gradient, so two accumulated steps of
        // two samples equal one step of four (up to float rounding), whether the step is replayed or eager.
        var x = new NDArray<float>(TestData.Uniform(1, 12), 4, 3);
        var y = new NDArray<float>(TestData.Uniform(2, 8), 4, 2);
        float[] Train(int batchSize, int? accumulation)
        {
            var model = new Sequential(new InputLayer([3]), new Dense(2, kernelInitializer: "ones", biasInitializer: "zeros"));
            model.Compile(new Adam(0.05f) { GradientAccumulationSteps = accumulation }, "mse", runEagerly: runEagerly);
            model.Fit(x, y, epochs: 3, batchSize: batchSize, shuffle: false, verbose: 0);
            return model.TrainableWeights[0].Value.Values.ToArray();
        }
        var expected = Train(4, null);
        var actual = Train(2, 2);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5e-6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FitWithALossScaleTrainsAsWithout(bool runEagerly)
    {
        var x = new NDArray<float>(TestData.Uniform(3, 12), 4, 3);
        var y = new NDArray<float>(TestData.Uniform(4, 8), 4, 2);
        float[] Train(double? scale, out double loss)
        {
            var model = new Sequential(new InputLayer([3]), new Dense(2, kernelInitializer: "ones"));
            model.Compile(new SGD(0.1f) { LossScaleFactor = scale }, "mse", runEagerly: runEagerly);
            loss = model.Fit(x, y, epochs: 2, batchSize: 2, shuffle: false, verbose: 0)["loss"][^1];
            return model.TrainableWeights[0].Value.Values.ToArray();
        }
        var expected = Train(null, out double expectedLoss);
        var actual = Train(1000, out double actualLoss); // not a power of two: the scaling shows in the rounding only
        Assert.Equal(expectedLoss, actualLoss, 1e-6); // the logged loss is the unscaled one, as in Keras
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6);
    }

    [Fact]
    public void ConstraintsOfALayerAreAppliedAfterEveryFitStep()
    {
        var x = new NDArray<float>(TestData.Uniform(5, 24, 1, 2), 8, 3);
        var y = new NDArray<float>(TestData.Uniform(6, 16, 5, 9), 8, 2);
        var dense = new Dense(2, kernelConstraint: new MaxNorm(0.5), biasConstraint: "non_neg");
        var model = new Sequential(new InputLayer([3]), dense);
        model.Compile(new SGD(0.5f), "mse");
        model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0);
        var kernel = dense.Kernel!.Value.Values.ToArray();
        for (int unit = 0; unit < 2; unit++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 3).Sum(r => (double)kernel[r * 2 + unit] * kernel[r * 2 + unit]));
            Assert.True(norm <= 0.5 + 1e-6, $"unit {unit}: norm {norm}");
        }
        Assert.All(dense.Bias!.Value.Values.ToArray(), b => Assert.True(b >= 0));
    }

    [Fact]
    public void TheOptionsRoundTripThroughConfigsUnderKerasKeys()
    {
        var adam = new Adam(0.002f) { UseEma = true, EmaMomentum = 0.95, EmaOverwriteFrequency = 7, GradientAccumulationSteps = 4, LossScaleFactor = 128 };
        var config = adam.GetConfig();
        Assert.True((bool)config["use_ema"]!);
        Assert.Equal(0.95, (double)config["ema_momentum"]!);
        Assert.Equal(7, (int)config["ema_overwrite_frequency"]!);
        Assert.Equal(4, (int)config["gradient_accumulation_steps"]!);
        Assert.Equal(128.0, (double)config["loss_scale_factor"]!);
        var back = Optimizer.Deserialize(adam.Serialize());
        Assert.True(JsonNode.DeepEquals(config, back.GetConfig()), back.GetConfig().ToJsonString());
        foreach (string name in Optimizer.KnownNames)
        {
            var keras = Optimizer.Get(name).Serialize();
            keras["config"]!["use_ema"] = true;
            keras["config"]!["gradient_accumulation_steps"] = 2;
            keras["config"]!["loss_scale_factor"] = 8.0;
            var restored = Optimizer.Deserialize(keras);
            Assert.True(restored.UseEma && restored.GradientAccumulationSteps == 2 && restored.LossScaleFactor == 8.0, name);
        }
    }

    [Fact]
    public void BadValuesAreRefusedWithKerasMessages()
    {
        Assert.Contains("must be an integer >= 2", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { GradientAccumulationSteps = 1 }).Message);
        Assert.Contains("must be in the range [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { UseEma = true, EmaMomentum = 1.5 }).Message);
        Assert.Contains("must be an integer >= 1 or None", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { UseEma = true, EmaOverwriteFrequency = 0 }).Message);
        Assert.Contains("loss_scale_factor", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { LossScaleFactor = 0 }).Message);
        var config = new SGD().Serialize();
        config["config"]!["gradient_accumulation_steps"] = 1;
        Assert.Contains("gradient_accumulation_steps", Assert.Throws<Dendrite.Saving.ModelFormatException>(() => Optimizer.Deserialize(config)).Message);
    }

    [Fact]
    public void EmaAndAccumulatorStateIsSavedBeforeTheSlotsAndRestored()
    {
        using var dir = new TempDir();
        string path = dir.Sub("ema.weights.h5");
        var (x, y) = TestData.Blobs(32, seed: 4);
        Sequential Mlp() => new(new InputLayer([2]), new Dense(8, activation: "relu"), new Dense(3, activation: "softmax"));
        Optimizer NewAdam() => new Adam(0.01f) { UseEma = true, EmaOverwriteFrequency = 3, GradientAccumulationSteps = 2 };
        var original = Mlp();
        original.Compile(NewAdam(), "sparse_categorical_crossentropy");
        original.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0); // 4 calls: iterations 2
        // Keras' order: averages (one per variable), accumulators, then Adam's momentum/velocity pairs.
        var state = original.Optimizer!.SavedState!.ToList();
        int n = original.TrainableWeights.Count;
        Assert.Equal(4 * n, state.Count);
        Assert.Same(original.Optimizer.MovingAverages[1], state[1].Values);
        Assert.Same(original.Optimizer.AccumulatedGradients[0], state[n].Values);
        Assert.Equal(2 + state.Sum(s => (long)s.Values.Length), original.Optimizer.VariableCount);
        original.SaveWeights(path);

        var resumed = Mlp();
        resumed.Compile(NewAdam(), "sparse_categorical_crossentropy");
        resumed.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0); // builds the optimizer with other state
        resumed.LoadWeights(path);
        Assert.Equal(4, resumed.Optimizer!.StepCount);
        // Three more calls: an odd count, so the accumulators hold a gradient at the end.
        original.Fit(x, y, epochs: 1, batchSize: 12, shuffle: false, verbose: 0);
        resumed.Fit(x, y, epochs: 1, batchSize: 12, shuffle: false, verbose: 0);
        Saving.Bits.EqualWeights(original, resumed);
        for (int i = 0; i < n; i++) Saving.Bits.Equal(original.Optimizer.AccumulatedGradients[i], resumed.Optimizer.AccumulatedGradients[i]);
    }
}
