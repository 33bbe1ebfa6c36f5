using Dendrite.Autodiff;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Training;

public class OptimizerTests
{
    private static Variable NewVariable(params float[] values) => new("w", new Shape(values.Length), values);

    /// <summary>Puts <paramref name="gradient"/> where a backward pass would leave it, then applies one step.</summary>
    private static void Step(Optimizer optimizer, Variable variable, params float[] gradient)
    {
        var grad = variable.Value.GradForAccumulation(generation: 1);
        gradient.CopyTo(grad);
        optimizer.Apply([variable]);
    }

    private static void AssertClose(double[] expected, Variable variable, double tolerance = 1e-6)
    {
        var actual = variable.Value.Values.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void RMSpropDefaultsAreKeras()
    {
        var rmsprop = new RMSprop();
        Assert.Equal(0.001f, rmsprop.LearningRate);
        Assert.Equal(0.9, rmsprop.Rho);
        Assert.Equal(0.0, rmsprop.Momentum);
        Assert.Equal(1e-7, rmsprop.Epsilon);
        Assert.False(rmsprop.Centered);
        Assert.Equal("rmsprop", rmsprop.Name);
        Assert.IsType<RMSprop>(Optimizer.Get("rmsprop"));
    }

    [Fact]
    public void RMSpropComputesOneMinusRhoInDoubleLikeKeras()
    {
        // Keras: (1 - 0.9) in Python floats, then float32 → 0.100000001; 1f - 0.9f would be 0.100000024.
        Assert.Equal((float)(1.0 - 0.9), new RMSprop().OneMinusRho);
        Assert.NotEqual(1f - 0.9f, new RMSprop().OneMinusRho);
    }

    [Fact]
    public void RMSpropFirstTwoStepsByHand()
    {
        double[] w = [1.0, -2.0, 0.5];
        double[] g1 = [0.5, -1.0, 2.0], g2 = [0.1, 0.2, -0.3];
        const double lr = 0.001, rho = 0.9, eps = 1e-7;
        var v = new double[3];
        var variable = NewVariable(1f, -2f, 0.5f);
        var optimizer = new RMSprop();

        foreach (var g in new[] { g1, g2 })
        {
            for (int i = 0; i < 3; i++)
            {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                w[i] -= lr * g[i] / Math.Sqrt(v[i] + eps);
            }
            Step(optimizer, variable, [.. g.Select(x => (float)x)]);
            AssertClose(w, variable);
        }
        // The first step moves every weight by lr/sqrt(1 − rho) = 0.0031623 against its gradient's sign.
        Assert.Equal(2, optimizer.Iterations);
    }

    [Fact]
    public void RMSpropFirstStepIsLearningRateOverSqrtOneMinusRho()
    {
        var variable = NewVariable(0f, 0f);
        Step(new RMSprop(), variable, 3f, -0.25f);
        AssertClose([-0.0031622775, 0.0031622524], variable, 2e-9);
    }

    [Fact]
    public void RMSpropPutsEpsilonInsideTheSquareRoot()
    {
        // Tiny gradient: v = 0.1·1e-8 = 1e-9, so eps = 1e-7 dominates the denominator.
        const double g = 1e-4, lr = 0.001, eps = 1e-7;
        double v = 0.1 * g * g;
        double keras = lr * g / Math.Sqrt(v + eps);          // 3.1466e-4
        double pytorch = lr * g / (Math.Sqrt(v) + eps);      // 3.1524e-3
        var variable = NewVariable(0f);
        Step(new RMSprop(), variable, (float)g);
        double moved = -variable.Value.Values[0];
        Assert.Equal(keras, moved, 1e-8);
        Assert.True(Math.Abs(moved - pytorch) > 0.5 * pytorch, $"moved {moved}, the PyTorch form would move {pytorch}");
    }

    [Fact]
    public void RMSpropWithMomentumTwoStepsByHand()
    {
        const double lr = 0.01, rho = 0.9, momentum = 0.5, eps = 1e-7;
        double[] w = [0.3, -0.7], m = new double[2], v = new double[2];
        var variable = NewVariable(0.3f, -0.7f);
        var optimizer = new RMSprop(learningRate: 0.01f, momentum: 0.5f);
        foreach (var g in new[] { new[] { 0.4, -0.2 }, new[] { -0.1, -0.6 } })
        {
            for (int i = 0; i < 2; i++)
            {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                double increment = lr * g[i] / Math.Sqrt(v[i] + eps);
                m[i] = momentum * m[i] + increment;
                w[i] -= m[i];
            }
            Step(optimizer, variable, [.. g.Select(x => (float)x)]);
            AssertClose(w, variable);
        }
    }

    [Fact]
    public void RMSpropCenteredOneStepByHand()
    {
        // v = 0.1·g², a = 0.1·g, denominator v − a² + eps = 0.09·g² + eps: the step is lr/0.3 = 0.0033333, not 0.0031623.
        const double lr = 0.001, eps = 1e-7;
        double[] g = [0.5, -2.0];
        var variable = NewVariable(1f, 1f);
        Step(new RMSprop(centered: true), variable, 0.5f, -2f);
        double[] expected = [.. g.Select(gi => 1 - lr * gi / Math.Sqrt(0.1 * gi * gi - 0.01 * gi * gi + eps))];
        AssertClose(expected, variable);
        Assert.Equal(1 - 0.001 / 0.3, variable.Value.Values[0], 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void RMSpropCenteredThreeStepsByHand(double momentum)
    {
        // Keras: a ← rho·a + (1 − rho)·g; denominator v − a² + eps; with momentum m ← momentum·m + inc, w ← w − m.
        const double lr = 0.01, rho = 0.9, eps = 1e-7;
        double[] w = [0.3, -0.7], v = new double[2], a = new double[2], m = new double[2];
        var variable = NewVariable(0.3f, -0.7f);
        var optimizer = new RMSprop(learningRate: 0.01f, momentum: momentum, centered: true);
        foreach (var g in new[] { new[] { 0.4, -0.2 }, new[] { -0.1, -0.6 }, new[] { 0.25, 0.5 } })
        {
            for (int i = 0; i < 2; i++)
            {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                a[i] = rho * a[i] + (1 - rho) * g[i];
                double increment = lr * g[i] / Math.Sqrt(v[i] - a[i] * a[i] + eps);
                m[i] = momentum * m[i] + increment;
                w[i] -= momentum > 0 ? m[i] : increment;
            }
            Step(optimizer, variable, [.. g.Select(x => (float)x)]);
            AssertClose(w, variable);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(129)]
    public void RMSpropVectorAndScalarPathsGiveIdenticalBits(int size)
    {
        // One variable of `size` elements goes through the SIMD loop (for size ≥ the vector width);
        // `size` one-element variables only through the scalar tail.
        var initial = TestData.Uniform(size, size);
        var whole = new Variable("whole", new Shape(size), (float[])initial.Clone());
        var pieces = Enumerable.Range(0, size).Select(i => new Variable($"p{i}", new Shape(1), [initial[i]])).ToArray();
        var wholeOptimizer = new RMSprop(learningRate: 0.01f);
        var piecesOptimizer = new RMSprop(learningRate: 0.01f);
        for (int step = 0; step < 3; step++)
        {
            var g = TestData.Uniform(1000 * size + step, size, -2, 2);
            g[0] = 1e-5f;   // a tiny gradient too, where eps matters
            g.CopyTo(whole.Value.GradForAccumulation(1));
            wholeOptimizer.Apply([whole]);
            for (int i = 0; i < size; i++) pieces[i].Value.GradForAccumulation(1)[0] = g[i];
            piecesOptimizer.Apply(pieces);
        }
        for (int i = 0; i < size; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(pieces[i].Value.Values[0]), BitConverter.SingleToInt32Bits(whole.Value.Values[i]));
    }

    [Fact]
    public void RMSpropLeavesAVariableWithoutGradientAlone()
    {
        var reached = NewVariable(1f);
        var untouched = NewVariable(5f);
        reached.Value.GradForAccumulation(1)[0] = 1f;
        new RMSprop().Apply([reached, untouched]);
        Assert.NotEqual(1f, reached.Value.Values[0]);
        Assert.Equal(5f, untouched.Value.Values[0]);
    }

    [Fact]
    public void SGDDefaultsAreKeras()
    {
        var sgd = new SGD();
        Assert.Equal(0.01f, sgd.LearningRate);
        Assert.Equal(0.0, sgd.Momentum);
        Assert.False(sgd.Nesterov);
        Assert.IsType<SGD>(Optimizer.Get("sgd"));
    }

    [Fact]
    public void SGDWithoutMomentumByHand()
    {
        var variable = NewVariable(1f, -1f);
        var sgd = new SGD(learningRate: 0.1f);
        Step(sgd, variable, 0.5f, -2f);
        AssertClose([0.95, -0.8], variable);
        Step(sgd, variable, 1f, 1f);
        AssertClose([0.85, -0.9], variable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SGDWithMomentumTwoStepsByHand(bool nesterov)
    {
        const double lr = 0.1, mu = 0.9;
        double[] w = [1.0, -1.0], m = new double[2];
        var variable = NewVariable(1f, -1f);
        var sgd = new SGD(learningRate: 0.1f, momentum: 0.9, nesterov: nesterov);
        foreach (var g in new[] { new[] { 0.5, -2.0 }, new[] { 1.0, 1.0 } })
        {
            for (int i = 0; i < 2; i++)
            {
                m[i] = m[i] * mu - g[i] * lr;
                w[i] += nesterov ? m[i] * mu - g[i] * lr : m[i];
            }
            Step(sgd, variable, [.. g.Select(x => (float)x)]);
            AssertClose(w, variable);
        }
        // The two variants really differ after two steps.
        Assert.Equal(nesterov ? 0.6745 : 0.805, w[0], 1e-9);
    }

    [Theory]
    [InlineData(-0.001f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void InvalidLearningRateThrows(float learningRate)
    {
        var rmsprop = Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(learningRate: learningRate));
        Assert.Contains("learning_rate", rmsprop.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(learningRate: learningRate));
    }

    [Fact]
    public void AZeroLearningRateIsAcceptedAsInKeras() => Assert.Equal(0f, new SGD(learningRate: 0f).LearningRate);

    [Fact]
    public void InvalidHyperparametersThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(rho: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(momentum: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(epsilon: -1e-7f));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(momentum: 1.5));
        Assert.Equal("momentum", error.ParamName);
        Assert.Contains("momentum=1.5", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(momentum: double.NaN));
    }
}
