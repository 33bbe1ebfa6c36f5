using Dendrite.Autodiff;
using Dendrite.Layers;
using static Dendrite.Tests.TestData;

namespace Dendrite.Tests.Autodiff;

/// <summary>Inverted dropout: the mask, its scale and statistics, its gradient, and a fresh mask on every replayed forward.</summary>
public class DropoutTests
{
    /// <summary>The mask an output implies: y / x (inputs are kept away from 0).</summary>
    private static float[] MaskOf(Tensor x, Tensor y) => [.. x.Values.ToArray().Zip(y.Values.ToArray(), (a, b) => b / a)];

    [Fact]
    public void OutputIsTheInputTimesAMaskOfZerosAndOneOverOneMinusRate()
    {
        var x = Param(AwayFromZero(500, 3 * 5 * 7, 0.5, 2), 3, 5, 7);
        var y = Ops.Dropout(x, 0.3, new RandomGenerator(77));
        Assert.Equal(x.Shape, y.Shape);
        float scale = (float)(1 / (1 - 0.3));
        var mask = MaskOf(x, y);
        Assert.All(mask, m => Assert.True(m == 0f || Math.Abs(m - scale) < 1e-6, $"mask value {m}"));
        for (int i = 0; i < x.Size; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(x.Values[i] * (mask[i] == 0 ? 0f : scale)), BitConverter.SingleToInt32Bits(y.Values[i]));
        Assert.Contains(mask, m => m == 0f);
        Assert.Contains(mask, m => m != 0f);
    }

    [Fact]
    public void GradientIsTheUpstreamGradientTimesTheSameMask()
    {
        var x = Param(AwayFromZero(501, 4 * 9, 0.5, 2), 4, 9);
        var w = Uniform(502, 4 * 9);
        // A generator made afresh for every evaluation fixes the mask, so finite differences see one function.
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.Dropout(x, 0.4, new RandomGenerator(9)), w), [x]);
        var mask = MaskOf(x, Ops.Dropout(x, 0.4, new RandomGenerator(9)));
        var dx = GradientCheck.Analytic(() => TestOps.WeightedSum(Ops.Dropout(x, 0.4, new RandomGenerator(9)), w), [x])[0];
        float scale = (float)(1 / (1 - 0.4));
        for (int i = 0; i < dx.Length; i++) Assert.Equal(mask[i] == 0 ? 0f : w[i] * scale, dx[i]);
        // An input that also feeds another op: both gradients add up.
        var square = Param(AwayFromZero(503, 16, 0.5, 2), 4, 4);
        GradientCheck.Check(() => TestOps.WeightedSum(Ops.MatMul(Ops.Dropout(square, 0.5, new RandomGenerator(10)), square), w[..16]), [square]);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void AboutRateOfTheElementsAreDroppedAndTheRestScaled(double rate)
    {
        const int n = 1_000_001; // odd: the last element takes its own draw
        var x = Const([.. Enumerable.Repeat(1f, n)], n);
        var y = Ops.Dropout(x, rate, new RandomGenerator(1234)).Values.ToArray();
        float scale = (float)(1 / (1 - rate));
        int zeros = y.Count(v => v == 0f);
        Assert.All(y, v => Assert.True(v == 0f || v == scale, $"{v} is neither 0 nor {scale}"));
        double fraction = (double)zeros / n, sigma = Math.Sqrt(rate * (1 - rate) / n);
        Assert.InRange(fraction, rate - 6 * sigma, rate + 6 * sigma);
        // The expected value is kept: the mean of the output stays 1.
        Assert.InRange(y.Average(v => (double)v), 1 - 6 * sigma * scale, 1 + 6 * sigma * scale);
        // No pattern: the drops in the first and second half of each draw, and in even and odd positions, agree.
        double even = Enumerable.Range(0, n / 2).Count(i => y[2 * i] == 0f) / (double)(n / 2);
        double odd = Enumerable.Range(0, n / 2).Count(i => y[2 * i + 1] == 0f) / (double)(n / 2);
        Assert.InRange(even - odd, -9 * sigma, 9 * sigma);
        // Each of the eight positions of a vector step (four generator lanes, two draws each) drops at the rate.
        for (int lane = 0; lane < 8; lane++)
        {
            int count = (n - lane + 7) / 8;
            double laneFraction = Enumerable.Range(0, count).Count(j => y[8 * j + lane] == 0f) / (double)count;
            Assert.InRange(laneFraction, rate - 6 * Math.Sqrt(rate * (1 - rate) / count), rate + 6 * Math.Sqrt(rate * (1 - rate) / count));
        }
    }

    [Fact]
    public void RateZeroKeepsEverythingAndInvalidRatesThrow()
    {
        var x = Const(Uniform(504, 33), 33);
        Assert.Equal(x.Values.ToArray(), Ops.Dropout(x, 0, new RandomGenerator(1)).Values.ToArray());
        foreach (double rate in new[] { 1.0, -0.1, double.NaN, 1.5 })
            Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, rate, new RandomGenerator(1))).Message);
    }

    [Fact]
    public void AReplayedForwardDrawsANewMaskAndTheBackwardUsesIt()
    {
        var x = Param(AwayFromZero(505, 2000, 0.5, 2), 2000);
        var w = Uniform(506, 2000);
        var random = new RandomGenerator(42);
        Op[] ops;
        Tensor y, loss;
        using (var tape = GradientTape.StartRecordingAll())
        {
            y = Ops.Dropout(x, 0.3, random);
            loss = TestOps.WeightedSum(y, w);
            ops = tape.RecordedOps();
        }
        Assert.Equal(2, ops.Length);
        var first = MaskOf(x, y);

        foreach (var op in ops) op.Forward(); // what a recorded training step does for the next batch
        var second = MaskOf(x, y);
        int changed = first.Zip(second).Count(p => (p.First == 0) != (p.Second == 0));
        // Two independent masks at rate 0.3 differ in 2·0.3·0.7 = 42 % of the positions.
        Assert.InRange(changed, 700, 1000);
        Assert.InRange(second.Count(m => m == 0), 500, 700);

        // The replay draws exactly what a second eager call on the same generator draws.
        var eager = new RandomGenerator(42);
        Ops.Dropout(x, 0.3, eager);
        Assert.Equal(second, MaskOf(x, Ops.Dropout(x, 0.3, eager)));

        // The backward of the replayed step uses the new mask.
        GradientTape.Backpropagate(ops, loss);
        var dx = x.Grad.ToArray();
        for (int i = 0; i < dx.Length; i++) Assert.Equal(second[i] == 0 ? 0f : w[i] * (float)(1 / 0.7), dx[i]);
    }

    [Fact]
    public void LayerIsTheIdentityOutsideTrainingAndSeededMasksRepeat()
    {
        var x = Const(AwayFromZero(507, 4 * 50, 0.5, 2), 4, 50);
        var layer = new Dropout(0.5, seed: 3);
        Assert.Same(x, layer.Call(x));
        Assert.Same(x, layer.Call(x, training: false));
        Assert.Same(x, new Dropout(0).Call(x, training: true));
        Assert.Equal(0, layer.CountParams());

        var a = layer.Call(x, training: true).Values.ToArray();
        var b = layer.Call(x, training: true).Values.ToArray();
        Assert.NotEqual(a, b); // a new mask every call
        var again = new Dropout(0.5, seed: 3);
        Assert.Equal(a, again.Call(x, training: true).Values.ToArray());
        Assert.Equal(b, again.Call(x, training: true).Values.ToArray());
        Assert.NotEqual(a, new Dropout(0.5, seed: 4).Call(x, training: true).Values.ToArray());
        Assert.InRange(a.Count(v => v == 0), 60, 140);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void LayerRejectsRatesOutsideZeroToOne(double rate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate));
        Assert.Contains("Expected a float value between 0 and 1", error.Message);
        Assert.Equal("rate", error.ParamName);
    }
}
