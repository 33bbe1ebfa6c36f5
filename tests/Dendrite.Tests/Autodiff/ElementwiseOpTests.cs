using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Element-wise ops against a float64 reference, with every broadcast direction, and their gradients.</summary>
public class ElementwiseOpTests
{
    private static readonly Dictionary<string, (Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Reference)> s_binary = new()
    {
        ["Add"] = (Ops.Add, (a, b) => a + b),
        ["Subtract"] = (Ops.Subtract, (a, b) => a - b),
        ["Multiply"] = (Ops.Multiply, (a, b) => a * b),
        ["Divide"] = (Ops.Divide, (a, b) => a / b),
        ["Maximum"] = (Ops.Maximum, Math.Max),
        ["Minimum"] = (Ops.Minimum, Math.Min),
    };

    // Same shapes, a row broadcast, an outer product, a scalar on either side, broadcasting both ways in 3-D and 4-D,
    // unit axes of equal shapes, and an empty result.
    private static readonly (string A, string B)[] s_shapes =
    [
        ("7,13", "7,13"), ("7,13", "13"), ("7,1", "1,13"), ("7,13", ""), ("", "1,7"),
        ("3,1,13", "7,1"), ("1", "5,1,3"), ("2,1,7,1", "1,13,1,5"), ("1,7,1", "1,7,1"), ("0,3", "3"),
    ];

    public static TheoryData<string, string, string> BinaryCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var op in s_binary.Keys)
            foreach (var (a, b) in s_shapes) data.Add(op, a, b);
        return data;
    }

    /// <summary>
    /// Values on two interleaved grids: a near odd multiples of 0.05, b near multiples of 0.1 at least 0.5 away from 0.
    /// Every pair differs by more than 0.03, so finite differences with h = 0.01 never cross a tie of Maximum or
    /// Minimum, and b is a safe divisor.
    /// </summary>
    private static (Tensor A, Tensor B) Operands(int seed, int[] aShape, int[] bShape)
    {
        var rng = new Random(seed);
        float Jitter() => (float)(0.02 * rng.NextDouble() - 0.01);
        var a = new float[Ref.SizeOf(aShape)];
        var b = new float[Ref.SizeOf(bShape)];
        for (int i = 0; i < a.Length; i++) a[i] = 0.1f * rng.Next(-20, 20) + 0.05f + Jitter();
        for (int i = 0; i < b.Length; i++) b[i] = (rng.Next(2) == 0 ? -1 : 1) * (0.5f + 0.1f * rng.Next(0, 16)) + Jitter();
        return (Param(a, aShape), Param(b, bShape));
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryForwardMatchesTheReference(string op, string aShape, string bShape)
    {
        var (a, b) = Operands(1, Reference.ParseShape(aShape), Reference.ParseShape(bShape));
        var (function, reference) = s_binary[op];
        Reference.AssertClose(Reference.Binary(Ref.Of(a), Ref.Of(b), reference), function(a, b));
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryGradientsMatchFiniteDifferences(string op, string aShape, string bShape)
    {
        var (a, b) = Operands(2, Reference.ParseShape(aShape), Reference.ParseShape(bShape));
        var function = s_binary[op].Op;
        var w = Uniform(3, function(a, b).Size);
        GradientCheck.Check(() => TestOps.WeightedSum(function(a, b), w), [a, b]);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Subtract")]
    [InlineData("Multiply")]
    [InlineData("Divide")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void ScalarOverloadsMatchTheReferenceOnBothSides(string op)
    {
        var (x, _) = Operands(4, [7, 13], []);
        const float s = 0.55f;
        var reference = s_binary[op].Reference;
        var (right, left) = op switch
        {
            "Add" => (Ops.Add(x, s), Ops.Add(s, x)),
            "Subtract" => (Ops.Subtract(x, s), Ops.Subtract(s, x)),
            "Multiply" => (Ops.Multiply(x, s), Ops.Multiply(s, x)),
            "Divide" => (Ops.Divide(x, s), Ops.Divide(s, x)),
            "Maximum" => (Ops.Maximum(x, s), Ops.Maximum(s, x)),
            _ => (Ops.Minimum(x, s), Ops.Minimum(s, x)),
        };
        Reference.AssertClose(Reference.Map(Ref.Of(x), v => reference(v, s)), right);
        Reference.AssertClose(Reference.Map(Ref.Of(x), v => reference(s, v)), left);
    }

    [Fact]
    public void ScalarOverloadGradients()
    {
        // The second grid: at least 0.49 away from 0 (a safe divisor) and 0.04 away from the clip points ±0.75, ±0.65.
        var (_, x) = Operands(5, [], [3, 7]);
        var w = Uniform(6, 21);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Divide(2f, x), w), [x]);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Subtract(1f, Ops.Multiply(x, 3f)), w), [x]);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Maximum(Ops.Minimum(x, 0.75f), -0.65f), w), [x]);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Minimum(-0.65f, Ops.Maximum(0.75f, x)), w), [x]);
    }

    [Fact]
    public void OperatorsAreTheOps()
    {
        var (a, b) = Operands(7, [7, 13], [13]);
        var expected = Ops.Subtract(Ops.Multiply(Ops.Add(a, b), 2f), Ops.Divide(Ops.Negative(a), b));
        var actual = (a + b) * 2f - -a / b;
        Assert.Equal(expected.Values.ToArray(), actual.Values.ToArray());
        var mixed = 1f + a - 2f * b / 4f - a / 2f + (3f - b) + (1f / b);
        var reference = Reference.Binary(Ref.Of(a), Ref.Of(b), (x, y) => 1 + x - 2 * y / 4 - x / 2 + (3 - y) + 1 / y);
        Reference.AssertClose(reference, mixed);
    }

    [Fact]
    public void AnOperandUsedTwiceGetsBothContributions()
    {
        var (x, _) = Operands(8, [4, 5], []);
        var w = Uniform(9, 20);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Multiply(x, x), w), [x]);
        var grad = GradientCheck.Analytic(() => TestOps.WeightedSum(x - x, w), [x])[0];
        Assert.All(grad, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void AConstantOperandReceivesNoGradient()
    {
        var (x, _) = Operands(10, [4, 5], []);
        var c = Const(Uniform(11, 5), 5);
        var w = Uniform(12, 20);
        GradientCheck.Check(() => TestOps.WeightedSum(x * c + c, w), [x, c]);
        Assert.True(c.Grad.IsEmpty);
    }

    [Fact]
    public void TiesOfMaximumAndMinimumSendTheGradientToTheFirstOperand()
    {
        var a = Param([1f, 2f, 3f], 3);
        var b = Param([1f, 5f, 3f], 3);
        var grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Maximum(a, b), [1f, 1f, 1f]), [a, b]);
        Assert.Equal([1f, 0f, 1f], grads[0]);
        Assert.Equal([0f, 1f, 0f], grads[1]);
        grads = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Minimum(a, b), [1f, 1f, 1f]), [a, b]);
        Assert.Equal([1f, 1f, 1f], grads[0]);
        Assert.Equal([0f, 0f, 0f], grads[1]);
    }

    private static readonly Dictionary<string, (Func<Tensor, Tensor> Op, Func<double, double> Reference, double Low, double High)> s_unary = new()
    {
        ["Negative"] = (Ops.Negative, v => -v, -2, 2),
        ["Exp"] = (Ops.Exp, Math.Exp, -3, 3),
        ["Log"] = (Ops.Log, Math.Log, 0.3, 4),
        ["Sqrt"] = (Ops.Sqrt, Math.Sqrt, 0.3, 4),
        ["Square"] = (Ops.Square, v => v * v, -2, 2),
        ["Abs"] = (Ops.Abs, Math.Abs, -2, 2),
        ["Power3"] = (x => Ops.Power(x, 3f), v => v * v * v, -2, 2),
        ["Power-1.5"] = (x => Ops.Power(x, -1.5f), v => Math.Pow(v, -1.5), 0.3, 3),
        ["Power0"] = (x => Ops.Power(x, 0f), _ => 1, -2, 2),
        ["Clip"] = (x => Ops.Clip(x, -0.45f, 0.75f), v => Math.Clamp(v, -0.45, 0.75), -2, 2),
    };

    public static TheoryData<string, string> UnaryCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in s_unary.Keys)
            foreach (var shape in new[] { "7,13", "1", "2,1,5", "" }) data.Add(op, shape);
        return data;
    }

    /// <summary>Uniform values kept at least 0.03 away from the kinks of Abs (0) and Clip (its bounds).</summary>
    private static Tensor UnaryInput(int seed, string op, int[] shape)
    {
        var (_, _, low, high) = s_unary[op];
        var values = Uniform(seed, Ref.SizeOf(shape), low, high);
        foreach (float kink in new[] { 0f, -0.45f, 0.75f })
            for (int i = 0; i < values.Length; i++)
                if (Math.Abs(values[i] - kink) < 0.03f) values[i] = kink + (values[i] < kink ? -0.03f : 0.03f);
        return Param(values, shape);
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryForwardMatchesTheReference(string op, string shape)
    {
        var x = UnaryInput(13, op, Reference.ParseShape(shape));
        var (function, reference, _, _) = s_unary[op];
        Reference.AssertClose(Reference.Map(Ref.Of(x), reference), function(x));
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryGradientsMatchFiniteDifferences(string op, string shape)
    {
        var x = UnaryInput(14, op, Reference.ParseShape(shape));
        var function = s_unary[op].Op;
        var w = Uniform(15, x.Size);
        GradientCheck.Check(() => TestOps.WeightedSum(function(x), w), [x], h: 1e-3);
    }

    [Fact]
    public void ClipPassesTheGradientOnItsBoundsAndAbsHasNoneAtZero()
    {
        var x = Param([-1f, -0.5f, 0f, 0.5f, 1f], 5);
        var ones = new float[] { 1, 1, 1, 1, 1 };
        Assert.Equal([0f, 1f, 1f, 1f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Clip(x, -0.5f, 0.5f), ones), [x])[0]);
        Assert.Equal([-1f, -1f, 0f, 1f, 1f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Abs(x), ones), [x])[0]);
    }
}
