using Dendrite.Optimizers;
using static Dendrite.Tests.Optimizers.OptimizerTesting;

namespace Dendrite.Tests.Optimizers;

public class AdamWTests
{
    [Fact]
    public void DefaultsAreKeras()
    {
        var adamw = new AdamW();
        Assert.Equal(0.001f, adamw.LearningRate);
        Assert.Equal(0.004, adamw.WeightDecay);
        Assert.Equal(0.9, adamw.Beta1);
        Assert.Equal(0.999, adamw.Beta2);
        Assert.Equal(1e-7, adamw.Epsilon);
        Assert.False(adamw.Amsgrad);
        Assert.Equal("adamw", adamw.Name);
    }

    [Fact]
    public void DecaysTheWeightsBeforeTheAdamStepThreeStepsByHand()
    {
        const double lr = 0.1, wd = 0.2;
        double[] w = [1.0, -2.0, 0.5], m = new double[3], v = new double[3];
        var variable = NewVariable(1f, -2f, 0.5f);
        var adamw = new AdamW(learningRate: (float)lr, weightDecay: wd);
        double[][] gradients = [[0.5, -1.0, 2.0], [0.25, 0.125, -0.75], [-1.5, 0.5, 0.0625]];
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 3; i++) w[i] -= w[i] * wd * lr;   // Keras: variable - variable * wd * lr, first
            AdamTests.AdamByHand(w, m, v, null, gradients[step], step, lr);
            Step(adamw, variable, gradients[step]);
            AssertClose(w, variable, 1e-6);
        }
    }

    [Fact]
    public void WeightDecayIsDecoupledFromTheGradient()
    {
        // Adam normalises the gradient, so L2 regularisation (g + wd·w) would barely change the first step:
        // decoupled decay moves w by w·wd·lr on top of the lr-sized Adam step.
        var decoupled = NewVariable(10f);
        Step(new AdamW(learningRate: 0.1f, weightDecay: 0.5), decoupled, 1.0);
        Assert.Equal(10 - 10 * 0.5 * 0.1 - 0.1, decoupled.Value.Values[0], 1e-5);
    }

    [Fact]
    public void WeightDecayIsRequired()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new AdamW { WeightDecay = null });
        Assert.Contains("weight_decay=None", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -0.1));
    }
}
