using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

public class AdagradTests
{
    [Fact]
    public void DefaultsAreKeras()
    {
        var adagrad = new Adagrad();
        Assert.Equal(0.001f, adagrad.LearningRate);
        Assert.Equal(0.1, adagrad.InitialAccumulatorValue);
        Assert.Equal(1e-7, adagrad.Epsilon);
        Assert.Equal("adagrad", adagrad.Name);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.0)]
    [InlineData(2.5)]
    public void ThreeStepsByHand(double initial)
    {
        const double lr = 0.1, eps = 1e-7;
        double[] w = [1.0, -2.0, 0.5], a = [initial, initial, initial];
        var variable = NewVariable(1f, -2f, 0.5f);
        var adagrad = new Adagrad(learningRate: (float)lr, initialAccumulatorValue: initial);
        double[][] gradients = [[0.5, -1.0, 2.0], [0.25, 0.125, -0.75], [-1.5, 0.5, 0.0625]];
        foreach (var g in gradients)
        {
            for (int i = 0; i < 3; i++)
            {
                a[i] += g[i] * g[i];
                w[i] -= lr * g[i] / Math.Sqrt(a[i] + eps);   // eps inside the square root
            }
            Step(adagrad, variable, g);
            AssertClose(w, variable, 1e-6);
        }
    }

    [Fact]
    public void FirstStepDependsOnTheInitialAccumulator()
    {
        // 0.1 + 0.5² = 0.35: the step is lr·0.5/sqrt(0.35) = 0.845·lr, not the lr of an empty accumulator.
        var variable = NewVariable(0f);
        Step(new Adagrad(learningRate: 0.1f), variable, 0.5);
        Assert.Equal(-0.1 * 0.5 / Math.Sqrt(0.35 + 1e-7), variable.Value.Values[0], 1e-7);
    }

    [Fact]
    public void InvalidArgumentsNameTheArgumentAndValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: -0.1));
        Assert.Equal("initialAccumulatorValue", error.ParamName);
        Assert.Contains("initial_accumulator_value=-0.1", error.Message);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(epsilon: double.PositiveInfinity));
        Assert.Equal("epsilon", error.ParamName);
    }
}
