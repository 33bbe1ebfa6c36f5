using Dendrite.Autodiff;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Optimizers;

/// <summary>Small variables, hand-placed gradients and element-wise comparisons for the optimizer tests.</summary>
internal static class OptimizerTesting
{
    private static int s_generation;

    public static Variable NewVariable(params float[] values) => new("w", new Shape(values.Length), values);

    public static Variable NewVariable(string name, params float[] values) => new(name, new Shape(values.Length), values);

    /// <summary>Puts <paramref name="gradient"/> where a backward pass would leave it, then applies one step.</summary>
    public static void Step(Optimizer optimizer, Variable variable, params double[] gradient) => Step(optimizer, [variable], [gradient]);

    /// <summary>One step on several variables, each with its gradient, as one backward pass would leave them.</summary>
    public static void Step(Optimizer optimizer, Variable[] variables, double[][] gradients)
    {
        int generation = Interlocked.Increment(ref s_generation);
        for (int i = 0; i < variables.Length; i++)
        {
            var grad = variables[i].Value.GradForAccumulation(generation);
            for (int k = 0; k < gradients[i].Length; k++) grad[k] = (float)gradients[i][k];
        }
        optimizer.Apply(variables);
    }

    /// <summary>Asserts every element of <paramref name="variable"/> within <paramref name="tolerance"/> of <paramref name="expected"/>.</summary>
    public static void AssertClose(double[] expected, Variable variable, double tolerance = 1e-6)
    {
        var actual = variable.Value.Values.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (off by {Math.Abs(expected[i] - actual[i]):E2}, tolerance {tolerance:E1})");
    }

    /// <summary>The float32 value of a gradient element as the optimizer sees it, back in double.</summary>
    public static double F(double x) => (float)x;
}
