using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

public class AdadeltaTests
{
    [Fact]
    public void DefaultsAreKeras()
    {
        var adadelta = new Adadelta();
        Assert.Equal(0.001f, adadelta.LearningRate);
        Assert.Equal(0.95, adadelta.Rho);
        Assert.Equal(1e-7, adadelta.Epsilon);
        Assert.Equal("adadelta", adadelta.Name);
    }

    [Theory]
    [InlineData(1.0, 0.95)]
    [InlineData(0.5, 0.8)]
    public void ThreeStepsByHand(double lr, double rho)
    {
        const double eps = 1e-7;
        double[] w = [0.01, -0.02, 0.005], eg = new double[3], ed = new double[3];
        var variable = NewVariable(0.01f, -0.02f, 0.005f);
        var adadelta = new Adadelta(learningRate: (float)lr, rho: rho);
        double[][] gradients = [[0.5, -1.0, 2.0], [0.25, 0.125, -0.75], [-1.5, 0.5, 0.0625]];
        foreach (var g in gradients)
        {
            for (int i = 0; i < 3; i++)
            {
                eg[i] = rho * eg[i] + (1 - rho) * g[i] * g[i];
                double delta = -Math.Sqrt(ed[i] + eps) * g[i] / Math.Sqrt(eg[i] + eps);
                ed[i] = rho * ed[i] + (1 - rho) * delta * delta;
                w[i] += lr * delta;
            }
            Step(adadelta, variable, g);
            // Steps are ~1e-3 here, near weights ~1e-2 (float32 spacing 1.9e-9): 5e-9 is 5e-6 of a step.
            AssertClose(w, variable, 5e-9);
        }
        Assert.NotEqual(0.01f, variable.Value.Values[0]);
    }

    [Fact]
    public void InvalidArgumentsNameTheArgumentAndValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(rho: 1.0));
        Assert.Equal("rho", error.ParamName);
        Assert.Contains("rho=1", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(epsilon: -1));
    }
}
