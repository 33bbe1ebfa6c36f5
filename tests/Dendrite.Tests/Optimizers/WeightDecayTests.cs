using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

/// <summary>Keras' base-optimizer weight decay, w ← w − w·wd·lr before the update, for any optimizer.</summary>
public class WeightDecayTests
{
    [Fact]
    public void SGDDecaysThenSteps()
    {
        // w = 2: decay 2·0.1·0.5 = 0.1, then −lr·g = −0.5 → 1.4; next: 1.4 − 0.07 − 0.5·(−1) = 1.83.
        var variable = NewVariable(2f);
        var sgd = new SGD(learningRate: 0.5f) { WeightDecay = 0.1 };
        Step(sgd, variable, 1);
        AssertClose([1.4], variable, 1e-7);
        Step(sgd, variable, -1);
        AssertClose([1.83], variable, 1e-6);
    }

    [Fact]
    public void RMSpropWithWeightDecayTwoStepsByHand()
    {
        const double lr = 0.01, rho = 0.9, eps = 1e-7, wd = 0.3;
        double[] w = [1.0, -2.0], v = new double[2];
        var variable = NewVariable(1f, -2f);
        var rmsprop = new RMSprop(learningRate: (float)lr) { WeightDecay = wd };
        foreach (var g in new[] { new[] { 0.5, -1.0 }, new[] { 0.25, 0.125 } })
        {
            for (int i = 0; i < 2; i++)
            {
                w[i] -= w[i] * wd * lr;
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                w[i] -= lr * g[i] / Math.Sqrt(v[i] + eps);
            }
            Step(rmsprop, variable, g);
            AssertClose(w, variable, 1e-6);
        }
    }

    [Fact]
    public void ExcludedVariablesAndNamesDoNotDecay()
    {
        var kernel = NewVariable("kernel", 1f);
        var bias = NewVariable("bias", 1f);
        var other = NewVariable("other", 1f);
        var sgd = new SGD(learningRate: 0.5f) { WeightDecay = 0.2 };
        sgd.ExcludeFromWeightDecay(variables: [other], names: ["bia"]);   // a regular expression searched in the name
        Step(sgd, [kernel, bias, other], [[0], [0], [0]]);
        Assert.Equal(0.9f, kernel.Value.Values[0]);
        Assert.Equal(1f, bias.Value.Values[0]);
        Assert.Equal(1f, other.Value.Values[0]);
        Assert.Throws<InvalidOperationException>(() => sgd.ExcludeFromWeightDecay(names: ["kernel"]));
    }

    [Fact]
    public void AVariableWithoutGradientIsNotDecayed()
    {
        // Keras drops variables without a gradient before clipping and weight decay.
        var reached = NewVariable(1f);
        var untouched = NewVariable(1f);
        reached.Value.GradForAccumulation(1)[0] = 0f;
        new SGD(learningRate: 0.5f) { WeightDecay = 0.2 }.Apply([reached, untouched]);
        Assert.Equal(0.9f, reached.Value.Values[0]);
        Assert.Equal(1f, untouched.Value.Values[0]);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void InvalidWeightDecayNamesTheArgumentAndValue(double value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { WeightDecay = value });
        Assert.Equal("WeightDecay", error.ParamName);
        Assert.Contains("weight_decay=", error.Message);
    }
}
