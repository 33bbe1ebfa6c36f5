using Dendrite.Autodiff;
using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

public class AdamTests
{
    /// <summary>
    /// Keras' Adam in float64: t = step + 1, alpha = lr·sqrt(1 − β2^t)/(1 − β1^t), epsilon added to sqrt(v). Keras
    /// raises the betas cast to float32 to the power t (0.999f = 0.99900001), which makes its first step
    /// lr·(1 − 6.7e-6) rather than lr; so does this.
    /// </summary>
    internal static void AdamByHand(double[] w, double[] m, double[] v, double[]? vHat, double[] g, int step, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-7)
    {
        int t = step + 1;
        double alpha = lr * Math.Sqrt(1 - Math.Pow((float)beta2, t)) / (1 - Math.Pow((float)beta1, t));
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * (1 - beta1);
            v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
            double denominatorV = v[i];
            if (vHat is not null) denominatorV = vHat[i] = Math.Max(vHat[i], v[i]);
            w[i] -= m[i] * alpha / (Math.Sqrt(denominatorV) + eps);
        }
    }

    [Fact]
    public void DefaultsAreKeras()
    {
        var adam = new Adam();
        Assert.Equal(0.001f, adam.LearningRate);
        Assert.Equal(0.9, adam.Beta1);
        Assert.Equal(0.999, adam.Beta2);
        Assert.Equal(1e-7, adam.Epsilon);
        Assert.False(adam.Amsgrad);
        Assert.Null(adam.WeightDecay);
        Assert.Null(adam.Clipnorm);
        Assert.Null(adam.Clipvalue);
        Assert.Null(adam.GlobalClipnorm);
        Assert.Equal("adam", adam.Name);
    }

    [Fact]
    public void ThreeStepsByHand()
    {
        double[] w = [1.0, -2.0, 0.5], m = new double[3], v = new double[3];
        var variable = NewVariable(1f, -2f, 0.5f);
        var adam = new Adam(learningRate: 0.1f);
        double[][] gradients = [[0.5, -1.0, 2.0], [0.25, 0.125, -0.75], [-1.5, 0.5, 0.0625]];
        for (int step = 0; step < 3; step++)
        {
            AdamByHand(w, m, v, null, gradients[step], step, lr: 0.1);
            Step(adam, variable, gradients[step]);
            AssertClose(w, variable, 1e-6);
        }
        // The first step moves each weight by lr against the sign of its gradient (m/sqrt(v) = 1 after correction).
        Assert.Equal(3, adam.Iterations);
    }

    [Fact]
    public void FirstStepIsAboutLearningRateTimesSign()
    {
        // m/sqrt(v) = (1 − β1)/sqrt(1 − β2) after one step, so the step is lr up to float32's β2 (0.999f), 1 − 0.9f in
        // the bias correction and epsilon: 0.0099999225, which AdamByHand reproduces.
        double[] w = [0, 0], m = new double[2], v = new double[2];
        AdamByHand(w, m, v, null, [3.0, -0.25], step: 0, lr: 0.01);
        var variable = NewVariable(0f, 0f);
        Step(new Adam(learningRate: 0.01f), variable, 3.0, -0.25);
        AssertClose(w, variable, 3e-9);
        Assert.Equal(-0.0099999225, w[0], 1e-9);
    }

    [Fact]
    public void EpsilonIsAddedToSqrtVNotToTheCorrectedEstimate()
    {
        // With a tiny gradient eps matters. Keras' epsilon-hat form: alpha·m/(sqrt(v) + eps) = 0.240·lr;
        // the paper's Algorithm 1, m̂/(sqrt(v̂) + eps) = g/(|g| + eps), would give 0.909·lr.
        const double g = 1e-6, lr = 0.01, eps = 1e-7;
        double alpha = lr * Math.Sqrt(1 - 0.999f) / (1 - 0.9f);   // Keras' powers use the float32 betas
        double kerasStep = alpha * (0.1 * g) / (Math.Sqrt(0.001 * g * g) + eps);
        double paperStep = lr * g / (g + eps);
        var variable = NewVariable(0f);
        Step(new Adam(learningRate: (float)lr), variable, g);
        double moved = -variable.Value.Values[0];
        Assert.Equal(kerasStep, moved, 1e-9);
        Assert.True(Math.Abs(moved - paperStep) > 0.5 * paperStep, $"moved {moved}, the paper's form would move {paperStep}");
    }

    [Fact]
    public void OneMinusBetaIsComputedInDoubleLikeKeras()
    {
        // Keras' Adam: (1 - self.beta_1) is a Python float, rounded to float32 only at the multiply.
        Assert.Equal((float)(1.0 - 0.9), new Adam().OneMinusBeta1);
        Assert.NotEqual(1f - 0.9f, new Adam().OneMinusBeta1);
    }

    [Fact]
    public void AmsgradKeepsTheMaximumOfV()
    {
        // A large gradient then small ones: v shrinks, v̂ stays at its peak, so AMSGrad moves less.
        double[][] gradients = [[1.0, -2.0], [0.01, 0.02], [0.01, -0.03]];
        double[] w = [0.5, 0.5], m = new double[2], v = new double[2], vHat = new double[2];
        double[] wPlain = [0.5, 0.5], mPlain = new double[2], vPlain = new double[2];
        var variable = NewVariable(0.5f, 0.5f);
        var adam = new Adam(learningRate: 0.1f, amsgrad: true);
        for (int step = 0; step < 3; step++)
        {
            AdamByHand(w, m, v, vHat, gradients[step], step, lr: 0.1);
            AdamByHand(wPlain, mPlain, vPlain, null, gradients[step], step, lr: 0.1);
            Step(adam, variable, gradients[step]);
            AssertClose(w, variable, 1e-6);
        }
        Assert.True(Math.Abs(w[0] - wPlain[0]) > 1e-5, $"AMSGrad {w[0]} and Adam {wPlain[0]} should differ");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 17)]
    [InlineData(true, 17)]
    [InlineData(true, 129)]
    public void VectorAndScalarPathsGiveIdenticalBits(bool amsgrad, int size)
    {
        // One variable of `size` elements goes through the SIMD loop; `size` one-element variables only through the scalar tail.
        var initial = TestData.Uniform(size, size);
        var whole = new Variable("whole", new Shape(size), (float[])initial.Clone());
        var pieces = Enumerable.Range(0, size).Select(i => new Variable($"p{i}", new Shape(1), [initial[i]])).ToArray();
        var wholeOptimizer = new Adam(learningRate: 0.01f, amsgrad: amsgrad);
        var piecesOptimizer = new Adam(learningRate: 0.01f, amsgrad: amsgrad);
        for (int step = 0; step < 3; step++)
        {
            var g = TestData.Uniform(1000 * size + step, size, -2, 2);
            g[0] = 1e-6f;
            Step(wholeOptimizer, [whole], [[.. g.Select(x => (double)x)]]);
            Step(piecesOptimizer, pieces, [.. g.Select(x => new[] { (double)x })]);
        }
        for (int i = 0; i < size; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(pieces[i].Value.Values[0]), BitConverter.SingleToInt32Bits(whole.Value.Values[i]));
    }

    [Theory]
    [InlineData(1.0, 0.999, 1e-7, "beta1", "beta_1=1")]
    [InlineData(-0.1, 0.999, 1e-7, "beta1", "beta_1=-0.1")]
    [InlineData(0.9, 1.5, 1e-7, "beta2", "beta_2=1.5")]
    [InlineData(0.9, double.NaN, 1e-7, "beta2", "beta_2=NaN")]
    [InlineData(0.9, 0.999, -1e-7, "epsilon", "epsilon=-1E-07")]
    public void InvalidArgumentsNameTheArgumentAndValue(double beta1, double beta2, double epsilon, string param, string shown)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: beta1, beta2: beta2, epsilon: epsilon));
        Assert.Equal(param, error.ParamName);
        Assert.Contains(shown, error.Message);
    }
}
