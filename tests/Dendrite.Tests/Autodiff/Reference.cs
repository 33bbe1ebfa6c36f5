using Dendrite.Autodiff;

namespace Dendrite.Tests.Autodiff;

/// <summary>
/// A float64 N-D array for reference results. Everything here is plain index arithmetic (unravel a flat index, map
/// it, ravel it back), independent of the strided walks the ops use, so that the two can disagree.
/// </summary>
internal sealed class Ref(int[] shape, double[] data)
{
    public int[] Shape { get; } = shape;
    public double[] Data { get; } = data;

    public static Ref Of(Tensor t) => new(t.Shape.ToArray(), [.. t.Values.ToArray().Select(v => (double)v)]);

    public static int SizeOf(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            index[a] = flat % shape[a];
            flat /= shape[a];
        }
        return index;
    }

    public static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int a = 0; a < shape.Length; a++) flat = flat * shape[a] + index[a];
        return flat;
    }

    public double this[int[] index] => Data[Ravel(index, Shape)];
}

internal static class Reference
{
    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            Assert.True(x == y || x == 1 || y == 1, "the reference was given shapes that do not broadcast");
            dims[i] = Math.Max(x, y) == 0 || Math.Min(x, y) == 0 ? 0 : Math.Max(x, y);
        }
        return dims;
    }

    /// <summary>The element of <paramref name="x"/> that output index <paramref name="index"/> reads under broadcasting.</summary>
    private static double Broadcast(Ref x, int[] index)
    {
        int shift = index.Length - x.Shape.Length;
        var own = new int[x.Shape.Length];
        for (int a = 0; a < own.Length; a++) own[a] = x.Shape[a] == 1 ? 0 : index[a + shift];
        return x[own];
    }

    public static Ref Binary(Ref a, Ref b, Func<double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var data = new double[Ref.SizeOf(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            var index = Ref.Unravel(i, shape);
            data[i] = f(Broadcast(a, index), Broadcast(b, index));
        }
        return new Ref(shape, data);
    }

    public static Ref Map(Ref x, Func<double, double> f) => new(x.Shape, [.. x.Data.Select(f)]);

    /// <summary>Groups the elements by their index on the kept axes and folds each group with <paramref name="f"/>.</summary>
    public static Ref Reduce(Ref x, int[]? axes, bool keepDims, Func<IReadOnlyList<double>, double> f)
    {
        int rank = x.Shape.Length;
        var reduced = axes is null ? [.. Enumerable.Range(0, rank)] : axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
        var keptShape = x.Shape.Select((d, a) => reduced.Contains(a) ? 1 : d).ToArray();
        var groups = new List<double>[Ref.SizeOf(keptShape)];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        for (int i = 0; i < x.Data.Length; i++)
        {
            var index = Ref.Unravel(i, x.Shape);
            for (int a = 0; a < rank; a++) if (reduced.Contains(a)) index[a] = 0;
            groups[Ref.Ravel(index, keptShape)].Add(x.Data[i]);
        }
        var shape = keepDims ? keptShape : x.Shape.Where((_, a) => !reduced.Contains(a)).ToArray();
        return new Ref(shape, [.. groups.Select(g => f(g))]);
    }

    public static Ref Transpose(Ref x, int[] permutation)
    {
        var shape = permutation.Select(p => x.Shape[p]).ToArray();
        var data = new double[x.Data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            var index = Ref.Unravel(i, shape);
            var source = new int[shape.Length];
            for (int a = 0; a < shape.Length; a++) source[permutation[a]] = index[a];
            data[i] = x[source];
        }
        return new Ref(shape, data);
    }

    public static Ref Slice(Ref x, int[] start, int[] size)
    {
        var data = new double[Ref.SizeOf(size)];
        for (int i = 0; i < data.Length; i++)
        {
            var index = Ref.Unravel(i, size);
            for (int a = 0; a < index.Length; a++) index[a] += start[a];
            data[i] = x[index];
        }
        return new Ref(size, data);
    }

    public static Ref Concatenate(Ref[] xs, int axis)
    {
        var shape = (int[])xs[0].Shape.Clone();
        shape[axis] = xs.Sum(x => x.Shape[axis]);
        var data = new double[Ref.SizeOf(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            var index = Ref.Unravel(i, shape);
            int part = 0;
            while (index[axis] >= xs[part].Shape[axis]) index[axis] -= xs[part++].Shape[axis];
            data[i] = xs[part][index];
        }
        return new Ref(shape, data);
    }

    /// <summary>NumPy's matmul: vectors promoted and their axis dropped, batch axes broadcast.</summary>
    public static Ref MatMul(Ref a, Ref b)
    {
        var aShape = a.Shape.Length == 1 ? new[] { 1, a.Shape[0] } : a.Shape;
        var bShape = b.Shape.Length == 1 ? new[] { b.Shape[0], 1 } : b.Shape;
        var a2 = new Ref(aShape, a.Data);
        var b2 = new Ref(bShape, b.Data);
        int m = aShape[^2], k = aShape[^1], n = bShape[^1];
        var batch = BroadcastShape(aShape[..^2], bShape[..^2]);
        var full = batch.Concat([m, n]).ToArray();
        var data = new double[Ref.SizeOf(full)];
        for (int i = 0; i < data.Length; i++)
        {
            var index = Ref.Unravel(i, full);
            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                var ai = index[..^2].Concat([index[^2], p]).ToArray();
                var bi = index[..^2].Concat([p, index[^1]]).ToArray();
                sum += Broadcast(a2, ai) * Broadcast(b2, bi);
            }
            data[i] = sum;
        }
        var shape = batch.ToList();
        if (a.Shape.Length > 1) shape.Add(m);
        if (b.Shape.Length > 1) shape.Add(n);
        return new Ref([.. shape], data);
    }

    public static Ref LogSoftmax(Ref x)
    {
        int n = x.Shape[^1];
        var data = new double[x.Data.Length];
        for (int r = 0; r < data.Length / n; r++)
        {
            var row = x.Data.AsSpan(r * n, n).ToArray();
            double max = row.Max(), log = Math.Log(row.Sum(v => Math.Exp(v - max)));
            for (int j = 0; j < n; j++) data[r * n + j] = row[j] - max - log;
        }
        return new Ref(x.Shape, data);
    }

    /// <summary>Same shape, and every element within <paramref name="tolerance"/>·(1 + |expected|) (NaN must meet NaN).</summary>
    public static void AssertClose(Ref expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(new Shape(expected.Shape), actual.Shape);
        var values = actual.Values;
        for (int i = 0; i < expected.Data.Length; i++)
        {
            double e = expected.Data[i], a = values[i];
            if (double.IsNaN(e)) { Assert.True(double.IsNaN(a), $"element {i}: expected NaN, got {a:G9}"); continue; }
            if (double.IsInfinity(e)) { Assert.Equal(e, a); continue; }
            if (!(Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e))))
                Assert.Fail($"element {i} of shape {actual.Shape}: got {a:G9}, expected {e:G9}.");
        }
    }

    /// <summary>Parses "7,13" into (7, 13); the empty string is the scalar shape ().</summary>
    public static int[] ParseShape(string text) => text.Length == 0 ? [] : [.. text.Split(',').Select(int.Parse)];
}
