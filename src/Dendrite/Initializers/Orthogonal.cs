using System.Text.Json.Nodes;
using Dendrite.Saving;

namespace Dendrite.Initializers;

/// <summary>
/// An orthogonal matrix times <see cref="Gain"/> (Keras' <c>Orthogonal</c>, the default recurrent-kernel initializer
/// of <c>SimpleRNN</c>, <c>LSTM</c> and <c>GRU</c>). The shape is read as a matrix of (product of all but the last
/// dimension, last dimension); a normal matrix of (max, min) of those is factored as Q·R, the columns of Q are
/// multiplied by the signs of R's diagonal (which makes Q unique and uniformly distributed), and Q is transposed
/// when there are fewer rows than columns. So the result has orthonormal columns, or orthonormal rows when it is wide.
/// </summary>
/// <param name="gain">The factor applied to the orthogonal matrix; Keras' default 1.</param>
/// <param name="seed">The seed, or null to draw from the global generator.</param>
public sealed class Orthogonal(double gain = 1.0, int? seed = null) : Initializer
{
    /// <summary>The factor applied to the orthogonal matrix.</summary>
    public double Gain { get; } = double.IsFinite(gain) ? gain : throw new ArgumentOutOfRangeException(nameof(gain), $"Orthogonal needs a finite gain, got {gain}.");

    /// <summary>The seed, or null to draw from the global generator.</summary>
    public int? Seed { get; } = seed;

    /// <inheritdoc/>
    public override float[] Generate(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"The tensor to initialize must be at least two-dimensional. Received: shape={shape} of rank {shape.Rank}.");
        int cols = shape[^1], rows = shape.Size / Math.Max(1, cols);
        int tall = Math.Max(rows, cols), wide = Math.Min(rows, cols);
        var rng = Generator(Seed);
        var a = new double[tall * wide];
        for (int i = 0; i < a.Length; i++) a[i] = rng.NextGaussian();
        var q = OrthonormalColumns(a, tall, wide);
        var values = new float[shape.Size];
        for (int i = 0; i < tall; i++)
            for (int j = 0; j < wide; j++)
            {
                // Keras transposes Q when the matrix is wide (fewer rows than columns).
                int target = rows >= cols ? i * cols + j : j * cols + i;
                values[target] = (float)(Gain * q[i * wide + j]);
            }
        return values;
    }

    /// <summary>
    /// The Q of the reduced QR factorization of the (m, n) matrix <paramref name="a"/> (m ≥ n, row-major), with the
    /// column signs that make R's diagonal positive, by Householder reflections in float64: the same matrix as
    /// <c>q * sign(diag(r))</c> from any QR routine (numpy's, TensorFlow's), since that product is unique.
    /// </summary>
    internal static double[] OrthonormalColumns(double[] a, int m, int n)
    {
        var r = (double[])a.Clone();
        var vs = new double[n][];
        var diagonal = new double[n];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i * n + k] * r[i * n + k];
            norm = Math.Sqrt(norm);
            double alpha = r[k * n + k] >= 0 ? -norm : norm; // the reflection that avoids cancellation
            var v = new double[m - k];
            for (int i = k; i < m; i++) v[i - k] = r[i * n + k];
            v[0] -= alpha;
            double vv = 0;
            foreach (double x in v) vv += x * x;
            vs[k] = v;
            if (vv > 0)
                for (int j = k; j < n; j++)
                {
                    double dot = 0;
                    for (int i = k; i < m; i++) dot += v[i - k] * r[i * n + j];
                    double f = 2 * dot / vv;
                    for (int i = k; i < m; i++) r[i * n + j] -= f * v[i - k];
                }
            diagonal[k] = r[k * n + k];
        }
        // Q = H0·H1·…·H(n−1) applied to the first n columns of the identity, last reflection first.
        var q = new double[m * n];
        for (int j = 0; j < n; j++) q[j * n + j] = 1;
        for (int k = n - 1; k >= 0; k--)
        {
            var v = vs[k];
            double vv = 0;
            foreach (double x in v) vv += x * x;
            if (vv == 0) continue;
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i - k] * q[i * n + j];
                double f = 2 * dot / vv;
                for (int i = k; i < m; i++) q[i * n + j] -= f * v[i - k];
            }
        }
        // Column j times sign(R[j, j]), as Keras does (a zero diagonal, which a normal matrix never has, zeroes it too).
        for (int j = 0; j < n; j++)
        {
            double sign = Math.Sign(diagonal[j]);
            for (int i = 0; i < m; i++) q[i * n + j] *= sign;
        }
        return q;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["seed"] = Seed, ["gain"] = Gain };

    /// <summary>Rebuilds the initializer from its Keras config.</summary>
    public static Orthogonal FromConfig(JsonObject config) => KerasRegistry.ReadConfig(config, "initializer Orthogonal",
        c => new Orthogonal(c.Double("gain", 1.0), ReadSeed(c)));
}
