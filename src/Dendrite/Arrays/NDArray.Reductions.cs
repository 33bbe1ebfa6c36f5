using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Dendrite;

// Reductions over all elements or along one axis: Sum, Mean, Max, Min, ArgMax.
public sealed partial class NDArray<T>
{
    private const int WideningBlock = 4096;

    /// <summary>
    /// The sum of all elements (0 for an empty array). Floating-point elements are accumulated in
    /// <see cref="double"/> and the total is rounded to <typeparamref name="T"/> once at the end;
    /// <see cref="byte"/> and <see cref="int"/> elements are accumulated in <see cref="long"/>.
    /// </summary>
    /// <remarks>
    /// NumPy widens small integer sums to int64 (<c>np.uint8</c> and <c>np.int32</c> arrays sum to <c>int64</c>);
    /// this method returns <typeparamref name="T"/>, so a byte or int total that does not fit throws
    /// <see cref="OverflowException"/> instead of wrapping. Use <c>AsType&lt;long&gt;().Sum()</c> for large totals.
    /// A <see cref="long"/> total wraps around on overflow, as NumPy's int64 does.
    /// </remarks>
    /// <exception cref="OverflowException">A byte or int total does not fit <typeparamref name="T"/>.</exception>
    public T Sum()
    {
        var data = Elements();
        if (IsFloatingPoint) return T.CreateTruncating(SumAsDouble(data));
        return FromSum(SumAsLong(data));
    }

    /// <summary>
    /// The arithmetic mean of all elements, accumulated and returned in <see cref="double"/> whatever
    /// <typeparamref name="T"/> is (NumPy returns float32 for a float32 array; Dendrite returns the more precise
    /// double). An empty array gives <see cref="double.NaN"/>, as NumPy's (which also warns).
    /// </summary>
    public double Mean() => Size == 0 ? double.NaN : SumAsDouble(Elements()) / Size;

    /// <summary>
    /// The largest element. A NaN anywhere makes the result NaN, as NumPy's <c>max</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The array is empty (NumPy raises
    /// <c>zero-size array to reduction operation maximum which has no identity</c>).</exception>
    public T Max()
    {
        if (Size == 0) throw NoIdentity("maximum");
        var data = Elements();
        T best = data[0];
        for (int i = 1; i < data.Length; i++)
        {
            T v = data[i];
            if (v > best || T.IsNaN(v)) { best = v; if (T.IsNaN(v)) break; }
        }
        return best;
    }

    /// <summary>
    /// The smallest element. A NaN anywhere makes the result NaN, as NumPy's <c>min</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The array is empty (NumPy raises
    /// <c>zero-size array to reduction operation minimum which has no identity</c>).</exception>
    public T Min()
    {
        if (Size == 0) throw NoIdentity("minimum");
        var data = Elements();
        T best = data[0];
        for (int i = 1; i < data.Length; i++)
        {
            T v = data[i];
            if (v < best || T.IsNaN(v)) { best = v; if (T.IsNaN(v)) break; }
        }
        return best;
    }

    /// <summary>
    /// The C-order (flat) index of the first largest element; if there is a NaN, the index of the first NaN,
    /// as NumPy's <c>argmax</c>. NumPy returns an int64 index; Dendrite returns <see cref="int"/>, which holds any
    /// index of an <see cref="NDArray{T}"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The array is empty (NumPy raises
    /// <c>attempt to get argmax of an empty sequence</c>).</exception>
    public int ArgMax()
    {
        if (Size == 0) throw EmptyArgMax();
        var data = Elements();
        int best = 0;
        T bestValue = data[0];
        if (T.IsNaN(bestValue)) return 0;
        for (int i = 1; i < data.Length; i++)
        {
            T v = data[i];
            if (T.IsNaN(v)) return i;
            if (v > bestValue) { bestValue = v; best = i; }
        }
        return best;
    }

    /// <summary>
    /// Sums along <paramref name="axis"/> (negative counts from the end), removing that axis from the shape:
    /// a (2, 3) array gives shape (3,) for axis 0 and (2,) for axis 1. Accumulation and overflow rules are those
    /// of <see cref="Sum()"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="OverflowException">A byte or int total does not fit <typeparamref name="T"/>.</exception>
    public NDArray<T> Sum(int axis)
    {
        var layout = AxisLayout(axis);
        var result = new T[layout.Outer * layout.Inner];
        if (IsFloatingPoint)
        {
            var totals = SumAlong<double>(layout);
            for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(totals[i]);
        }
        else
        {
            var totals = SumAlong<long>(layout);
            for (int i = 0; i < result.Length; i++) result[i] = FromSum(totals[i]);
        }
        return new NDArray<T>(result, 0, new Shape(layout.ResultShape), null);
    }

    /// <summary>
    /// The mean along <paramref name="axis"/> (negative counts from the end), accumulated in and returned as
    /// <see cref="double"/> (see <see cref="Mean()"/>). Reducing an axis of length 0 gives NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    public NDArray<double> Mean(int axis)
    {
        var layout = AxisLayout(axis);
        var totals = SumAlong<double>(layout);
        double n = layout.Length;
        for (int i = 0; i < totals.Length; i++) totals[i] = layout.Length == 0 ? double.NaN : totals[i] / n;
        return new NDArray<double>(totals, 0, new Shape(layout.ResultShape), null);
    }

    /// <summary>
    /// The largest element along <paramref name="axis"/> (negative counts from the end); NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="InvalidOperationException">The axis has length 0.</exception>
    public NDArray<T> Max(int axis) => Extreme(axis, maximum: true);

    /// <summary>
    /// The smallest element along <paramref name="axis"/> (negative counts from the end); NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="InvalidOperationException">The axis has length 0.</exception>
    public NDArray<T> Min(int axis) => Extreme(axis, maximum: false);

    /// <summary>
    /// The index along <paramref name="axis"/> of the first largest element (of the first NaN, if any) for every
    /// position of the other axes; e.g. <c>predictions.ArgMax(1)</c> gives the predicted class of each row.
    /// NumPy returns int64 indices; Dendrite returns an <see cref="NDArray{T}"/> of <see cref="int"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="InvalidOperationException">The axis has length 0.</exception>
    public NDArray<int> ArgMax(int axis)
    {
        var layout = AxisLayout(axis);
        if (layout.Length == 0) throw EmptyArgMax();
        var data = layout.Data;
        int inner = layout.Inner;
        var indices = new int[layout.Outer * inner];
        var best = new T[inner];
        for (int o = 0; o < layout.Outer; o++)
        {
            int block = layout.Start + o * layout.Length * inner;
            data.AsSpan(block, inner).CopyTo(best);
            var idx = indices.AsSpan(o * inner, inner);
            for (int k = 1; k < layout.Length; k++)
            {
                var row = data.AsSpan(block + k * inner, inner);
                for (int j = 0; j < inner; j++)
                {
                    T v = row[j], b = best[j];
                    if (!T.IsNaN(b) && (v > b || T.IsNaN(v))) { best[j] = v; idx[j] = k; }
                }
            }
        }
        return new NDArray<int>(indices, 0, new Shape(layout.ResultShape), null);
    }

    private static bool IsFloatingPoint => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>The elements in C order: the shared buffer when contiguous, otherwise a copy.</summary>
    private ReadOnlySpan<T> Elements() => IsContiguous ? Buffer.AsSpan(Offset, Size) : ToArray();

    private static double SumAsDouble(ReadOnlySpan<T> data)
    {
        if (typeof(T) == typeof(double)) return TensorPrimitives.Sum(Cast<double>(data));
        if (typeof(T) == typeof(float))
        {
            // Widen a block at a time, then let TensorPrimitives sum the doubles (vectorised).
            var floats = Cast<float>(data);
            Span<double> wide = stackalloc double[WideningBlock];
            double total = 0;
            for (int i = 0; i < floats.Length; i += WideningBlock)
            {
                var chunk = floats.Slice(i, Math.Min(WideningBlock, floats.Length - i));
                var w = wide[..chunk.Length];
                for (int j = 0; j < chunk.Length; j++) w[j] = chunk[j];
                total += TensorPrimitives.Sum<double>(w);
            }
            return total;
        }
        double sum = 0;
        foreach (var v in data) sum += double.CreateTruncating(v);
        return sum;
    }

    private static long SumAsLong(ReadOnlySpan<T> data)
    {
        if (typeof(T) == typeof(long)) return TensorPrimitives.Sum(Cast<long>(data));
        long sum = 0;
        if (typeof(T) == typeof(byte)) foreach (var v in Cast<byte>(data)) sum += v;
        else if (typeof(T) == typeof(int)) foreach (var v in Cast<int>(data)) sum += v;
        else foreach (var v in data) sum += long.CreateTruncating(v);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<U> Cast<U>(ReadOnlySpan<T> data) where U : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<T, U>(data);

    /// <summary>An integer total as <typeparamref name="T"/>, refusing to wrap byte and int totals.</summary>
    private static T FromSum(long total)
    {
        if (typeof(T) == typeof(long)) return T.CreateTruncating(total);
        bool fits = typeof(T) == typeof(byte) ? total is >= byte.MinValue and <= byte.MaxValue : total is >= int.MinValue and <= int.MaxValue;
        if (!fits)
            throw new OverflowException(
                $"the sum {total} does not fit {DTypes.NameOf<T>()}; NumPy would widen it to int64. " +
                "Convert first, e.g. AsType<long>().Sum().");
        return T.CreateTruncating(total);
    }

    /// <summary>How a reduction along one axis sees the elements: <c>Outer × Length × Inner</c> in C order.</summary>
    private readonly record struct Layout(T[] Data, int Start, int Outer, int Length, int Inner, int[] ResultShape);

    private Layout AxisLayout(int axis)
    {
        int a = Shape.NormalizeAxis(axis);
        var dims = Shape.ToArray();
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= dims[i];
        for (int i = a + 1; i < dims.Length; i++) inner *= dims[i];
        var resultShape = new int[dims.Length - 1];
        dims.AsSpan(0, a).CopyTo(resultShape);
        dims.AsSpan(a + 1).CopyTo(resultShape.AsSpan(a));
        return IsContiguous
            ? new Layout(Buffer, Offset, outer, dims[a], inner, resultShape)
            : new Layout(ToArray(), 0, outer, dims[a], inner, resultShape);
    }

    /// <summary>Totals along the layout's axis, accumulated in <typeparamref name="TAcc"/>.</summary>
    private static TAcc[] SumAlong<TAcc>(Layout layout) where TAcc : unmanaged, INumber<TAcc>
    {
        var data = layout.Data;
        int inner = layout.Inner, n = layout.Length;
        var totals = new TAcc[layout.Outer * inner];
        for (int o = 0; o < layout.Outer; o++)
        {
            int block = layout.Start + o * n * inner;
            if (inner == 1)
            {
                // Reducing the last axis: each total is a contiguous run.
                var run = data.AsSpan(block, n);
                totals[o] = typeof(TAcc) == typeof(double)
                    ? TAcc.CreateTruncating(SumAsDouble(run))
                    : TAcc.CreateTruncating(SumAsLong(run));
                continue;
            }
            var acc = totals.AsSpan(o * inner, inner);
            for (int k = 0; k < n; k++)
            {
                var row = data.AsSpan(block + k * inner, inner);
                for (int j = 0; j < inner; j++) acc[j] += TAcc.CreateTruncating(row[j]);
            }
        }
        return totals;
    }

    private NDArray<T> Extreme(int axis, bool maximum)
    {
        var layout = AxisLayout(axis);
        if (layout.Length == 0) throw NoIdentity(maximum ? "maximum" : "minimum");
        var data = layout.Data;
        int inner = layout.Inner;
        var result = new T[layout.Outer * inner];
        for (int o = 0; o < layout.Outer; o++)
        {
            int block = layout.Start + o * layout.Length * inner;
            var acc = result.AsSpan(o * inner, inner);
            data.AsSpan(block, inner).CopyTo(acc);
            for (int k = 1; k < layout.Length; k++)
            {
                var row = data.AsSpan(block + k * inner, inner);
                if (maximum)
                {
                    for (int j = 0; j < inner; j++)
                        if (row[j] > acc[j] || T.IsNaN(row[j])) acc[j] = row[j];
                }
                else
                {
                    for (int j = 0; j < inner; j++)
                        if (row[j] < acc[j] || T.IsNaN(row[j])) acc[j] = row[j];
                }
            }
        }
        return new NDArray<T>(result, 0, new Shape(layout.ResultShape), null);
    }

    private static InvalidOperationException NoIdentity(string operation) =>
        new($"zero-size array to reduction operation {operation} which has no identity");

    private static InvalidOperationException EmptyArgMax() => new("attempt to get argmax of an empty sequence");
}
