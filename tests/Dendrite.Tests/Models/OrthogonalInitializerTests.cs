using System.Text.Json.Nodes;
using Dendrite.Initializers;
using Dendrite.Layers;

namespace Dendrite.Tests.Models;

/// <summary>
/// Keras' Orthogonal initializer: QR of a normal matrix with the signs of R's diagonal folded into Q, times the gain;
/// orthonormal columns for tall shapes and orthonormal rows for wide ones, the leading axes flattened into rows.
/// </summary>
public class OrthogonalInitializerTests
{
    /// <summary>Gram matrix of the columns (or, when <paramref name="rows"/>, of the rows) of an (m, n) matrix, in float64.</summary>
    private static double[,] Gram(float[] a, int m, int n, bool rows)
    {
        int k = rows ? m : n, len = rows ? n : m;
        var g = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int p = 0; p < len; p++)
                    sum += rows ? (double)a[i * n + p] * a[j * n + p] : (double)a[p * n + i] * a[p * n + j];
                g[i, j] = sum;
            }
        return g;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(3, 7)]
    [InlineData(129, 129)]
    [InlineData(16, 64)] // an LSTM's recurrent kernel: (units, 4·units), orthonormal rows
    public void TheMatrixIsOrthonormalTimesTheGain(int m, int n)
    {
        foreach (double gain in new[] { 1.0, 0.5 })
        {
            var values = new Orthogonal(gain, seed: 11).Generate(new Shape(m, n));
            bool wide = m < n;
            var g = Gram(values, m, n, rows: wide);
            for (int i = 0; i < g.GetLength(0); i++)
                for (int j = 0; j < g.GetLength(0); j++)
                    Assert.True(Math.Abs(g[i, j] - (i == j ? gain * gain : 0)) < 1e-5, $"({m}, {n}) gain {gain}: Gram[{i}, {j}] = {g[i, j]}.");
        }
    }

    [Fact]
    public void LeadingAxesAreFlattenedIntoRows()
    {
        var values = new Orthogonal(seed: 2).Generate(new Shape(3, 3, 2, 5)); // (18, 5): orthonormal columns
        var g = Gram(values, 18, 5, rows: false);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) Assert.True(Math.Abs(g[i, j] - (i == j ? 1 : 0)) < 1e-5);
    }

    [Fact]
    public void TheSignsFollowKerasConventionAndTheSeedFixesTheDraw()
    {
        // Sign correction makes R's diagonal positive: Qᵀ·A is upper triangular with a positive diagonal.
        var q = Orthogonal.OrthonormalColumns([2, 1, 1, 3, 0, 1], 3, 2);
        double r00 = q[0] * 2 + q[2] * 1 + q[4] * 0, r11 = q[1] * 1 + q[3] * 3 + q[5] * 1, r10 = q[1] * 2 + q[3] * 1 + q[5] * 0;
        Assert.True(r00 > 0 && r11 > 0);
        Assert.True(Math.Abs(r10) < 1e-12);
        Assert.Equal(new Orthogonal(seed: 5).Generate(new Shape(4, 4)), new Orthogonal(seed: 5).Generate(new Shape(4, 4)));
        Assert.NotEqual(new Orthogonal(seed: 5).Generate(new Shape(4, 4)), new Orthogonal(seed: 6).Generate(new Shape(4, 4)));
    }

    [Fact]
    public void ConfigIsKerasAndRoundTrips()
    {
        var serialized = new Orthogonal(0.5, seed: 3).Serialize();
        Assert.Equal("Orthogonal", (string?)serialized["class_name"]);
        Assert.Equal("keras.initializers", (string?)serialized["module"]);
        Assert.Equal(["seed", "gain"], ((JsonObject)serialized["config"]!).Select(p => p.Key));
        var back = Assert.IsType<Orthogonal>(Initializer.Get("orthogonal"));
        Assert.Equal(1.0, back.Gain);
        var read = Orthogonal.FromConfig(new JsonObject { ["gain"] = 2.0, ["seed"] = 9 });
        Assert.Equal((2.0, 9), (read.Gain, read.Seed));
        // Keras' aliases in a layer config.
        var lstm = LSTM.FromConfig(new JsonObject { ["units"] = 2, ["recurrent_initializer"] = new JsonObject { ["class_name"] = "OrthogonalInitializer", ["config"] = new JsonObject { ["gain"] = 1.5 } } });
        Assert.Equal(1.5, Assert.IsType<Orthogonal>(lstm.RecurrentInitializer).Gain);
    }

    [Fact]
    public void AVectorIsRefused() =>
        Assert.Contains("at least two-dimensional", Assert.Throws<ArgumentException>(() => new Orthogonal().Generate(new Shape(5))).Message);
}
