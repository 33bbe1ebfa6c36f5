using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

public class NadamTests
{
    [Fact]
    public void DefaultsAreKeras()
    {
        var nadam = new Nadam();
        Assert.Equal(0.001f, nadam.LearningRate);
        Assert.Equal(0.9, nadam.Beta1);
        Assert.Equal(0.999, nadam.Beta2);
        Assert.Equal(1e-7, nadam.Epsilon);
        Assert.Equal("nadam", nadam.Name);
    }

    [Fact]
    public void ThreeStepsByHand()
    {
        const double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-7;
        double[] w = [1.0, -2.0, 0.5], m = new double[3], v = new double[3];
        double uProduct = 1;
        var variable = NewVariable(1f, -2f, 0.5f);
        var nadam = new Nadam(learningRate: (float)lr);
        double[][] gradients = [[0.5, -1.0, 2.0], [0.25, 0.125, -0.75], [-1.5, 0.5, 0.0625]];
        for (int step = 0; step < 3; step++)
        {
            var g = gradients[step];
            int t = step + 1;
            double u = beta1 * (1 - 0.5 * Math.Pow(0.96, t));
            double uNext = beta1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
            uProduct *= u;
            double uProductNext = uProduct * uNext;
            for (int i = 0; i < 3; i++)
            {
                m[i] += (g[i] - m[i]) * (1 - beta1);
                v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
                double mHat = uNext * m[i] / (1 - uProductNext) + (1 - u) * g[i] / (1 - uProduct);
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                w[i] -= mHat * lr / (Math.Sqrt(vHat) + eps);
            }
            Step(nadam, variable, g);
            AssertClose(w, variable, 1e-6);
            Assert.Equal(uProduct, nadam.MomentumCacheProduct, 1e-7);
        }
    }

    [Fact]
    public void DiffersFromAdamFromTheFirstStep()
    {
        // Nesterov's look-ahead: with g = 1, m̂ = u2·(1 − β1)/(1 − u1·u2) + 1 and v̂ = 1, so the first step is
        // lr·1.063 where Adam's is lr.
        var nadam = NewVariable(0f);
        var adam = NewVariable(0f);
        Step(new Nadam(learningRate: 0.1f), nadam, 1.0);
        Step(new Adam(learningRate: 0.1f), adam, 1.0);
        double u1 = 0.9 * (1 - 0.5 * 0.96), u2 = 0.9 * (1 - 0.5 * 0.96 * 0.96);
        double expected = -0.1 * (u2 * 0.1 / (1 - u1 * u2) + 1) / (Math.Sqrt(0.001 / 0.001) + 1e-7);
        Assert.Equal(expected, nadam.Value.Values[0], 1e-6);
        Assert.True(Math.Abs(nadam.Value.Values[0] - adam.Value.Values[0]) > 1e-3);
    }

    [Fact]
    public void OneMinusBetaIsComputedFromTheFloat32BetaLikeKeras()
    {
        // Keras' Nadam casts beta_1 to float32 first, then computes 1 - beta_1 in float32 (unlike its Adam).
        Assert.Equal(1f - 0.9f, new Nadam().OneMinusBeta1);
        Assert.NotEqual((float)(1.0 - 0.9), new Nadam().OneMinusBeta1);
    }

    [Fact]
    public void InvalidArgumentsNameTheArgumentAndValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta2: 1.0));
        Assert.Equal("beta2", error.ParamName);
        Assert.Contains("beta_2=1", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta1: -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(epsilon: double.NaN));
    }
}
