using Dendrite.Autodiff;
using Dendrite.Kernels;
using Dendrite.Optimizers;

namespace Dendrite.Tests.Autodiff;

/// <summary>Behaviours fixed after a code review: each test fails on the code before the fix.</summary>
[Collection(GlobalStateCollection.Name)]
public class ReviewRegressionTests
{
    private static Variable Param(string name, params float[] values) => new(name, new Shape(values.Length), values);

    [Fact]
    public void NestedTapesBothRecordTheInnerOps()
    {
        var w = Param("w", 1f, 2f, 3f);
        using var outer = GradientTape.Start();
        Tensor loss;
        using (var inner = GradientTape.Start())
        {
            loss = TestOps.WeightedSum(Ops.Relu(w.Value), [1f, 1f, 1f]);
        }
        outer.Backward(loss); // before the fix the outer tape had recorded nothing and left no gradient
        Assert.Equal([1f, 1f, 1f], w.Value.Grad.ToArray());
    }

    [Fact]
    public void TapesDisposedOutOfOrderAreRejected()
    {
        var outer = GradientTape.Start();
        var inner = GradientTape.Start();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void ApplySkipsVariablesTheLatestBackwardPassDidNotReach()
    {
        var a = Param("a", 1f);
        var b = Param("b", 1f);
        var sgd = new SGD(learningRate: 0.5f);
        using (var tape = GradientTape.Start())
        {
            tape.Backward(TestOps.WeightedSum(Ops.Relu(b.Value), [1f])); // reaches b only
        }
        using (var tape = GradientTape.Start())
        {
            tape.Backward(TestOps.WeightedSum(Ops.Relu(a.Value), [1f])); // reaches a only
        }
        sgd.Apply([a, b]);
        Assert.Equal(0.5f, a.Value.Values[0]); // 1 − 0.5·1
        Assert.Equal(1f, b.Value.Values[0]);   // its gradient is from the older pass: untouched
    }

    [Fact]
    public void AnOptimizerRefusesSomeoneElsesVariables()
    {
        var first = Param("w", 1f);
        var other = Param("w", 1f);
        var rmsprop = new RMSprop();
        first.Value.GradForAccumulation(1)[0] = 1f;
        rmsprop.Apply([first]);
        other.Value.GradForAccumulation(2)[0] = 1f;
        var error = Assert.Throws<InvalidOperationException>(() => rmsprop.Apply([other]));
        Assert.Contains("built for other variables", error.Message);
    }

    [Fact]
    public void AProductWiderThanOneColumnBlockMatchesTheReference()
    {
        // n = 9000 spans three column blocks of 4096 and forces B packing (n ≥ 1024).
        int m = 3, k = 5, n = 9000;
        var a = TestData.Uniform(1, m * k);
        var b = TestData.Uniform(2, k * n);
        var actual = new float[m * n];
        var expected = new float[m * n];
        int saved = Gemm.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Gemm.MaxThreads = threads;
                Gemm.Multiply(a, b, actual, m, k, n);
                Gemm.MultiplyReference(a, b, expected, m, k, n);
                for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-5, $"element {i}");
            }
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }
}
