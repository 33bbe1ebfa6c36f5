using Dendrite.Autodiff;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// Compares the tape's gradient with central finite differences of the same float function: for each element x of
/// the checked input, (f(x + h) − f(x − h)) / (x₊ − x₋), where x₊ and x₋ are the float values actually used.
/// </summary>
internal static class GradientCheck
{
    /// <param name="scalar">Builds a one-element tensor from the inputs with <see cref="Ops"/>.</param>
    /// <param name="inputs">All inputs; those that require a gradient are checked.</param>
    public static void Check(Func<Tensor> scalar, Tensor[] inputs, double h = 1e-2, double absoluteTolerance = 1e-3, double relativeTolerance = 1e-2)
    {
        var analytic = Analytic(scalar, inputs);
        for (int t = 0; t < inputs.Length; t++)
        {
            var input = inputs[t];
            if (!input.RequiresGrad) continue;
            var values = input.Values;
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                float plus = (float)(original + h), minus = (float)(original - h);
                values[i] = plus;
                double fPlus = Evaluate(scalar);
                values[i] = minus;
                double fMinus = Evaluate(scalar);
                values[i] = original;
                double numeric = (fPlus - fMinus) / ((double)plus - minus);
                double error = Math.Abs(analytic[t][i] - numeric);
                if (error > absoluteTolerance + relativeTolerance * Math.Abs(numeric))
                    Assert.Fail($"input {t} (shape {input.Shape}), element {i}: tape gradient {analytic[t][i]:G7}, finite difference {numeric:G7}.");
            }
        }
    }

    /// <summary>The tape's gradient for every input (empty for those that need none).</summary>
    public static float[][] Analytic(Func<Tensor> scalar, Tensor[] inputs)
    {
        using var tape = GradientTape.Start();
        var result = scalar();
        Assert.Equal(1, result.Size);
        tape.Backward(result);
        return inputs.Select(x => x.RequiresGrad ? GradientOf(x) : []).ToArray();
    }

    private static float[] GradientOf(Tensor x)
    {
        // An input the backward pass never reached has, mathematically, a zero gradient.
        var grad = x.Grad;
        return grad.IsEmpty ? new float[x.Size] : grad.ToArray();
    }

    private static double Evaluate(Func<Tensor> scalar)
    {
        Assert.Null(GradientTape.Current);
        return scalar().Values[0];
    }
}
