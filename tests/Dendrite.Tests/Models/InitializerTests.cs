using Dendrite.Initializers;

namespace Dendrite.Tests.Models;

public class InitializerTests
{
    [Theory]
    [InlineData(784, 512, 0.0680414)]
    [InlineData(512, 10, 0.1072113)]
    public void GlorotUniformStaysWithinKerasLimitWithUniformMoments(int fanIn, int fanOut, double limit)
    {
        Assert.Equal(Math.Sqrt(6.0 / (fanIn + fanOut)), limit, 1e-7);
        var values = new GlorotUniform(seed: 1234).Generate(new Shape(fanIn, fanOut));
        Assert.Equal(fanIn * fanOut, values.Length);
        double sum = 0, sumSquares = 0, maxAbs = 0;
        foreach (float v in values)
        {
            Assert.True(Math.Abs(v) <= limit + 1e-7, $"{v} is outside ±{limit}");
            sum += v; sumSquares += (double)v * v; maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }
        int n = values.Length;
        double mean = sum / n, variance = sumSquares / n - mean * mean, expectedVariance = limit * limit / 3;
        // Standard error of the mean is limit/sqrt(3n); allow 6 of them.
        Assert.True(Math.Abs(mean) < 6 * limit / Math.Sqrt(3.0 * n), $"mean {mean}");
        // The sample variance of U(−l, l) has relative standard error sqrt(0.8/n); allow 6 of them.
        Assert.True(Math.Abs(variance / expectedVariance - 1) < 6 * Math.Sqrt(0.8 / n), $"variance {variance}, expected {expectedVariance}");
        // The whole range is used: the limit is not smaller than Keras'.
        Assert.True(maxAbs > limit * (1 - 20.0 / n), $"largest |value| {maxAbs} is well below the limit {limit}");
    }

    [Fact]
    public void SameSeedSameValuesDifferentSeedDifferentValues()
    {
        var shape = new Shape(30, 20);
        var a = new GlorotUniform(seed: 7).Generate(shape);
        var b = new GlorotUniform(seed: 7).Generate(shape);
        var c = new GlorotUniform(seed: 8).Generate(shape);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(new RandomUniform(seed: 3).Generate(shape), new RandomUniform(seed: 3).Generate(shape));
    }

    [Fact]
    public void ZerosAndOnes()
    {
        Assert.All(new Zeros().Generate(new Shape(4, 3)), v => Assert.Equal(0f, v));
        Assert.Equal(12, new Zeros().Generate(new Shape(4, 3)).Length);
        Assert.All(new Ones().Generate(new Shape(5)), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void HeUniformAndRandomUniformRanges()
    {
        double heLimit = Math.Sqrt(6.0 / 100);
        var he = new HeUniform(seed: 5).Generate(new Shape(100, 50));
        Assert.All(he, v => Assert.InRange(v, -heLimit, heLimit));
        Assert.True(he.Max() > 0.9 * heLimit);
        var uniform = new RandomUniform(-0.05f, 0.05f, seed: 5).Generate(new Shape(1000));
        Assert.All(uniform, v => Assert.InRange(v, -0.05f, 0.05f));
    }

    [Theory]
    [InlineData("glorot_uniform", typeof(GlorotUniform))]
    [InlineData("GlorotUniform", typeof(GlorotUniform))]
    [InlineData("zeros", typeof(Zeros))]
    [InlineData("he_uniform", typeof(HeUniform))]
    [InlineData("orthogonal", typeof(Orthogonal))]
    [InlineData("Orthogonal", typeof(Orthogonal))]
    public void KerasNamesResolve(string name, Type type) => Assert.IsType(type, Initializer.Get(name));

    [Fact]
    public void UnknownNameThrows() => Assert.Contains("glorot_uniform", Assert.Throws<ArgumentException>(() => Initializer.Get("identity")).Message);

    [Fact]
    public void KerasFansForConvolutionKernels()
    {
        // 3×3 kernel, 16 → 32 channels (HWIO): receptive field 9, fan_in 144, fan_out 288.
        Assert.Equal((144.0, 288.0), Initializer.ComputeFans(new Shape(3, 3, 16, 32)));
        Assert.Equal((784.0, 512.0), Initializer.ComputeFans(new Shape(784, 512)));
    }
}

[Collection(GlobalStateCollection.Name)]
public class SeededInitializerTests
{
    [Fact]
    public void UnseededInitializerFollowsTheGlobalSeed()
    {
        var shape = new Shape(20, 10);
        Utils.SetRandomSeed(99);
        var a = new GlorotUniform().Generate(shape);
        Utils.SetRandomSeed(99);
        var b = new GlorotUniform().Generate(shape);
        var c = new GlorotUniform().Generate(shape);
        Assert.Equal(a, b);
        Assert.NotEqual(b, c);
    }
}
