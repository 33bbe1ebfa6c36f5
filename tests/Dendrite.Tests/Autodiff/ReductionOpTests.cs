using Dendrite.Autodiff;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Sum, Mean, Max and Min over axes against a float64 reference, and their gradients.</summary>
public class ReductionOpTests
{
    private static readonly Dictionary<string, (Func<Tensor, int[]?, bool, Tensor> Op, Func<IReadOnlyList<double>, double> Reference)> s_reductions = new()
    {
        ["Sum"] = ((x, axes, keep) => Ops.Sum(x, axes, keep), g => g.Sum()),
        ["Mean"] = ((x, axes, keep) => Ops.Mean(x, axes, keep), g => g.Sum() / g.Count),
        ["Max"] = ((x, axes, keep) => Ops.Max(x, axes, keep), g => g.Max()),
        ["Min"] = ((x, axes, keep) => Ops.Min(x, axes, keep), g => g.Min()),
    };

    // "all" reduces everything (axes null), "none" nothing (an empty list); negative axes count from the end.
    private static readonly (string Shape, string Axes)[] s_cases =
    [
        ("7,13", "all"), ("7,13", "0"), ("7,13", "1"), ("7,13", "-1"), ("7,13", "none"),
        ("2,7,13", "1"), ("2,7,13", "0,2"), ("2,7,13", "-3,-1"), ("2,7,13", "0,1,2"),
        ("1,5", "0"), ("13", "all"), ("3,1,5", "1"), ("", "all"),
    ];

    public static TheoryData<string, string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var op in s_reductions.Keys)
            foreach (var (shape, axes) in s_cases)
                foreach (bool keep in new[] { false, true }) data.Add(op, shape, axes, keep);
        return data;
    }

    private static int[]? ParseAxes(string axes) => axes switch
    {
        "all" => null,
        "none" => [],
        _ => [.. axes.Split(',').Select(int.Parse)],
    };

    /// <summary>A shuffled grid (multiples of 0.1, jittered by less than 0.02): no two values within 0.06, so no ties.</summary>
    private static Tensor Input(int seed, int[] shape)
    {
        var rng = new Random(seed);
        int size = Ref.SizeOf(shape);
        var values = Enumerable.Range(0, size).Select(i => (float)(0.1 * (i - size / 2) + 0.02 * rng.NextDouble() - 0.01)).ToArray();
        rng.Shuffle(values);
        return Param(values, shape);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesTheReference(string op, string shape, string axes, bool keepDims)
    {
        var x = Input(1, Reference.ParseShape(shape));
        var (function, reference) = s_reductions[op];
        var expected = Reference.Reduce(Ref.Of(x), ParseAxes(axes), keepDims, reference);
        // Float32 sums of up to 182 values that partly cancel: 1e-4 of (1 + |sum|) is the rounding budget.
        Reference.AssertClose(expected, function(x, ParseAxes(axes), keepDims), 1e-4);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string op, string shape, string axes, bool keepDims)
    {
        var x = Input(2, Reference.ParseShape(shape));
        var function = s_reductions[op].Op;
        var w = Uniform(3, function(x, ParseAxes(axes), keepDims).Size);
        GradientCheck.Check(() => TestOps.WeightedSum(function(x, ParseAxes(axes), keepDims), w), [x]);
    }

    [Fact]
    public void SingleAxisOverloadsAgreeWithTheListForm()
    {
        var x = Input(4, [2, 7, 13]);
        Assert.Equal(Ops.Sum(x, [-2], true).Values.ToArray(), Ops.Sum(x, -2, keepDims: true).Values.ToArray());
        Assert.Equal(new Shape(2, 1, 13), Ops.Mean(x, 1, keepDims: true).Shape);
        Assert.Equal(new Shape(2, 13), Ops.Max(x, 1).Shape);
        Assert.Equal(new Shape(7, 13), Ops.Min(x, 0).Shape);
        Assert.Equal(new Shape(), Ops.Sum(x).Shape);
        Assert.Equal(new Shape(1, 1, 1), Ops.Sum(x, keepDims: true).Shape);
    }

    [Fact]
    public void MaxAndMinSendTheGradientToTheFirstExtremum()
    {
        var x = Param([1f, 3f, 3f, 2f, 2f, 0f], 2, 3);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Max(x, 1), [1f, 1f]), [x])[0]);
        var z = Param([4f, 1f, 1f, 0f, 2f, 0f], 2, 3);
        Assert.Equal([0f, 0f, 0f, 1f, 0f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Min(z), [1f]), [z])[0]);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Min(z, -1), [1f, 1f]), [z])[0]);
        // Along axis 0 both columns tie: the upper row, first in C order, gets both gradients.
        var y = Param([2f, 5f, 2f, 5f], 2, 2);
        Assert.Equal([1f, 1f, 0f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Max(y, 0), [1f, 1f]), [y])[0]);
    }

    [Fact]
    public void MaxPropagatesNaNAndSendsItTheGradient()
    {
        var x = Param([1f, float.NaN, 3f, float.NaN], 4);
        var max = Ops.Max(x);
        Assert.True(float.IsNaN(max.Values[0]));
        Assert.Equal([0f, 1f, 0f, 0f], GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Max(x), [1f]), [x])[0]);
    }

    [Fact]
    public void EmptyAxes()
    {
        var empty = Const([], 0, 3);
        Assert.Equal([0f, 0f, 0f], Ops.Sum(empty, 0).Values.ToArray());
        Assert.All(Ops.Mean(empty, 0).Values.ToArray(), v => Assert.True(float.IsNaN(v)));
        var error = Assert.Throws<ArgumentException>(() => Ops.Max(empty, 0));
        Assert.Equal("Max cannot reduce axis 0 of shape (0, 3): it is empty, and a max of nothing has no value.", error.Message);
    }
}
